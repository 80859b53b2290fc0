"""The shop's consent mode decides what the events API stores for a batch without a consent
signal; an explicit yes or no is always followed."""

from __future__ import annotations

import json

import pytest

from personalization.events.models import Event, Visitor
from personalization.privacy import selectors
from personalization.privacy.models import ConsentMode
from personalization.privacy.services import privacy_settings_save
from tests.events.conftest import batch, event

URL = "/api/v1/events"


@pytest.fixture(autouse=True)
def _fresh_consent_modes() -> None:
    selectors._consent_modes.clear()


def post(client, shop, body):
    return client.post(
        URL,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_X_STOREFRONT_KEY=shop.storefront_key,
    )


def unstated(visitor_id: str) -> dict:
    body = batch(event("product_view", product_id="101"), visitor_id=visitor_id)
    del body["consent"]
    return body


def set_mode(shop, mode: str) -> None:
    privacy_settings_save(
        shop=shop,
        consent_mode=mode,
        event_retention_days=365,
        anonymous_profile_retention_days=90,
    )


@pytest.mark.django_db
def test_ask_first_stores_nothing_without_an_explicit_yes(client, shop, catalog):
    # given the default mode (no settings saved): ask first
    # when a batch says nothing about consent
    response = post(client, shop, unstated("visitor-silent"))
    # then it is accepted but nothing about the visitor is stored
    assert response.json() == {"accepted": 1, "stored": False}
    assert Visitor.objects.filter(shop=shop).count() == 0
    # and an explicit yes is stored
    assert post(client, shop, batch(event("page_view"), visitor_id="visitor-yes")).json() == {
        "accepted": 1,
        "stored": True,
    }
    assert list(Visitor.objects.values_list("visitor_key", flat=True)) == ["visitor-yes"]


@pytest.mark.django_db
def test_following_the_stores_banner_also_needs_its_yes(client, shop, catalog):
    set_mode(shop, ConsentMode.PLATFORM)
    assert post(client, shop, unstated("visitor-silent")).json()["stored"] is False
    assert Event.objects.count() == 0


@pytest.mark.django_db
def test_opt_out_stores_unless_declined(client, shop, catalog):
    # given a shop in an opt-out region
    set_mode(shop, ConsentMode.OPT_OUT)
    # when one batch says nothing and another declines
    assert post(client, shop, unstated("visitor-silent")).json()["stored"] is True
    declined = batch(event("page_view"), visitor_id="visitor-no", consent=False)
    assert post(client, shop, declined).json()["stored"] is False
    # then only the silent visitor and its event are stored
    assert list(Visitor.objects.values_list("visitor_key", flat=True)) == ["visitor-silent"]
    assert Event.objects.filter(shop=shop).count() == 1


@pytest.mark.django_db
def test_a_mode_change_applies_to_the_next_batch(client, shop, catalog):
    set_mode(shop, ConsentMode.OPT_OUT)
    assert post(client, shop, unstated("visitor-a")).json()["stored"] is True
    set_mode(shop, ConsentMode.OPT_IN)
    assert post(client, shop, unstated("visitor-b")).json()["stored"] is False


@pytest.mark.django_db
def test_one_shops_mode_never_applies_to_another(client, shop, other_shop, catalog):
    set_mode(other_shop, ConsentMode.OPT_OUT)
    assert post(client, shop, unstated("visitor-a")).json()["stored"] is False


@pytest.mark.django_db
def test_a_consent_that_is_not_true_or_false_is_a_400_naming_it(client, shop, catalog):
    body = batch(event("page_view"))
    body["consent"] = "yes"
    response = post(client, shop, body)
    assert response.status_code == 400
    assert response.json()["field"] == "consent"
