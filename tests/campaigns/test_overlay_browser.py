"""The abandoned-cart reminder on /demo/ in headless Chromium, under an A/B test: the treatment
visitor sees it once (the cap holds on the next page), clicks, and the click and the later order
are attributed to their variant; the control visitor sees nothing and is counted as exposed."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import OperationalError

from personalization.campaigns.models import Contact, Placement
from personalization.campaigns.selectors import campaign_results
from personalization.decisions.catalog import catalog_snapshot
from personalization.events.models import Event
from personalization.experiments.models import Experiment, Exposure
from personalization.experiments.selectors import assignment_for, experiment_results
from shopapp.catalog.models import Product
from tests.campaigns.scenario import returning_visitor_with_cart, shop_with_reminder
from tests.decisions.test_storefront_browser import CHROMIUM, SCREENSHOTS, sync_api
from tests.decisions.test_storefront_browser import browser as browser
from tests.decisions.test_storefront_browser import demo_shop as demo_shop
from tests.experiments.factories import running_experiment

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"needs Debian's chromium at {CHROMIUM}"
    ),
]


def wait_for(check: Callable[[], object], what: str, timeout: float = 10.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = check()
        except OperationalError:
            # SQLite's shared test database: the live server's thread may hold a write lock.
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def shopper(browser, visitor_key: str):
    """A browser that consented on an earlier visit: it has its first-party id and one visit."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(
        "localStorage.setItem('pz_consent','1');"
        f"localStorage.setItem('pz_vid',{json.dumps(visitor_key)});"
        "if(!localStorage.getItem('pz_visits'))localStorage.setItem('pz_visits','1');"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, errors


def offer_of(page, action: Callable[[], object]) -> dict:
    with page.expect_response(lambda r: "/api/v1/campaigns/offer" in r.url) as info:
        action()
    return dict(info.value.json())


