"""The placements page: what each storefront placement may show, the merchant's rules, previews.

Settings are stored where the decision engine reads them (`personalization.decisions`'
PlacementConfig, written through `placement_config_save`), so a change here is what the
storefront does next. Product and collection references are typed as platform ids or handles and
stored as platform ids, the ids the engine ranks.

The preview asks the decision engine what a persona (or a real customer) would see in one
placement, with the reasons. It prefers `personalization.decisions.selectors.decision_preview`
when the engine offers it, and otherwise composes one from the engine's page decision.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from personalization.decisions.models import PlacementConfig
from personalization.decisions.services import placement_config_save
from shopapp.adminui.services import AdminInputInvalid, customer_find
from shopapp.catalog.models import Collection, Product
from shopapp.shops.models import Shop

AUTOMATIC = ""
STRATEGY_LABELS = {
    AUTOMATIC: "Automatic (by shopper and page)",
    "for_you": "Picked for the shopper",
    "bestsellers": "Bestsellers",
    "trending": "Trending this month",
    "new_arrivals": "New arrivals",
    "new_in_your_categories": "New in the shopper's categories",
    "recently_viewed": "Recently viewed",
    "related": "Similar products",
    "bought_together": "Frequently bought together",
    "cross_sell": "Complements the cart",
    "post_purchase": "Complements the order just placed",
    "buy_again": "The shopper's repeat buys, when due",
}
_HOME = (
    AUTOMATIC,
    "for_you",
    "bestsellers",
    "trending",
    "new_arrivals",
    "new_in_your_categories",
    "recently_viewed",
    "buy_again",
)
_PRODUCT = (
    AUTOMATIC,
    "related",
    "bought_together",
    "for_you",
    "bestsellers",
    "trending",
    "recently_viewed",
)
_CART = (AUTOMATIC, "cross_sell", "for_you", "bestsellers", "trending")
_ORDER = (AUTOMATIC, "post_purchase", "cross_sell", "for_you", "bestsellers")
_BUY_AGAIN = (AUTOMATIC, "buy_again", "for_you", "bestsellers", "recently_viewed")


@dataclass(frozen=True)
class Placement:
    key: str
    group: str
    name: str
    where: str
    page: str  # the storefront page the preview decides
    strategies: tuple[str, ...] = ()  # empty: the placement ranks, it does not pick a strategy
    kind: str = "slot"  # "slot" | "navigation" | "search"

    @property
    def strategy_choices(self) -> list[tuple[str, str]]:
        return [(key, STRATEGY_LABELS[key]) for key in self.strategies]


PLACEMENTS: tuple[Placement, ...] = (
    Placement("home-hero", "Homepage", "Hero", "The first section of the home page", "home", _HOME),
    Placement(
        "home-recommended",
        "Homepage",
        "Recommended",
        "The main product row of the home page",
        "home",
        _HOME,
    ),
    Placement(
        "home-new-arrivals",
        "Homepage",
        "Second row",
        "The home page's second product row",
        "home",
        _HOME,
    ),
    Placement(
        "navigation",
        "Navigation",
        "Menu order",
        "Collections in the main menu, in the shopper's order of interest",
        "other",
        kind="navigation",
    ),
    Placement(
        "search",
        "Search",
        "Search results",
        "Results reordered by the shopper's taste, a few places at most",
        "search",
        kind="search",
    ),
    Placement(
        "search-suggestions",
        "Search",
        "Search suggestions",
        "Products suggested on the search page",
        "search",
        (AUTOMATIC, "bestsellers", "trending", "for_you"),
    ),
    Placement(
        "product-related",
        "Recommendations",
        "You may also like",
        "Product pages",
        "product",
        _PRODUCT,
    ),
    Placement(
        "product-bought-together",
        "Recommendations",
        "Frequently bought together",
        "Product pages",
        "product",
        _PRODUCT,
    ),
    Placement(
        "product-recently-viewed",
        "Recommendations",
        "Recently viewed",
        "Product pages",
        "product",
        _PRODUCT,
    ),
    Placement(
        "cart-cross-sell", "Recommendations", "Cart cross-sell", "The cart page", "cart", _CART
    ),
    Placement(
        "post-purchase",
        "Recommendations",
        "After the order",
        "The order thank-you page: complements of what was just bought",
        "order",
        _ORDER,
    ),
    Placement(
        "buy-again",
        "Recommendations",
        "Buy it again",
        "An account or home page block: a customer's repeat buys when they are due",
        "home",
        _BUY_AGAIN,
    ),
    Placement(
        "ugc-gallery",
        "Shopper content",
        "Shop the look",
        "Galleries of shopper photos, on home and product pages",
        "home",
        (AUTOMATIC, "for_you", "bestsellers", "trending"),
    ),
)
BY_KEY = {placement.key: placement for placement in PLACEMENTS}
PRODUCT_RULES = (
    ("pinned", "Pin", "Always shown first, in this order."),
    ("boosted", "Boost", "Ranked higher when they fit."),
    ("buried", "Bury", "Ranked lower; shown only when little else fits."),
    ("excluded", "Exclude", "Never shown here."),
)
MAX_REFERENCES = 50
MAX_SHIFT_LIMIT = 10
_SPLIT = re.compile(r"[\s,]+")


def placement_groups() -> list[tuple[str, list[Placement]]]:
    groups: dict[str, list[Placement]] = {}
    for placement in PLACEMENTS:
        groups.setdefault(placement.group, []).append(placement)
    return list(groups.items())


@dataclass
class PlacementForm:
    """One placement's settings as the form shows them (references as typed text)."""

    placement: Placement
    is_enabled: bool = True
    strategy: str = AUTOMATIC
    title: str = ""
    references: dict[str, str] = field(default_factory=dict)  # rule -> "id, id"
    max_per_category: str = ""
    exclude_purchased: bool = False
    max_shift: str = "3"
    errors: dict[str, str] = field(default_factory=dict)
    resolved: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # rule -> (id, title)


