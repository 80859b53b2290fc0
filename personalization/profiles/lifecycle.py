"""The lifecycle stage of a stored profile, with the shop's thresholds."""

from __future__ import annotations

from personalization.profiles.models import Lifecycle, Profile

LAPSED_AFTER_DAYS = 120
RETURNING_AFTER_SESSIONS = 2


def stage_for_profile(profile: Profile, *, now: float) -> str:
    if profile.orders_count == 0:
        if profile.sessions_count >= RETURNING_AFTER_SESSIONS:
            return Lifecycle.RETURNING_VISITOR
        return Lifecycle.NEW_VISITOR
    last = profile.last_order_at.timestamp() if profile.last_order_at else now
    if (now - last) / 86400.0 > LAPSED_AFTER_DAYS:
        return Lifecycle.LAPSED
    if profile.is_vip:
        return Lifecycle.VIP
    if profile.orders_count == 1:
        return Lifecycle.FIRST_TIME_CUSTOMER
    return Lifecycle.REPEAT_CUSTOMER
