"""A stored profile as the facts the rule language reads (engine.segment_rules.Facts)."""

from __future__ import annotations

from typing import Any

from personalization.engine.affinity import normalized
from personalization.engine.segment_rules import Facts
from personalization.profiles.models import Profile


def profile_facts(profile: Profile, *, now: float) -> Facts:
    affinities: dict[str, Any] = {}
    for dimension in ("category", "brand", "price_band"):
        state = profile.affinities.get(dimension)
        if state and state.get("raw"):
            affinities[dimension] = normalized(state["raw"])
    categories = affinities.get("category", {})
    cart = profile.cart or {}
    items = cart.get("items", {})
    days = (now - profile.last_order_at.timestamp()) / 86400.0 if profile.last_order_at else None
    facts: Facts = {
        "lifecycle": profile.lifecycle,
        "is_vip": profile.is_vip,
        "rfm": {
            "r": profile.rfm_r,
            "f": profile.rfm_f,
            "m": profile.rfm_m,
            "class": profile.rfm_class,
        }
        if profile.rfm_class
        else {},
        "recency_days": days,
        "frequency": profile.orders_count,
        "orders": profile.orders_count,
        "monetary": profile.monetary,
        "affinity": affinities,  # type: ignore[typeddict-item]
        "top_category": max(categories, key=lambda k: categories[k]) if categories else None,
        "traffic_source": profile.traffic_source,
        "device": profile.device,
        "country": profile.country,
        "cart": {"items": int(sum(items.values())), "value": float(cart.get("value", 0.0))},
        "sessions": profile.sessions_count,
        "has_consent": profile.has_consent,
        "events": profile.recent_events,
        "now": now,
    }
    if profile.propensity is not None:
        facts["propensity"] = profile.propensity
    if profile.churn_risk is not None:
        facts["churn_risk"] = profile.churn_risk
    return facts
