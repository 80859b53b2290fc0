"""First loads: append many new records at once with COPY (bulk.py), no guard.

For a shop's first sync (a platform's bulk export, a full catalog walk), where every row is new and
a guarded upsert per row would cost an order of magnitude more. Later changes go through the
guarded upserts in services.py. Platform-neutral: every integration's bulk phase calls these.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from shopapp.catalog.bulk import bulk_append
from shopapp.catalog.models import (
    Collection,
    CollectionMembership,
    Customer,
    Order,
    OrderLine,
    Product,
    Variant,
)
from shopapp.catalog.records import CollectionRecord, CustomerRecord, OrderRecord, ProductRecord
from shopapp.catalog.rows import (
    Row,
    collection_row,
    customer_row,
    line_row,
    order_row,
    product_row,
    variant_row,
)
from shopapp.shops.models import Shop


def _stamps() -> dict[str, datetime]:
    now = timezone.now()
    return {"created_at": now, "updated_at": now}


def _append(model: type[models.Model], rows: list[Row]) -> None:
    if rows:
        columns = list(rows[0])
        bulk_append(model, columns, (tuple(row[c] for c in columns) for row in rows))


def _pks(
    model: type[models.Model], shop: Shop, platform_ids: Iterable[str | None]
) -> dict[str, int]:
    wanted = {pid for pid in platform_ids if pid}
    if not wanted:
        return {}
    manager: Any = model._default_manager
    return dict(manager.filter(shop=shop, platform_id__in=wanted).values_list("platform_id", "pk"))


def products_first_load(shop: Shop, products: Sequence[ProductRecord]) -> None:
    stamps = _stamps()
    _append(
        Product,
        [
            {"shop_id": shop.pk, **product_row(p, currency=shop.currency), **stamps}
            for p in products
        ],
    )
    pks = _pks(Product, shop, (p.platform_id for p in products))
    _append(
        Variant,
        [
            {
                "shop_id": shop.pk,
                **variant_row(v, product_pk=pks[p.platform_id], updated_at=p.updated_at),
                **stamps,
            }
            for p in products
            for v in p.variants
        ],
    )


def collections_first_load(shop: Shop, collections: Sequence[CollectionRecord]) -> None:
    stamps = _stamps()
    _append(
        Collection,
        [
            {"shop_id": shop.pk, **collection_row(c), "sort_order": "", "image_url": "", **stamps}
            for c in collections
        ],
    )
    collection_pks = _pks(Collection, shop, (c.platform_id for c in collections))
    product_pks = _pks(Product, shop, (pid for c in collections for pid in c.product_ids))
    _append(
        CollectionMembership,
        [
            {
                "shop_id": shop.pk,
                "collection_id": collection_pks[c.platform_id],
                "product_id": product_pks[pid],
                "position": position,
            }
            for c in collections
            for position, pid in enumerate(dict.fromkeys(c.product_ids))
            if pid in product_pks
        ],
    )


def customers_first_load(shop: Shop, customers: Sequence[CustomerRecord]) -> None:
    stamps = _stamps()
    _append(Customer, [{"shop_id": shop.pk, **customer_row(c), **stamps} for c in customers])


def orders_first_load(shop: Shop, orders: Sequence[OrderRecord]) -> None:
    stamps = _stamps()
    customer_pks = _pks(Customer, shop, (o.customer_id for o in orders))
    _append(
        Order,
        [
            {
                "shop_id": shop.pk,
                **order_row(o, customer_pk=customer_pks.get(o.customer_id or "")),
                **stamps,
            }
            for o in orders
        ],
    )
    order_pks = _pks(Order, shop, (o.platform_id for o in orders))
    product_pks = _pks(Product, shop, (ln.product_id for o in orders for ln in o.lines))
    variant_pks = _pks(Variant, shop, (ln.variant_id for o in orders for ln in o.lines))
    _append(
        OrderLine,
        [
            {
                "shop_id": shop.pk,
                **line_row(
                    ln,
                    order_pk=order_pks[o.platform_id],
                    product_pk=product_pks.get(ln.product_id or ""),
                    variant_pk=variant_pks.get(ln.variant_id or ""),
                ),
            }
            for o in orders
            for ln in o.lines
        ],
    )
