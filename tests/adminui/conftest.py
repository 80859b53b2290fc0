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
