from __future__ import annotations

import json
import math

import numpy as np
import pytest

from personalization.engine.orders import OrderHistory
from personalization.engine.propensity import (
    DEFAULT_L2,
    FEATURE_NAMES,
    L2_GRID,
    LogisticModel,
    build_features,
    choose_l2,
    fit_logistic,
    purchased_within,
    score,
    target_labels,
    train,
    train_and_evaluate,
)

DAY = 86400.0
CUTOFF = 500 * DAY


def _one_customer(extra_times: tuple[float, ...] = ()) -> OrderHistory:
    # orders 100, 40 and 10 days before the cutoff, a return 5 days before, then `extra_times`
    times = [
        CUTOFF - 100 * DAY,
        CUTOFF - 40 * DAY,
        CUTOFF - 10 * DAY,
        CUTOFF - 5 * DAY,
        *extra_times,
    ]
    values = [50.0, 30.0, 20.0, -10.0, *[70.0] * len(extra_times)]
    items = [2, 1, 3, 1, *[9] * len(extra_times)]
    return OrderHistory.from_columns([0] * len(times), times, values, 1, order_items=items)


def test_features_of_a_hand_made_history():
    features = build_features(_one_customer(), CUTOFF)
    row = dict(zip(FEATURE_NAMES, features.matrix[0].tolist(), strict=True))
    expected = {
        "recency_log": math.log1p(10),
        "frequency_log": math.log1p(3),
        "monetary_log": math.log1p(90),
        "tenure_log": math.log1p(100),
        "interorder_log": math.log1p(45),  # (100 - 10) / 2
        "orders_30d_log": math.log1p(1),
        "orders_90d_log": math.log1p(2),
        "returns_share": 0.1,
        "order_value_log": math.log1p(100 / 3),
        "trend": math.log1p(2) - math.log1p(1),
        "overdue": math.log1p(10) - math.log1p(45),
        "rate_log": math.log1p(30 * 3 / 100),
        "items_per_order_log": math.log1p(6 / 3),
        "days_active_log": math.log1p(3),
        "orders_180d_log": math.log1p(3),
        "value_90d_log": math.log1p(30 + 20),
        "decayed_orders_log": math.log1p(2 ** (-100 / 60) + 2 ** (-40 / 60) + 2 ** (-10 / 60)),
        "gap_trend": math.log1p(30) - (math.log1p(60) + math.log1p(30)) / 2,  # gaps 60, then 30
        "same_season_last_year": 0.0,
        # 10 days out: of the gaps longer than 10 (60, 30) one ended within 30 more days, and
        # the pooled gaps (the same two) say the same: hazard 1/2, logit 0
        "own_hazard_logit": 0.0,
    }
    assert row == pytest.approx(expected)
    assert features.recency_days.tolist() == [10.0]


def test_hazard_tells_a_due_monthly_buyer_from_a_lapsing_weekly_buyer():
    # given a monthly buyer (customer 0) and a weekly buyer (customer 1), both 25 days out, and
    # a customer with a single order (2) who has no gaps of their own
    monthly = [CUTOFF - (25 + 30 * k) * DAY for k in range(6)]
    weekly = [CUTOFF - (25 + 7 * k) * DAY for k in range(12)]
    times = [*monthly, *weekly, CUTOFF - 25 * DAY]
    index = [0] * len(monthly) + [1] * len(weekly) + [2]
    history = OrderHistory.from_columns(index, times, [10.0] * len(times), 3)
    # when
    hazard = build_features(history, CUTOFF).matrix[:, FEATURE_NAMES.index("own_hazard_logit")]
    # then every monthly gap (30) longer than 25 days ends within 30 more; no weekly gap is
    # longer than 25 days, so the weekly buyer and the one-order customer get the pooled share:
    # 5 of the 5 gaps longer than 25 end within (25, 55]: (5 + 1) / (5 + 2)
    pooled = (5 + 1) / (5 + 2)
    own_monthly = (5 + 2 * pooled) / (5 + 2)
    assert hazard.tolist() == pytest.approx(
        [math.log(own_monthly / (1 - own_monthly)), *[math.log(pooled / (1 - pooled))] * 2]
    )
    assert hazard[0] > hazard[1]


def test_same_season_last_year_looks_305_to_365_days_back():
    # given orders 300, 310, 364 and 366 days before the cutoff, one per customer
    ages = [300, 310, 364, 366]
    history = OrderHistory.from_columns(
        [0, 1, 2, 3], [CUTOFF - a * DAY for a in ages], [10.0] * 4, 4
    )
    # when
    column = build_features(history, CUTOFF).matrix[:, FEATURE_NAMES.index("same_season_last_year")]
    # then only the orders inside the window [305, 365) days back count
    assert column.tolist() == [0.0, 1.0, 1.0, 0.0]


def test_no_leakage_orders_after_the_cutoff_change_nothing():
    before = build_features(_one_customer(), CUTOFF).matrix
    after = build_features(_one_customer((CUTOFF + 1.0, CUTOFF + 20 * DAY)), CUTOFF).matrix
    np.testing.assert_array_equal(before, after)


def test_a_customer_without_orders_at_the_cutoff_is_outside_the_population():
    history = OrderHistory.from_columns([1], [CUTOFF + DAY], [10.0], 2)
    features = build_features(history, CUTOFF)
    assert features.has_orders.tolist() == [False, False]
    assert (features.matrix == 0).all()


