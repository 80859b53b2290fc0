from __future__ import annotations

from typing import Any

import pytest

from personalization.decisions import catalog, services
from personalization.merchandising import selectors
from shopapp.shops.models import Shop
from tests.merchandising.store import sofa_store


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    catalog.forget()
    services._configs_cache.clear()
    selectors._cache.clear()


@pytest.fixture
def sofas(shop: Shop) -> dict[str, Any]:
    return sofa_store(shop)
