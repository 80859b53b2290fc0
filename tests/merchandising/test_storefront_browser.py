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


@pytest.mark.parametrize("referrer", ["sent", "stripped"])
def test_a_search_on_the_storefront_follows_the_shops_rules_and_synonyms(
    demo_sofas, live_server, referrer
):
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
        if referrer == "stripped":
            # as a cross-origin call would be: pz.js's decision then knows no query, and
            # pz-search.js's own (which sends it) must win whichever answers last
            def strip(route):
                headers = {k: v for k, v in route.request.headers.items() if k != "referer"}
                # Fetched by Playwright itself: the browser would put its Referer back.
                route.fulfill(response=route.fetch(headers=headers))

            page.route("**/api/v1/decide?*", strip)
        decisions: list[dict] = []
        page.on(
            "response",
            lambda r: (
                decisions.append({"url": r.url, "json": r.json()})
                if "/api/v1/decide?" in r.url
                else None
            ),
        )
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
        # pz.js's own call names no query: it knew it only from the search page's URL
        page.wait_for_load_state("networkidle")
        from_pz = [d["json"] for d in decisions if "&q=" not in d["url"]]
        assert len(from_pz) == 1
        assert ("search_terms" in from_pz[0]) is (referrer == "sent")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"storefront-search-{referrer}.png"))
        browser.close()
    assert errors == []


def test_a_rule_for_a_segment_holds_for_a_consenting_member_on_the_storefront(
    demo_sofas, live_server
):
    from django.utils import timezone

    from personalization.events.models import Visitor
    from personalization.profiles.models import Profile
    from personalization.segments.models import Segment, SegmentKind

    # given a segment of browsers with 3+ sessions, a member who consented, and a rule for it
    Segment.objects.create(
        shop=demo_sofas,
        key="regulars",
        name="Regulars",
        kind=SegmentKind.RULE,
        rule={"field": "sessions", "op": "gte", "value": 3},
    )
    now = timezone.now()
    visitor = Visitor.objects.create(
        shop=demo_sofas, visitor_key="regular-1", first_seen_at=now, last_event_at=now
    )
    Profile.objects.create(
        shop=demo_sofas, visitor=visitor, sessions_count=5, has_consent=True, last_seen_at=now
    )
    query_rule_save(
        shop=demo_sofas,
        data=QueryRuleInput(
            phrase="sofa", action="pin", products="sofas-4", segment_key="regulars"
        ),
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        orders = {}
        for who, script in (
            (
                "member",
                "localStorage.setItem('pz_consent','1');localStorage.setItem('pz_vid','regular-1')",
            ),
            ("stranger", "localStorage.setItem('pz_consent','0')"),
        ):
            context = browser.new_context()
            context.add_init_script(script)
            page = context.new_page()
            page.goto(live_server.url + "/demo/search/?q=sofa")
            results = page.locator('[data-pz-slot="search-results"]')
            sync_api.expect(results).to_have_attribute("data-pz-merchandised", "1", timeout=15_000)
            sync_api.expect(results).to_have_attribute("data-pz-state", "rendered", timeout=15_000)
            page.wait_for_load_state("networkidle")
            orders[who] = page.evaluate(
                """() => [...document.querySelectorAll('[data-pz-slot="search-results"] [data-pz-product-id]')]
                    .filter((el) => el.offsetParent !== null).map((el) => el.dataset.pzProductId)"""
            )
            context.close()
        browser.close()
    # then the member sees the segment's pin first, the stranger the store's order
    assert orders["member"][0] == "s4"
    assert orders["stranger"][0] != "s4"
