from __future__ import annotations

import json
import time

import pytest
from django.urls import reverse

from personalization.events.counters import metric_value
from personalization.events.models import Event, Session, Visitor
from personalization.events.tokens import customer_token_make
from personalization.profiles.models import Profile
from tests.events.conftest import batch, event
from tests.factories import CustomerFactory, ProductFactory

URL = "/api/v1/events"


def post(client, shop, body, **headers):
    return client.post(
        URL,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_X_STOREFRONT_KEY=shop.storefront_key,
        **headers,
    )


@pytest.mark.django_db
def test_a_valid_batch_is_accepted_and_persisted_with_visitor_session_and_profile(
    client, shop, catalog
):
    # given a consenting visitor who lands from a newsletter and looks at two products
    body = batch(
        event("page_view"),
        event("product_view", product_id="102"),
        event("product_view", product_id="101"),
        event("add_to_cart", product_id="102", quantity=2, price=12.0),
        visitor_id="visitor-0001",
        context={
            "url": "https://alpha.myshopify.com/?utm_source=newsletter&utm_medium=email",
            "referrer": "",
        },
    )
    # when the storefront posts it
    response = post(client, shop, body, HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)")
    # then it is accepted, and (eager drain) stored with its visitor, session and profile
    assert response.status_code == 202
    assert response.json() == {"accepted": 4, "stored": True}
    assert Event.objects.filter(shop=shop).count() == 4
    visitor = Visitor.objects.get(shop=shop, visitor_key="visitor-0001")
    assert visitor.device == "mobile"
    session = Session.objects.get(visitor=visitor)
    assert (session.traffic_source, session.source_detail, session.event_count) == (
        "email",
        "newsletter",
        4,
    )
    profile = Profile.objects.get(shop=shop, visitor=visitor)
    assert profile.recently_viewed == [catalog["mug"].pk, catalog["candle"].pk]
    assert profile.cart["items"] == {str(catalog["candle"].pk): 2}
    assert profile.cart["value"] == 24.0
    # the candle was viewed (1) and added to the cart (3): the strongest category
    raw = profile.affinities["category"]["raw"]
    assert raw == {
        "Candles & Lights": pytest.approx(4.0, abs=1e-3),
        "Kitchen & Dining": pytest.approx(1.0, abs=1e-3),
    }
    assert profile.lifecycle == "new_visitor"
    assert profile.has_consent is True


@pytest.mark.django_db
def test_without_consent_nothing_is_stored(client, shop, catalog):
    response = post(client, shop, batch(event("product_view", product_id="101"), consent=False))
    assert response.status_code == 202
    assert response.json() == {"accepted": 1, "stored": False}
    assert Event.objects.count() == 0
    assert Visitor.objects.count() == 0
    assert Profile.objects.count() == 0


@pytest.mark.django_db
def test_a_repeated_batch_is_stored_once(client, shop, catalog):
    body = batch(event("product_view", product_id="101"), event("page_view"))
    assert post(client, shop, body).status_code == 202
    assert post(client, shop, body).status_code == 202
    assert Event.objects.filter(shop=shop).count() == 2
    assert Session.objects.get(shop=shop).event_count == 2


