"""The experiments admin in headless Chromium: create -> results -> stop, with no console errors."""

from __future__ import annotations

from personalization.experiments.models import Experiment
from tests.adminui import test_browser as admin_browser
from tests.adminui.test_browser import UNLABELLED_CONTROLS, screenshot

# The admin's browser fixtures and marks (slow; skipped without Chromium).
pytestmark = admin_browser.pytestmark
browser = admin_browser.browser
store = admin_browser.store
admin_page = admin_browser.admin_page


def test_create_an_experiment_see_its_results_and_stop_it(admin_page, store):
    page = admin_page
    # given the experiments list, reached from the admin's navigation
    page.goto(page.base + "/app/")
    page.get_by_role("link", name="Experiments").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Experiments"
    # when the merchant creates a placement test against no personalization, with three arms
    page.get_by_role("link", name="New experiment").click()
    page.wait_for_load_state("networkidle")
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    page.get_by_label("Name", exact=True).fill("Home picks vs bestsellers")
    page.get_by_label("Placement", exact=True).select_option("home-recommended")
    page.get_by_label("Name of arm 2").fill("Personalized, double traffic")
    page.get_by_label("What arm 2 does").select_option("personalized")
    page.get_by_label("Weight of arm 2").fill("2")
    page.get_by_role("button", name="Create experiment").click()
    page.wait_for_load_state("networkidle")
    # then its results page shows every arm, waiting for the first full day, with a Stop button
    assert page.locator("h1").inner_text() == "Home picks vs bestsellers"
    assert page.locator("[data-status]").inner_text() == "Running"
    assert (
        page.locator("[data-recommendation]").get_attribute("data-recommendation") == "collecting"
    )
    arms = page.locator("tr[data-variant]")
    assert arms.count() == 3
    assert page.locator("[data-srm]").count() == 0
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    screenshot(page, "admin-experiment-results")
    experiment = Experiment.objects.get(shop=store)
    assert [v.weight for v in experiment.variants.all()] == [1.0, 1.0, 2.0]
    # when it is stopped, everyone goes back to the control
    page.get_by_role("button", name="Stop (everyone back to the control)").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-status]").inner_text() == "Stopped"
    experiment.refresh_from_db()
    assert experiment.status == "stopped"
    assert page.problems == [], page.problems