def test_labels_window_is_open_at_the_cutoff_and_closed_at_the_horizon():
    # customer 0 orders exactly at the cutoff (a feature, not a label), 1 at +30 days exactly,
    # 2 at +30 days and a second, 3 only returns in the window
    history = OrderHistory.from_columns(
        [0, 1, 2, 3],
        [CUTOFF, CUTOFF + 30 * DAY, CUTOFF + 30 * DAY + 1, CUTOFF + DAY],
        [10.0, 10.0, 10.0, -10.0],
        4,
    )
    assert purchased_within(history, CUTOFF, 30).tolist() == [False, True, False, False]
    assert target_labels("churn_90d", history, CUTOFF).tolist() == [True, False, False, True]


def _synthetic_shop(seed: int = 7, customers: int = 1500) -> OrderHistory:
    # customers with their own order rate (orders per 30 days), Poisson over 400 days
    rng = np.random.default_rng(seed)
    rates = rng.lognormal(mean=-1.0, sigma=1.0, size=customers)
    index, times = [], []
    for customer, rate in enumerate(rates):
        start = rng.uniform(0, 300)
        count = rng.poisson(rate * (400 - start) / 30)
        index += [customer] * count
        times += sorted(rng.uniform(start, 400, size=count).tolist())
    values = rng.gamma(2.0, 20.0, size=len(times))
    return OrderHistory.from_columns(index, np.array(times) * DAY, values, customers)


def test_newton_fit_reaches_the_optimum_of_the_penalized_loss():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(800, 3))
    y = rng.random(800) < 1 / (1 + np.exp(-(0.5 + 1.5 * x[:, 0] - 1.0 * x[:, 1])))
    model = fit_logistic(x, y, target="purchase_30d", horizon_days=30, l2=1.0)
    # gradient of log-loss + l2/2 |w|^2 on the standardized design is zero at the optimum
    z = (x - model.means) / model.scales
    p = model.predict_proba(x)
    gradient = np.r_[np.sum(p - y), z.T @ (p - y) + model.coefficients]
    assert np.max(np.abs(gradient)) < 1e-6
    assert model.coefficients[0] > 1.0
    assert model.coefficients[1] < -0.5
    assert abs(model.coefficients[2]) < 0.2


def test_model_round_trips_through_json_and_refuses_other_features():
    history = _synthetic_shop(customers=300)
    model, _ = train_and_evaluate("purchase_30d", history, t1=340 * DAY)
    stored = json.loads(json.dumps(model.to_dict()))
    loaded = LogisticModel.from_dict(stored)
    matrix = build_features(history, 400 * DAY).matrix
    np.testing.assert_array_equal(loaded.predict_proba(matrix), model.predict_proba(matrix))
    assert stored["version"] == 2
    assert stored["feature_names"] == list(FEATURE_NAMES)
    with pytest.raises(ValueError, match="different features"):
        LogisticModel.from_dict({**stored, "feature_names": ["recency_log"]})
    with pytest.raises(ValueError, match="unsupported model"):
        LogisticModel.from_dict({**stored, "version": 99})


def test_temporal_evaluation_beats_recency_on_a_shop_where_rates_differ():
    history = _synthetic_shop()
    model, report = train_and_evaluate("purchase_30d", history, t1=340 * DAY)
    assert model.trained_cutoff == 340 * DAY
    # the rate drives who buys next; recency alone sees it only through the last gap
    assert report.auc > 0.7
    assert report.auc > report.baseline_recency_auc + 0.05
    assert 0.0 < report.brier < 0.25
    assert sum(b.count for b in report.calibration) == report.customers
    _, churn = train_and_evaluate("churn_90d", history, t1=220 * DAY)
    assert churn.auc > 0.65
    assert churn.auc > churn.baseline_recency_auc + 0.03


def test_evaluation_needs_data_up_to_t2_plus_horizon():
    with pytest.raises(ValueError, match="must cover"):
        train_and_evaluate("purchase_30d", _synthetic_shop(customers=200), t1=380 * DAY)


def test_score_is_nan_for_customers_without_orders():
    history = _synthetic_shop(customers=300)
    model, _ = train_and_evaluate("purchase_30d", history, t1=340 * DAY)
    probabilities = score(model, history, 100 * DAY)
    has_orders = build_features(history, 100 * DAY).has_orders
    assert np.isnan(probabilities[~has_orders]).all()
    assert ((probabilities[has_orders] > 0) & (probabilities[has_orders] < 1)).all()


def test_the_penalty_is_chosen_from_labels_before_the_cutoff_only():
    # given a shop, and the same shop with every order after the training cutoff shuffled away
    history = _synthetic_shop(customers=600)
    cutoff = 340 * DAY
    before = history.order_time <= cutoff
    truncated = OrderHistory.from_columns(
        history.customer_index[before],
        history.order_time[before],
        history.order_value[before],
        history.n_customers,
    )
    # when the penalty is chosen on each
    chosen = choose_l2("purchase_30d", history, cutoff=cutoff - 30 * DAY)
    chosen_truncated = choose_l2("purchase_30d", truncated, cutoff=cutoff - 30 * DAY)
    model = train("purchase_30d", history, cutoff=cutoff - 30 * DAY)
    # then the future makes no difference, the value is from the grid, and training uses it
    assert chosen == chosen_truncated
    assert chosen in L2_GRID
    assert model.l2 == chosen


def test_without_an_earlier_window_the_default_penalty_is_kept():
    # given orders that all start after the window one horizon before the cutoff
    history = OrderHistory.from_columns(
        [0, 1, 2, 0], [100 * DAY, 101 * DAY, 102 * DAY, 110 * DAY], [10.0] * 4, 3
    )
    # when / then: nobody has orders at cutoff - 30 days, so nothing to judge a penalty on
    assert choose_l2("purchase_30d", history, cutoff=105 * DAY) == DEFAULT_L2