@pytest.mark.django_db
def test_a_failing_drain_keeps_the_batch_and_the_request_still_succeeds(
    client, shop, catalog, monkeypatch
):
    # given a drain that fails once (e.g. the visitor was erased between lookup and insert)
    from personalization.events import services

    real = services.buffer_drain_once
    calls = {"n": 0}

    def failing_once(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("visitor vanished mid-batch")
        return real(**kwargs)

    monkeypatch.setattr(services, "buffer_drain_once", failing_once)
    body = batch(event("product_view", product_id="101"))
    # when the batch is sent
    response = post(client, shop, body)
    # then the shopper's request is accepted, nothing is stored yet, and nothing is lost:
    assert response.status_code == 202
    assert Event.objects.filter(shop=shop).count() == 0
    # the next drain stores the buffered batch exactly once
    services.buffer_drain_once()
    assert Event.objects.filter(shop=shop).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make_body", "status", "reason", "field"),
    [
        (lambda: "{not json", 400, "bad_json", None),
        (lambda: batch(*[event("page_view") for _ in range(51)]), 400, "too_many_events", "events"),
        (
            lambda: batch(event("page_view", ts=time.time() + 3600)),
            400,
            "clock_skew",
            "events[0].ts",
        ),
        (
            lambda: batch(event("page_view", ts=time.time() - 3 * 86400)),
            400,
            "clock_skew",
            "events[0].ts",
        ),
        (
            lambda: batch(event("product_view", product_id="999")),
            400,
            "unknown_product",
            "product_id",
        ),
        (lambda: batch(event("product_view")), 400, "invalid", "events[0].product_id"),
        (lambda: batch(event("teleport")), 400, "invalid", "events[0].type"),
        (lambda: batch(event("page_view", url="x" * 5000)), 400, "invalid", "events[0].url"),
        (lambda: {"visitor_id": "short", "events": []}, 400, "invalid", "visitor_id"),
        (lambda: batch(event("page_view"), secret="x"), 400, "invalid", "secret"),
        (lambda: batch(event("page_view", query="a" * 70_000)), 413, "too_large", None),
    ],
)
def test_bad_batches_get_a_clear_4xx_are_counted_and_store_nothing(
    client, shop, catalog, make_body, status, reason, field
):
    body = make_body()
    before = metric_value(f"events_rejected:{reason}", shop_id=shop.pk)
    payload = body if isinstance(body, str) else json.dumps(body)
    response = client.post(
        URL,
        data=payload,
        content_type="application/json",
        HTTP_X_STOREFRONT_KEY=shop.storefront_key,
    )
    assert response.status_code == status
    data = response.json()
    assert data["error"] == reason
    assert data["message"]
    assert data.get("field") == field
    assert metric_value(f"events_rejected:{reason}", shop_id=shop.pk) == before + 1
    assert Event.objects.count() == 0
    assert Visitor.objects.count() == 0


@pytest.mark.django_db
def test_a_wrong_key_is_401_and_another_shops_key_cannot_name_our_products(
    client, shop, other_shop, catalog
):
    body = batch(event("product_view", product_id="101"))
    response = client.post(
        URL,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_X_STOREFRONT_KEY="pk_forged",
    )
    assert response.status_code == 401
    assert response.json()["error"] == "bad_key"
    # product 101 exists in shop, not in other_shop
    response = post(client, other_shop, body)
    assert response.status_code == 400
    assert response.json()["error"] == "unknown_product"
    assert Event.objects.count() == 0


@pytest.mark.django_db
def test_cors_allows_the_shops_origin_only(client, shop, catalog):
    body = batch(event("page_view"))
    ok = post(client, shop, body, HTTP_ORIGIN="https://alpha.myshopify.com")
    assert ok.status_code == 202
    assert ok["Access-Control-Allow-Origin"] == "https://alpha.myshopify.com"
    preflight = client.options(
        URL, HTTP_ORIGIN="https://alpha.myshopify.com", HTTP_X_STOREFRONT_KEY=shop.storefront_key
    )
    assert preflight.status_code == 204
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    sandboxed = post(client, shop, batch(event("page_view")), HTTP_ORIGIN="null")  # the web pixel
    assert sandboxed.status_code == 202
    assert "Access-Control-Allow-Origin" not in sandboxed
    evil = post(client, shop, batch(event("page_view")), HTTP_ORIGIN="https://evil.example")
    assert evil.status_code == 403
    assert "Access-Control-Allow-Origin" not in evil


@pytest.mark.django_db
def test_the_key_may_come_in_the_query_string_for_send_beacon(client, shop, catalog):
    response = client.post(
        f"{URL}?key={shop.storefront_key}",
        data=json.dumps(batch(event("page_view"))),
        content_type="text/plain",
    )
    assert response.status_code == 202


