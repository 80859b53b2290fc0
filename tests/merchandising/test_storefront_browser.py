"""Search merchandising on the demo storefront, in headless Chromium: the synonym widens the
search, pz.js puts the pinned product first, pz-search.js hides the hidden one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from personalization.merchandising.services import (
    QueryRuleInput,
    query_rule_save,
    synonym_group_save,
)
from tests.factories import ShopFactory
from tests.merchandising.store import sofa_store

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and shutil.which("chromium") is None,
        reason=f"no Chromium at {CHROMIUM}: apt-get install -y chromium",
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")


@pytest.fixture
def demo_sofas(transactional_db, settings, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.DEMO_ENABLED = True
    shop = ShopFactory(domain=settings.DEMO_SHOP_DOMAIN, name="Sofa Demo", is_demo=True)
    sofa_store(shop)
    return shop


def test_a_search_on_the_storefront_follows_the_shops_rules_and_synonyms(demo_sofas, live_server):
    # given: couch = sofa; "sofa" pins sofa 3 and hides sofa 1
    synonym_group_save(shop=demo_sofas, terms="sofa, couch")
    query_rule_save(
        shop=demo_sofas, data=QueryRuleInput(phrase="sofa", action="pin", products="sofas-3")
    )
    query_rule_save(
        shop=demo_sofas, data=QueryRuleInput(phrase="sofa", action="hide", products="sofas-1")
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        page = browser.new_page(viewport={"width": 375, "height": 812})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        # when a shopper searches for "couch"
        page.goto(live_server.url + "/demo/search/?q=couch")
        results = page.locator('[data-pz-slot="search-results"]')
        sync_api.expect(results).to_have_attribute("data-pz-state", "rendered", timeout=15_000)
        sync_api.expect(results).to_have_attribute("data-pz-merchandised", "1", timeout=15_000)
        # then the synonym found the sofas, the pinned one leads, the hidden one is gone
        assert results.get_attribute("data-pz-terms") == "couch,sofa"
        visible = page.evaluate(
            """() => [...document.querySelectorAll('[data-pz-slot="search-results"] [data-pz-product-id]')]
                .filter((el) => el.offsetParent !== null).map((el) => el.dataset.pzProductId)"""
        )
        assert visible[0] == "s3"
        assert "s1" not in visible
        assert sorted(visible) == ["s0", "s2", "s3", "s4", "s5"]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "storefront-search-merchandised.png"))
        browser.close()
    assert errors == []
