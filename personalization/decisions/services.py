"""Decide a whole page for one visitor: the storefront's one call per page view."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import get_language

from personalization.decisions import compose, hotcache
from personalization.decisions.catalog import CatalogSnapshot, Item, catalog_snapshot
from personalization.decisions.context import (
    VisitorContext,
    persona_context,
    profile_context_for_visitor,
    with_session,
)
from personalization.decisions.models import PlacementConfig
from personalization.decisions.reasons import reason_text
from personalization.merchandising.selectors import decision_nav, decision_search
from personalization.recommendations.selectors import shop_models
from shopapp.shops.models import Platform, Shop

CACHE_SECONDS = 60
# A visitor's decisions and profile context: what their live profile learns shows within this.
VISITOR_SECONDS = 30
LOCAL_SECONDS = 5.0
PAGE_SLOTS = {
    "home": ("home-hero", "home-recommended", "home-new-arrivals", "ugc-gallery"),
    "product": (
        "product-related",
        "product-bought-together",
        "product-recently-viewed",
        "ugc-gallery",
    ),
    "cart": ("cart-cross-sell",),
    # the thank-you page asks for "post-purchase" by name (and "buy-again" on any page): not
    # defaults, so a theme without those blocks gets nothing it did not ask for
    "order": (),
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
    # (slot, strategy) pairs that override the merchant's strategy for this request only: an
    # experiment arm's (personalization.experiments.storefront)
    strategies: tuple[tuple[str, str], ...] = ()

    def cache_part(self) -> str:
        raw = (
            f"{self.page}|{','.join(self.slots)}|{self.product_id}|{','.join(self.nav)}|"
            f"{','.join(self.results)}|{sorted(self.limits.items())}|{self.explain}"
            f"|{self.query}|{get_language()}"  # explain mode's reasons are in this language
        )
        if self.strategies:
            raw += f"|{sorted(self.strategies)}"
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
    """The shop's trained models (each None until the shop has it)."""
    models = shop_models(shop=shop)
    return compose.Sources(
        related=models.source("related"),
        together=models.source("bought_together"),
        cross_sell=models.source("cross_sell"),
        trending=models.source("trending"),
        for_you=models.source("for_you"),
        buy_again=models.source("buy_again"),
        segment_names=models.segment_names(),
    )


class _LocalCache:
    """A few seconds of this process's own decisions: the hottest pages (a bestseller's product
    page, the anonymous homepage) skip even the Redis round trip."""

    def __init__(self, size: int, seconds: float) -> None:
        self.size, self.seconds = size, seconds
        self._entries: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] < time.monotonic():
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: str, value: dict[str, Any]) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + self.seconds, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_memo_lock = threading.Lock()


def _local(snapshot: CatalogSnapshot) -> _LocalCache:
    """The local cache lives on the catalog snapshot, so it never outlives the catalog."""
    local = snapshot.memo.get("decisions")
    if local is None:
        with _memo_lock:
            local = snapshot.memo.setdefault("decisions", _LocalCache(4096, LOCAL_SECONDS))
    return local


def _decision_key(shop: Shop, snapshot: CatalogSnapshot, who: str, request: PageRequest) -> str:
    """Per shop, catalog version, model versions, visitor context and page request."""
    models = shop_models(shop=shop).version
    return f"pz:{shop.pk}:dec:{snapshot.version}:{models}:{who}:{request.cache_part()}"


def page_decide(*, shop: Shop, request: PageRequest, context: VisitorContext) -> dict[str, Any]:
    """A page for a visitor whose context is already known (a session, a persona, the admin)."""
    snapshot = catalog_snapshot(shop)
    key = _decision_key(shop, snapshot, context.cache_key, request)
    local = _local(snapshot)
    cached = local.get(key)
    if cached is None:
        cached = hotcache.get_many([key]).get(key)
        if cached is not None:
            local.put(key, cached)
    if cached is not None:
        return dict(cached)
    decision = _decide(shop, snapshot, request, context)
    hotcache.set_many({key: decision}, CACHE_SECONDS)
    local.put(key, decision)
    return dict(decision)


