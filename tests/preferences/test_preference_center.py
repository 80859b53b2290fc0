from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from personalization.events.models import Event, Session, Visitor
from personalization.preferences.models import StatedPreferences
from personalization.preferences.tasks import birthday_customers_select
from personalization.privacy.models import PrivacyRequest
from personalization.profiles.models import Profile
from shopapp.catalog.models import Customer
from tests.factories import CustomerFactory

URL = "/api/v1/preferences"
T0 = "2024-03-01T10:00Z"


def save(client: Client, shop, **body):
    return client.post(f"{URL}?key={shop.storefront_key}", body, content_type="application/json")


@pytest.mark.django_db
def test_a_consenting_visitor_states_and_reads_back_preferences(client, shop):
    response = save(
        client,
        shop,
        visitor="v-10",
        interests={"category": ["Candles"], "price_band": ["low"]},
        sizes=["M", "38"],
        birthday="04-23",
        channels=["email", "sms"],
        phone="+44 20 7946 0000",
    )
    assert response.status_code == 200
    data = client.get(URL, {"key": shop.storefront_key, "visitor": "v-10"}).json()
    assert data["interests"] == {"category": ["Candles"], "price_band": ["low"]}
    assert data["sizes"] == ["M", "38"]
    assert (data["birthday"], data["channels"], data["phone"]) == (
        "04-23",
        ["email", "sms"],
        "+44 20 7946 0000",
    )
    assert data["labels"]["forget"] == "Forget me"
    # the phone is encrypted at rest
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM preferences_statedpreferences")
        (stored_phone,) = cursor.fetchone()
    assert stored_phone
    assert "7946" not in stored_phone


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"birthday": "13-01"}, "birthday"),
        ({"birthday": "02-30"}, "birthday"),
        ({"birthday": "1990-04-23"}, "birthday"),
        ({"channels": ["fax"]}, "channels"),
        ({"channels": ["sms"]}, "phone"),
        ({"phone": "12"}, "phone"),
        ({"interests": {"colour": ["red"]}}, "interests"),
        ({"interests": {"price_band": ["cheap"]}}, "interests"),
        ({"sizes": "M"}, "sizes"),
    ],
)
def test_bad_preferences_are_a_400_naming_the_field(client, shop, body, field):
    response = save(client, shop, visitor="v-11", **body)
    assert response.status_code == 400
    assert field in response.json()["fields"]


@pytest.mark.django_db
def test_without_a_visitor_or_login_nothing_is_stored(client, shop):
    response = save(client, shop, interests={"category": ["Candles"]})
    assert response.status_code == 400
    assert "visitor" in response.json()["fields"]
    assert StatedPreferences.objects.count() == 0


@pytest.mark.django_db
def test_another_shops_key_never_reads_these_preferences(client, shop, other_shop):
    save(client, shop, visitor="v-12", sizes=["S"])
    data = client.get(URL, {"key": other_shop.storefront_key, "visitor": "v-12"}).json()
    assert data["sizes"] == []


@pytest.mark.django_db
def test_forget_me_erases_an_anonymous_visitor_and_everything_cascading(client, shop):
    save(client, shop, visitor="v-13", sizes=["S"])
    visitor = Visitor.objects.get(visitor_key="v-13")
    session = Session.objects.create(shop=shop, visitor=visitor, started_at=T0, last_event_at=T0)
    Event.objects.create(
        shop=shop,
        event_id="e1",
        type="page_view",
        visitor=visitor,
        session=session,
        occurred_at=T0,
        received_at=T0,
    )
    Profile.objects.create(shop=shop, visitor=visitor)
    response = client.post(
        f"{URL}/forget?key={shop.storefront_key}",
        {"visitor": "v-13"},
        content_type="application/json",
    )
    data = response.json()
    assert (data["forgotten"], data["preferences"], data["visitors"]) == (True, 1, 1)
    # audited like a customer's erasure
    audit = PrivacyRequest.objects.get(pk=data["privacy_request"])
    assert (audit.action, audit.status, audit.source) == ("erase", "done", "preference_center")
    assert audit.result["events"] == 1
    assert (
        StatedPreferences.objects.count(),
        Visitor.objects.count(),
        Event.objects.count(),
        Profile.objects.count(),
    ) == (0, 0, 0, 0)


@pytest.mark.django_db
def test_forget_me_for_a_logged_in_customer_goes_through_privacy_erasure(shop, rf):
    from personalization.preferences.api import ForgetView
    from shopapp.shops.auth import ShopCredential

    customer = CustomerFactory(shop=shop, platform_id="777")
    StatedPreferences.objects.create(shop=shop, customer=customer, sizes=["L"])
    request = rf.post("/apps/pz/preferences/forget", {}, content_type="application/json")
    # what Shopify's app-proxy wrapper sets after verifying the signature
    request.shop_credential = ShopCredential(
        shop=shop, kind="app_proxy", customer_platform_id="777"
    )
    response = ForgetView.as_view()(request)
    assert response.status_code == 200
    audit = PrivacyRequest.objects.get(pk=response.data["privacy_request"])
    assert (audit.action, audit.status, audit.source) == ("erase", "done", "preference_center")
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert StatedPreferences.objects.count() == 0


@pytest.mark.django_db
def test_birthday_selection_takes_only_this_months_email_consenting_customers(shop, other_shop):
    def person(shop, month, channels, accepts=True, platform_id=None):
        customer = CustomerFactory(shop=shop, accepts_marketing=accepts)
        StatedPreferences.objects.create(
            shop=shop, customer=customer, birthday_month=month, birthday_day=5, channels=channels
        )
        return customer

    chosen = person(shop, 6, ["email"])
    person(shop, 6, ["sms"])  # did not choose email
    person(shop, 6, ["email"], accepts=False)  # the platform says no marketing
    person(shop, 7, ["email"])  # next month
    person(other_shop, 6, ["email"])  # another shop
    assert birthday_customers_select(shop.pk, 6) == [chosen.pk]
    assert birthday_customers_select(999999, 6) == []
