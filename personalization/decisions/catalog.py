"""A per-process snapshot of a shop's sellable catalog and its popularity, for fast decisions.

Decisions run on every storefront page; reading the catalog from the database each time would
dominate their cost. The snapshot is rebuilt when the catalog changes (checked every few seconds
by the newest `updated_at`) and holds only what rendering and ranking need.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db.models import Count, Max, Q, Sum

from personalization.profiles.history import shop_now
from shopapp.catalog.models import CollectionMembership, Product
from shopapp.shops.models import Shop

CHECK_EVERY_SECONDS = 10.0
TRENDING_DAYS = 30


@dataclass(frozen=True, slots=True)
class Item:
    pk: int
    platform_id: str
    title: str
    handle: str
    price: str
    image: str
    category: str
    brand: str
    created: float
    popularity: float  # net units sold, log-scaled to [0, 1] within the shop
    trending: float  # units in the last 30 days, log-scaled to [0, 1]


@dataclass
class CatalogSnapshot:
    shop_id: int
    version: str
    currency: str
    items: dict[str, Item]  # sellable products by platform id
    by_pk: dict[int, str]
    bestsellers: list[str]  # platform ids, most sold first
    trending: list[str]
    new_arrivals: list[str]
    by_category: dict[str, list[str]] = field(default_factory=dict)  # bestsellers per category
    new_by_category: dict[str, list[str]] = field(default_factory=dict)  # newest first
    collections: dict[str, str] = field(default_factory=dict)  # collection platform id -> title
    # what callers keep for as long as this snapshot lives (the decisions' local cache): a new
    # catalog version, or forget(), drops it with the snapshot
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def _scaled(values: dict[int, float]) -> dict[int, float]:
    top = max(values.values(), default=0.0)
    if top <= 0:
        return dict.fromkeys(values, 0.0)
    return {pk: math.log1p(max(v, 0.0)) / math.log1p(top) for pk, v in values.items()}


def _build(shop: Shop, version: str) -> CatalogSnapshot:
    products = list(
        Product.objects.filter(
            shop=shop, deleted_at__isnull=True, is_published=True, in_stock=True
        ).values_list(
            "pk",
            "platform_id",
            "title",
            "handle",
            "price_min",
            "images",
            "product_type",
            "vendor",
            "platform_created_at",
        )
    )
    units = dict(
        Product.objects.filter(shop=shop, deleted_at__isnull=True)
        .annotate(units=Sum("order_lines__quantity", filter=Q(order_lines__shop=shop)))
        .values_list("pk", "units")
    )
    since = shop_now(shop) - TRENDING_DAYS * 86400
    recent_units = dict(
        Product.objects.filter(shop=shop, deleted_at__isnull=True)
        .annotate(
            units=Sum(
                "order_lines__quantity",
                filter=Q(
                    order_lines__shop=shop,
                    order_lines__order__platform_created_at__gte=datetime.fromtimestamp(
                        since, tz=UTC
                    ),
                ),
            )
        )
        .values_list("pk", "units")
    )
    popularity = _scaled({pk: float(units.get(pk) or 0) for pk, *_ in products})
    trending = _scaled({pk: float(recent_units.get(pk) or 0) for pk, *_ in products})
    items: dict[str, Item] = {}
    for pk, platform_id, title, handle, price, images, category, brand, created in products:
        image = images[0]["url"] if images and isinstance(images[0], dict) else ""
        items[platform_id] = Item(
            pk=pk,
            platform_id=platform_id,
            title=title,
            handle=handle,
            price=f"{price:.2f}" if price is not None else "",
            image=image,
            category=category,
            brand=brand,
            created=created.timestamp() if created else 0.0,
            popularity=popularity.get(pk, 0.0),
            trending=trending.get(pk, 0.0),
        )
    ranked = sorted(items.values(), key=lambda i: (-i.popularity, i.platform_id))
    newest = sorted(items.values(), key=lambda i: (-i.created, i.platform_id))
    new_by_category: dict[str, list[str]] = {}
    for item in newest:
        new_by_category.setdefault(item.category, []).append(item.platform_id)
    by_category: dict[str, list[str]] = {}
    for item in ranked:
        by_category.setdefault(item.category, []).append(item.platform_id)
    collections = dict(
        CollectionMembership.objects.filter(shop=shop)
        .values_list("collection__platform_id", "collection__title")
        .distinct()
    )
    return CatalogSnapshot(
        shop_id=shop.pk,
        version=version,
        currency=shop.currency,
        items=items,
        by_pk={i.pk: i.platform_id for i in items.values()},
        bestsellers=[i.platform_id for i in ranked if i.popularity > 0],
        trending=[
            i.platform_id
            for i in sorted(items.values(), key=lambda i: (-i.trending, -i.popularity))
            if i.trending > 0
        ],
        new_arrivals=[i.platform_id for i in newest],
        by_category=by_category,
        new_by_category=new_by_category,
        collections=collections,
    )


_snapshots: dict[int, tuple[float, CatalogSnapshot]] = {}


def catalog_version(shop: Shop) -> str:
    stamp = Product.objects.filter(shop=shop).aggregate(latest=Max("updated_at"), n=Count("pk"))
    latest = stamp["latest"]
    return f"{stamp['n']}-{latest.timestamp() if latest else 0:.0f}"


def catalog_snapshot(shop: Shop) -> CatalogSnapshot:
    now = time.monotonic()
    cached = _snapshots.get(shop.pk)
    if cached and now - cached[0] < CHECK_EVERY_SECONDS:
        return cached[1]
    version = catalog_version(shop)
    if cached and cached[1].version == version:
        _snapshots[shop.pk] = (now, cached[1])
        return cached[1]
    snapshot = _build(shop, version)
    _snapshots[shop.pk] = (now, snapshot)
    return snapshot


def forget(shop_id: int | None = None) -> None:
    if shop_id is None:
        _snapshots.clear()
    else:
        _snapshots.pop(shop_id, None)
