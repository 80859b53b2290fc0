"""The embedded campaign block on /demo/'s home page, in headless Chromium: pz-overlay.js fills the
`[data-pz-campaign-slot]` the page reserved (so nothing below moves), labelled, and the
impression is recorded; a shop without a live embedded campaign gets no slot at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from personalization.campaigns.models import CampaignStatus, Contact
from personalization.campaigns.services import campaign_create_from_template
from personalization.decisions.catalog import catalog_snapshot
from personalization.segments.models import Segment
from shopapp.catalog.models import Product
from tests.campaigns.scenario import returning_visitor_with_cart, shop_with_reminder
from tests.campaigns.test_overlay_browser import shopper, wait_for
from tests.decisions.test_storefront_browser import CHROMIUM, SCREENSHOTS
from tests.decisions.test_storefront_browser import browser as browser
from tests.decisions.test_storefront_browser import demo_shop as demo_shop

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"needs Debian's chromium at {CHROMIUM}"
    ),
]


def test_the_embedded_block_fills_its_reserved_slot_on_the_home_page(
    browser, demo_shop, live_server, client
):
    shop = demo_shop
    snapshot = catalog_snapshot(shop)
    products = list(
        Product.objects.filter(shop=shop, platform_id__in=list(snapshot.items)[:4]).order_by("pk")
    )
    # given no live embedded campaign: the home page has no slot
    scenario = shop_with_reminder(shop, products=products)
    scenario.reminder.status = CampaignStatus.PAUSED
    scenario.reminder.save(update_fields=["status"])
    assert b"data-pz-campaign-slot" not in client.get("/demo/").content
    # given the built-in embedded cross-sell, live for returning visitors with a cart
    block = campaign_create_from_template(
        shop=shop, template_key="post_purchase_cross_sell", status=CampaignStatus.ACTIVE
    )
    block.audience = Segment.objects.get(shop=shop, key=scenario.reminder.audience.key)
    block.save(update_fields=["audience"])
    visitor = returning_visitor_with_cart(shop, products, prefix="embedded-")
    # when that visitor opens the home page
    context, page, errors = shopper(browser, visitor)
    page.goto(f"{live_server.url}/demo/")
    slot = page.wait_for_selector(
        '[data-pz-campaign-slot][data-pz-state="rendered"]', timeout=15_000
    )
    # then the block is in the slot, labelled by its headline, with four products
    region = slot.query_selector('[role="region"]')
    assert region.get_attribute("data-pz-campaign") == block.key
    label = page.evaluate(
        "() => document.getElementById(document.querySelector('[data-pz-campaign-slot] "
        "[role=region]').getAttribute('aria-labelledby')).textContent"
    )
    assert label == "Goes well with your order"
    assert len(slot.query_selector_all("[data-pz-product-id]")) == 4
    # and it fits the space reserved before it arrived: the page below did not move
    reserved, height = page.evaluate(
        "() => { const s = document.querySelector('[data-pz-campaign-slot]');"
        " return [parseFloat(s.style.minHeight), s.getBoundingClientRect().height]; }"
    )
    assert height == reserved
    # and the impression is recorded against the campaign
    wait_for(
        lambda: Contact.objects.filter(shop=shop, campaign=block, kind="impression").exists(),
        "the impression",
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "campaign-embedded.png"))
    assert errors == []
    context.close()
