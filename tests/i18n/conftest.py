from __future__ import annotations

import pytest

from shopapp.languages import catalogue


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues() -> None:
    # scripts/test.sh compiles them too; this makes `pytest tests/i18n` alone work on a fresh checkout.
    catalogue.compile_all()
