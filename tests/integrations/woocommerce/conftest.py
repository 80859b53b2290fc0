from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from integrations.woocommerce.client import KeyAuth, WooClient
from tests.fakes.woocommerce.server import Delivery, FakeWooCommerce

APP_URL = "https://app.example.test"


def make_fake(**options: Any) -> FakeWooCommerce:
    return FakeWooCommerce(**options).start()


@pytest.fixture
def fake_woo() -> Iterator[FakeWooCommerce]:
    fake = make_fake()
    yield fake
    fake.stop()


def client_for_fake(fake: FakeWooCommerce, **options: Any) -> WooClient:
    """A client for the fake: loopback allowed and the fake's CA trusted, which only tests do."""
    key = options.pop("key", None) or fake.add_key()
    auth = options.pop("auth", None) or KeyAuth(key.consumer_key, key.consumer_secret)
    options.setdefault("sleep", lambda _seconds: None)
    return WooClient(
        fake.home,
        auth,
        allow_loopback=True,
        verify=fake.ca_path,
        has_pretty_permalinks=fake.pretty_permalinks,
        **options,
    )


@pytest.fixture
def woo_settings(settings, fake_woo):  # type: ignore[no-untyped-def]
    """Settings that let production code reach the fake: the app's public URL, and client
    options for loopback and the fake's CA (never set outside tests)."""
    settings.WOOCOMMERCE_APP_URL = APP_URL
    settings.WOOCOMMERCE_TEST_CLIENT_OPTIONS = {
        "allow_loopback": True,
        "verify": fake_woo.ca_path,
        "sleep": lambda _seconds: None,
    }
    return settings


def connected_shop(fake: FakeWooCommerce, **credentials: Any):  # type: ignore[no-untyped-def]
    """A shop connected to the fake without going through the pages (see test_connect.py)."""
    from django.utils import timezone

    from integrations.woocommerce.models import WooStore
    from integrations.woocommerce.stores import shop_domain_for
    from shopapp.shops.models import InstallState, Platform
    from tests.factories import ShopFactory

    key = fake.add_key()
    shop = ShopFactory(
        platform=Platform.WOOCOMMERCE,
        domain=shop_domain_for(fake.home),
        install_state=InstallState.INSTALLED,
        currency="GBP",
        credentials={
            "consumer_key": key.consumer_key,
            "consumer_secret": key.consumer_secret,
            "key_id": key.key_id,
            "auth_method": "wc_keys",
            "webhook_secret": "whsec0123456789abcdef0123456789",
            "plugin_secret": "plugsec0123456789abcdef01234567",
            **credentials,
        },
    )
    WooStore.objects.create(
        shop=shop,
        store_url=fake.home,
        has_pretty_permalinks=fake.pretty_permalinks,
        connected_at=timezone.now(),
    )
    return shop


@pytest.fixture
def post_delivery(client: Client, django_capture_on_commit_callbacks) -> Callable[[Delivery], int]:  # type: ignore[no-untyped-def]
    """Post a delivery as the store does; Celery runs inline once the request commits."""

    def post(delivery: Delivery) -> int:
        assert delivery.url.startswith(APP_URL)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                delivery.url[len(APP_URL) :],
                data=delivery.body,
                content_type=delivery.headers["Content-Type"],
                headers={k: v for k, v in delivery.headers.items() if k != "Content-Type"},
            )
        return response.status_code

    return post