def configs_by_placement(*, shop: Shop) -> dict[str, PlacementConfig]:
    return {c.placement: c for c in PlacementConfig.objects.filter(shop=shop)}


def form_for(*, shop: Shop, placement: Placement, config: PlacementConfig | None) -> PlacementForm:
    form = PlacementForm(placement=placement)
    if config is None:
        return form
    rules: Mapping[str, Any] = config.rules or {}
    form.is_enabled = config.is_enabled
    form.strategy = config.strategy if config.strategy in placement.strategies else AUTOMATIC
    form.title = config.title
    keys = ("pinned",) if placement.kind == "navigation" else tuple(k for k, _, _ in PRODUCT_RULES)
    for key in keys:
        ids = [str(v) for v in rules.get(key, [])]
        form.references[key] = ", ".join(ids)
        form.resolved[key] = _titles(shop, placement, ids)
    cap = rules.get("max_per_category")
    form.max_per_category = str(cap) if cap else ""
    form.exclude_purchased = bool(rules.get("exclude_purchased"))
    form.max_shift = str(rules.get("max_shift", 3))
    return form


def _titles(shop: Shop, placement: Placement, ids: list[str]) -> list[tuple[str, str]]:
    if not ids:
        return []
    model = Collection if placement.kind == "navigation" else Product
    titles = dict(
        model.objects.filter(shop=shop, platform_id__in=ids).values_list("platform_id", "title")
    )
    return [(pid, titles.get(pid, "(no longer in the store)")) for pid in ids]


def _resolve(shop: Shop, placement: Placement, rule: str, text: str) -> list[str]:
    """Platform ids for typed ids or handles, in the order typed; unknown ones are an error."""
    tokens = list(dict.fromkeys(t for t in _SPLIT.split(text.strip()) if t))
    if len(tokens) > MAX_REFERENCES:
        raise AdminInputInvalid(rule, f"at most {MAX_REFERENCES} entries")
    if not tokens:
        return []
    model = Collection if placement.kind == "navigation" else Product
    rows = model.objects.filter(shop=shop, deleted_at__isnull=True).filter(
        Q(platform_id__in=tokens) | Q(handle__in=tokens)
    )
    by_token: dict[str, str] = {}
    for platform_id, handle in rows.values_list("platform_id", "handle"):
        by_token[platform_id] = platform_id
        by_token.setdefault(handle, platform_id)
    unknown = [t for t in tokens if t not in by_token]
    if unknown:
        noun = "collection" if placement.kind == "navigation" else "product"
        listed = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
        raise AdminInputInvalid(rule, f"no {noun} with the id or handle {listed}")
    return list(dict.fromkeys(by_token[t] for t in tokens))


