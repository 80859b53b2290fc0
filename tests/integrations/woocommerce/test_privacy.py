"""The plugin's privacy requests: signed export and erase by email address, another shop's
signature refused, and nothing of the person left afterwards."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client

from integrations.woocommerce import sync
from integrations.woocommerce.models import DeliveryStatus, Review, SyncKind, WebhookDelivery
from integrations.woocommerce.privacy import plugin_signature
from shopapp.catalog.models import Customer, Order
from shopapp.shops.crypto import lookup_hash
from tests.integrations.woocommerce.conftest import connected_shop

pytestmark = pytest.mark.django_db


def signed(
    client: Client,
    path: str,
    shop,
    payload: dict,
    *,
    secret: str | None = None,
    at: int | None = None,
):  # type: ignore[no-untyped-def]
    body = json.dumps(payload).encode()
    timestamp = str(at if at is not None else int(time.time()))
    secret = secret or shop.credentials["plugin_secret"]
    return client.post(
        path,
        data=body,
        content_type="application/json",
        headers={
            "X-PZ-Shop": shop.storefront_key,
            "X-PZ-Timestamp": timestamp,
            "X-PZ-Signature": plugin_signature(secret, timestamp, body),
        },
    )


@pytest.fixture
def store(woo_settings, fake_woo):  # type: ignore[no-untyped-def]
    fake_woo.data.generate(products=10, orders=40, reviews=30, seed=51)
    shop = connected_shop(fake_woo)
    sync.sync_run_continue(sync.sync_run_start(shop=shop, kind=SyncKind.FULL))
    reviewed = {r.reviewer_email for r in fake_woo.data.reviews.values() if r.status == "approved"}
    buyers = {
        fake_woo.data.customers[o.customer_id].email
        for o in fake_woo.data.orders.values()
        if o.customer_id in fake_woo.data.customers
    }
    email = sorted(reviewed & buyers)[0]
    return shop, fake_woo.data, email


def test_export_lists_the_customer_orders_and_reviews(client, store):
    shop, data, email = store
    response = signed(client, "/api/v1/woocommerce/privacy/export", shop, {"email": email.upper()})
    assert response.status_code == 200
    body = response.json()
    assert body["found"] is True
    assert body["groups"]["customer"]["items"][0]["email"] == email
    customer = next(c for c in data.customers.values() if c.email == email)
    orders = {str(o.id) for o in data.orders.values() if o.customer_id == customer.id}
    assert {o["platform_id"] for o in body["groups"]["orders"]["items"]} == orders
    reviews = [
        r for r in data.reviews.values() if r.reviewer_email == email and r.status == "approved"
    ]
    assert len(body["groups"]["reviews"]["items"]) == len(reviews)


def test_erase_leaves_nothing_of_the_person(client, store):
    shop, data, email = store
    customer = next(c for c in data.customers.values() if c.email == email)
    # given a webhook about them still queued
    WebhookDelivery.objects.create(
        shop=shop,
        delivery_id="d1",
        body_digest="x",
        topic="customer.updated",
        resource_id=str(customer.id),
        payload={"id": customer.id, "email": email},
    )
    response = signed(client, "/api/v1/woocommerce/privacy/erase", shop, {"email": email})
    assert response.status_code == 200
    assert response.json()["removed"] is True
    assert response.json()["counts"]["queued_webhooks"] == 1
    assert not Customer.objects.filter(shop=shop, platform_id=str(customer.id)).exists()
    assert not Review.objects.filter(shop=shop, email_hash=lookup_hash(email)).exists()
    assert Review.objects.filter(shop=shop).exists()
    assert Order.objects.filter(shop=shop, customer__isnull=True).exists()
    queued = WebhookDelivery.objects.get(delivery_id="d1")
    assert (queued.status, queued.payload) == (DeliveryStatus.IGNORED, {})
    # and exporting afterwards finds nothing
    again = signed(client, "/api/v1/woocommerce/privacy/export", shop, {"email": email})
    assert again.json() == {"found": False, "groups": {}}


@pytest.mark.parametrize(
    ("change", "status"),
    [({"secret": "not-the-secret"}, 401), ({"at": int(time.time()) - 3600}, 401)],
)
def test_bad_signatures_and_old_requests_are_refused(client, store, change, status):
    shop, _data, email = store
    response = signed(client, "/api/v1/woocommerce/privacy/erase", shop, {"email": email}, **change)
    assert response.status_code == status
    assert Customer.objects.filter(shop=shop, email_hash__gt="").count() > 0


def test_another_shops_plugin_cannot_erase_here(client, store, fake_woo):
    shop, _data, email = store
    from tests.factories import ShopFactory

    other = ShopFactory(
        platform="woocommerce", domain="other.example", credentials={"plugin_secret": "s" * 30}
    )
    body = json.dumps({"email": email}).encode()
    timestamp = str(int(time.time()))
    response = client.post(
        "/api/v1/woocommerce/privacy/erase",
        data=body,
        content_type="application/json",
        headers={
            # our shop's key, signed with the other shop's secret
            "X-PZ-Shop": shop.storefront_key,
            "X-PZ-Timestamp": timestamp,
            "X-PZ-Signature": plugin_signature(other.credentials["plugin_secret"], timestamp, body),
        },
    )
    assert response.status_code == 401


def test_not_an_email_is_400(client, store):
    shop, _data, _email = store
    assert (
        signed(client, "/api/v1/woocommerce/privacy/export", shop, {"email": "nope"}).status_code
        == 400
    )
