"""Both sides of "our database equals the fake's state": one canonical projection of each.

The fake side is computed from the fake's own objects (not from its REST answers, and not with
the integration's mapping), so a mapping mistake shows up as a difference.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from integrations.woocommerce.models import Review
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
from tests.fakes.woocommerce.store import FakeStoreData

STATUS = {
    "pending": "pending",
    "on-hold": "pending",
    "processing": "paid",
    "completed": "paid",
    "cancelled": "voided",
    "refunded": "refunded",
    "failed": "voided",
}
MILLI = Decimal("0.001")


def _dt(value: Any) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S") if value else ""


def fake_state(data: FakeStoreData) -> dict[str, Any]:
    live = {pid for pid, p in data.products.items() if p.status != "trash"}
    products: dict[str, Any] = {}
    for pid in live:
        product = data.products[pid]
        if product.variation_ids:
            variants = tuple(
                (
                    str(v.id),
                    v.price,
                    v.stock_quantity,
                    v.stock_status != "outofstock",
                )
                for v in sorted(
                    (data.variations[i] for i in product.variation_ids), key=lambda v: v.id
                )
            )
        else:
            variants = (
                (
                    str(pid),
                    product.price,
                    product.stock_quantity,
                    product.stock_status != "outofstock",
                ),
            )
        products[str(pid)] = (
            product.name,
            product.status == "publish",
            _dt(product.modified),
            variants,
        )
    categories = {
        str(c.id): (
            c.name,
            tuple(sorted((str(p) for p in live if c.id in data.products[p].categories), key=int)),
        )
        for c in data.categories.values()
    }
    customers = {
        str(c.id): (c.email, f"{c.first_name} {c.last_name}", c.country)
        for c in data.customers.values()
    }
    orders = {}
    for order in data.orders.values():
        if order.status == "trash":
            continue
        refunded = -sum((amount for _rid, amount in order.refunds), Decimal(0))
        status = STATUS[order.status]
        if refunded > 0 and status == "paid":
            status = "partially_refunded"
        orders[str(order.id)] = (
            str(order.customer_id) if order.customer_id else None,
            order.total,
            refunded,
            status,
            order.status == "cancelled",
            tuple(
                (
                    str(line.id),
                    line.quantity,
                    (line.subtotal / line.quantity).quantize(MILLI, rounding=ROUND_HALF_UP),
                    str(line.product_id) if line.product_id in live else None,
                )
                for line in sorted(order.lines, key=lambda ln: ln.id)
            ),
        )
    reviews = {
        str(r.id): (str(r.product_id), r.rating)
        for r in data.reviews.values()
        if r.status == "approved"
    }
    return {
        "products": products,
        "categories": categories,
        "customers": customers,
        "orders": orders,
        "reviews": reviews,
    }


def db_state(shop: Shop) -> dict[str, Any]:
    live = set(
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
        if product_id in live:
            members.setdefault(collection_id, []).append(product_id)
    lines: dict[int, list[tuple[Any, ...]]] = {}
    for order_id, platform_id, quantity, price, product_id in OrderLine.objects.filter(
        shop=shop
    ).values_list("order_id", "platform_id", "quantity", "unit_price", "product__platform_id"):
        lines.setdefault(order_id, []).append(
            (platform_id, quantity, price, product_id if product_id in live else None)
        )
    customer_ids = dict(Customer.objects.filter(shop=shop).values_list("pk", "platform_id"))
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
        "categories": {
            c.platform_id: (c.title, tuple(sorted(members.get(c.pk, []), key=int)))
            for c in Collection.objects.filter(shop=shop, deleted_at__isnull=True)
        },
        "customers": {
            c.platform_id: (c.email, c.name, c.country)
            for c in Customer.objects.filter(shop=shop, deleted_at__isnull=True)
        },
        "orders": {
            o.platform_id: (
                customer_ids.get(o.customer_id) if o.customer_id else None,
                o.total,
                o.refunded_total,
                o.financial_status,
                o.cancelled_at is not None,
                tuple(sorted(lines.get(o.pk, []), key=lambda ln: int(ln[0]))),
            )
            for o in Order.objects.filter(shop=shop, deleted_at__isnull=True)
        },
        "reviews": {
            r.platform_id: (r.product_platform_id, r.rating)
            for r in Review.objects.filter(shop=shop)
        },
    }


def differences(shop: Shop, data: FakeStoreData) -> list[str]:
    ours, theirs = db_state(shop), fake_state(data)
    found = []
    for kind in theirs:
        missing = theirs[kind].keys() - ours[kind].keys()
        extra = ours[kind].keys() - theirs[kind].keys()
        if missing:
            found.append(f"{kind}: missing {sorted(missing, key=int)[:5]} of {len(missing)}")
        if extra:
            found.append(f"{kind}: extra {sorted(extra, key=int)[:5]} of {len(extra)}")
        wrong = [k for k in theirs[kind] if k in ours[kind] and theirs[kind][k] != ours[kind][k]]
        if wrong:
            found.append(
                f"{kind} {wrong[0]} (+{len(wrong) - 1}): fake {theirs[kind][wrong[0]]} "
                f"!= ours {ours[kind][wrong[0]]}"
            )
    return found


def assert_mirrors(shop: Shop, data: FakeStoreData) -> None:
    problems = differences(shop, data)
    assert not problems, "\n".join(problems)
