"""Neutral records (records.py) as table rows, keyed by column name.

The one place that says which record attribute lands in which column: the guarded upserts
(services.py) and the bulk first loads (first_load.py) both build their rows here. Rows carry no
shop and no row timestamps; the writer adds those.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shopapp.catalog.records import (
    CollectionRecord,
    CustomerRecord,
    OrderLineRecord,
    OrderRecord,
    ProductRecord,
    VariantRecord,
)
from shopapp.shops.crypto import lookup_hash

Row = dict[str, Any]


def product_row(p: ProductRecord, *, currency: str) -> Row:
    low, high = p.price_range
    return {
        "platform_id": p.platform_id,
        "title": p.title,
        "handle": p.handle,
        "vendor": p.vendor,
        "product_type": p.product_type,
        "tags": list(p.tags),
        "description": p.description,
        "price_min": low,
        "price_max": high,
        "currency": p.currency or currency,
        "images": list(p.images),
        "is_published": p.is_published,
        "in_stock": p.in_stock,
        "platform_created_at": p.created_at,
        "platform_updated_at": p.updated_at,
    }


def variant_row(v: VariantRecord, *, product_pk: int, updated_at: datetime | None) -> Row:
    return {
        "platform_id": v.platform_id,
        "product_id": product_pk,
        "title": v.title,
        "sku": v.sku,
        "price": v.price,
        "compare_at_price": v.compare_at_price,
        "in_stock": v.in_stock,
        "inventory_quantity": v.inventory_quantity,
        "position": v.position,
        "platform_updated_at": updated_at,
    }


def collection_row(c: CollectionRecord) -> Row:
    return {
        "platform_id": c.platform_id,
        "title": c.title,
        "handle": c.handle,
        "description": c.description,
        "kind": c.kind,
        "rules": list(c.rules),
        "position": c.position,
        "is_published": c.is_published,
        "platform_updated_at": c.updated_at,
    }


def customer_row(c: CustomerRecord) -> Row:
    """`email` and `name` are plain here: the writer encrypts them (the field, or bulk_append)."""
    return {
        "platform_id": c.platform_id,
        "email_hash": lookup_hash(c.email) if c.email else "",
        "email": c.email,
        "name": c.name,
        "accepts_marketing": c.accepts_marketing,
        "tags": list(c.tags),
        "country": c.country,
        "platform_created_at": c.created_at,
        "platform_updated_at": c.updated_at,
    }


def order_row(o: OrderRecord, *, customer_pk: int | None) -> Row:
    return {
        "platform_id": o.platform_id,
        "name": o.name,
        "customer_id": customer_pk,
        "kind": o.kind,
        "currency": o.currency,
        "subtotal": o.subtotal,
        "total": o.total,
        "refunded_total": o.refunded_total,
        "financial_status": o.financial_status,
        "cancelled_at": o.cancelled_at,
        "country": o.country,
        "platform_created_at": o.created_at,
        "platform_updated_at": o.updated_at,
    }


def line_row(
    ln: OrderLineRecord, *, order_pk: int, product_pk: int | None, variant_pk: int | None
) -> Row:
    return {
        "order_id": order_pk,
        "platform_id": ln.platform_id,
        "product_id": product_pk,
        "variant_id": variant_pk,
        "title": ln.title,
        "sku": ln.sku,
        "quantity": ln.quantity,
        "unit_price": ln.unit_price,
    }
