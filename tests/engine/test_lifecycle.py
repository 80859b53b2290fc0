from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from personalization.engine.lifecycle import (
    LifecycleThresholds,
    is_vip,
    lifecycle_stage,
    lifecycle_stages,
    vip_monetary_bar,
)

DEFAULTS = LifecycleThresholds()


@pytest.mark.parametrize(
    ("orders", "sessions", "days", "monetary", "expected"),
    [
        (0, 0, None, 0.0, "new_visitor"),
        (0, 1, None, 0.0, "new_visitor"),
        (0, 2, None, 0.0, "returning_visitor"),
        (1, 1, 10.0, 50.0, "first_time_customer"),
        (1, 1, 10.0, 5000.0, "first_time_customer"),  # one order is never VIP by default
        (2, 3, 10.0, 50.0, "repeat_customer"),
        (2, 3, 10.0, 1000.0, "vip"),  # the bar is 1000: at the bar counts
        (5, 9, 121.0, 5000.0, "lapsed"),  # lapsed beats VIP
        (1, 1, 121.0, 10.0, "lapsed"),
        (3, 3, 120.0, 10.0, "repeat_customer"),  # exactly at the threshold is not lapsed yet
    ],
)
def test_stage_precedence(
    orders: int, sessions: int, days: float | None, monetary: float, expected: str
):
    stage = lifecycle_stage(
        orders=orders,
        sessions=sessions,
        days_since_last_order=days,
        monetary=monetary,
        vip_bar=1000.0,
        thresholds=DEFAULTS,
    )
    assert stage == expected


def test_a_lapsed_vip_keeps_the_vip_flag():
    # given a big spender silent for 200 days
    batch = lifecycle_stages(
        orders=[6],
        sessions=[6],
        days_since_last_order=[200.0],
        monetary=[9000.0],
        thresholds=DEFAULTS,
        vip_bar=1000.0,
    )
    # then the stage says lapsed and the flag still says VIP
    assert batch.stage_names() == ["lapsed"]
    assert batch.is_vip.tolist() == [True]
    assert is_vip(6, 9000.0, 1000.0, DEFAULTS) is True


def test_vip_bar_is_the_top_share_among_customers_with_two_orders():
    monetary = [100.0 * k for k in range(1, 11)] + [50_000.0]  # the last has a single order
    orders = [2] * 10 + [1]
    assert vip_monetary_bar(monetary, orders, DEFAULTS) == 1000.0
    quarter = LifecycleThresholds(vip_top_share=0.25)
    assert vip_monetary_bar(monetary, orders, quarter) == 800.0  # ceil(2.5) = 3rd highest


def test_vip_bar_ties_are_all_in_and_absolute_amount_wins():
    bar = vip_monetary_bar(
        [500.0, 500.0, 500.0, 100.0], [2, 2, 2, 2], LifecycleThresholds(vip_top_share=0.25)
    )
    assert bar == 500.0
    batch = lifecycle_stages(
        orders=[2, 2, 2, 2],
        sessions=[2] * 4,
        days_since_last_order=[1.0] * 4,
        monetary=[500.0, 500.0, 500.0, 100.0],
        thresholds=LifecycleThresholds(vip_top_share=0.25),
    )
    assert batch.is_vip.tolist() == [True, True, True, False]
    absolute = LifecycleThresholds(vip_min_monetary=120.0)
    assert vip_monetary_bar([500.0, 100.0], [2, 2], absolute) == 120.0
    assert vip_monetary_bar([500.0], [1], DEFAULTS) == math.inf


def test_vectorized_matches_scalar_on_a_grid():
    grid = list(
        itertools.product((0, 1, 2, 4), (0, 1, 3), (5.0, 119.0, 121.0), (10.0, 400.0, 2000.0))
    )
    orders, sessions, days, money = (np.array(c, dtype=float) for c in zip(*grid, strict=True))
    days = np.where(orders > 0, days, np.nan)
    thresholds = LifecycleThresholds(vip_min_monetary=400.0)
    batch = lifecycle_stages(
        orders=orders.astype(int),
        sessions=sessions.astype(int),
        days_since_last_order=days,
        monetary=money,
        thresholds=thresholds,
    )
    expected = [
        lifecycle_stage(
            orders=int(o),
            sessions=int(s),
            days_since_last_order=None if np.isnan(d) else float(d),
            monetary=float(m),
            vip_bar=400.0,
            thresholds=thresholds,
        )
        for o, s, d, m in zip(orders, sessions, days, money, strict=True)
    ]
    assert batch.stage_names() == expected
    assert batch.vip_bar == 400.0


def test_per_shop_overrides_are_checked():
    shop = LifecycleThresholds.from_overrides({"lapsed_after_days": 60, "vip_min_monetary": None})
    assert shop.lapsed_after_days == 60
    assert shop.vip_top_share == 0.10
    with pytest.raises(ValueError, match="unknown lifecycle threshold"):
        LifecycleThresholds.from_overrides({"lapsed_days": 60})
    with pytest.raises(ValueError, match="vip_min_orders must be a whole number"):
        LifecycleThresholds.from_overrides({"vip_min_orders": 2.5})
    with pytest.raises(ValueError, match="lapsed_after_days must be > 0"):
        LifecycleThresholds.from_overrides({"lapsed_after_days": 0})
    with pytest.raises(ValueError, match="must be a number"):
        LifecycleThresholds.from_overrides({"vip_top_share": "10%"})


def test_live_stage_benchmark(benchmark):
    # the live path: one visitor, plain comparisons
    stage = benchmark(
        lifecycle_stage,
        orders=3,
        sessions=5,
        days_since_last_order=20.0,
        monetary=300.0,
        vip_bar=1000.0,
        thresholds=DEFAULTS,
    )
    assert stage == "repeat_customer"
