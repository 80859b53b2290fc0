"""GET /api/v1/campaigns/live: whether a plugin should load pz-overlay.js for this shop now."""

from __future__ import annotations

import pytest
from django.test import Client

from personalization.campaigns.models import CampaignStatus
from tests.campaigns.scenario import shop_with_reminder

pytestmark = pytest.mark.django_db
LIVE = "/api/v1/campaigns/live"


def test_live_follows_the_shops_on_site_campaigns(shop, other_shop):
    # given our shop runs the reminder and the other shop runs nothing
    reminder = shop_with_reminder(shop).reminder
    ours = Client().get(LIVE, {"key": shop.storefront_key})
    theirs = Client().get(LIVE, {"key": other_shop.storefront_key})
    # then each shop gets its own answer, which a shared cache may keep for a minute
    assert (ours.status_code, ours.json()) == (200, {"onsite": True})
    assert ours["Cache-Control"] == "public, max-age=60"
    assert theirs.json() == {"onsite": False}
    # when the reminder is paused, nothing is live any more
    reminder.status = CampaignStatus.PAUSED
    reminder.save(update_fields=["status"])
    assert Client().get(LIVE, {"key": shop.storefront_key}).json() == {"onsite": False}


def test_an_unknown_key_is_refused(shop):
    response = Client().get(LIVE, {"key": "pk_nope"})
    assert response.status_code == 403
    assert "onsite" not in response.json()
