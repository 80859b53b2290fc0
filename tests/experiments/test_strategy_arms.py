"""Strategy arms: an experiment arm {"strategy": ...} on a placement applies to its visitors' own
requests in /api/v1/decide (not only after a rollout); the admin form offers the strategies."""

from __future__ import annotations

import pytest

from personalization.decisions.models import PlacementConfig
from personalization.experiments import selectors
from personalization.experiments.models import Experiment
from personalization.experiments.services import ExperimentInvalid, VariantIn, experiment_create
from tests.experiments.factories import running_experiment, visitors_where
from tests.experiments.test_admin import _form
from tests.factories import CustomerFactory, OrderFactory, OrderLineFactory, ProductFactory


@pytest.fixture
def store(shop):
    """Twelve products: the first six are the bestsellers, the rest never sold."""
    products = [
        ProductFactory(shop=shop, platform_id=f"p{i}", title=f"Product {i}") for i in range(12)
    ]
    customer = CustomerFactory(shop=shop)
    for rank, product in enumerate(products[:6]):
        order = OrderFactory(shop=shop, customer=customer)
        OrderLineFactory(shop=shop, order=order, product=product, quantity=60 - rank * 10)
    return products


def _arm_of(shop, vid):
    found = selectors.assignment_for(
        shop, vid, target_kind="placement", target_key="home-recommended"
    )
    return found.variant_key if found else None


def _slot(client, shop, visitor):
    data = client.get(
        "/api/v1/decide",
        {"key": shop.storefront_key, "page": "home", "visitor": visitor},
    ).json()
    return data, data["slots"]["home-recommended"]


@pytest.mark.django_db
def test_two_visitors_in_different_strategy_arms_get_different_slot_contents(client, shop, store):
    # given an experiment on home-recommended: bestsellers (control) against new arrivals
    running_experiment(
        shop,
        key="strategy-test",
        control_config={"strategy": "bestsellers"},
        treatment_config={"strategy": "new_arrivals"},
    )
    (control,) = visitors_where(lambda v: _arm_of(shop, v) == "control", prefix="ctl-")
    (treated,) = visitors_where(lambda v: _arm_of(shop, v) == "personalized", prefix="trt-")
    # when each asks for the home page
    control_data, control_slot = _slot(client, shop, control)
    treated_data, treated_slot = _slot(client, shop, treated)
    # then each is tagged with their arm and gets their arm's strategy in that placement
    assert control_data["experiments"] == [{"experiment": "strategy-test", "variant": "control"}]
    assert treated_data["experiments"] == [
        {"experiment": "strategy-test", "variant": "personalized"}
    ]
    control_ids = [item["id"] for item in control_slot["items"]]
    treated_ids = [item["id"] for item in treated_slot["items"]]
    assert (control_slot["strategy"], treated_slot["strategy"]) == ("bestsellers", "new_arrivals")
    # (the hero above shows the top three bestsellers, and blocks never repeat a product)
    assert control_ids[:3] == ["p3", "p4", "p5"]
    assert treated_ids[:2] == ["p10", "p11"]
    assert control_ids != treated_ids
    # and the merchant's own setting for the placement is untouched
    assert not PlacementConfig.objects.filter(shop=shop, placement="home-recommended").exists()
    # and the other placements on the page are the same for both
    assert control_data["slots"]["home-hero"] == treated_data["slots"]["home-hero"]
    # and a second request by the control visitor (cached) still gets the control's strategy
    assert [i["id"] for i in _slot(client, shop, control)[1]["items"]] == control_ids


@pytest.mark.django_db
def test_a_holdout_visitor_gets_no_strategy_arm(shop, store):
    running_experiment(shop, key="strategy-test", treatment_config={"strategy": "trending"})
    (held,) = visitors_where(lambda v: selectors.in_holdout(shop, v))
    (treated,) = visitors_where(lambda v: _arm_of(shop, v) == "personalized")
    assert selectors.placement_strategies(shop, held) == ()
    assert selectors.placement_strategies(shop, treated) == (("home-recommended", "trending"),)


@pytest.mark.django_db
def test_an_unknown_strategy_is_refused_naming_the_arm(shop):
    with pytest.raises(ExperimentInvalid) as exc:
        experiment_create(
            shop=shop,
            key="bad",
            name="Bad",
            target_kind="placement",
            target_key="home-recommended",
            variants=[
                VariantIn("control", "Control", is_control=True),
                VariantIn("magic", "Magic", config={"strategy": "magic"}),
            ],
        )
    assert exc.value.field == "variants[1].config"
    assert not Experiment.objects.filter(shop=shop).exists()


@pytest.mark.django_db
def test_the_new_experiment_form_offers_the_strategies(admin_client_for, shop):
    client = admin_client_for(shop)
    # given the form, which lists each strategy as something an arm can do
    page = client.get("/app/experiments/new/").content.decode()
    assert 'value="strategy-trending"' in page
    assert "Strategy: Trending this month" in page
    # when a merchant creates trending against new arrivals on the home block
    response = client.post(
        "/app/experiments/new/",
        _form(
            **{
                "name": "Trending vs new",
                "arm-0-name": "New arrivals",
                "arm-0-does": "strategy-new_arrivals",
                "arm-1-name": "Trending",
                "arm-1-does": "strategy-trending",
            }
        ),
    )
    # then the arms carry the strategies
    assert response.status_code == 303
    experiment = Experiment.objects.get(shop=shop, key="trending-vs-new")
    assert [(v.key, v.config) for v in experiment.variants.all()] == [
        ("new-arrivals", {"strategy": "new_arrivals"}),
        ("trending", {"strategy": "trending"}),
    ]


@pytest.mark.django_db
def test_a_strategy_arm_on_a_campaign_is_a_422_naming_the_arm(admin_client_for, shop):
    response = admin_client_for(shop).post(
        "/app/experiments/new/",
        _form(target_kind="campaign", campaign="reminder", **{"arm-1-does": "strategy-trending"}),
    )
    assert response.status_code == 422
    assert "A strategy is for a placement experiment." in response.content.decode()
    assert not Experiment.objects.filter(shop=shop).exists()