def test_reminder_once_click_and_order_attributed_control_sees_nothing(
    browser,
    demo_shop,
    live_server,
):
    # given the demo shop running the reminder as an A/B test (control vs "personalized")
    shop = demo_shop
    snapshot = catalog_snapshot(shop)
    products = list(
        Product.objects.filter(shop=shop, platform_id__in=list(snapshot.items)[:4]).order_by("pk")
    )
    scenario = shop_with_reminder(shop, products=products)
    reminder = scenario.reminder
    running_experiment(shop, key="reminder-ab", target_kind="campaign", target_key=reminder.key)

    def arm(vid: str) -> str:
        found = assignment_for(shop, vid, target_kind="campaign", target_key=reminder.key)
        assert found is not None
        return found.variant_key

    # and two returning visitors with an abandoned cart, one in each arm
    treated = returning_visitor_with_cart(
        shop, products, predicate=lambda v: arm(v) == "personalized", prefix="treated-"
    )
    control = returning_visitor_with_cart(
        shop, products, predicate=lambda v: arm(v) == "control", prefix="control-"
    )
    base = live_server.url

    # when the treated visitor comes back to the home page
    context, page, errors = shopper(browser, treated)
    offer = offer_of(page, lambda: page.goto(f"{base}/demo/"))
    # then the reminder pops up as a labelled modal dialog with their cart
    assert offer["overlay"]["campaign"] == reminder.key
    dialog = page.wait_for_selector('.pz-ov--popup [role="dialog"]', timeout=10_000)
    assert dialog.get_attribute("aria-modal") == "true"
    assert dialog.get_attribute("data-pz-variant") == "personalized"
    label = page.evaluate(
        "() => document.getElementById("
        "document.querySelector('[role=dialog]').getAttribute('aria-labelledby')).textContent"
    )
    assert label == "Still thinking it over?"
    shown = page.eval_on_selector_all(
        ".pz-ov__products [data-pz-product-id]", "els => els.map(e => e.dataset.pzProductId)"
    )
    assert shown == [products[0].platform_id, products[1].platform_id]
    # and the focus is in the dialog and stays there however far one tabs
    inside = "() => document.querySelector('[role=dialog]').contains(document.activeElement)"
    assert page.evaluate(inside)
    for _ in range(8):
        page.keyboard.press("Tab")
        assert page.evaluate(inside)
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(inside)
    # and the page under it did not move: the popup is fixed, out of the flow
    assert page.evaluate("() => getComputedStyle(document.querySelector('.pz-ov')).position") == (
        "fixed"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "campaign-reminder.png"))
    wait_for(
        lambda: Contact.objects.filter(shop=shop, visitor_key=treated, kind="impression").exists(),
        "the impression",
    )

    # when they click the call to action, which takes them to the cart
    next_offer = offer_of(page, lambda: page.click(".pz-ov__cta"))
    page.wait_for_url(f"{base}/demo/cart/")
    # then the cap holds on the next page: no overlay
    assert next_offer["overlay"] is None
    page.wait_for_timeout(300)
    assert page.query_selector(".pz-ov") is None
    wait_for(
        lambda: Contact.objects.filter(shop=shop, visitor_key=treated, kind="click").exists(),
        "the click",
    )

    # when they order later (the checkout's purchase event, as the web pixel sends it)
    status = page.evaluate(
        """async ([key, vid]) => (await fetch('/api/v1/events?key=' + key, {method: 'POST',
             headers: {'Content-Type': 'text/plain'},
             body: JSON.stringify({visitor_id: vid, consent: true, events: [{id: crypto.randomUUID(),
               type: 'purchase', ts: Date.now(), order_id: 'demo-1001', value: 18.5,
               currency: 'GBP'}]})})).status""",
        [shop.storefront_key, treated],
    )
    assert status == 202
    wait_for(
        lambda: Event.objects.filter(shop=shop, type="purchase", visitor__visitor_key=treated),
        "the order",
    )
    assert errors == []
    context.close()

    # when the control visitor comes back to the home page
    context, page, errors = shopper(browser, control)
    offer = offer_of(page, lambda: page.goto(f"{base}/demo/"))
    page.wait_for_timeout(500)
    # then nothing shows, and they are counted as exposed in the control arm
    assert offer["overlay"] is None
    assert [c["variant"] for c in offer["control"]] == ["control"]
    assert page.query_selector(".pz-ov") is None
    exposure = wait_for(
        lambda: Exposure.objects.filter(shop=shop, visitor_key=control).first(), "the exposure"
    )
    assert exposure.variant.key == "control"
    assert errors == []
    context.close()

    # then the results attribute the impression, the click and the order to the variant
    results = wait_for(lambda: campaign_results(shop=shop, campaign=reminder), "the results")
    treated_result = results["personalized"]
    assert (
        treated_result.reached,
        treated_result.impressions,
        treated_result.clicks,
        treated_result.orders,
        treated_result.revenue,
    ) == (1, 1, 1, 1, 18.5)
    assert "control" not in results
    # and the impression and the call-to-action click (no product) are in the event stream with
    # campaign and variant, so the experiment's click-through counts the click
    tagged = wait_for(
        lambda: sorted(
            Event.objects.filter(shop=shop, placement=reminder.key).values_list(
                "type", "model_version", "product_id"
            )
        ),
        "the tagged events",
    )
    assert tagged == [("click", "personalized", None), ("impression", "personalized", None)]
    assert reminder.placement == Placement.POPUP
    experiment = Experiment.objects.get(shop=shop, key="reminder-ab")
    by_arm = {v.key: v for v in experiment_results(shop=shop, experiment=experiment).variants}
    assert (by_arm["personalized"].visitors, by_arm["personalized"].clicks) == (1, 1)
    assert (by_arm["control"].visitors, by_arm["control"].clicks) == (1, 0)


def test_escape_closes_the_popup_and_returns_focus(browser, demo_shop, live_server):
    shop = demo_shop
    snapshot = catalog_snapshot(shop)
    products = list(Product.objects.filter(shop=shop, platform_id__in=list(snapshot.items)[:2]))
    shop_with_reminder(shop, products=products)
    vid = returning_visitor_with_cart(shop, products, prefix="esc-")
    context, page, errors = shopper(browser, vid)
    page.goto(f"{live_server.url}/demo/")
    page.wait_for_selector('[role="dialog"]', timeout=10_000)
    page.keyboard.press("Escape")
    page.wait_for_selector(".pz-ov", state="detached", timeout=5_000)
    wait_for(
        lambda: Contact.objects.filter(shop=shop, visitor_key=vid, kind="dismiss").exists(),
        "the dismissal",
    )
    assert errors == []
    context.close()


def test_no_overlay_script_for_a_shop_without_campaigns(browser, demo_shop, live_server):
    context, page, _errors = shopper(browser, "nobody-0001")
    page.goto(f"{live_server.url}/demo/")
    assert page.query_selector("script[data-pz-overlay]") is None
    assert page.query_selector("script[data-shop-key]") is not None
    context.close()
    assert sync_api is not None
