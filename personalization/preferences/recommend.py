"""Recommendations straight from quiz answers, blended with the shopper's behaviour.

Reads the decisions' catalog snapshot (sellable products, popularity) and adds the tags and
price bands the quiz can ask about, cached per process and catalog version like the snapshot.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from personalization.decisions.catalog import CatalogSnapshot, catalog_snapshot
from personalization.decisions.services import product_url
from personalization.engine.affinity import normalized
from personalization.engine.quiz import QuizItem, Target, quiz_rank
from personalization.preferences.models import QuizAnswer, TargetKind
from personalization.profiles.selectors import (
    price_band_edges,
    price_band_for,
    profile_for_visitor_key,
)
from shopapp.catalog.models import Product
from shopapp.shops.models import Shop

MAX_RECOMMENDATIONS = 12
_items_cache: dict[int, tuple[str, list[QuizItem]]] = {}


def quiz_items(shop: Shop, snapshot: CatalogSnapshot) -> list[QuizItem]:
    cached = _items_cache.get(shop.pk)
    if cached and cached[0] == snapshot.version:
        return cached[1]
    tags = dict(
        Product.objects.filter(shop=shop, platform_id__in=list(snapshot.items)).values_list(
            "platform_id", "tags"
        )
    )
    edges = price_band_edges(shop=shop)
    items = [
        QuizItem(
            id=item.platform_id,
            category=item.category,
            brand=item.brand,
            price_band=price_band_for(float(item.price or 0), edges),
            tags=frozenset(str(t) for t in tags.get(item.platform_id) or []),
            popularity=item.popularity,
        )
        for item in snapshot.items.values()
    ]
    _items_cache[shop.pk] = (snapshot.version, items)
    return items


def forget(shop_id: int | None = None) -> None:
    if shop_id is None:
        _items_cache.clear()
    else:
        _items_cache.pop(shop_id, None)


def behaviour_for(
    shop: Shop, snapshot: CatalogSnapshot, *, visitor_key: str | None, recent: Sequence[str]
) -> dict[str, float]:
    """Category shares from the consenting visitor's profile, else from this session's views."""
    if visitor_key:
        profile = profile_for_visitor_key(shop=shop, visitor_key=visitor_key)
        if profile is not None:
            shares = normalized((profile.affinities.get("category") or {}).get("raw", {}))
            if shares:
                return shares
    raw: dict[str, float] = {}
    for rank, pid in enumerate(recent):
        item = snapshot.items.get(pid)
        if item and item.category:
            raw[item.category] = raw.get(item.category, 0.0) + 1.0 / (1 + rank)
    return normalized(raw)


def _placeholder(shop: Shop, handle: str) -> str:
    """The demo storefront draws its product art; real shops without an image show none."""
    if shop.is_demo and settings.DEMO_ENABLED:
        return reverse("demo:placeholder", args=[handle])
    return ""


def _target_label(kind: str, value: str) -> str:
    if kind == TargetKind.PRICE_BAND:
        return {"low": _("a small price"), "mid": _("a mid-range price"), "high": _("a treat")}.get(
            value, value
        )
    return value


def quiz_recommend(
    *,
    shop: Shop,
    answers: Sequence[QuizAnswer],
    behaviour: dict[str, float],
    limit: int = 8,
) -> list[dict[str, Any]]:
    """Products for these answers, each with the answers it matches as its reason."""
    snapshot = catalog_snapshot(shop)
    targets = [Target(a.target_kind, a.target_value) for a in answers]
    labels = {(a.target_kind, a.target_value.lower()): a.target_kind for a in answers}
    ranked = quiz_rank(
        quiz_items(shop, snapshot),
        targets,
        behaviour=behaviour,
        limit=min(limit, MAX_RECOMMENDATIONS),
    )
    results = []
    for entry in ranked:
        item = snapshot.items[entry.id]
        matched = [
            _target_label(labels.get((kind, value.lower()), kind), value)
            for kind, value in ((t.kind, t.value) for t in targets)
            if value in entry.matched
        ]
        results.append(
            {
                "id": item.platform_id,
                "title": item.title,
                "url": product_url(shop, item),
                "image": item.image or _placeholder(shop, item.handle),
                "price": item.price,
                # Shown as is until prices are formatted per shop locale (issue 11, languages).
                "price_display": f"{item.price} {snapshot.currency}" if item.price else "",
                "reason": _("Matches your answers: %(answers)s")
                % {"answers": ", ".join(dict.fromkeys(matched))},
                "score": entry.score,
            }
        )
    return results
