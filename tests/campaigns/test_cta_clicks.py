"""A campaign's call to action is a click without a product: the events API takes it when its
placement names one of the shop's campaigns (and refuses it otherwise, naming the field), and
the campaign experiment's click-through counts it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from personalization.events.models import Event
from personalization.experiments.selectors import assignment_for, experiment_results
from personalization.experiments.services import exposure_record
from tests.campaigns.scenario import shop_with_reminder
from tests.events.conftest import batch, event
from tests.experiments.factories import running_experiment, visitors_where

URL = "/api/v1/events"


def post(client, shop, body):
    return client.post(
        URL,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_X_STOREFRONT_KEY=shop.storefront_key,
    )


@pytest.mark.django_db
def test_a_call_to_action_click_is_stored_without_a_product(client, shop):
    # given a shop running the abandoned-cart reminder
    reminder = shop_with_reminder(shop).reminder
    # when the overlay reports a click on its call to action (no product)
    body = batch(
        event("click", placement=reminder.key, model_version="default"),
        visitor_id="visitor-cta-0001",
    )
    response = post(client, shop, body)
    # then it is accepted and stored with the campaign as its placement
    assert response.status_code == 202
    stored = Event.objects.get(shop=shop, type="click")
    assert (stored.placement, stored.product_id, stored.model_version) == (
        reminder.key,
        None,
        "default",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "placement", ["home-recommended", "other-shops-reminder", "no-such-campaign"]
)
def test_a_click_without_a_product_outside_this_shops_campaigns_is_refused(
    client, shop, other_shop, placement
):
    # given our shop's reminder, and another shop's campaign under another key
    shop_with_reminder(shop)
    other = shop_with_reminder(other_shop).reminder
    other.key = "other-shops-reminder"
    other.save(update_fields=["key"])
    # when a click without a product names a placement that is not one of our campaigns
    body = batch(
        event("page_view"),
        event("click", placement=placement),
        visitor_id="visitor-cta-0002",
    )
    response = post(client, shop, body)
    # then the whole batch is refused, naming the missing field
    assert response.status_code == 400
    assert response.json()["field"] == "events[1].product_id"
    assert placement in response.json()["message"]
    assert Event.objects.count() == 0


@pytest.mark.django_db
def test_a_click_without_placement_is_still_refused(client, shop):
    response = post(client, shop, batch(event("click"), visitor_id="visitor-cta-0003"))
    assert response.status_code == 400
    assert response.json()["field"] == "events[0].placement"


@pytest.mark.django_db
def test_the_campaign_experiments_click_through_counts_call_to_action_clicks(client, shop):
    # given the reminder under an A/B test, started two days ago
    reminder = shop_with_reminder(shop).reminder
    started = timezone.now() - timedelta(days=2)
    experiment = running_experiment(
        shop, key="reminder-ab", target_kind="campaign", target_key=reminder.key, started=started
    )

    def arm(vid: str) -> str | None:
        found = assignment_for(shop, vid, target_kind="campaign", target_key=reminder.key)
        return found.variant_key if found else None

    treated = visitors_where(lambda v: arm(v) == "personalized", count=2, prefix="t-")
    control = visitors_where(lambda v: arm(v) == "control", count=2, prefix="c-")
    # and four exposed visitors who stored a page view (two per arm)
    for vid in treated + control:
        assert post(client, shop, batch(event("page_view"), visitor_id=vid)).status_code == 202
        exposure_record(
            shop=shop,
            visitor_id=vid,
            target_kind="campaign",
            target_key=reminder.key,
        )
    # when one treated visitor clicks the call to action (a click without a product)
    cta = event("click", placement=reminder.key, model_version="personalized")
    assert post(client, shop, batch(cta, visitor_id=treated[0])).status_code == 202
    # then the experiment's results count it for their arm: click-through 1 of 2
    by_arm = {v.key: v for v in experiment_results(shop=shop, experiment=experiment).variants}
    assert (by_arm["personalized"].visitors, by_arm["personalized"].clicks) == (2, 1)
    assert by_arm["personalized"].ctr == 0.5
    assert (by_arm["control"].visitors, by_arm["control"].clicks) == (2, 0)
