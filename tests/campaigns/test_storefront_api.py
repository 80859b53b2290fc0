"""GET /api/v1/campaigns/offer and POST /api/v1/campaigns/interactions: consent, holdout,
audience, trigger, caps (per campaign, shop-wide, shared with email), arms and scoping."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from personalization.campaigns.models import (
    CampaignSettings,
    CampaignStatus,
    Contact,
    CouponPool,
)
from personalization.campaigns.services import campaign_create_from_template, contact_record
from personalization.experiments.models import Exposure
from personalization.experiments.selectors import assignment_for
from personalization.experiments.services import experiment_rollout
from personalization.profiles.models import Profile
from tests.campaigns.scenario import returning_visitor_with_cart, shop_with_reminder
from tests.experiments.factories import running_experiment
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
OFFER = "/api/v1/campaigns/offer"
INTERACTIONS = "/api/v1/campaigns/interactions"


@pytest.fixture
def scenario(shop):
    return shop_with_reminder(shop)


def offer(client: Client, **params: str) -> dict:
    response = client.get(OFFER, params)
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "private, no-store"
    return response.json()


def interact(client: Client, **body: str) -> int:
    return client.post(INTERACTIONS, data=json.dumps(body), content_type="text/plain").status_code


def test_the_reminder_shows_once_then_the_cap_holds(storefront_client, scenario):
    # given a returning visitor whose cart holds two products
    vid = returning_visitor_with_cart(scenario.shop, scenario.products)
    # when the storefront asks on the home page
    first = offer(storefront_client, visitor=vid, page="home", visit="2")
    # then the reminder popup comes with the cart's products and a cart link
    overlay = first["overlay"]
    assert overlay["campaign"] == scenario.reminder.key
    assert (overlay["placement"], overlay["trigger"], overlay["variant"]) == (
        "popup",
        "return_with_cart",
        "default",
    )
    assert overlay["headline"] == "Still thinking it over?"
    assert [p["id"] for p in overlay["products"]] == [
        scenario.products[0].platform_id,
        scenario.products[1].platform_id,
    ]
    assert overlay["cta_url"] == "/cart/"
    assert first["embedded"] is None
    # when the script reports the impression, and the visitor opens the next page
    assert (
        interact(
            storefront_client,
            visitor=vid,
            campaign=overlay["campaign"],
            variant="default",
            kind="impression",
        )
        == 204
    )
    second = offer(storefront_client, visitor=vid, page="product", visit="2")
    # then the per-campaign cap (1 a day) holds
    assert second == {
        "overlay": None,
        "embedded": None,
        "control": [],
        "reason": "nothing_eligible",
    }
    assert Contact.objects.filter(shop=scenario.shop, visitor_key=vid).count() == 1


def test_no_consent_means_no_campaign(storefront_client, scenario):
    assert offer(storefront_client, page="home")["reason"] == "no_consent"


def test_a_first_visit_with_an_empty_cart_is_not_in_the_audience(storefront_client, scenario):
    result = offer(storefront_client, visitor="brand-new-visitor", page="home")
    assert (result["overlay"], result["reason"]) == (None, "nothing_eligible")


def test_holdout_visitors_see_nothing(storefront_client, scenario):
    # given the default 5 % holdout and a visitor who falls in it
    vid = returning_visitor_with_cart(scenario.shop, scenario.products, held_out=True)
    assert offer(storefront_client, visitor=vid, page="home", visit="2")["reason"] == "holdout"


def test_an_email_to_the_same_customer_counts_against_the_shop_wide_cap(
    storefront_client, scenario
):
    # given the visitor is a known customer who got an email today, under a cap of 1 a day
    vid = returning_visitor_with_cart(scenario.shop, scenario.products)
    customer = CustomerFactory(shop=scenario.shop)
    Profile.objects.filter(shop=scenario.shop, visitor__visitor_key=vid).update(customer=customer)
    CampaignSettings.objects.update_or_create(
        shop=scenario.shop, defaults={"cap_count": 1, "cap_hours": 24}
    )
    email = campaign_create_from_template(shop=scenario.shop, template_key="abandoned_cart_email")
    contact_record(shop=scenario.shop, campaign=email, kind="sent", customer=customer)
    # then the on-site reminder stays away
    assert offer(storefront_client, visitor=vid, page="home", visit="2")["reason"] == "shop_cap"


def test_one_overlay_per_page_the_highest_priority_wins(storefront_client, scenario):
    # given a free-shipping bar for the same audience, lower priority than the reminder popup
    campaign_create_from_template(
        shop=scenario.shop, template_key="free_shipping_nudge", status=CampaignStatus.ACTIVE
    )
    vid = returning_visitor_with_cart(scenario.shop, scenario.products)
    first = offer(storefront_client, visitor=vid, page="home", visit="2")
    assert first["overlay"]["campaign"] == scenario.reminder.key
    # when the reminder has been seen, the bar is next in line, with what is left to spend
    interact(
        storefront_client,
        visitor=vid,
        campaign=scenario.reminder.key,
        variant="default",
        kind="impression",
    )
    second = offer(storefront_client, visitor=vid, page="home", visit="2")
    assert second["overlay"]["campaign"] == "free-shipping-threshold-nudge"
    # the cart holds 1 + 2 of a 2.50 product: 50 - 5.00 (each id counted once) = 45.00
    assert second["overlay"]["headline"] == "You are £45.00 away from free shipping"


def test_a_coupon_campaign_hands_the_visitor_one_code(storefront_client, scenario):
    shop = scenario.shop
    shop.is_demo = True
    shop.save()
    pool = CouponPool.objects.create(shop=shop, name="Back", prefix="BACK", amount=Decimal("10"))
    scenario.reminder.offers_coupon = True
    scenario.reminder.coupon_pool = pool
    scenario.reminder.content = {**scenario.reminder.content, "body": "Take {code} off"}
    scenario.reminder.save()
    from personalization.campaigns.coupons import coupon_pool_refill

    coupon_pool_refill(shop=shop, pool=pool, count=3)
    vid = returning_visitor_with_cart(shop, scenario.products)
    first = offer(storefront_client, visitor=vid, page="home", visit="2")["overlay"]
    again = offer(storefront_client, visitor=vid, page="home", visit="2")["overlay"]
    assert first["coupon"] == again["coupon"]
    assert first["coupon"].startswith("BACK-")
    assert first["body"] == f"Take {first['coupon']} off"
    assert first["cta_url"] == "/demo/cart/"


def test_the_control_arm_sees_nothing_and_reports_exposure(storefront_client, scenario):
    # given an A/B test on the reminder, and a visitor bucketed into its control
    experiment = running_experiment(
        scenario.shop, key="reminder-test", target_kind="campaign", target_key=scenario.reminder.key
    )
    vid = returning_visitor_with_cart(
        scenario.shop,
        scenario.products,
        predicate=lambda v: (
            assignment_for(
                scenario.shop, v, target_kind="campaign", target_key=scenario.reminder.key
            ).is_control
        ),
    )
    # when the storefront asks
    result = offer(storefront_client, visitor=vid, page="home", visit="2")
    # then nothing renders; the control entry lets the script report the trigger firing
    assert result["overlay"] is None
    assert result["control"] == [
        {
            "campaign": scenario.reminder.key,
            "variant": "control",
            "experiment": "reminder-test",
            "trigger": "return_with_cart",
            "trigger_value": 0,
        }
    ]
    assert (
        interact(
            storefront_client,
            visitor=vid,
            campaign=scenario.reminder.key,
            variant="control",
            kind="exposure",
        )
        == 204
    )
    exposure = Exposure.objects.get(shop=scenario.shop, experiment=experiment)
    assert (exposure.visitor_key, exposure.variant.key) == (vid, "control")
    # and a control visitor cannot claim an impression of the treatment
    response = storefront_client.post(
        INTERACTIONS,
        data=json.dumps(
            {
                "visitor": vid,
                "campaign": scenario.reminder.key,
                "variant": "personalized",
                "kind": "impression",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "variant"


def test_the_treatment_arm_is_shown_with_its_variant(storefront_client, scenario):
    running_experiment(
        scenario.shop, key="reminder-test", target_kind="campaign", target_key=scenario.reminder.key
    )
    vid = returning_visitor_with_cart(
        scenario.shop,
        scenario.products,
        predicate=lambda v: (
            not assignment_for(
                scenario.shop, v, target_kind="campaign", target_key=scenario.reminder.key
            ).is_control
        ),
    )
    overlay = offer(storefront_client, visitor=vid, page="home", visit="2")["overlay"]
    assert (overlay["variant"], overlay["experiment"]) == ("personalized", "reminder-test")


def test_bad_input_names_the_field(storefront_client, scenario):
    for params, field_name in (
        ({"page": "checkout"}, "page"),
        ({"visit": "0"}, "visit"),
        ({"visitor": "bad id!"}, "visitor"),
        ({"cart": ",".join(str(n) for n in range(51))}, "cart"),
        ({"product": "<script>"}, "product"),
    ):
        response = storefront_client.get(OFFER, params)
        assert response.status_code == 400
        assert response.json()["field"] == field_name
    for body, field_name in (
        ({"campaign": "x", "variant": "default", "kind": "impression"}, "visitor"),
        ({"visitor": "v1", "campaign": "x", "variant": "default", "kind": "hover"}, "campaign"),
        ("not json", "body"),
    ):
        response = storefront_client.post(
            INTERACTIONS,
            data=body if isinstance(body, str) else json.dumps(body),
            content_type="text/plain",
        )
        assert response.status_code in (400, 404)
        assert response.json()["field"] == field_name
    response = storefront_client.post(
        INTERACTIONS,
        data=json.dumps(
            {
                "visitor": "v1",
                "campaign": scenario.reminder.key,
                "variant": "default",
                "kind": "hover",
            }
        ),
        content_type="text/plain",
    )
    assert (response.status_code, response.json()["field"]) == (400, "kind")


def test_another_shops_campaign_is_404(scenario, other_shop):
    theirs = Client(HTTP_X_STOREFRONT_KEY=other_shop.storefront_key)
    response = theirs.post(
        INTERACTIONS,
        data=json.dumps(
            {
                "visitor": "v1",
                "campaign": scenario.reminder.key,
                "variant": "default",
                "kind": "impression",
            }
        ),
        content_type="text/plain",
    )
    assert response.status_code == 404
    assert not Contact.objects.exists()


def test_a_missing_or_wrong_key_is_refused(client, scenario):
    assert client.get(OFFER, {"page": "home"}).status_code in (401, 403)
    assert client.get(OFFER, {"page": "home", "key": "pk_nope"}).status_code in (401, 403)


def test_an_ended_campaign_shows_nothing(storefront_client, scenario):
    scenario.reminder.ends_at = timezone.now() - timedelta(minutes=1)
    scenario.reminder.save()
    vid = returning_visitor_with_cart(scenario.shop, scenario.products)
    assert offer(storefront_client, visitor=vid, page="home", visit="2")["reason"] == "no_campaign"


def test_an_arms_content_overrides_the_copy_and_a_rollout_applies_to_all(
    storefront_client, scenario
):
    # given an experiment whose treatment arm carries its own headline
    experiment = running_experiment(
        scenario.shop,
        key="reminder-copy",
        target_kind="campaign",
        target_key=scenario.reminder.key,
        treatment_config={"content": {"headline": "Your cart misses you"}},
    )
    shop = scenario.shop
    treated = returning_visitor_with_cart(
        shop,
        scenario.products,
        predicate=lambda v: (
            not assignment_for(
                shop, v, target_kind="campaign", target_key=scenario.reminder.key
            ).is_control
        ),
    )
    overlay = offer(storefront_client, visitor=treated, page="home", visit="2")["overlay"]
    assert overlay["headline"] == "Your cart misses you"
    # when the control (no show) is rolled out as the winner
    control = experiment.variants.get(is_control=True)
    experiment_rollout(shop=shop, experiment=experiment, variant=control)
    # then nobody sees the campaign any more, and nobody is asked to report exposures
    after = offer(storefront_client, visitor=treated, page="home", visit="2")
    assert (after["overlay"], after["control"]) == (None, [])
