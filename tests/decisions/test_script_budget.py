from __future__ import annotations

from pathlib import Path

from django.conf import settings

BUDGET_BYTES = (
    10_000  # Shopify's app-block JavaScript limit, measured raw; we hold every platform to it
)


def test_every_storefront_script_fits_the_budget():
    scripts = sorted((Path(settings.BASE_DIR) / "static" / "storefront").glob("*.js"))
    # each feature's script is its own file, loaded only where it is used; all share the budget
    assert "pz.js" in [p.name for p in scripts]
    assert "pz-ugc.js" in [p.name for p in scripts]
    for script in scripts:
        size = script.stat().st_size
        assert size <= BUDGET_BYTES, f"{script.name} is {size} bytes"
        text = script.read_text(encoding="utf-8")
        # Dependency-free: no module loader, no framework.
        assert "require(" not in text
        assert "\nimport " not in text
