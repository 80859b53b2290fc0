from __future__ import annotations

from typing import Any

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


# Per-process caches keyed by shop id (or by ids that repeat across tests, since every test's
# database starts its sequences afresh): a value left by one test would answer the next.
# (module, attribute) of each dict or OrderedDict; a new per-process cache belongs here.
PROCESS_CACHES = (
    ("personalization.decisions.catalog", "_snapshots"),  # holds the local decision cache too
    ("personalization.decisions.services", "_configs_cache"),
    ("personalization.events.products", "_known"),
    ("personalization.experiments.selectors", "_state_cache"),
    ("personalization.merchandising.selectors", "_cache"),
    ("personalization.preferences.recommend", "_items_cache"),
    ("personalization.privacy.selectors", "_consent_modes"),
    ("personalization.profiles.history", "_demo_clock"),
    ("personalization.profiles.lifecycle", "_cache"),
    ("personalization.profiles.selectors", "_edges_cache"),
    ("personalization.recommendations.selectors", "_loaded"),
    ("personalization.segments.rules", "_cache"),
    ("shopapp.adminui.segment_count", "_cache"),
    ("shopapp.shops.auth", "_shops_by_key"),
)


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> None:
    """Every test starts with empty per-process caches (experiments, catalog snapshot, compiled
    segments, trained models, settings...), whatever ran before it in this process."""
    import importlib

    for module_name, attribute in PROCESS_CACHES:
        getattr(importlib.import_module(module_name), attribute).clear()


# Tests that reason about the always-on holdout (and set it explicitly where they need a size).
_HOLDOUT_AWARE = {"experiments", "campaigns", "messaging"}


@pytest.fixture(autouse=True)
def _no_default_holdout(request: pytest.FixtureRequest, settings: Any) -> None:
    """Outside the holdout's own tests, shops get no default holdout: which visitor ids fall in
    the 5 % depends on the shop's id, which depends on test order, and a held-out visitor sees
    no personalization, so any personalization test would fail for about one visitor in 20."""
    if _HOLDOUT_AWARE.isdisjoint(request.node.path.parts):
        settings.EXPERIMENTS_HOLDOUT_DEFAULT_PERCENT = 0.0


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
