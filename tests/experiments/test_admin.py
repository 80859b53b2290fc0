"""The experiments admin pages: list, create, results, stop, rollout; scoped to the shop."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from personalization.experiments.models import Experiment
from tests.experiments.factories import running_experiment


def _form(**changes):
    data = {
        "name": "Home block vs nothing",
        "target_kind": "placement",
        "placement": "home-recommended",
        "campaign": "",
        "arm-0-name": "No personalization",
        "arm-0-does": "baseline",
        "arm-0-weight": "1",
        "arm-1-name": "Personalized",
        "arm-1-does": "personalized",
        "arm-1-weight": "1",
        "arm-2-name": "",
        "arm-3-name": "",
        "primary_metric": "ctr",
        "min_duration_days": "7",
        "attribution_window_hours": "24",
        "planned_visitors_per_arm": "5000",
        "start": "on",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_create_starts_an_experiment_and_shows_its_results_page(admin_client_for, shop):
    client = admin_client_for(shop)
    assert client.get("/app/experiments/").status_code == 200
    assert client.get("/app/experiments/new/").status_code == 200
    response = client.post("/app/experiments/new/", _form())
    assert response.status_code == 303
    experiment = Experiment.objects.get(shop=shop)
    assert experiment.key == "home-block-vs-nothing"
    assert experiment.status == "running"
    assert [(v.key, v.is_control, v.config) for v in experiment.variants.all()] == [
        ("no-personalization", True, {"personalization": False}),
        ("personalized", False, {}),
    ]
    page = client.get(response["Location"]).content.decode()
    assert 'data-recommendation="collecting"' in page
    assert 'data-variant="personalized"' in page
    listing = client.get("/app/experiments/").content.decode()
    assert 'data-experiment="home-block-vs-nothing"' in listing


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Give the experiment a name."),
        ({"arm-1-name": ""}, "Add at least one arm to compare with the control."),
        ({"arm-1-weight": "-1"}, "A positive number."),
        ({"target_kind": "campaign", "campaign": ""}, "Name the campaign (its key)."),
        ({"min_duration_days": "abc"}, "a whole number"),
        ({"attribution_window_hours": "0"}, "must be from 1 to 720 hours"),
    ],
)
def test_a_bad_form_is_a_422_naming_the_field(admin_client_for, shop, changes, message):
    response = admin_client_for(shop).post("/app/experiments/new/", _form(**changes))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Experiment.objects.filter(shop=shop).exists()


@pytest.mark.django_db
def test_a_second_experiment_on_the_same_placement_stays_a_draft(admin_client_for, shop):
    client = admin_client_for(shop)
    client.post("/app/experiments/new/", _form())
    client.post("/app/experiments/new/", _form(name="Another"))
    second = Experiment.objects.get(shop=shop, key="another")
    assert second.status == "draft"
    response = client.post(f"/app/experiments/{second.pk}/start/")
    assert response.status_code == 409
    assert "already has a running experiment" in response.content.decode()


@pytest.mark.django_db
def test_stop_and_rollout_buttons(admin_client_for, shop):
    client = admin_client_for(shop)
    first = running_experiment(shop, key="first", started=timezone.now() - timedelta(days=2))
    response = client.post(f"/app/experiments/{first.pk}/rollout/", {"variant": "personalized"})
    assert response.status_code == 303
    first.refresh_from_db()
    assert (first.status, first.winner.key) == ("completed", "personalized")
    second = running_experiment(shop, key="second", target_key="cart-cross-sell")
    assert (
        client.post(f"/app/experiments/{second.pk}/rollout/", {"variant": "nope"}).status_code
        == 400
    )
    assert client.post(f"/app/experiments/{second.pk}/stop/").status_code == 303
    second.refresh_from_db()
    assert (second.status, second.winner) == ("stopped", None)
    assert client.post(f"/app/experiments/{second.pk}/stop/").status_code == 409


@pytest.mark.django_db
def test_another_shops_experiment_is_a_404(admin_client_for, shop, other_shop):
    theirs = running_experiment(other_shop)
    client = admin_client_for(shop)
    assert client.get(f"/app/experiments/{theirs.pk}/").status_code == 404
    assert client.post(f"/app/experiments/{theirs.pk}/stop/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "running"
