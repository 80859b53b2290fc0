"""Reads for user-generated content: the moderation queue, and the gallery and review
highlights ranked for one visitor (engine/ugc_rank.py) with reasons for the admin preview."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from personalization.decisions.catalog import CatalogSnapshot, Item, catalog_snapshot
from personalization.decisions.context import VisitorContext
from personalization.decisions.services import product_url
from personalization.engine import ugc_rank
from personalization.ugc import storage
from personalization.ugc.models import (
    Content,
    ImportRun,
    ImportRunStatus,
    Kind,
    ProductTag,
    RemovalRequest,
)
from shopapp.shops.models import Platform, Shop

GALLERY_KINDS = (Kind.PHOTO, Kind.VIDEO, Kind.SOCIAL)
# Videos are stored as uploaded, with no frame grabbed (no codec library here): every video shows
# this neutral tile as its poster, inline, so nothing is fetched or decoded until play is pressed.
VIDEO_POSTER = (
    "data:image/svg+xml,%3Csvg xmlns=%27http://www.w3.org/2000/svg%27 "
    "viewBox=%270 0 480 480%27%3E%3Crect width=%27480%27 height=%27480%27 "
    "fill=%27%23e4e5e7%27/%3E%3Ccircle cx=%27240%27 cy=%27240%27 r=%2764%27 "
    "fill=%27%236d7175%27/%3E%3Cpath d=%27M220 205v70l58-35z%27 fill=%27%23fff%27/%3E%3C/svg%3E"
)
MAX_CANDIDATES = 500


def content_list(
    *, shop: Shop, status: str | None = None, kind: str | None = None
) -> QuerySet[Content]:
    queryset = Content.objects.filter(shop=shop)
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.prefetch_related(
        Prefetch("tags", queryset=ProductTag.objects.select_related("product"))
    ).order_by("-created_at", "-pk")


def content_get(*, shop: Shop, content_id: int) -> Content | None:
    return Content.objects.filter(shop=shop, pk=content_id).first()


def removal_request_list(*, shop: Shop, status: str | None = None) -> QuerySet[RemovalRequest]:
    queryset = RemovalRequest.objects.filter(shop=shop).order_by("-created_at")
    return queryset.filter(status=status) if status else queryset


def has_showable(*, shop: Shop) -> bool:
    return Content.objects.showable().filter(shop=shop, kind__in=GALLERY_KINDS).exists()


def _add_to_cart(shop: Shop, item: Item, variant_id: str) -> dict[str, Any]:
    """How the storefront adds this product to the cart, per platform."""
    if shop.is_demo and settings.DEMO_ENABLED:
        return {"method": "post", "action": "/demo/cart/add/", "fields": {"product_id": item.pk}}
    if shop.platform == Platform.WOOCOMMERCE:
        return {"method": "get", "action": "/", "fields": {"add-to-cart": item.platform_id}}
    return {"method": "post", "action": "/cart/add", "fields": {"id": variant_id, "quantity": 1}}


@dataclass(frozen=True)
class RankedContent:
    content: Content
    score: float
    reason: str
    parts: dict[str, float]


def _candidates(shop: Shop, kinds: tuple[str, ...]) -> list[Content]:
    return list(
        Content.objects.showable()
        .filter(shop=shop, kind__in=kinds)
        .prefetch_related(
            Prefetch(
                "tags",
                queryset=ProductTag.objects.select_related("product").prefetch_related(
                    "product__variants"
                ),
            )
        )
        .order_by("-posted_at")[:MAX_CANDIDATES]
    )


def _visitor(context: VisitorContext | None, product_id: str) -> ugc_rank.Visitor:
    if context is None:
        return ugc_rank.Visitor(current_product=product_id)
    return ugc_rank.Visitor(
        category_affinity=context.category_affinity,
        viewed=context.recently_viewed,
        cart=context.cart,
        purchased=sorted(context.purchased),
        current_product=product_id,
    )


def ranked_content(
    *,
    shop: Shop,
    context: VisitorContext | None,
    kinds: tuple[str, ...],
    product_id: str = "",
    limit: int = 6,
    snapshot: CatalogSnapshot | None = None,
    now: float | None = None,
) -> list[RankedContent]:
    snapshot = snapshot or catalog_snapshot(shop)
    now = now or time.time()
    contents = _candidates(shop, kinds)
    items = []
    for content in contents:
        tagged = tuple(t.product.platform_id for t in content.tags.all())
        categories = tuple(
            dict.fromkeys(
                snapshot.items[p].category
                for p in tagged
                if p in snapshot.items and snapshot.items[p].category
            )
        )
        items.append(
            ugc_rank.UgcItem(
                item_id=content.pk,
                product_ids=tagged,
                categories=categories,
                quality=content.quality,
                age_days=(now - content.posted_at.timestamp()) / 86400.0,
            )
        )
    by_id = {c.pk: c for c in contents}
    return [
        RankedContent(by_id[r.item_id], r.score, r.reason, r.parts)
        for r in ugc_rank.rank(items, _visitor(context, product_id), limit=limit)
    ]


def content_json(
    shop: Shop, ranked: RankedContent, snapshot: CatalogSnapshot, *, explain: bool
) -> dict[str, Any]:
    content = ranked.content
    products = []
    for tag in content.tags.all():
        item = snapshot.items.get(tag.product.platform_id)
        if item is None:
            continue  # unpublished or deleted since it was tagged
        # The first variant a shopper could buy: in stock first, then the theme's order.
        variants = sorted(tag.product.variants.all(), key=lambda v: (not v.in_stock, v.position))
        products.append(
            {
                "id": item.platform_id,
                "title": item.title,
                "url": product_url(shop, item),
                "price": item.price,
                "image": item.image,
                "add_to_cart": _add_to_cart(
                    shop, item, variants[0].platform_id if variants else ""
                ),
            }
        )
    data: dict[str, Any] = {
        "id": content.pk,
        "kind": content.kind,
        "media_type": content.media_type,
        "image": ""
        if content.kind == Kind.VIDEO
        else storage.file_url(content.thumbnail_name or content.media_name),
        "media": storage.file_url(content.media_name),
        "poster": VIDEO_POSTER if content.kind == Kind.VIDEO else "",
        "width": content.width,
        "height": content.height,
        "text": content.body[:500],
        "title": content.title,
        "rating": content.rating,
        "attribution": content.attribution,
        "verified_buyer": content.is_verified_buyer,
        "source_url": content.source_url,
        "products": products,
    }
    if explain:
        data["reason"] = ranked.reason
        data["score"] = ranked.score
        data["parts"] = ranked.parts
    return data


def import_run_latest(*, shop: Shop, source: str) -> ImportRun | None:
    return ImportRun.objects.filter(shop=shop, source=source).order_by("-created_at").first()


def import_run_get(*, shop: Shop, run_id: int) -> ImportRun | None:
    return ImportRun.objects.filter(shop=shop, pk=run_id).first()


def import_run_last_done(
    *, shop: Shop, source: str, before: int | None = None, is_fetch: bool | None = None
) -> ImportRun | None:
    """The last finished import: the next one reads what changed since it started."""
    runs = ImportRun.objects.filter(shop=shop, source=source, status=ImportRunStatus.DONE)
    if is_fetch:
        runs = runs.filter(is_fetch=True, store_started_at__isnull=False)
    if before is not None:
        runs = runs.exclude(pk=before)
    return runs.order_by("-started_at").first()
