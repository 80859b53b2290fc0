"""A storefront visitor known by key: their profile (the customer's once stitched), read once,
then served from the cache without touching the database."""

from __future__ import annotations

import pytest
from django.utils import timezone

from personalization.events.models import Visitor
from personalization.profiles.models import Profile
from personalization.recommendations.services import models_train
from shopapp.catalog.models import Customer

URL = "/api/v1/decide"


def visitor(shop, key, customer=None):
    now = timezone.now()
    return Visitor.objects.create(
        shop=shop, visitor_key=key, customer=customer, first_seen_at=now, last_event_at=now
    )


@pytest.mark.django_db
def test_a_stitched_visitor_gets_the_customers_picks_then_from_the_cache(
    client, shop, store, django_assert_num_queries
):
    models_train(shop=shop)
    customer = Customer.objects.get(shop=shop, platform_id="regular")
    Profile.objects.create(shop=shop, customer=customer, lifecycle="repeat_customer")
    visitor(shop, "vis-regular", customer)
    params = {"key": shop.storefront_key, "page": "home", "visitor": "vis-regular"}
    params["slots"] = "buy-again"

    first = client.get(URL, params).json()
    with django_assert_num_queries(0):
        again = client.get(URL, params).json()

    assert first["visitor"]["lifecycle"] == "repeat_customer"
    assert first["slots"]["buy-again"]["items"][0]["id"] == "c3"
    assert again == first


@pytest.mark.django_db
def test_an_anonymous_visitors_own_profile_and_the_views_the_browser_sent(client, shop, store):
    own = visitor(shop, "vis-anon")
    Profile.objects.create(
        shop=shop,
        visitor=own,
        lifecycle="returning_visitor",
        recently_viewed=[store["g1"].pk],
        affinities={"category": {"as_of": 0, "raw": {"Garden": 2.0}}},
    )
    data = client.get(
        URL,
        {
            "key": shop.storefront_key,
            "page": "product",
            "product": "k3",
            "visitor": "vis-anon",
            "recent": "k4",
            "slots": "product-recently-viewed",
        },
    ).json()
    assert data["visitor"]["lifecycle"] == "returning_visitor"
    # the view the browser just sent comes first, then what the profile remembers
    ids = [i["id"] for i in data["slots"]["product-recently-viewed"]["items"]]
    assert ids[:2] == ["k4", "g1"]
