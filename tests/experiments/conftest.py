from __future__ import annotations

import pytest

from personalization.experiments import selectors


@pytest.fixture(autouse=True)
def _fresh_experiment_state() -> None:
    selectors._state_cache.clear()
