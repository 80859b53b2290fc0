from __future__ import annotations

import json
import time

import pytest

from personalization.profiles.models import Profile
from personalization.segments.models import Segment
from personalization.segments.selectors import segment_list, segments_for_profile
from personalization.segments.services import (
    SegmentInvalid,
    segment_save,
    segments_ensure_builtins,
    segments_refresh,
)
from tests.events.conftest import batch, catalog, clean_event_state, event  # noqa: F401
from tests.factories import CustomerFactory


def post(client, shop, body):
    return client.post(
        "/api/v1/events",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_X_STOREFRONT_KEY=shop.storefront_key,
    )


@pytest.mark.django_db
def test_a_visitor_is_segmented_live_from_the_first_page_view(client, shop, catalog):  # noqa: F811
    segments_ensure_builtins(shop=shop)
    segment_save(
        shop=shop,
        name="Candle lovers",
        rule={"field": "affinity.category.Candles & Lights", "op": "gte", "value": 0.5},
    )
    post(client, shop, batch(event("page_view"), visitor_id="visitor-live-01"))
    profile = Profile.objects.get(visitor__visitor_key="visitor-live-01")
    now = time.time()
    assert segments_for_profile(shop=shop, profile=profile, now=now) == ["first_time_visitor"]
    # when they show interest in candles and leave one in the cart
    post(
        client,
        shop,
        batch(
            event("product_view", product_id="102"),
            event("add_to_cart", product_id="102"),
            visitor_id="visitor-live-01",
        ),
    )
    profile.refresh_from_db()
    assert segments_for_profile(shop=shop, profile=profile, now=time.time()) == [
        "first_time_visitor",
        "prospect",
        "candle-lovers",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rule", "field", "fragment"),
    [
        (
            {"all": [{"field": "lifecycle", "op": "eq", "value": "royalty"}]},
            "rule $.all[0]",
            "royalty",
        ),
        ({"field": "shoe_size", "op": "eq", "value": 42}, "rule $", "shoe_size"),
        ({"any": []}, "rule $.any", "non-empty"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_node(shop, rule, field, fragment):
    with pytest.raises(SegmentInvalid) as error:
        segment_save(shop=shop, name="Broken", rule=rule)
    assert error.value.field == field
    assert fragment in error.value.message
    assert not Segment.objects.filter(shop=shop, key="broken").exists()


@pytest.mark.django_db
def test_a_segment_needs_a_name_and_builtins_cannot_be_overwritten(shop):
    segments_ensure_builtins(shop=shop)
    with pytest.raises(SegmentInvalid, match="name: a segment needs a name"):
        segment_save(shop=shop, name="  ", rule={"field": "orders", "op": "gte", "value": 1})
    with pytest.raises(SegmentInvalid, match="built-in"):
        segment_save(shop=shop, name="VIP", rule={"field": "orders", "op": "gte", "value": 1})


@pytest.mark.django_db
def test_segments_and_their_members_stay_in_their_shop(shop, other_shop):
    for owner in (shop, other_shop):
        customer = CustomerFactory(shop=owner, platform_id="1")
        Profile.objects.create(shop=owner, customer=customer, lifecycle="lapsed", orders_count=3)
    segment_save(
        shop=shop,
        name="Lapsed regulars",
        rule={
            "all": [
                {"field": "lifecycle", "op": "eq", "value": "lapsed"},
                {"field": "orders", "op": "gte", "value": 2},
            ]
        },
    )
    sizes = segments_refresh(shop=shop)
    assert sizes["lapsed-regulars"] == 1
    assert "lapsed-regulars" not in {s.key for s in segment_list(shop=other_shop)}
    assert segments_refresh(shop=other_shop)["lapsed"] == 1
