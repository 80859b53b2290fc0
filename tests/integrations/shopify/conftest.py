from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client

from tests.fakes.shopify.server import FakeShopify

CLIENT_ID = "test-client-id"
CLIENT_SECRET = "test-client-secret-0123456789abcdef0123456789"
SHOP = "alpha.myshopify.com"


@pytest.fixture
def shopify_settings(settings):  # type: ignore[no-untyped-def]
    settings.SHOPIFY_API_KEY = CLIENT_ID
    settings.SHOPIFY_API_SECRET = CLIENT_SECRET
    settings.SHOPIFY_OLD_API_SECRET = ""
    settings.SHOPIFY_APP_URL = "http://testserver"
    return settings


def make_fake(settings, **options: object) -> FakeShopify:  # type: ignore[no-untyped-def]
    fake = FakeShopify(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, **options).start()  # type: ignore[arg-type]
    settings.SHOPIFY_SHOP_URL = fake.shop_url_template
    return fake


@pytest.fixture
def fake_shopify(shopify_settings) -> Iterator[FakeShopify]:  # type: ignore[no-untyped-def]
    fake = make_fake(shopify_settings)
    fake.add_shop(SHOP)
    yield fake
    fake.stop()


@pytest.fixture
def webhook_post(
    client: Client, django_capture_on_commit_callbacks
) -> Callable[[bytes, dict[str, str]], int]:  # type: ignore[no-untyped-def]
    """Post a delivery as Shopify does; Celery runs inline once the request commits."""

    def post(body: bytes, headers: dict[str, str]) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/shopify/webhooks",
                data=body,
                content_type="application/json",
                headers={k: v for k, v in headers.items() if k != "Content-Type"},
            )
        return response.status_code

    return post