def parse_form(
    *, shop: Shop, placement: Placement, data: Mapping[str, str]
) -> tuple[PlacementForm, dict[str, Any] | None]:
    """The form as posted, and the rules to store (None when any input is invalid: the
    messages are in form.errors, keyed by input)."""
    form = PlacementForm(
        placement=placement,
        is_enabled=data.get("is_enabled") == "on",
        strategy=data.get("strategy", AUTOMATIC),
        title=data.get("title", "").strip(),
        max_per_category=data.get("max_per_category", "").strip(),
        exclude_purchased=data.get("exclude_purchased") == "on",
        max_shift=data.get("max_shift", "3").strip(),
    )
    rules: dict[str, Any] = {}
    if placement.strategies and form.strategy not in placement.strategies:
        form.errors["strategy"] = "Choose one of the listed strategies."
    if len(form.title) > 120:
        form.errors["title"] = "A title has at most 120 characters."
    keys = ("pinned",) if placement.kind == "navigation" else tuple(k for k, _, _ in PRODUCT_RULES)
    if placement.kind == "search":
        keys = ()
    for key in keys:
        form.references[key] = data.get(key, "")[:4000]
        try:
            ids = _resolve(shop, placement, key, form.references[key])
        except AdminInputInvalid as exc:
            form.errors[key] = exc.message[:1].upper() + exc.message[1:] + "."
            continue
        form.resolved[key] = _titles(shop, placement, ids)
        if ids:
            rules[key] = ids
    if placement.kind == "slot":
        if form.max_per_category:
            if not form.max_per_category.isdigit() or not 1 <= int(form.max_per_category) <= 24:
                form.errors["max_per_category"] = (
                    "Enter a whole number from 1 to 24, or leave it empty."
                )
            else:
                rules["max_per_category"] = int(form.max_per_category)
        if form.exclude_purchased:
            rules["exclude_purchased"] = True
    if placement.kind == "search":
        if not form.max_shift.isdigit() or int(form.max_shift) > MAX_SHIFT_LIMIT:
            form.errors["max_shift"] = f"Enter a whole number from 0 to {MAX_SHIFT_LIMIT}."
        else:
            rules["max_shift"] = int(form.max_shift)
    if placement.kind == "slot" and set(rules.get("pinned", [])) & set(rules.get("excluded", [])):
        form.errors["excluded"] = "A product cannot be both pinned and excluded."
    return form, (None if form.errors else rules)


def placement_save(*, shop: Shop, form: PlacementForm, rules: dict[str, Any]) -> PlacementConfig:
    return placement_config_save(
        shop=shop,
        placement=form.placement.key,
        is_enabled=form.is_enabled,
        strategy=form.strategy if form.placement.strategies else "",
        title=form.title if form.placement.kind == "slot" else "",
        rules=rules,
    )


# --- preview -----------------------------------------------------------------------------------


PERSONA_LABELS = {
    "new_visitor": "A new visitor",
    "returning_visitor": "A returning visitor (browsed, never bought)",
    "loyal_customer": "A loyal customer",
    "lapsed_vip": "A lapsed VIP",
}


@dataclass(frozen=True)
class PreviewItem:
    id: str
    title: str
    reason: str
    moved: int = 0  # search: places moved up (+) or down (-)


@dataclass(frozen=True)
class Preview:
    available: bool
    message: str = ""
    title: str = ""
    strategy: str = ""
    visitor: str = ""
    items: tuple[PreviewItem, ...] = ()
    is_enabled: bool = True
    context_note: str = ""


def persona_for(*, shop: Shop, persona: str, customer: str) -> tuple[str, str | None]:
    """The engine's persona id, and an error for the customer input (None when fine)."""
    if customer.strip():
        found = customer_find(shop=shop, identifier=customer)
        if found is None:
            return "", "No customer of this shop has that email or id."
        return f"customer:{found.platform_id}", None
    if persona not in PERSONA_LABELS:
        return "", "Choose a persona."
    return persona, None


