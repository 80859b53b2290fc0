"""Results per arm: attribution within the window, the sequential decision, SRM, rollout, and
incremental revenue against the holdout."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from personalization.decisions.models import PlacementConfig
from personalization.experiments import selectors
from personalization.experiments.models import Exposure
from personalization.experiments.services import experiment_conclude_if_decided
from tests.experiments.activity import Activity
from tests.experiments.factories import running_experiment, visitors_where

TARGET = "home-recommended"


def _arm(shop, key):
    a = selectors.assignment_for(shop, key, target_kind="placement", target_key=TARGET)
    return a.variant_key if a else None


@pytest.mark.django_db
def test_clicks_adds_and_orders_are_attributed_to_the_arm_within_the_window(shop, other_shop):
    # given an experiment started three days ago
    now = timezone.now()
    start = now - timedelta(days=3)
    running_experiment(shop, started=start)
    control = visitors_where(lambda v: _arm(shop, v) == "control")[0]
    treated = visitors_where(lambda v: _arm(shop, v) == "personalized")[0]
    held = visitors_where(lambda v: selectors.in_holdout(shop, v))[0]
    t0 = start + timedelta(hours=2)
    activity = Activity(shop)
    # the control visitor sees the block, clicks it, buys within the window and again after it
    activity.add(control, "page_view", t0 - timedelta(minutes=5))
    activity.add(control, "impression", t0, placement=TARGET)
    activity.add(control, "click", t0 + timedelta(minutes=1), placement=TARGET)
    activity.add(
        control, "purchase", t0 + timedelta(hours=2), data={"value": 50.0, "order_id": "1001"}
    )
    activity.add(
        control,
        "purchase",
        t0 + timedelta(hours=2, minutes=1),
        data={"value": 50.0, "order_id": "1001"},
    )  # repeated
    activity.add(
        control, "purchase", t0 + timedelta(hours=30), data={"value": 70.0, "order_id": "1002"}
    )  # outside 24 h
    # the treated visitor adds to cart and clicks another placement (not this experiment's click)
    activity.add(treated, "impression", t0, placement=TARGET)
    activity.add(treated, "add_to_cart", t0 + timedelta(minutes=3))
    activity.add(treated, "click", t0 + timedelta(minutes=4), placement="product-related")
    # a holdout visitor's impression is no exposure (they saw the baseline everywhere)
    activity.add(held, "impression", t0, placement=TARGET)
    activity.add(held, "click", t0, placement=TARGET)
    # a visitor who only saw another placement is not exposed
    activity.add("visitor-elsewhere", "impression", t0, placement="product-related")
    activity.save()
    theirs = Activity(other_shop)
    theirs.add(control, "impression", t0, placement=TARGET)
    theirs.add(control, "purchase", t0, data={"value": 999.0})
    theirs.save()
    experiment = selectors.experiment_list(shop=shop)[0]
    # when the results are read
    results = selectors.experiment_results(shop=shop, experiment=experiment, now=now)
    by_key = {v.key: v for v in results.variants}
    # then each exposed visitor's outcomes count for their own arm only, within the window
    assert (by_key["control"].visitors, by_key["control"].clicks, by_key["control"].orders) == (
        1,
        1,
        1,
    )
    assert by_key["control"].revenue == pytest.approx(50.0)
    assert by_key["control"].average_order_value == pytest.approx(50.0)
    assert (
        by_key["personalized"].visitors,
        by_key["personalized"].clicks,
        by_key["personalized"].adds,
    ) == (1, 0, 1)
    assert by_key["personalized"].revenue == 0.0
    assert results.days_complete == 3
    assert results.recommendation in ("running", "collecting")


def _traffic(shop, start, *, days, per_day, rates, seed=5):
    """Visitors arriving over `days`; each sees the block once and clicks with its arm's rate."""
    rng = np.random.default_rng(seed)
    activity = Activity(shop)
    i = 0
    for day in range(days):
        for _ in range(per_day):
            key = f"v-{i:06d}"
            i += 1
            arm = _arm(shop, key)
            if arm is None:
                continue
            at = start + timedelta(days=day, seconds=int(rng.integers(60, 86000)))
            activity.add(key, "impression", at, placement=TARGET)
            if rng.random() < rates[arm]:
                activity.add(key, "click", at + timedelta(minutes=2), placement=TARGET)
    activity.save()