def page_decide_for_visitor(
    *,
    shop: Shop,
    request: PageRequest,
    visitor_key: str,
    recent: Sequence[str],
    cart: Sequence[str],
    need_purchased: bool,
) -> dict[str, Any]:
    """A page for a visitor known by their key (the storefront script's visitor id)."""
    return _page_decide_for_person(
        shop=shop,
        request=request,
        person=f"visitor:{visitor_key}",
        load=lambda snapshot: profile_context_for_visitor(
            shop, snapshot, visitor_key=visitor_key, need_purchased=need_purchased
        ),
        recent=recent,
        cart=cart,
        variant=str(int(need_purchased)),
    )


def page_decide_for_customer(
    *,
    shop: Shop,
    request: PageRequest,
    customer_platform_id: str,
    visitor_key: str | None,
    recent: Sequence[str],
    cart: Sequence[str],
) -> dict[str, Any]:
    """A page for a customer the platform says is logged in (Shopify's app proxy); the
    browser's visitor profile when the customer has none yet."""

    def load(snapshot: CatalogSnapshot) -> VisitorContext | None:
        context = persona_context(shop, snapshot, f"customer:{customer_platform_id}")
        if context is not None:
            context.label = "logged-in customer"
            return context
        if visitor_key is None:
            return None
        return profile_context_for_visitor(
            shop, snapshot, visitor_key=visitor_key, need_purchased=False
        )

    return _page_decide_for_person(
        shop=shop,
        request=request,
        person=f"customer:{customer_platform_id}",
        load=load,
        recent=recent,
        cart=cart,
        variant=f"c:{visitor_key or ''}",
    )


def _page_decide_for_person(
    *,
    shop: Shop,
    request: PageRequest,
    person: str,
    load: Callable[[CatalogSnapshot], VisitorContext | None],
    recent: Sequence[str],
    cart: Sequence[str],
    variant: str,
) -> dict[str, Any]:
    """The decision and the person's profile context come from the shared cache in one round
    trip, so a repeat costs no database query; a miss reads the profile once and stores both in
    one more. Keys start "pz:<shop>:visitor:<key>:" for a visitor, so erasing the person finds
    them (privacy.services)."""
    snapshot = catalog_snapshot(shop)
    who = f"{','.join(recent[:8])}|{','.join(cart[:8])}|{variant}"
    models = shop_models(shop=shop).version
    key = f"pz:{shop.pk}:{person}:dec:{snapshot.version}:{models}:{who}:{request.cache_part()}"
    local = _local(snapshot)
    hit = local.get(key)
    if hit is not None:
        return dict(hit)
    profile_key = f"pz:{shop.pk}:{person}:ctx:{snapshot.version}:{variant}"
    found = hotcache.get_many([key, profile_key])
    if key in found:
        local.put(key, found[key])
        return dict(found[key])
    to_store: dict[str, Any] = {}
    if profile_key in found:
        base = found[profile_key] or None  # False: a person without a profile
    else:
        base = load(snapshot)
        to_store[profile_key] = base or False
    context = with_session(base, snapshot, recent=list(recent), cart=list(cart))
    decision = _decide(shop, snapshot, request, context)
    to_store[key] = decision
    hotcache.set_many(to_store, VISITOR_SECONDS)
    local.put(key, decision)
    return dict(decision)


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
    overrides = dict(request.strategies)
    for slot in slots:
        plan = plans.get(slot)
        config = configs.get(slot, {})
        if slot in overrides:
            config = {**config, "strategy": overrides[slot]}
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
            lambda item: product_url(shop, item), explain=request.explain, say=reason_text
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
                request.results,
                snapshot,
                context,
                max_shift=int(search_config.get("max_shift", 3)),
                sources=sources,
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
