from __future__ import annotations

import time

import pytest

from personalization.profiles.models import Profile
from personalization.segments.selectors import segments_for_profile
from personalization.segments.services import (
    cluster_segments_sync,
    segment_save,
    segments_ensure_builtins,
)
from tests.factories import CustomerFactory


@pytest.mark.django_db
def test_live_evaluation_of_every_segment_for_one_visitor(benchmark, shop):
    # given a shop with the built-ins, three merchant rules and four learned clusters
    segments_ensure_builtins(shop=shop)
    segment_save(
        shop=shop,
        name="Candle fans",
        rule={
            "all": [
                {"field": "affinity.category.Candles", "op": "gte", "value": 0.3},
                {"event": "product_view", "within_days": 7, "op": "gte", "value": 2},
            ]
        },
    )
    segment_save(
        shop=shop,
        name="Big mobile carts",
        rule={
            "all": [
                {"field": "device", "op": "eq", "value": "mobile"},
                {"field": "cart.value", "op": "gt", "value": 50},
            ]
        },
    )
    segment_save(
        shop=shop,
        name="Likely buyers abroad",
        rule={
            "all": [
                {"field": "propensity", "op": "gte", "value": 0.5},
                {"not": {"field": "country", "op": "eq", "value": "United Kingdom"}},
            ]
        },
    )
    cluster_segments_sync(
        shop=shop, clusters=[{"id": f"c{i}", "description": f"group {i}"} for i in range(1, 5)]
    )
    now = time.time()
    profile = Profile.objects.create(
        shop=shop,
        customer=CustomerFactory(shop=shop),
        lifecycle="repeat_customer",
        orders_count=3,
        device="mobile",
        country="France",
        propensity=0.7,
        cluster_key="c2",
        affinities={"category": {"as_of": now, "raw": {"Candles": 3.0, "Mugs": 1.0}}},
        cart={"items": {"1": 2}, "value": 64.0},
        recent_events={"product_view": [now - 3600, now - 60]},
    )
    # when one visitor's segments are evaluated live (the rules compiled once per shop)
    keys = benchmark(segments_for_profile, shop=shop, profile=profile, now=now)
    # then exactly the matching segments come back (a full cart with no recent order: a prospect)
    assert keys == [
        "prospect",
        "repeat_customer",
        "loyal",
        "candle-fans",
        "big-mobile-carts",
        "likely-buyers-abroad",
        "cluster-c2",
    ]
