from __future__ import annotations

from typing import Any

import pytest

from personalization.profiles.models import Profile
from shopapp.shops.models import Shop
from tests.factories import CustomerFactory


def make_profile(shop: Shop, **fields: Any) -> Profile:
    """A customer's profile with the given facts (orders_count, lifecycle, is_vip...)."""
    return Profile.objects.create(shop=shop, customer=CustomerFactory(shop=shop), **fields)


@pytest.fixture
def profiles(shop: Shop) -> list[Profile]:
    """Six customers: orders 0..5; the two with 4+ orders are VIPs."""
    stages = [
        "new_visitor",
        "first_time_customer",
        "repeat_customer",
        "repeat_customer",
        "vip",
        "vip",
    ]
    return [
        make_profile(shop, orders_count=n, lifecycle=stages[n], is_vip=n >= 4, monetary=50.0 * n)
        for n in range(6)
    ]


@pytest.fixture(autouse=True)
def _fresh_admin_caches() -> None:
    """Per-process caches of the admin (live-count facts) start empty in every test."""
    from shopapp.adminui import segment_count

    segment_count.forget()


def storefront_session(shop: Shop, *, started_at: Any, key: str | None = None) -> Any:
    """A consenting visitor's session (what the events API stores)."""
    from personalization.events.models import Session, Visitor

    visitor = Visitor.objects.create(
        shop=shop,
        visitor_key=key or f"visitor-{Visitor.objects.count() + 1:05d}",
        first_seen_at=started_at,
        last_event_at=started_at,
    )
    return Session.objects.create(
        shop=shop, visitor=visitor, started_at=started_at, last_event_at=started_at
    )


def storefront_event(session: Any, kind: str, *, at: Any, **fields: Any) -> Any:
    from personalization.events.models import Event

    return Event.objects.create(
        shop_id=session.shop_id,
        event_id=f"ev-{Event.objects.count() + 1:08d}",
        type=kind,
        visitor_id=session.visitor_id,
        session=session,
        occurred_at=at,
        received_at=at,
        **fields,
    )
