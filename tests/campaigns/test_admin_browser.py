"""The campaign admin pages in headless Chromium: a template opens prefilled, a save without an
audience shows the error on that field, a valid save opens the campaign; no console errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore

from personalization.campaigns.models import Campaign
from personalization.segments.services import segments_ensure_builtins
from shopapp.shops.auth import ADMIN_SESSION_KEY
from tests.decisions.test_storefront_browser import CHROMIUM, SCREENSHOTS
from tests.decisions.test_storefront_browser import browser as browser
from tests.factories import ShopFactory

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"needs Debian's chromium at {CHROMIUM}"
    ),
]


def test_create_a_campaign_from_a_template_with_field_errors(
    browser, live_server, transactional_db
):
    shop = ShopFactory(domain="admin-campaigns.myshopify.com", name="Admin Campaigns")
    segments_ensure_builtins(shop=shop)
    session = SessionStore()
    session[ADMIN_SESSION_KEY] = shop.pk
    session.create()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.session_key,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    problems: list[str] = []
    # A refused save answers 422 on purpose; Chromium logs any 4xx document as a console error.
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type in ("error", "warning") and "status of 422" not in m.text
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    # the list offers the templates
    page.goto(f"{live_server.url}/app/campaigns/")
    page.click("text=Abandoned-cart reminder on return")
    page.wait_for_selector("#c-name")
    assert page.input_value("#c-headline") == "Still thinking it over?"
    # clearing the audience and saving shows the error on the audience field
    page.select_option("#c-audience", "")
    page.click("button:text('Save')")
    error = page.wait_for_selector("#c-audience-error")
    assert (
        error.text_content() == "Choose an audience: a campaign without a segment reaches no one."
    )
    assert page.get_attribute("#c-audience", "aria-invalid") == "true"
    assert not Campaign.objects.filter(shop=shop).exists()
    # choosing one saves and opens the campaign
    page.select_option("#c-audience", "prospect")
    page.click("button:text('Save')")
    page.wait_for_url(f"{live_server.url}/app/campaigns/*/")
    campaign = Campaign.objects.get(shop=shop)
    assert page.url == f"{live_server.url}/app/campaigns/{campaign.pk}/"
    assert campaign.audience is not None
    assert campaign.audience.key == "prospect"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "campaign-admin.png"), full_page=True)
    assert problems == []
    context.close()
