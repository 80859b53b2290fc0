"""An anonymous visitor's "forget me": erased everywhere, with an audit record like a customer's."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache

from personalization.events.models import Event, Session, Visitor
from personalization.preferences.models import StatedPreferences
from personalization.privacy.models import PrivacyRequest
from personalization.privacy.services import visitor_erase
from personalization.profiles.models import Profile
from shopapp.shops.crypto import lookup_hash
from tests.events.conftest import batch, catalog, clean_event_state, event  # noqa: F401
from tests.factories import CustomerFactory
from tests.privacy.test_privacy import rows_mentioning

VISITOR = "visitor-anon-forget-01"


def browse(client, shop, visitor_key: str) -> None:  # type: ignore[no-untyped-def]
    body = batch(
        event("product_view", product_id="102"),
        event("add_to_cart", product_id="102"),
        visitor_id=visitor_key,
    )
    response = client.post(
        "/api/v1/events",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_X_STOREFRONT_KEY=shop.storefront_key,
    )
    assert response.status_code == 202


@pytest.mark.django_db
def test_visitor_erase_removes_the_visitor_everywhere_and_keeps_an_audit(
    client,
    shop,
    other_shop,
    catalog,  # noqa: F811
):
    # given a visitor who browsed, stated preferences and has a cached decision, and the same
    # visitor key in another shop
    browse(client, shop, VISITOR)
    visitor = Visitor.objects.get(shop=shop, visitor_key=VISITOR)
    StatedPreferences.objects.create(shop=shop, visitor=visitor, sizes=["M"])
    Profile.objects.get_or_create(shop=shop, visitor=visitor)
    cache.set(f"pz:{shop.pk}:visitor:{VISITOR}", {"decisions": [1]})
    elsewhere = Visitor.objects.create(
        shop=other_shop,
        visitor_key=VISITOR,
        first_seen_at=visitor.first_seen_at,
        last_event_at=visitor.first_seen_at,
    )
    assert Event.objects.filter(shop=shop).count() == 2
    # when the visitor asks to be forgotten
    request = visitor_erase(shop=shop, visitor_key=VISITOR, source="preference_center")
    # then nothing in this shop mentions them, the other shop's visitor is untouched
    assert Visitor.objects.filter(shop=shop).count() == 0
    assert Event.objects.filter(shop=shop).count() == 0
    assert Session.objects.filter(shop=shop).count() == 0
    assert Profile.objects.filter(shop=shop).count() == 0
    assert StatedPreferences.objects.count() == 0
    assert cache.get(f"pz:{shop.pk}:visitor:{VISITOR}") is None
    assert rows_mentioning(VISITOR) == ["events_visitor.visitor_key"]
    assert Visitor.objects.get(visitor_key=VISITOR) == elsewhere
    # and the audit record says it was done, naming the visitor by a keyed hash only
    audit = PrivacyRequest.objects.get()
    assert audit == request
    assert (audit.action, audit.status, audit.source, audit.shop_domain) == (
        "erase",
        "done",
        "preference_center",
        shop.domain,
    )
    assert audit.subject_hash == lookup_hash(f"visitor:{VISITOR}")
    assert VISITOR not in json.dumps(audit.result)
    assert audit.result["events"] == 2
    assert audit.result["visitor"] == 1
    assert audit.result["statedpreferences"] == 1
    assert audit.result["cache_entries"] >= 1


@pytest.mark.django_db
def test_a_visitor_stitched_to_a_customer_is_not_erased_on_the_browsers_word(shop):
    # given a visitor key that belongs to a customer's account
    customer = CustomerFactory(shop=shop)
    Visitor.objects.create(
        shop=shop,
        visitor_key=VISITOR,
        customer=customer,
        first_seen_at="2024-03-01T10:00Z",
        last_event_at="2024-03-01T10:00Z",
    )
    # when the anonymous erasure is asked for that key
    request = visitor_erase(shop=shop, visitor_key=VISITOR)
    # then the account's visitor stays, and the request is still recorded as answered
    assert Visitor.objects.filter(shop=shop, visitor_key=VISITOR).count() == 1
    assert request.status == "done"
    assert request.result.get("visitor", 0) == 0
