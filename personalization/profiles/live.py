"""Apply storefront events to one profile's live state, within seconds of the event.

Pure Python (no Django): the service loads the state, calls `apply_events`, saves the result.
The nightly recompute rebuilds the order-based parts from scratch; this keeps the behavioural
parts (recent events, recently viewed, cart, affinities) current between recomputes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from personalization.engine import affinity

RECENT_EVENT_WINDOW_SECONDS = 30 * 24 * 3600
RECENT_EVENTS_PER_TYPE = 50
RECENTLY_VIEWED_SIZE = 20
AFFINITY_HALF_LIFE_DAYS = 30.0
AFFINITY_KEYS_KEPT = 20
# How strongly each behaviour says "I like this": a purchase outweighs a glance.
AFFINITY_WEIGHTS = {"product_view": 1.0, "click": 1.0, "add_to_cart": 3.0, "purchase": 5.0}
DIMENSIONS = ("category", "brand", "price_band")


@dataclass
class ProductFacts:
    category: str
    brand: str
    price_band: str
    price: float


@dataclass
class LiveState:
    recent_events: dict[str, list[float]] = field(default_factory=dict)
    recently_viewed: list[int] = field(default_factory=list)
    cart: dict[str, Any] = field(default_factory=dict)
    # {dimension: engine.affinity.AffinityState}: raw decayed totals, read as shares.
    affinities: dict[str, Any] = field(default_factory=dict)
    last_seen: float | None = None


def _add_affinity(state: LiveState, facts: ProductFacts, weight: float, at: float) -> None:
    for dimension, key in zip(
        DIMENSIONS, (facts.category, facts.brand, facts.price_band), strict=True
    ):
        if key:
            current = state.affinities.get(dimension) or affinity.empty_state(at)
            state.affinities[dimension] = affinity.update_affinity(
                current,
                key,
                weight,
                at,
                half_life_days=AFFINITY_HALF_LIFE_DAYS,
                max_keys=AFFINITY_KEYS_KEPT,
            )


def apply_events(
    state: LiveState,
    events: Iterable[Mapping[str, Any]],
    products: Mapping[str, tuple[int, ProductFacts]],
    *,
    now: float,
) -> LiveState:
    """Fold events (validated dicts, in time order) into the state; `products` maps platform id
    to (product pk, facts). Returns the same state, updated."""
    for event in events:
        kind = str(event["type"])
        at = float(event["ts"])
        times = state.recent_events.setdefault(kind, [])
        times.append(at)
        state.last_seen = max(state.last_seen or at, at)
        product = products.get(str(event.get("product_id", "")))
        if product is not None:
            pk, facts = product
            if kind == "product_view":
                state.recently_viewed = [pk] + [p for p in state.recently_viewed if p != pk]
                del state.recently_viewed[RECENTLY_VIEWED_SIZE:]
            if kind in ("add_to_cart", "remove_from_cart"):
                _update_cart(state, pk, facts, kind, int(event.get("quantity") or 1), at)
            weight = AFFINITY_WEIGHTS.get(kind)
            if weight:
                _add_affinity(state, facts, weight, at)
        if kind == "purchase":
            state.cart = {"items": {}, "value": 0.0, "at": at}
    cutoff = now - RECENT_EVENT_WINDOW_SECONDS
    for kind, times in list(state.recent_events.items()):
        kept = sorted(t for t in times if t >= cutoff)[-RECENT_EVENTS_PER_TYPE:]
        if kept:
            state.recent_events[kind] = kept
        else:
            del state.recent_events[kind]
    return state


def _update_cart(
    state: LiveState, pk: int, facts: ProductFacts, kind: str, quantity: int, at: float
) -> None:
    items: dict[str, int] = dict(state.cart.get("items", {}))
    prices: dict[str, float] = dict(state.cart.get("prices", {}))
    key = str(pk)
    if kind == "add_to_cart":
        items[key] = items.get(key, 0) + quantity
        prices[key] = facts.price
    else:
        remaining = items.get(key, 0) - quantity
        if remaining > 0:
            items[key] = remaining
        else:
            items.pop(key, None)
            prices.pop(key, None)
    value = sum(prices.get(k, 0.0) * q for k, q in items.items())
    state.cart = {"items": items, "prices": prices, "value": round(value, 2), "at": at}


def merge_states(into: LiveState, other: LiveState) -> LiveState:
    """Merge an anonymous visitor's state into the customer's when they are stitched."""
    for kind, times in other.recent_events.items():
        into.recent_events[kind] = sorted(into.recent_events.get(kind, []) + times)[
            -RECENT_EVENTS_PER_TYPE:
        ]
    viewed = other.recently_viewed + [
        p for p in into.recently_viewed if p not in other.recently_viewed
    ]
    into.recently_viewed = viewed[:RECENTLY_VIEWED_SIZE]
    if other.cart.get("items") and float(other.cart.get("at", 0)) >= float(into.cart.get("at", 0)):
        into.cart = other.cart
    for dimension in DIMENSIONS:
        theirs = other.affinities.get(dimension)
        if not theirs:
            continue
        merged = into.affinities.get(dimension) or affinity.empty_state(theirs["as_of"])
        for key, value in theirs["raw"].items():
            merged = affinity.update_affinity(
                merged,
                key,
                value,
                theirs["as_of"],
                half_life_days=AFFINITY_HALF_LIFE_DAYS,
                max_keys=AFFINITY_KEYS_KEPT,
            )
        into.affinities[dimension] = merged
    into.last_seen = max(filter(None, [into.last_seen, other.last_seen]), default=None)
    return into
