"""The experiments API others build on: assignment, the holdout, exposures, validation."""

from __future__ import annotations

import pytest

from personalization.decisions import catalog
from personalization.decisions import services as decision_services
from personalization.experiments import selectors
from personalization.experiments.models import Experiment, Exposure
from personalization.experiments.services import (
    ExperimentInvalid,
    VariantIn,
    experiment_create,
    experiment_start,
    experiment_stop,
    exposure_record,
    holdout_percent_set,
)
from tests.experiments.factories import running_experiment, visitors_where
from tests.factories import CustomerFactory, OrderFactory, OrderLineFactory, ProductFactory


@pytest.mark.django_db
def test_assignment_is_stable_and_split_by_weight(shop):
    # given a running 50/50 experiment on a placement
    running_experiment(shop)
    ids = [f"visitor-{i:05d}" for i in range(4000)]
    # when every visitor asks twice
    first = [
        selectors.assignment_for(shop, v, target_kind="placement", target_key="home-recommended")
        for v in ids
    ]
    again = [
        selectors.assignment_for(shop, v, target_kind="placement", target_key="home-recommended")
        for v in ids
    ]
    # then the answers agree, holdout visitors (about 5 %) have none, and the rest split about evenly
    assert [a and a.variant_key for a in first] == [a and a.variant_key for a in again]
    held = sum(a is None for a in first)
    assert held == sum(selectors.in_holdout(shop, v) for v in ids)
    assert 120 < held < 280
    control = sum(1 for a in first if a and a.is_control)
    assert abs(control / (len(ids) - held) - 0.5) < 0.04


@pytest.mark.django_db
def test_no_assignment_without_a_running_experiment_or_for_another_target(shop, other_shop):
    experiment = running_experiment(shop)
    vid = visitors_where(lambda v: not selectors.in_holdout(shop, v))[0]
    assert (
        selectors.assignment_for(shop, vid, target_kind="placement", target_key="cart-cross-sell")
        is None
    )
    assert (
        selectors.assignment_for(shop, None, target_kind="placement", target_key="home-recommended")
        is None
    )
    # another shop's visitors are not in this shop's experiment
    assert (
        selectors.assignment_for(
            other_shop, vid, target_kind="placement", target_key="home-recommended"
        )
        is None
    )
    experiment_stop(shop=shop, experiment=experiment)
    assert (
        selectors.assignment_for(shop, vid, target_kind="placement", target_key="home-recommended")
        is None
    )


@pytest.mark.django_db
def test_the_holdout_defaults_to_five_percent_and_is_configurable(shop):
    ids = [f"v-{i:05d}" for i in range(6000)]
    assert abs(sum(selectors.in_holdout(shop, v) for v in ids) / 6000 - 0.05) < 0.012
    holdout_percent_set(shop=shop, percent=20)
    assert abs(sum(selectors.in_holdout(shop, v) for v in ids) / 6000 - 0.20) < 0.025
    holdout_percent_set(shop=shop, percent=0)
    assert not any(selectors.in_holdout(shop, v) for v in ids)
    with pytest.raises(ExperimentInvalid) as exc:
        holdout_percent_set(shop=shop, percent=80)
    assert exc.value.field == "percent"


@pytest.mark.django_db
def test_exposures_are_recorded_once_for_both_arms(shop):
    experiment = running_experiment(
        shop,
        target_kind="campaign",
        target_key="exit-offer",
        control_config={"show": False},
        treatment_config={"show": True},
    )
    visitors = [f"visitor-{i:04d}" for i in range(60)]
    for vid in visitors + visitors:
        exposure_record(shop=shop, visitor_id=vid, target_kind="campaign", target_key="exit-offer")
    exposures = Exposure.objects.filter(shop=shop, experiment=experiment)
    in_experiment = [v for v in visitors if not selectors.in_holdout(shop, v)]
    assert exposures.count() == len(in_experiment)
    arms = set(exposures.values_list("variant__key", flat=True))
    assert arms == {"control", "personalized"}
    for exposure in exposures.select_related("variant"):
        assigned = selectors.assignment_for(
            shop, exposure.visitor_key, target_kind="campaign", target_key="exit-offer"
        )
        assert assigned is not None
        assert assigned.variant_key == exposure.variant.key
        assert assigned.config == {"show": assigned.variant_key == "personalized"}


