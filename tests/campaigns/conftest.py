import pytest

from tests.integrations.shopify.conftest import shopify_settings  # noqa: F401
from tests.integrations.woocommerce.conftest import fake_woo, woo_settings  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_experiment_state() -> None:
    """Experiments, catalog snapshots and compiled segments are cached per process by shop id,
    and ids repeat across tests."""
    from personalization.decisions import catalog
    from personalization.experiments import selectors
    from personalization.recommendations import selectors as recommendations
    from personalization.segments import rules

    selectors._state_cache.clear()
    catalog.forget()
    recommendations.forget()
    rules._cache.clear()
