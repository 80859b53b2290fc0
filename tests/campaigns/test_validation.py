"""Invalid campaigns are refused with a message on each offending field; templates are valid."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from personalization.campaigns.builtin import TEMPLATES
from personalization.campaigns.models import Campaign, CampaignSettings, CouponPool
from personalization.campaigns.services import (
    CampaignInvalid,
    campaign_create_from_template,
    campaign_save,
    template_input,
)
from personalization.segments.models import SegmentSize
from personalization.segments.services import segment_save, segments_ensure_builtins

pytestmark = pytest.mark.django_db


@pytest.fixture
def builtins(shop):
    segments_ensure_builtins(shop=shop)
    return shop


def errors_of(shop, data, campaign=None) -> dict[str, str]:
    with pytest.raises(CampaignInvalid) as caught:
        campaign_save(shop=shop, data=data, campaign=campaign)
    return caught.value.errors


def test_every_template_makes_a_valid_campaign(builtins, shop):
    # given a pool for the templates that offer a code
    pool = CouponPool.objects.create(shop=shop, name="Welcome", amount=Decimal("10"))
    # when each template is turned into a campaign
    for key, template in TEMPLATES.items():
        extra = {"coupon_pool_id": pool.pk} if template.offers_coupon else {}
        campaign_create_from_template(shop=shop, template_key=key, **extra)
    # then all ten exist, as drafts, with their audience
    campaigns = Campaign.objects.filter(shop=shop)
    assert campaigns.count() == len(TEMPLATES) == 11
    assert set(campaigns.values_list("status", flat=True)) == {"draft"}
    reminder = campaigns.get(template="abandoned_cart_reminder")
    assert (reminder.placement, reminder.trigger, reminder.audience.key) == (
        "popup",
        "return_with_cart",
        "prospect",
    )


def test_empty_audience_is_refused_on_the_audience_field(builtins, shop):
    # given the reminder template without a segment
    data = template_input("abandoned_cart_reminder", audience_key="")
    # then the audience field carries the message, and nothing is saved
    assert errors_of(shop, data) == {
        "audience": "Choose an audience: a campaign without a segment reaches no one."
    }
    assert not Campaign.objects.filter(shop=shop).exists()


def test_an_audience_that_counted_nobody_is_refused(builtins, shop):
    # given a merchant's rule segment counted at zero members by the last refresh
    segment = segment_save(
        shop=shop, name="Big spenders", rule={"field": "monetary", "op": "gt", "value": 10_000}
    )
    SegmentSize.objects.create(shop=shop, segment=segment, taken_at=timezone.now(), size=0)
    # when a win-back targets it
    errors = errors_of(shop, template_input("lapsed_winback", audience_key=segment.key))
    # then
    assert errors == {"audience": "The segment 'Big spenders' had no members at its last count."}


def test_a_built_in_audience_empty_today_is_fine(builtins, shop):
    # built-ins are states people enter every day: nobody abandoned a cart yet is no reason
    segment = shop_segment(shop, "prospect")
    SegmentSize.objects.create(shop=shop, segment=segment, taken_at=timezone.now(), size=0)
    campaign = campaign_create_from_template(shop=shop, template_key="abandoned_cart_reminder")
    assert campaign.audience == segment


def test_another_shops_segment_is_not_an_audience(builtins, shop, other_shop):
    segments_ensure_builtins(shop=other_shop)
    shop_segment(shop, "vip").delete()
    errors = errors_of(shop, template_input("lapsed_winback", audience_key="vip"))
    assert errors == {"audience": "No segment 'vip' in this shop."}


def test_a_coupon_offer_without_a_pool_is_refused_on_the_pool_field(builtins, shop):
    errors = errors_of(shop, template_input("exit_intent_offer"))
    assert errors == {"coupon_pool": "A coupon offer needs a coupon pool to take codes from."}


def test_another_shops_pool_is_refused(builtins, shop, other_shop):
    foreign = CouponPool.objects.create(shop=other_shop, name="Theirs", amount=Decimal("5"))
    errors = errors_of(shop, template_input("exit_intent_offer", coupon_pool_id=foreign.pk))
    assert errors == {"coupon_pool": "No such coupon pool in this shop."}


def test_a_cap_looser_than_the_shop_wide_cap_is_refused(builtins, shop):
    # given a shop-wide cap of 2 contacts a day
    CampaignSettings.objects.create(shop=shop, cap_count=2, cap_hours=24)
    # when a campaign asks for 5 in 12 hours
    errors = errors_of(shop, template_input("abandoned_cart_reminder", cap_count=5, cap_hours=12))
    # then the cap field says which caps conflict
    assert errors == {"cap_count": "5 per 12 h conflicts with the shop-wide cap of 2 per 24 h."}


def test_zero_caps_are_refused(builtins, shop):
    assert errors_of(shop, template_input("abandoned_cart_reminder", cap_count=0)) == {
        "cap_count": "Must allow at least one contact."
    }
    assert errors_of(shop, template_input("abandoned_cart_reminder", cap_hours=0)) == {
        "cap_hours": "The window must be at least one hour."
    }


def test_several_problems_are_reported_together(builtins, shop):
    # given a campaign with four mistakes
    base = template_input("exit_intent_offer")
    data = replace(
        base,
        name=" ",
        audience_key="",
        starts_at=datetime(2026, 5, 2, tzinfo=UTC),
        ends_at=datetime(2026, 5, 1, tzinfo=UTC),
        content={**base.content, "cta_url": "javascript:alert(1)"},
    )
    # then each field has its own message
    assert set(errors_of(shop, data)) == {"name", "audience", "coupon_pool", "ends_at", "cta_url"}


def test_placement_and_trigger_must_agree(builtins, shop):
    errors = errors_of(shop, template_input("abandoned_cart_reminder", trigger="cart_abandoned"))
    assert errors == {"trigger": "This trigger is for email; pick an on-site trigger."}
    errors = errors_of(shop, template_input("abandoned_cart_email", trigger="exit_intent"))
    assert errors == {
        "trigger": "An email is sent on cart or browse abandonment, an order, a lapse or a birthday."
    }


def test_code_in_copy_without_a_coupon_is_refused(builtins, shop):
    base = template_input("abandoned_cart_reminder")
    data = replace(base, content={**base.content, "body": "Use {code}"})
    assert errors_of(shop, data) == {
        "body": "The copy shows {code} but the campaign offers no coupon."
    }


def test_an_edit_keeps_the_key_and_cannot_touch_another_shop(builtins, shop, other_shop):
    campaign = campaign_create_from_template(shop=shop, template_key="abandoned_cart_reminder")
    edited = campaign_save(
        shop=shop,
        data=template_input("abandoned_cart_reminder", name="Cart reminder v2", priority=70),
        campaign=campaign,
    )
    assert (edited.pk, edited.key, edited.name, edited.priority) == (
        campaign.pk,
        "abandoned-cart-reminder-on-return",
        "Cart reminder v2",
        70,
    )
    segments_ensure_builtins(shop=other_shop)
    assert errors_of(other_shop, template_input("abandoned_cart_reminder"), campaign) == {
        "campaign": "No such campaign in this shop."
    }


def shop_segment(shop, key):
    from personalization.segments.models import Segment

    return Segment.objects.get(shop=shop, key=key)
