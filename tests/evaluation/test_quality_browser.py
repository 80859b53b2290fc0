"""Admin → Quality in a real browser (headless Chromium via Playwright), with the admin's own
browser fixtures: ask for a report, see the table, no console errors, fits a phone."""

from __future__ import annotations

from tests.adminui import test_browser as admin_browser
from tests.evaluation.test_shop_report import _orders

# the admin's browser fixtures and checks, shared rather than copied
browser = admin_browser.browser
store = admin_browser.store
admin_page = admin_browser.admin_page
pytestmark = admin_browser.pytestmark
playwright_api = admin_browser.playwright_api
LOW_CONTRAST = admin_browser.LOW_CONTRAST
UNLABELLED_CONTROLS = admin_browser.UNLABELLED_CONTROLS
screenshot = admin_browser.screenshot


def test_measure_the_shops_recommendations_and_read_the_table(admin_page, store):
    page = admin_page
    # given a shop with six months of repeat orders
    _orders(store)
    page.goto(page.base + "/app/quality/")
    playwright_api.expect(page.locator("#quality-report")).to_contain_text("No report yet.")
    # when the merchant asks for a measurement
    page.click("text=Measure now")
    # then the table compares our models with the baselines on 30 customers' next orders
    table = page.locator("#quality-table")
    playwright_api.expect(table).to_be_visible()
    playwright_api.expect(page.locator("[data-summary]")).to_contain_text(
        "30 customers\u2019 next orders"
    )
    assert table.locator('tr[data-model="top-frequency"]').count() == 1
    assert table.locator('tr[data-model="next-basket"]').count() == 1
    assert page.locator("h1").count() == 1
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    assert page.evaluate(LOW_CONTRAST) == []
    screenshot(page, "admin-quality")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    screenshot(page, "admin-quality-phone")
    assert page.problems == [], page.problems
