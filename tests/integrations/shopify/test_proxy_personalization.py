"""Storefront blocks through the app proxy: decisions and events for the logged-in customer."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

import pytest

from personalization.decisions import catalog, services
from personalization.events.models import Event, Visitor
from personalization.profiles.models import Profile
from tests.events.conftest import batch, clean_event_state, event  # noqa: F401
from tests.factories import CustomerFactory, ProductFactory, ShopFactory

SECRET = "proxy-test-secret"


def signed(params: dict[str, str]) -> str:
    """What Shopify's proxy appends: sorted k=v pairs joined with nothing, HMAC-SHA256 hex."""
    message = "".join(f"{k}={v}" for k, v in sorted(params.items()))
    signature = hmac.new(SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()
    return urlencode({**params, "signature": signature})


@pytest.fixture
def proxied_shop(settings):
    settings.SHOPIFY_API_SECRET = SECRET
    settings.SHOPIFY_OLD_API_SECRET = ""
    catalog.forget()
    services._configs_cache.clear()
    shop = ShopFactory(domain="proxy-shop.myshopify.com")
    for i in range(12):
        ProductFactory(shop=shop, platform_id=f"p{i}", product_type="Candles" if i % 2 else "Mugs")
    customer = CustomerFactory(shop=shop, platform_id="4242")
    Profile.objects.create(
        shop=shop,
        customer=customer,
        lifecycle="repeat_customer",
        orders_count=3,
        affinities={"category": {"as_of": 0, "raw": {"Candles": 5.0}}},
    )
    return shop


def proxy_params(**extra: str) -> dict[str, str]:
    return {
        "shop": "proxy-shop.myshopify.com",
        "logged_in_customer_id": "4242",
        "path_prefix": "/apps/pz",
        "timestamp": str(int(time.time())),
        **extra,
    }


@pytest.mark.django_db
def test_decide_through_the_proxy_knows_the_logged_in_customer(client, proxied_shop):
    response = client.get(f"/shopify/proxy/decide?{signed(proxy_params(page='home'))}")
    assert response.status_code == 200
    data = response.json()
    assert data["visitor"]["label"] == "logged-in customer"
    assert data["visitor"]["lifecycle"] == "repeat_customer"
    assert data["slots"]["home-recommended"]["title"] == "Picked for you"
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_a_tampered_or_stale_proxy_request_is_401(client, proxied_shop):
    query = signed(proxy_params(page="home")).replace(
        "logged_in_customer_id=4242", "logged_in_customer_id=1"
    )
    assert client.get(f"/shopify/proxy/decide?{query}").status_code == 401
    stale = signed(proxy_params(page="home", timestamp=str(int(time.time()) - 600)))
    assert client.get(f"/shopify/proxy/decide?{stale}").status_code == 401


@pytest.mark.django_db
def test_events_through_the_proxy_are_stitched_to_the_customer(client, proxied_shop):
    body = batch(event("product_view", product_id="p1"), visitor_id="visitor-proxy-1")
    response = client.post(
        f"/shopify/proxy/events?{signed(proxy_params())}",
        data=json.dumps(body),
        content_type="text/plain",
    )
    assert response.status_code == 202
    visitor = Visitor.objects.get(shop=proxied_shop, visitor_key="visitor-proxy-1")
    assert visitor.customer is not None
    assert visitor.customer.platform_id == "4242"
    assert Event.objects.get(shop=proxied_shop).customer == visitor.customer
