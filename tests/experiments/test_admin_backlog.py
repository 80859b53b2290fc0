"""The experiments admin's settings and backlog: the holdout percentage (0 to 50 %), the RICE
idea backlog (create, edit, reach from the segment, sorted by score, one click to a campaign),
and the campaign results' attribution window taken from the campaign's experiment."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from personalization.campaigns.models import Campaign, Contact
from personalization.experiments import selectors
from personalization.experiments.models import HoldoutSettings, Idea
from personalization.segments.models import Segment
from tests.campaigns.scenario import shop_with_reminder
from tests.experiments.factories import running_experiment
from tests.factories import CustomerFactory, OrderFactory


def _idea(**changes):
    data = {
        "title": "Win back lapsed customers",
        "description": "",
        "segment": "",
        "reach": "",
        "impact": "2",
        "confidence": "80",
        "effort": "2",
        "campaign_template": "lapsed_winback",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_the_holdout_percentage_is_set_on_the_experiments_page(admin_client_for, shop, other_shop):
    client = admin_client_for(shop)
    # given the default 5 %, shown in the form
    page = client.get("/app/experiments/").content.decode()
    assert 'name="percent" type="text" inputmode="decimal" value="5"' in page
    # when the merchant sets 12.5 %
    response = client.post("/app/experiments/holdout/", {"percent": "12.5"})
    # then it is stored for this shop only and the holdout grows accordingly
    assert response.status_code == 303
    assert HoldoutSettings.objects.get(shop=shop).percent == 12.5
    assert not HoldoutSettings.objects.filter(shop=other_shop).exists()
    held = sum(selectors.in_holdout(shop, f"visitor-{i:05d}") for i in range(4000))
    assert 400 < held < 600
    assert 'value="12.5"' in client.get("/app/experiments/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("60", "Holdout must be from 0 to 50 %."),
        ("-1", "Holdout must be from 0 to 50 %."),
        ("lots", "Holdout must be a number %."),
        ("", "Holdout must be a number %."),
    ],
)
def test_a_bad_holdout_is_a_422_on_the_field(admin_client_for, shop, value, message):
    response = admin_client_for(shop).post("/app/experiments/holdout/", {"percent": value})
    assert response.status_code == 422
    page = response.content.decode()
    assert f'<p class="field-error" id="holdout-error" role="alert">{message}</p>' in page
    assert 'id="holdout-percent" name="percent"' in page
    assert not HoldoutSettings.objects.filter(shop=shop).exists()


@pytest.mark.django_db
def test_ideas_are_created_with_reach_from_the_segment_and_listed_by_score(admin_client_for, shop):
    client = admin_client_for(shop)
    Segment.objects.create(shop=shop, key="lapsed", name="Lapsed", size=1200)
    # when two ideas are added: one reaching a segment, one with a typed reach
    first = client.post("/app/experiments/ideas/", _idea(segment="lapsed"))
    second = client.post(
        "/app/experiments/ideas/",
        _idea(title="Exit offer", reach="5000", impact="0.5", confidence="50", effort="1"),
    )
    # then the first's reach is the segment's size, and the list is best score first
    assert (first.status_code, second.status_code) == (303, 303)
    win_back = Idea.objects.get(shop=shop, title="Win back lapsed customers")
    assert (win_back.reach, win_back.confidence, win_back.segment.key) == (1200, 0.8, "lapsed")
    page = client.get("/app/experiments/ideas/").content.decode()
    titles = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', page)
    assert titles == ["Exit offer", "Win back lapsed customers"]
    assert re.findall(r'data-cell="score">(\d+)<', page) == ["1250", "960"]
    # and both offer the one-click campaign button (their template is set)
    assert page.count("Turn into a campaign") == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Give the idea a title."),
        ({"segment": "", "reach": ""}, "Give a reach, or pick a segment to estimate it"),
        ({"segment": "nope", "reach": "10"}, "Pick one of the shop&#x27;s segments."),
        ({"reach": "many"}, "A whole number of people per month"),
        ({"impact": "7", "reach": "10"}, "Pick an impact."),
        ({"confidence": "0", "reach": "10"}, "A percentage from 1 to 100."),
        ({"effort": "0", "reach": "10"}, "Person-weeks, above 0 and at most 100."),
        ({"campaign_template": "nope", "reach": "10"}, "Pick one of the campaign templates"),
    ],
)
def test_a_bad_idea_is_a_422_naming_the_field(admin_client_for, shop, changes, message):
    response = admin_client_for(shop).post("/app/experiments/ideas/", _idea(**changes))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Idea.objects.filter(shop=shop).exists()


@pytest.mark.django_db
def test_an_idea_is_edited_and_turned_into_a_campaign(admin_client_for, shop, other_shop):
    client = admin_client_for(shop)
    segment = Segment.objects.create(shop=shop, key="lapsed", name="Lapsed", size=300)
    client.post("/app/experiments/ideas/", _idea(reach="100"))
    idea = Idea.objects.get(shop=shop)
    # when the merchant opens it, clears the reach (so the segment's size counts) and saves
    page = client.get(f"/app/experiments/ideas/{idea.pk}/").content.decode()
    assert 'value="Win back lapsed customers"' in page
    response = client.post(
        f"/app/experiments/ideas/{idea.pk}/",
        _idea(title="Win back, take two", segment="lapsed", reach="", status="backlog"),
    )
    assert response.status_code == 303
    idea.refresh_from_db()
    assert (idea.title, idea.reach, idea.segment) == ("Win back, take two", 300, segment)
    # when they turn it into a campaign with the button on its page
    page = client.get(f"/app/experiments/ideas/{idea.pk}/").content.decode()
    action = re.search(r'<form method="post" action="([^"]+)">', page).group(1)
    assert action == f"/app/campaigns/from-idea/{idea.pk}/"
    response = client.post(action)
    # then a draft campaign exists for the idea's audience, and the idea is launched
    assert response.status_code == 303
    campaign = Campaign.objects.get(shop=shop)
    assert (campaign.name, campaign.audience.key) == ("Win back, take two", "lapsed")
    idea.refresh_from_db()
    assert idea.status == "launched"
    # and another shop's idea is a 404
    theirs = Idea.objects.create(shop=other_shop, title="Theirs", reach=1)
    assert client.get(f"/app/experiments/ideas/{theirs.pk}/").status_code == 404
    assert client.post(f"/app/experiments/ideas/{theirs.pk}/", _idea()).status_code == 404


@pytest.mark.django_db
def test_campaign_results_use_the_experiments_attribution_window(admin_client_for, shop):
    # given the reminder under an experiment with a 72-hour attribution window
    reminder = shop_with_reminder(shop).reminder
    running_experiment(
        shop,
        key="reminder-ab",
        target_kind="campaign",
        target_key=reminder.key,
        attribution_window_hours=72,
    )
    # and a customer reached two days ago who ordered a day later (inside 72 h, outside 24 h)
    customer = CustomerFactory(shop=shop)
    reached_at = timezone.now() - timedelta(days=2)
    Contact.objects.create(
        shop=shop,
        campaign=reminder,
        kind="sent",
        variant="personalized",
        customer=customer,
        occurred_at=reached_at,
    )
    OrderFactory(
        shop=shop,
        customer=customer,
        platform_id="order-72",
        total=40,
        platform_created_at=reached_at + timedelta(hours=30),
    )
    # when the campaign's page is opened
    page = admin_client_for(shop).get(f"/app/campaigns/{reminder.pk}/").content.decode()
    # then the results count the order, and say which window they used
    assert 'data-window-hours="72"' in page
    assert "Orders within 72 hours" in page
    assert "<td>personalized</td><td>1</td><td>0</td><td>1</td><td>40.00" in page
