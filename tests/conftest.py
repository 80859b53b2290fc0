from __future__ import annotations

import pytest
from django.test import Client

from shopapp.shops.auth import ADMIN_SESSION_KEY
from shopapp.shops.models import Shop
from tests.factories import ShopFactory


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """With services up the cache is a real Redis shared by the whole run: start each test empty."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def shop(db: None) -> Shop:
    return ShopFactory(domain="alpha.myshopify.com", name="Alpha Gifts")


@pytest.fixture
def other_shop(db: None) -> Shop:
    return ShopFactory(domain="beta.myshopify.com", name="Beta Home")


@pytest.fixture
def storefront_client(shop: Shop) -> Client:
    """A client that calls as the shop's storefront script does (public key header)."""
    return Client(HTTP_X_STOREFRONT_KEY=shop.storefront_key)


@pytest.fixture
def admin_client_for(db: None):  # type: ignore[no-untyped-def]
    """Factory: a client signed in to the admin of the given shop."""

    def make(shop: Shop) -> Client:
        client = Client()
        session = client.session
        session[ADMIN_SESSION_KEY] = shop.pk
        session.save()
        return client

    return make
