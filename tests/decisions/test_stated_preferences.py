"""What a shopper states in the preference center outranks what we inferred from behaviour."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from personalization.events.models import Visitor
from personalization.experiments.services import holdout_percent_set
from personalization.profiles.models import Profile
from tests.decisions.test_decide import URL, fresh_snapshots, store  # noqa: F401
from tests.factories import CustomerFactory

T0 = datetime(2024, 3, 1, 10, tzinfo=UTC)
KITCHEN_FAN = {"category": {"as_of": 0, "raw": {"Kitchen": 5.0, "Garden": 1.0}}}


def kitchen_fan(shop, visitor_key: str) -> Profile:  # type: ignore[no-untyped-def]
    visitor = Visitor.objects.create(
        shop=shop, visitor_key=visitor_key, first_seen_at=T0, last_event_at=T0
    )
    return Profile.objects.create(
        shop=shop, visitor=visitor, lifecycle="returning_visitor", affinities=KITCHEN_FAN
    )


def picks(client, shop, visitor_key: str) -> list[str]:  # type: ignore[no-untyped-def]
    data = client.get(URL, {"key": shop.storefront_key, "page": "home", "visitor": visitor_key})
    assert data.status_code == 200
    slots = data.json()["slots"]
    assert slots["home-hero"]["title"] == "Welcome back"
    return [i["id"] for i in slots["home-hero"]["items"] + slots["home-recommended"]["items"]]


@pytest.mark.django_db
def test_a_shopper_who_stated_candles_gets_candles_ahead_of_inferred_kitchen(
    client,
    shop,
    store,  # noqa: F811
):
    # given two visitors whose behaviour says Kitchen, and one of them states "Candles" (no
    # holdout: which visitors it takes depends on the shop's id, and it shows no personalization)
    holdout_percent_set(shop=shop, percent=0)
    kitchen_fan(shop, "v-inferred")
    kitchen_fan(shop, "v-stated")
    saved = client.post(
        f"/api/v1/preferences?key={shop.storefront_key}",
        {"visitor": "v-stated", "interests": {"category": ["Candles"]}},
        content_type="application/json",
    )
    assert saved.status_code == 200
    # when both ask for their homepage
    inferred = picks(client, shop, "v-inferred")
    stated = picks(client, shop, "v-stated")
    # then behaviour alone leads with Kitchen; the statement puts every candle first, Kitchen next
    assert inferred[0] == "k0"
    assert not inferred[0].startswith("c")
    assert [pid[0] for pid in stated[:6]] == ["c"] * 6
    assert stated[6].startswith("k")
    assert stated[:3] == ["c0", "c1", "c2"]  # the best-selling candle first


@pytest.mark.django_db
def test_a_logged_in_customers_stated_interest_leads_their_preview(
    client,
    shop,
    store,  # noqa: F811
    admin_client_for,
):
    # given a customer who buys kitchen things and stated Garden in the preference center
    from personalization.preferences.models import StatedPreferences

    customer = CustomerFactory(shop=shop, platform_id="cust-garden")
    Profile.objects.create(
        shop=shop,
        customer=customer,
        lifecycle="repeat_customer",
        orders_count=3,
        affinities=KITCHEN_FAN,
    )
    StatedPreferences.objects.create(
        shop=shop, customer=customer, interests={"category": ["Garden"]}
    )
    # when the merchant previews them
    data = (
        admin_client_for(shop)
        .get(URL, {"key": shop.storefront_key, "page": "home", "persona": "customer:cust-garden"})
        .json()
    )
    # then their picks open with Garden
    hero = [i["id"] for i in data["slots"]["home-hero"]["items"]]
    assert [pid[0] for pid in hero] == ["g", "g", "g"]