@pytest.mark.django_db
def test_one_running_experiment_per_target(shop):
    running_experiment(shop, key="first")
    second = experiment_create(
        shop=shop,
        key="second",
        name="Second",
        target_kind="placement",
        target_key="home-recommended",
        variants=[VariantIn("a", "A", is_control=True), VariantIn("b", "B")],
    )
    with pytest.raises(ExperimentInvalid) as exc:
        experiment_start(shop=shop, experiment=second)
    assert exc.value.field == "target_key"
    assert Experiment.objects.get(pk=second.pk).status == "draft"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"key": "Bad Key"}, "key"),
        ({"name": " "}, "name"),
        ({"target_kind": "popup"}, "target_kind"),
        ({"target_key": ""}, "target_key"),
        ({"primary_metric": "likes"}, "primary_metric"),
        ({"attribution_window_hours": 0}, "attribution_window_hours"),
        ({"variants": [VariantIn("a", "A", is_control=True)]}, "variants"),
        ({"variants": [VariantIn("a", "A"), VariantIn("b", "B")]}, "variants"),
        (
            {"variants": [VariantIn("a", "A", is_control=True), VariantIn("a", "B")]},
            "variants[1].key",
        ),
        (
            {"variants": [VariantIn("a", "A", is_control=True), VariantIn("b", "B", weight=0)]},
            "variants[1].weight",
        ),
    ],
)
def test_invalid_experiments_name_the_field(shop, changes, field):
    values = {
        "key": "ok",
        "name": "OK",
        "target_kind": "placement",
        "target_key": "home-recommended",
        "variants": [VariantIn("a", "A", is_control=True), VariantIn("b", "B")],
        **changes,
    }
    with pytest.raises(ExperimentInvalid) as exc:
        experiment_create(shop=shop, **values)
    assert exc.value.field == field
    assert not Experiment.objects.filter(shop=shop).exists()


@pytest.fixture
def store(shop):
    catalog.forget()
    decision_services._configs_cache.clear()
    products = [
        ProductFactory(
            shop=shop,
            platform_id=f"p{i}",
            title=f"Product {i}",
            product_type="Candles" if i % 2 else "Kitchen",
        )
        for i in range(12)
    ]
    customer = CustomerFactory(shop=shop)
    for rank, product in enumerate(products[:6]):
        order = OrderFactory(shop=shop, customer=customer)
        OrderLineFactory(shop=shop, order=order, product=product, quantity=60 - rank * 10)
    return products


def _decide(client, shop, visitor):
    return client.get(
        "/api/v1/decide",
        {"key": shop.storefront_key, "page": "home", "visitor": visitor, "recent": "p7,p9"},
    ).json()


@pytest.mark.django_db
def test_a_holdout_visitor_gets_the_same_blocks_without_personalization(client, shop, store):
    # given one visitor in the holdout and one outside, with the same session signals
    held = visitors_where(lambda v: selectors.in_holdout(shop, v))[0]
    free = visitors_where(lambda v: not selectors.in_holdout(shop, v))[0]
    # when both ask for the home page
    held_data = _decide(client, shop, held)
    free_data = _decide(client, shop, free)
    # then the held-out visitor gets the same slots, never empty, as bestsellers; the other is personalized
    assert held_data["holdout"] is True
    assert free_data["holdout"] is False
    assert set(held_data["slots"]) == set(free_data["slots"])
    assert all(slot["items"] for slot in held_data["slots"].values())
    assert held_data["slots"]["home-recommended"]["title"] == "Bestsellers"
    assert free_data["slots"]["home-recommended"]["title"] == "Picked for you"
    assert held_data["visitor"]["label"] == "baseline"


@pytest.mark.django_db
def test_a_no_personalization_arm_gets_the_baseline_on_its_placement_only(client, shop, store):
    running_experiment(shop)
    control = visitors_where(
        lambda v: (
            (
                a := selectors.assignment_for(
                    shop, v, target_kind="placement", target_key="home-recommended"
                )
            )
            is not None
            and a.is_control
        )
    )[0]
    treated = visitors_where(
        lambda v: (
            (
                a := selectors.assignment_for(
                    shop, v, target_kind="placement", target_key="home-recommended"
                )
            )
            is not None
            and not a.is_control
        )
    )[0]
    control_data = _decide(client, shop, control)
    treated_data = _decide(client, shop, treated)
    assert control_data["experiments"] == [{"experiment": "home-test", "variant": "control"}]
    assert treated_data["experiments"] == [{"experiment": "home-test", "variant": "personalized"}]
    assert control_data["slots"]["home-recommended"]["title"] == "Bestsellers"
    assert control_data["slots"]["home-recommended"]["items"]
    assert treated_data["slots"]["home-recommended"]["title"] == "Picked for you"
    # other placements stay personalized for the control arm (recently viewed is session-based)
    assert (
        control_data["slots"]["home-new-arrivals"]["title"]
        == treated_data["slots"]["home-new-arrivals"]["title"]
    )
