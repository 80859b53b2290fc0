"""Both sides of "our database equals the fake's state": the same canonical projection."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shopapp.catalog.models import (
    Collection,
    CollectionMembership,
    Customer,
    Order,
    OrderLine,
    Product,
    Variant,
)
from shopapp.shops.models import Shop
from tests.fakes.shopify.store import FakeShopData


def _dt(value: Any) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def fake_state(data: FakeShopData) -> dict[str, Any]:
    live_products = {pid for pid, p in data.products.items() if not p.deleted}
    return {
        "products": {
            str(p.id): (
                p.title,
                p.status == "active",
                _dt(p.updated_at),
                tuple(
                    (str(v.id), Decimal(v.price), v.inventory_quantity, v.available_for_sale)
                    for v in sorted(p.variants, key=lambda v: v.id)
                ),
            )
            for p in data.products.values()
            if not p.deleted
        },
        "collections": {
            # As a set: a bulk result without grouping does not keep siblings in order.
            str(c.id): (
                c.title,
                tuple(sorted(str(pid) for pid in c.product_ids if pid in live_products)),
            )
            for c in data.collections.values()
            if not c.deleted
        },
        "customers": {
            str(c.id): (
                c.email,
                f"{c.first_name} {c.last_name}",
                c.marketing_state == "subscribed",
                c.country,
            )
            for c in data.customers.values()
            if not c.deleted
        },
        "orders": {
            str(o.id): (
                str(o.customer_id) if o.customer_id else None,
                Decimal(o.total),
                Decimal(o.refunded),
                o.financial_status
                if o.financial_status != "partially_refunded"
                else "partially_refunded",
                bool(o.cancelled_at),
                tuple(
                    (
                        str(ln.id),
                        ln.quantity,
                        Decimal(ln.price),
                        str(ln.product_id) if ln.product_id in live_products else None,
                    )
                    for ln in sorted(o.lines, key=lambda ln: ln.id)
                ),
            )
            for o in data.orders.values()
            if not o.deleted
        },
    }


def db_state(shop: Shop) -> dict[str, Any]:
    # Plain queries grouped in Python: prefetching 10,000s of ids overflows SQLite's expression limit.
    live_product_ids = set(
        Product.objects.filter(shop=shop, deleted_at__isnull=True).values_list(
            "platform_id", flat=True
        )
    )
    variants: dict[int, list[tuple[Any, ...]]] = {}
    for product_id, *values in Variant.objects.filter(
        shop=shop, deleted_at__isnull=True
    ).values_list("product_id", "platform_id", "price", "inventory_quantity", "in_stock"):
        variants.setdefault(product_id, []).append(tuple(values))
    members: dict[int, list[str]] = {}
    for collection_id, product_id in CollectionMembership.objects.filter(shop=shop).values_list(
        "collection_id", "product__platform_id"
    ):
        if product_id in live_product_ids:
            members.setdefault(collection_id, []).append(product_id)
    lines: dict[int, list[tuple[Any, ...]]] = {}
    for order_id, platform_id, quantity, price, product_id in OrderLine.objects.filter(
        shop=shop
    ).values_list("order_id", "platform_id", "quantity", "unit_price", "product__platform_id"):
        lines.setdefault(order_id, []).append(
            (platform_id, quantity, price, product_id if product_id in live_product_ids else None)
        )
    return {
        "products": {
            p.platform_id: (
                p.title,
                p.is_published,
                _dt(p.platform_updated_at),
                tuple(sorted(variants.get(p.pk, []), key=lambda v: int(v[0]))),
            )
            for p in Product.objects.filter(shop=shop, deleted_at__isnull=True)
        },
        "collections": {
            c.platform_id: (c.title, tuple(sorted(members.get(c.pk, []))))
            for c in Collection.objects.filter(shop=shop, deleted_at__isnull=True)
        },
        "customers": {
            c.platform_id: (c.email, c.name, c.accepts_marketing, c.country)
            for c in Customer.objects.filter(shop=shop, deleted_at__isnull=True)
        },
        "orders": {
            o.platform_id: (
                o.customer.platform_id if o.customer else None,
                o.total,
                o.refunded_total,
                o.financial_status,
                o.cancelled_at is not None,
                tuple(sorted(lines.get(o.pk, []), key=lambda ln: int(ln[0]))),
            )
            for o in Order.objects.filter(shop=shop, deleted_at__isnull=True).select_related(
                "customer"
            )
        },
    }


def assert_mirrors(shop: Shop, data: FakeShopData) -> None:
    ours, theirs = db_state(shop), fake_state(data)
    for kind in ("products", "collections", "customers", "orders"):
        missing = theirs[kind].keys() - ours[kind].keys()
        extra = ours[kind].keys() - theirs[kind].keys()
        assert not missing, f"{kind}: missing {sorted(missing)[:5]}"
        assert not extra, f"{kind}: extra {sorted(extra)[:5]}"
        wrong = [k for k in theirs[kind] if theirs[kind][k] != ours[kind][k]]
        assert not wrong, (
            f"{kind} {wrong[0]}: fake {theirs[kind][wrong[0]]} != ours {ours[kind][wrong[0]]}"
        )
