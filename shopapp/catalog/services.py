"""Writes on the store mirror. Every function is keyword-only, scoped to one shop, and atomic.

Upserts are guarded by the platform's `updated_at` (see upsert.py); children (variants, memberships,
order lines) are replaced only when their parent row was actually written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

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
    collection_row,
    customer_row,
    line_row,
    order_row,
    product_row,
    variant_row,
)
from shopapp.catalog.upsert import upsert_rows
from shopapp.shops.models import Shop


@transaction.atomic
def products_upsert(*, shop: Shop, products: Sequence[ProductRecord]) -> int:
    """Upsert products with their variants; returns how many products were written."""
    written = upsert_rows(
        Product,
        [{"shop_id": shop.pk, **product_row(p, currency=shop.currency)} for p in products],
    )
    variant_rows = [
        {
            "shop_id": shop.pk,
            **variant_row(v, product_pk=written[p.platform_id], updated_at=p.updated_at),
        }
        for p in products
        if p.platform_id in written
        for v in p.variants
    ]
    upsert_rows(Variant, variant_rows)
    # Variants that vanished from a newer product payload were deleted on the platform.
    for product in products:
        if product.platform_id in written:
            Variant.objects.filter(
                shop=shop, product_id=written[product.platform_id], deleted_at__isnull=True
            ).exclude(platform_id__in=[v.platform_id for v in product.variants]).update(
                deleted_at=timezone.now()
            )
    return len(written)


_COLLECTION_UPDATE_FIELDS = (
    "title",
    "handle",
    "description",
    "kind",
    "rules",
    "position",
    "is_published",
    "platform_updated_at",
)


@transaction.atomic
def collections_upsert(*, shop: Shop, collections: Sequence[CollectionRecord]) -> int:
    written = upsert_rows(
        Collection,
        [
            # NOT NULL columns the record does not carry: set on insert, kept on update.
            {"shop_id": shop.pk, **collection_row(c), "sort_order": "", "image_url": ""}
            for c in collections
        ],
        update_fields=_COLLECTION_UPDATE_FIELDS,
    )
    wanted = [c for c in collections if c.platform_id in written]
    product_pks = dict(
        Product.objects.filter(
            shop=shop, platform_id__in={pid for c in wanted for pid in c.product_ids}
        ).values_list("platform_id", "pk")
    )
    for record in wanted:
        collection_pk = written[record.platform_id]
        CollectionMembership.objects.filter(shop=shop, collection_id=collection_pk).delete()
        CollectionMembership.objects.bulk_create(
            CollectionMembership(
                shop=shop, collection_id=collection_pk, product_id=product_pks[pid], position=i
            )
            for i, pid in enumerate(record.product_ids)
            if pid in product_pks
        )
    return len(written)


@transaction.atomic
def customers_upsert(*, shop: Shop, customers: Sequence[CustomerRecord]) -> int:
    written = upsert_rows(Customer, [{"shop_id": shop.pk, **customer_row(c)} for c in customers])
    return len(written)


@transaction.atomic
def orders_upsert(*, shop: Shop, orders: Sequence[OrderRecord]) -> int:
    """Upsert orders; lines of a written order are replaced by the payload's lines."""
    customer_pks = dict(
        Customer.objects.filter(
            shop=shop, platform_id__in={o.customer_id for o in orders if o.customer_id}
        ).values_list("platform_id", "pk")
    )
    written = upsert_rows(
        Order,
        [
            {"shop_id": shop.pk, **order_row(o, customer_pk=customer_pks.get(o.customer_id or ""))}
            for o in orders
        ],
    )
    if not written:
        return 0
    wanted = [o for o in orders if o.platform_id in written]
    product_pks = dict(
        Product.objects.filter(
            shop=shop,
            platform_id__in={ln.product_id for o in wanted for ln in o.lines if ln.product_id},
        ).values_list("platform_id", "pk")
    )
    variant_pks = dict(
        Variant.objects.filter(
            shop=shop,
            platform_id__in={ln.variant_id for o in wanted for ln in o.lines if ln.variant_id},
        ).values_list("platform_id", "pk")
    )
    OrderLine.objects.filter(shop=shop, order_id__in=list(written.values())).delete()
    OrderLine.objects.bulk_create(
        OrderLine(
            shop=shop,
            **line_row(
                line,
                order_pk=written[o.platform_id],
                product_pk=product_pks.get(line.product_id or ""),
                variant_pk=variant_pks.get(line.variant_id or ""),
            ),
        )
        for o in wanted
        for line in o.lines
    )
    return len(written)


def mirrored_soft_delete(
    *,
    shop: Shop,
    model: type[Product | Variant | Collection | Customer | Order],
    platform_ids: Sequence[str],
    deleted_at: datetime | None = None,
) -> int:
    """Mark rows deleted; upserts never clear `deleted_at`, so a late update cannot revive them."""
    when = deleted_at or timezone.now()
    # `updated_at` by hand: update() skips auto_now, and the decisions' catalog version reads it.
    return model.objects.filter(
        shop=shop, platform_id__in=list(platform_ids), deleted_at__isnull=True
    ).update(deleted_at=when, updated_at=timezone.now())


def mirrored_restore(
    *,
    shop: Shop,
    model: type[Product | Collection | Customer | Order],
    platform_ids: Sequence[str],
) -> int:
    """Clear `deleted_at`: for platforms where a delete can be undone (WooCommerce's trash), once
    the integration has made sure the platform's current state is live and newer."""
    return model.objects.filter(
        shop=shop, platform_id__in=list(platform_ids), deleted_at__isnull=False
    ).update(deleted_at=None, updated_at=timezone.now())
