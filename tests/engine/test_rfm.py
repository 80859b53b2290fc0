from __future__ import annotations

import itertools

import numpy as np
import pytest

from personalization.engine.rfm import (
    compute_rfm,
    quintile_score,
    quintile_scores,
    rfm_class,
    rfm_classes,
)

DAY = 86400.0
NOW = 1000 * DAY


def test_quintiles_on_ten_distinct_values_give_two_customers_per_score():
    # given ten distinct values in scrambled order
    values = np.array([7.0, 1.0, 9.0, 3.0, 10.0, 2.0, 5.0, 8.0, 4.0, 6.0])
    # when scored
    scores = quintile_scores(values, np.ones(10, dtype=bool))
    # then the two lowest get 1, ..., the two highest get 5
    assert scores.tolist() == [4, 1, 5, 2, 5, 1, 3, 4, 2, 3]


def test_ties_share_the_mid_rank_score_whatever_the_row_order():
    values = np.array([1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    eligible = np.ones(10, dtype=bool)
    assert quintile_scores(values, eligible).tolist() == [2, 2, 2, 2, 3, 3, 4, 4, 5, 5]
    permutation = np.random.default_rng(3).permutation(10)
    assert (
        quintile_scores(values[permutation], eligible)
        == quintile_scores(values, eligible)[permutation]
    ).all()


def test_ineligible_customers_score_zero_and_do_not_shift_the_others():
    values = np.array([5.0, 100.0, 1.0, 2.0])
    scores = quintile_scores(values, np.array([True, False, True, True]))
    assert scores.tolist() == [5, 0, 1, 3]


def test_live_score_against_a_stored_population_matches_the_batch():
    population = np.sort(np.array([1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 4.0, 5.0, 6.0]))
    assert [quintile_score(population, v) for v in (1.0, 2.0, 3.0, 6.0, 0.5, 99.0)] == [
        2,
        3,
        4,
        5,
        1,
        5,
    ]
    assert quintile_score(np.array([]), 3.0) == 0


def _ten_customers() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # customer i has i + 1 orders, the last (10 - i) days ago, totalling 100 - 10 i
    index, times, values = [], [], []
    for i in range(10):
        for k in range(i + 1):
            index.append(i)
            times.append(NOW - (10 - i) * DAY - k * DAY)
            values.append((100 - 10 * i) / (i + 1))
    return np.array(index), np.array(times), np.array(values)


def test_rfm_on_ten_customers_plus_one_without_orders_and_one_with_only_a_return():
    # given ten customers, customer 10 without orders and customer 11 with only a return
    index, times, values = _ten_customers()
    index = np.r_[index, 11]
    times = np.r_[times, NOW - 2 * DAY]
    values = np.r_[values, -40.0]
    # when
    result = compute_rfm(index, times, values, 12, NOW)
    # then
    assert result.frequency.tolist() == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0]
    assert result.recency_days[:10].tolist() == [10.0, 9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0]
    assert np.isnan(result.recency_days[10:]).all()
    assert result.tenure_days[:3].tolist() == [10.0, 10.0, 10.0]
    np.testing.assert_allclose(result.monetary, [100, 90, 80, 70, 60, 50, 40, 30, 20, 10, 0, 0])
    assert result.r_score.tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 0, 0]
    assert result.f_score.tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 0, 0]
    assert result.m_score.tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0, 0]
    assert result.rfm_class.tolist() == [
        "hibernating",
        "hibernating",
        "hibernating",
        "hibernating",
        "needs_attention",
        "needs_attention",
        "loyal",
        "loyal",
        "loyal",
        "loyal",
        "none",
        "none",
    ]


def test_returns_reduce_monetary_but_not_frequency_or_recency():
    # given a sale of 100 ten days ago and a return of 30 two days ago (flagged, positive amount)
    result = compute_rfm(
        [0, 0], [NOW - 10 * DAY, NOW - 2 * DAY], [100.0, 30.0], 1, NOW, is_return=[False, True]
    )
    assert result.frequency.tolist() == [1]
    assert result.monetary.tolist() == [70.0]
    assert result.recency_days.tolist() == [10.0]


def test_more_returned_than_bought_floors_monetary_at_zero_and_future_rows_are_ignored():
    result = compute_rfm(
        [0, 0, 0], [NOW - 5 * DAY, NOW - 1 * DAY, NOW + DAY], [20.0, -50.0, 999.0], 1, NOW
    )
    assert result.monetary.tolist() == [0.0]
    assert result.frequency.tolist() == [1]
    assert result.recency_days.tolist() == [5.0]


def test_zero_value_order_is_a_sale():
    result = compute_rfm([0], [NOW - DAY], [0.0], 1, NOW)
    assert result.frequency.tolist() == [1]


@pytest.mark.parametrize(
    ("scores", "frequency", "expected"),
    [
        ((5, 5, 5), 9, "champions"),
        ((4, 4, 3), 6, "loyal"),
        ((3, 5, 1), 8, "loyal"),
        ((5, 1, 2), 1, "new"),
        ((5, 2, 2), 2, "promising"),
        ((3, 2, 5), 2, "needs_attention"),
        ((2, 3, 3), 4, "at_risk"),
        ((1, 5, 5), 12, "at_risk"),
        ((1, 2, 1), 2, "hibernating"),
        ((0, 0, 0), 0, "none"),
    ],
)
def test_rfm_class_rules(scores: tuple[int, int, int], frequency: int, expected: str):
    assert rfm_class(*scores, frequency) == expected


def test_vectorized_classes_match_the_scalar_rules_on_every_combination():
    combos = list(itertools.product(range(1, 6), range(1, 6), range(1, 6), (1, 2, 7)))
    r, f, m, freq = (np.array(column) for column in zip(*combos, strict=True))
    expected = [rfm_class(*combo) for combo in combos]
    assert rfm_classes(r, f, m, freq).tolist() == expected


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match=r"must lie in 0\.\.1"):
        compute_rfm([0, 2], [1.0, 2.0], [1.0, 1.0], 2, NOW)
    with pytest.raises(ValueError, match="equal length"):
        compute_rfm([0], [1.0, 2.0], [1.0], 1, NOW)