def preview(*, shop: Shop, placement: Placement, persona: str) -> Preview:
    try:
        from personalization.decisions.selectors import (  # type: ignore[import-not-found,unused-ignore]
            decision_preview,
        )
    except ImportError:
        return _preview_from_page_decision(shop, placement, persona)
    result = decision_preview(shop=shop, placement=placement.key, persona=persona)
    return _from_slot_json(result, visitor=persona)


def _from_slot_json(slot: Mapping[str, Any] | None, *, visitor: str, note: str = "") -> Preview:
    if not slot:
        return Preview(available=True, message="Nothing to show for this shopper.", visitor=visitor)
    items = tuple(
        PreviewItem(
            str(item.get("id", "")), str(item.get("title", "")), str(item.get("reason", ""))
        )
        for item in slot.get("items", [])
    )
    return Preview(
        available=True,
        title=str(slot.get("title", "")),
        strategy=STRATEGY_LABELS.get(str(slot.get("strategy", "")), str(slot.get("strategy", ""))),
        visitor=visitor,
        items=items,
        context_note=note,
    )


def _preview_from_page_decision(shop: Shop, placement: Placement, persona: str) -> Preview:
    try:
        from personalization.decisions.catalog import catalog_snapshot
        from personalization.decisions.context import persona_context
        from personalization.decisions.services import PageRequest, page_decide
    except ImportError:
        return Preview(available=False, message="The preview arrives with the decision engine.")
    snapshot = catalog_snapshot(shop)
    context = persona_context(shop, snapshot, persona)
    if context is None:
        return Preview(
            available=True, message="This shop has no shopper who fits that persona yet."
        )
    config = PlacementConfig.objects.filter(shop=shop, placement=placement.key).first()
    if config is not None and not config.is_enabled:
        return Preview(
            available=True,
            is_enabled=False,
            message="This placement is off: the theme's own content shows instead.",
            visitor=context.label,
        )
    # Decisions are cached by visitor; a preview must show the settings just saved.
    stamp = config.updated_at.timestamp() if config else 0
    context.cache_key = f"{context.cache_key}:admin-preview:{placement.key}:{stamp}"
    sample = snapshot.bestsellers[:1] or list(snapshot.items)[:1]
    note = ""
    if placement.kind == "navigation":
        ids = tuple(snapshot.collections)[:100]
        decided = page_decide(
            shop=shop, request=PageRequest(page="other", nav=ids), context=context
        )
        order = decided.get("nav", list(ids))
        items = tuple(
            PreviewItem(
                cid, snapshot.collections.get(cid, cid), "", ids.index(cid) - i if cid in ids else 0
            )
            for i, cid in enumerate(order)
        )
        return Preview(available=True, title="Menu order", visitor=context.label, items=items)
    if placement.kind == "search":
        ids = tuple(snapshot.bestsellers[:12])
        decided = page_decide(
            shop=shop, request=PageRequest(page="search", results=ids), context=context
        )
        order = decided.get("search", list(ids))
        items = tuple(
            PreviewItem(
                pid,
                snapshot.items[pid].title if pid in snapshot.items else pid,
                "",
                ids.index(pid) - i if pid in ids else 0,
            )
            for i, pid in enumerate(order)
        )
        return Preview(
            available=True,
            title="Search results, reordered",
            visitor=context.label,
            items=items,
            context_note="For a search whose results are the shop's twelve bestsellers.",
        )
    product_id = None
    if placement.page == "product" and sample:
        product_id = sample[0]
        note = f"On the page of “{snapshot.items[product_id].title}”."
    if placement.page == "cart" and not context.cart and sample:
        context.cart = list(sample)
        note = f"With “{snapshot.items[sample[0]].title}” in the cart."
    if placement.page == "order":
        # The thank-you page sends the order just placed; a persona without an order of its own
        # is previewed as having just bought the bestseller.
        if not context.cart and not context.recent_purchases and sample:
            context.cart = list(sample)
            note = f"Just after an order of “{snapshot.items[sample[0]].title}”."
        elif context.recent_purchases:
            note = "Just after this customer's latest order."
    decided = page_decide(
        shop=shop,
        request=PageRequest(
            page=placement.page, slots=(placement.key,), product_id=product_id, explain=True
        ),
        context=context,
    )
    return _from_slot_json(
        decided.get("slots", {}).get(placement.key), visitor=context.label, note=note
    )