@pytest.mark.django_db
def test_a_clear_winner_is_found_and_rolled_out_automatically(shop):
    # given ten days of traffic where the trending arm is clicked three times as often
    now = timezone.now()
    start = now - timedelta(days=10, hours=1)
    experiment = running_experiment(
        shop,
        started=start,
        control_config={"personalization": False},
        treatment_config={"strategy": "trending"},
        auto_rollout=True,
        planned_visitors_per_arm=400,
        min_duration_days=7,
    )
    _traffic(shop, start, days=10, per_day=80, rates={"control": 0.08, "personalized": 0.24})
    # when the results are read
    results = selectors.experiment_results(shop=shop, experiment=experiment, now=now)
    # then the treatment wins on CTR with an interval excluding zero, and the split is sound
    treated = next(v for v in results.variants if v.key == "personalized")
    ctr = treated.comparisons["ctr"]
    assert ctr.is_significant
    assert 0 < ctr.low < ctr.estimate < ctr.high
    assert results.has_srm is False
    assert results.recommendation == "winner"
    assert results.winner_key == "personalized"
    # and the daily automatic rollout completes it and writes the winner's strategy
    assert experiment_conclude_if_decided(shop=shop, experiment=experiment, now=now) == "winner"
    experiment.refresh_from_db()
    assert experiment.status == "completed"
    assert experiment.winner.key == "personalized"
    assert PlacementConfig.objects.get(shop=shop, placement=TARGET).strategy == "trending"
    assert (
        selectors.assignment_for(shop, "v-000001", target_kind="placement", target_key=TARGET)
        is None
    )


@pytest.mark.django_db
def test_no_rollout_before_the_minimum_duration(shop):
    now = timezone.now()
    start = now - timedelta(days=4, hours=1)
    experiment = running_experiment(
        shop, started=start, auto_rollout=True, planned_visitors_per_arm=200, min_duration_days=7
    )
    _traffic(shop, start, days=4, per_day=150, rates={"control": 0.05, "personalized": 0.30})
    assert (
        experiment_conclude_if_decided(shop=shop, experiment=experiment, now=now)
        == "winner_pending"
    )
    experiment.refresh_from_db()
    assert experiment.status == "running"


@pytest.mark.django_db
def test_a_sample_ratio_mismatch_blocks_the_decision(shop):
    # given a campaign experiment whose exposures were logged for one arm far more than the other
    now = timezone.now()
    start = now - timedelta(days=8)
    experiment = running_experiment(
        shop, target_kind="campaign", target_key="exit-offer", started=start, auto_rollout=True
    )
    variants = {v.key: v for v in experiment.variants.all()}
    activity = Activity(shop)
    rows = []
    for i in range(300):
        key = f"x-{i:05d}"
        arm = "control" if i < 210 else "personalized"
        at = start + timedelta(hours=i % 150)
        activity.add(key, "page_view", at)
        if arm == "personalized":
            activity.add(key, "click", at, placement="exit-offer")
        rows.append(
            Exposure(
                shop=shop,
                experiment=experiment,
                variant=variants[arm],
                visitor_key=key,
                first_exposed_at=at,
            )
        )
    activity.save()
    Exposure.objects.bulk_create(rows)
    results = selectors.experiment_results(shop=shop, experiment=experiment, now=now)
    assert [v.visitors for v in results.variants] == [210, 90]
    assert results.has_srm
    assert results.recommendation == "srm"
    assert experiment_conclude_if_decided(shop=shop, experiment=experiment, now=now) == "srm"


@pytest.mark.django_db
def test_incremental_revenue_against_the_holdout(shop):
    # given a 30 % holdout (to have enough held-out buyers in a small test) where personalized
    # visitors buy twice as often (8 % vs 4 %, orders of 50)
    from personalization.experiments.services import holdout_percent_set

    holdout_percent_set(shop=shop, percent=30)
    now = timezone.now()
    since = now - timedelta(days=30)
    rng = np.random.default_rng(3)
    activity = Activity(shop)
    personalized = 0
    for i in range(3000):
        key = f"h-{i:05d}"
        held = selectors.in_holdout(shop, key)
        personalized += not held
        at = since + timedelta(hours=int(rng.integers(1, 700)))
        activity.add(key, "page_view", at)
        if rng.random() < (0.04 if held else 0.08):
            activity.add(
                key,
                "purchase",
                at + timedelta(minutes=9),
                data={"value": 50.0, "order_id": f"o{i}"},
            )
    activity.save()
    # when incremental revenue is read for the last 30 days
    result = selectors.incremental_revenue(shop, since)
    # then it is measured, its interval holds the true lift (2 per visitor) and excludes zero
    assert result["measured"] is True
    truth = 2.0 * personalized
    assert result["low"] < truth < result["high"]
    assert result["low"] > 0
    assert result["low"] < result["value"] < result["high"]


@pytest.mark.django_db
def test_incremental_revenue_is_not_measured_without_enough_holdout(shop):
    now = timezone.now()
    activity = Activity(shop)
    for i in range(50):
        activity.add(f"s-{i:04d}", "purchase", now - timedelta(days=1), data={"value": 10.0})
    activity.save()
    result = selectors.incremental_revenue(shop, now - timedelta(days=7))
    assert result["measured"] is False
    assert result["value"] is None
