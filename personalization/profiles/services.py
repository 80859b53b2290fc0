"""Writes on profiles: live updates from events, stitching, and the order-based recompute."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from personalization.events.models import Session, Visitor
from personalization.profiles import live
from personalization.profiles.lifecycle import stage_for_profile
from personalization.profiles.models import Profile
from personalization.profiles.selectors import product_facts
from shopapp.shops.models import Shop


def _state(profile: Profile) -> live.LiveState:
    return live.LiveState(
        recent_events={k: list(v) for k, v in profile.recent_events.items()},
        recently_viewed=list(profile.recently_viewed),
        cart=dict(profile.cart),
        affinities=dict(profile.affinities),
        last_seen=profile.last_seen_at.timestamp() if profile.last_seen_at else None,
    )


def _store_state(profile: Profile, state: live.LiveState) -> None:
    profile.recent_events = state.recent_events
    profile.recently_viewed = state.recently_viewed
    profile.cart = state.cart
    profile.affinities = state.affinities
    if state.last_seen is not None:
        profile.last_seen_at = datetime.fromtimestamp(state.last_seen, tz=UTC)


LIVE_FIELDS = [
    "recent_events",
    "recently_viewed",
    "cart",
    "affinities",
    "last_seen_at",
    "first_seen_at",
    "sessions_count",
    "device",
    "traffic_source",
    "lifecycle",
    "has_consent",
    "visitor",
    "updated_at",
]


@transaction.atomic
def profiles_apply_events(
    *, shop: Shop, visitors: Sequence[Visitor], events: Iterable[tuple[str, dict[str, Any]]]
) -> int:
    """Fold freshly stored events into each person's profile; returns profiles updated."""
    events_by_visitor: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for visitor_key, event in events:
        events_by_visitor[visitor_key].append(event)
    if not events_by_visitor:
        return 0
    by_key = {v.visitor_key: v for v in visitors if v.visitor_key in events_by_visitor}
    profiles = _profiles_for(shop, list(by_key.values()))
    latest_sessions = _latest_sessions(list(by_key.values()))
    facts = product_facts(
        shop=shop,
        platform_ids={
            str(e["product_id"])
            for es in events_by_visitor.values()
            for e in es
            if e.get("product_id")
        },
    )
    now = time.time()
    for key, visitor in by_key.items():
        profile = profiles[visitor.pk]
        state = live.apply_events(_state(profile), events_by_visitor[key], facts, now=now)
        _store_state(profile, state)
        profile.has_consent = True
        profile.sessions_count = max(profile.sessions_count, visitor.session_count)
        profile.first_seen_at = min(filter(None, [profile.first_seen_at, visitor.first_seen_at]))
        profile.device = visitor.device
        session = latest_sessions.get(visitor.pk)
        if session is not None:
            profile.traffic_source = session.traffic_source
        profile.lifecycle = stage_for_profile(profile, shop=shop, now=now)
    unique = {p.pk: p for p in profiles.values()}
    Profile.objects.bulk_update(unique.values(), LIVE_FIELDS)
    return len(unique)


def _profiles_for(shop: Shop, visitors: list[Visitor]) -> dict[int, Profile]:
    """The profile each visitor's events go to: the customer's once stitched (merging the
    anonymous one into it), the visitor's own before."""
    customer_ids = {v.customer_id for v in visitors if v.customer_id}
    by_customer = {
        p.customer_id: p for p in Profile.objects.filter(shop=shop, customer_id__in=customer_ids)
    }
    by_visitor = {p.visitor_id: p for p in Profile.objects.filter(shop=shop, visitor__in=visitors)}
    result: dict[int, Profile] = {}
    missing: list[Visitor] = []
    for visitor in visitors:
        anonymous = by_visitor.get(visitor.pk)
        if visitor.customer_id:
            profile = by_customer.get(visitor.customer_id)
            if profile is None:
                if anonymous is not None and anonymous.customer_id is None:
                    # First login: the anonymous profile becomes the customer's.
                    anonymous.customer_id = visitor.customer_id
                    anonymous.save(update_fields=["customer"])
                    profile = anonymous
                else:
                    profile = Profile.objects.create(
                        shop=shop,
                        customer_id=visitor.customer_id,
                        visitor=visitor,
                        first_seen_at=visitor.first_seen_at,
                    )
                by_customer[visitor.customer_id] = profile
            elif anonymous is not None and anonymous.pk != profile.pk:
                _merge_into(profile, anonymous)
            result[visitor.pk] = profile
        elif anonymous is not None:
            result[visitor.pk] = anonymous
        else:
            missing.append(visitor)
    # New visitors arrive by the hundred in a busy drain: create their profiles in one statement.
    created = Profile.objects.bulk_create(
        Profile(shop=shop, visitor=visitor, first_seen_at=visitor.first_seen_at)
        for visitor in missing
    )
    for visitor, profile in zip(missing, created, strict=True):
        result[visitor.pk] = profile
    return result


def _merge_into(target: Profile, anonymous: Profile) -> None:
    merged = live.merge_states(_state(target), _state(anonymous))
    _store_state(target, merged)
    target.sessions_count += anonymous.sessions_count
    target.first_seen_at = min(
        filter(None, [target.first_seen_at, anonymous.first_seen_at]), default=None
    )
    anonymous.delete()


def _latest_sessions(visitors: list[Visitor]) -> dict[int, Session]:
    latest: dict[int, Session] = {}
    for session in Session.objects.filter(visitor__in=visitors).order_by("started_at"):
        latest[session.visitor_id] = session
    return latest