@pytest.mark.django_db
def test_a_visitor_over_the_rate_limit_gets_429(client, shop, catalog, settings):
    settings.EVENTS_RATE_LIMITS = {"visitor_batches_per_minute": 2, "shop_batches_per_10s": 1000}
    statuses = [
        post(client, shop, batch(event("page_view"), visitor_id="visitor-rate")).status_code
        for _ in range(3)
    ]
    assert statuses == [202, 202, 429]
    assert Event.objects.filter(shop=shop).count() == 2


@pytest.mark.django_db
def test_a_gap_of_more_than_30_minutes_starts_a_new_session(client, shop, catalog):
    now = time.time()
    body = batch(
        event("page_view", ts=now - 3600),
        event("page_view", ts=now - 3500),
        event("page_view", ts=now - 60),
        visitor_id="visitor-gap",
    )
    post(client, shop, body)
    visitor = Visitor.objects.get(visitor_key="visitor-gap")
    assert list(
        Session.objects.filter(visitor=visitor)
        .order_by("started_at")
        .values_list("event_count", flat=True)
    ) == [2, 1]
    assert visitor.session_count == 2
    assert Profile.objects.get(visitor=visitor).lifecycle == "returning_visitor"


@pytest.mark.django_db
def test_login_stitches_the_visitor_and_merges_the_anonymous_profile(client, shop, catalog):
    customer = CustomerFactory(shop=shop, platform_id="17850")
    # given an anonymous visitor who viewed the lamp
    post(client, shop, batch(event("product_view", product_id="103"), visitor_id="visitor-stitch"))
    anonymous = Profile.objects.get(visitor__visitor_key="visitor-stitch")
    assert anonymous.customer is None
    # when they log in (the shop renders a signed token) and keep browsing
    token = customer_token_make(shop_id=shop.pk, customer_platform_id="17850")
    post(
        client,
        shop,
        batch(
            event("product_view", product_id="101"),
            visitor_id="visitor-stitch",
            context={"customer_token": token},
        ),
    )
    # then one profile, the customer's, holds both histories
    profile = Profile.objects.get(shop=shop, customer=customer)
    assert profile.recently_viewed == [catalog["mug"].pk, catalog["lamp"].pk]
    assert Profile.objects.filter(shop=shop).count() == 1
    assert Visitor.objects.get(visitor_key="visitor-stitch").customer == customer
    assert Event.objects.filter(customer=customer).count() == 1


@pytest.mark.django_db
def test_a_forged_customer_token_stitches_nothing(client, shop, catalog):
    CustomerFactory(shop=shop, platform_id="17850")
    forged = customer_token_make(shop_id=shop.pk + 999, customer_platform_id="17850")
    post(
        client,
        shop,
        batch(event("page_view"), visitor_id="visitor-forged", context={"customer_token": forged}),
    )
    assert Visitor.objects.get(visitor_key="visitor-forged").customer is None


@pytest.mark.django_db
def test_a_deleted_product_is_unknown(client, shop):
    ProductFactory(shop=shop, platform_id="555", deleted_at="2024-01-01T00:00:00Z")
    response = post(client, shop, batch(event("product_view", product_id="555")))
    assert response.status_code == 400
    assert reverse("events:ingest") == URL


@pytest.mark.django_db
def test_a_purchase_stitches_the_visitor_to_the_orders_customer(client, shop, catalog):
    from tests.factories import OrderFactory

    customer = CustomerFactory(shop=shop, platform_id="17851")
    OrderFactory(shop=shop, platform_id="#1001", customer=customer)
    post(client, shop, batch(event("product_view", product_id="101"), visitor_id="visitor-buyer-1"))
    post(
        client,
        shop,
        batch(event("purchase", order_id="#1001", value=8.0), visitor_id="visitor-buyer-1"),
    )
    assert Visitor.objects.get(visitor_key="visitor-buyer-1").customer == customer
    profile = Profile.objects.get(shop=shop, customer=customer)
    assert profile.recently_viewed == [catalog["mug"].pk]
