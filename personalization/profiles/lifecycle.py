"""The lifecycle stage of a stored profile, with the shop's thresholds (engine.lifecycle rules)."""

from __future__ import annotations

import math
import time

from personalization.engine.lifecycle import LifecycleThresholds, lifecycle_stage
from personalization.profiles.models import Profile, ProfileSettings
from shopapp.shops.models import Shop

_cache: dict[int, tuple[float, LifecycleThresholds, float]] = {}
_TTL_SECONDS = 60.0


def shop_thresholds(shop: Shop) -> tuple[LifecycleThresholds, float]:
    """(thresholds, VIP bar) for the live path, cached briefly per process."""
    now = time.monotonic()
    cached = _cache.get(shop.pk)
    if cached and now - cached[0] < _TTL_SECONDS:
        return cached[1], cached[2]
    settings = ProfileSettings.objects.filter(shop=shop).first()
    thresholds = LifecycleThresholds.from_overrides(
        settings.lifecycle_overrides if settings else {}
    )
    vip_bar = settings.vip_bar if settings and settings.vip_bar is not None else math.inf
    _cache[shop.pk] = (now, thresholds, vip_bar)
    return thresholds, vip_bar


def forget(shop_id: int) -> None:
    _cache.pop(shop_id, None)


def stage_for_profile(profile: Profile, *, shop: Shop, now: float) -> str:
    thresholds, vip_bar = shop_thresholds(shop)
    days = (now - profile.last_order_at.timestamp()) / 86400.0 if profile.last_order_at else None
    return lifecycle_stage(
        orders=profile.orders_count,
        sessions=profile.sessions_count,
        days_since_last_order=days,
        monetary=profile.monetary,
        vip_bar=vip_bar,
        thresholds=thresholds,
    )
