"""Decide a whole page for one visitor: the storefront's one call per page view."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache

from personalization.decisions import compose
from personalization.decisions.catalog import CatalogSnapshot, Item, catalog_snapshot
from personalization.decisions.context import VisitorContext
from personalization.decisions.models import PlacementConfig
from personalization.merchandising.selectors import decision_nav, decision_search
from personalization.recommendations.selectors import bought_together_source, related_source
from shopapp.shops.models import Platform, Shop

CACHE_SECONDS = 60
PAGE_SLOTS = {
    "home": ("home-hero", "home-recommended", "home-new-arrivals", "ugc-gallery"),
    "product": (
        "product-related",
        "product-bought-together",
        "product-recently-viewed",
        "ugc-gallery",
    ),
    "cart": ("cart-cross-sell",),
    "search": ("search-suggestions",),
    "collection": (),
    "other": (),
}
DEFAULT_LIMITS = {"home-hero": 3, "home-recommended": 8, "home-new-arrivals": 4, "ugc-gallery": 6}


@dataclass(frozen=True)
class PageRequest:
    page: str
    slots: tuple[str, ...] = ()
    product_id: str | None = None
    nav: tuple[str, ...] = ()
    results: tuple[str, ...] = ()
    limits: dict[str, int] = field(default_factory=dict)
    explain: bool = False
    query: str = ""  # the shopper's search, for merchandising's synonyms and query rules

    def cache_part(self) -> str:
        raw = (
            f"{self.page}|{','.join(self.slots)}|{self.product_id}|{','.join(self.nav)}|"
            f"{','.join(self.results)}|{sorted(self.limits.items())}|{self.explain}"
            f"|{self.query}"
        )
        return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()


def product_url(shop: Shop, item: Item) -> str:
    if shop.is_demo and settings.DEMO_ENABLED:
        return f"/demo/products/{item.handle}/"
    if shop.platform == Platform.WOOCOMMERCE:
        return f"/?p={item.platform_id}"
    return f"/products/{item.handle}"


def needs_purchase_history(shop: Shop) -> bool:
    """Whether any placement hides what the visitor already bought (a per-request query)."""
    return any(config.get("exclude_purchased") for config in _configs(shop).values())


_configs_cache: dict[int, tuple[float, dict[str, dict[str, Any]]]] = {}
CONFIG_SECONDS = 15.0


def _configs(shop: Shop) -> dict[str, dict[str, Any]]:
    """The merchant's placement settings, cached per process: read on every decision."""
    cached = _configs_cache.get(shop.pk)
    if cached and time.monotonic() - cached[0] < CONFIG_SECONDS:
        return cached[1]
    configs = _configs_load(shop)
    _configs_cache[shop.pk] = (time.monotonic(), configs)
    return configs


def forget_configs(shop_id: int) -> None:
    _configs_cache.pop(shop_id, None)


def _configs_load(shop: Shop) -> dict[str, dict[str, Any]]:
    return {
        c.placement: {"enabled": c.is_enabled, "strategy": c.strategy, "title": c.title, **c.rules}
        for c in PlacementConfig.objects.filter(shop=shop)
    }


def _sources(shop: Shop) -> compose.Sources:
    """The shop's trained item-to-item neighbours, when it has them."""
    return compose.Sources(
        related=related_source(shop=shop), together=bought_together_source(shop=shop)
    )


def page_decide(*, shop: Shop, request: PageRequest, context: VisitorContext) -> dict[str, Any]:
    snapshot = catalog_snapshot(shop)
    key = f"pz:{shop.pk}:dec:{snapshot.version}:{context.cache_key}:{request.cache_part()}"
    cached = cache.get(key)
    if cached is not None:
        return dict(cached)
    decision = _decide(shop, snapshot, request, context)
    cache.set(key, decision, CACHE_SECONDS)
    return decision


def _decide(
    shop: Shop, snapshot: CatalogSnapshot, request: PageRequest, context: VisitorContext
) -> dict[str, Any]:
    configs = _configs(shop)
    sources = _sources(shop)
    slots = request.slots or PAGE_SLOTS.get(request.page, ())
    plans = dict(compose.PRODUCT_SLOTS)
    plans.update(compose.homepage_plan(context))
    shown: set[str] = set()
    result: dict[str, Any] = {
        "page": request.page,
        "visitor": {
            "lifecycle": context.lifecycle,
            "segments": context.segments,
            "label": context.label,
        },
        "slots": {},
    }
    for slot in slots:
        plan = plans.get(slot)
        config = configs.get(slot, {})
        if plan is None or not config.get("enabled", True):
            continue
        decision = compose.decide_slot(
            slot,
            plan,
            snapshot,
            context,
            limit=request.limits.get(slot, DEFAULT_LIMITS.get(slot, 4)),
            product_id=request.product_id,
            config=config,
            sources=sources,
            # Two blocks on one page never repeat a product (recently viewed may repeat: it is a memory).
            exclude=shown - set(context.recently_viewed)
            if plan.strategy == "recently_viewed"
            else set(shown),
        )
        shown |= {item.platform_id for item, _ in decision.items}
        result["slots"][slot] = decision.as_json(
            lambda item: product_url(shop, item), explain=request.explain
        )
    if request.nav:
        nav_config = configs.get("navigation", {})
        if nav_config.get("enabled", True):
            result["nav"] = compose.order_navigation(
                request.nav, snapshot, context, pinned=nav_config.get("pinned", [])
            )
            result.update(decision_nav(shop=shop, order=result["nav"], segments=context.segments))
    if request.results:
        search_config = configs.get("search", {})
        if search_config.get("enabled", True):
            result["search"] = compose.rerank_results(
                request.results, snapshot, context, max_shift=int(search_config.get("max_shift", 3))
            )
    if request.query:  # the merchant's synonyms and query rules (personalization/merchandising)
        ranked = result.get("search", list(request.results))
        result.update(
            decision_search(
                shop=shop,
                query=request.query,
                ranked=ranked,
                segments=context.segments,
                explain=request.explain,
            )
        )
    return result


def ids_param(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(v for v in values if v)


def placement_config_save(
    *,
    shop: Shop,
    placement: str,
    is_enabled: bool,
    strategy: str = "",
    title: str = "",
    rules: dict[str, Any] | None = None,
) -> PlacementConfig:
    """The merchant's settings for one placement (written by the admin's placements page). This
    process forgets its cached settings at once; other processes within CONFIG_SECONDS."""
    config, _ = PlacementConfig.objects.update_or_create(
        shop=shop,
        placement=placement,
        defaults={
            "is_enabled": is_enabled,
            "strategy": strategy,
            "title": title,
            "rules": dict(rules or {}),
        },
    )
    forget_configs(shop.pk)
    return config
