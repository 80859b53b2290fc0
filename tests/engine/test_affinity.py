from __future__ import annotations

import math

import numpy as np
import pytest

from personalization.engine.affinity import (
    affinity_matrix,
    affinity_scores,
    decay,
    empty_state,
    price_band,
    price_band_edges,
    price_band_indices,
    state_scores,
    top_k,
    update_affinity,
)

DAY = 86400.0


def test_decay_halves_every_half_life():
    assert decay(0.0, 30.0) == 1.0
    assert decay(30.0, 30.0) == 0.5
    assert decay(90.0, 30.0) == 0.125
    assert decay(-5.0, 30.0) == 1.0  # a clock skew is not a boost
    with pytest.raises(ValueError, match="half_life_days"):
        decay(1.0, 0.0)


def test_batch_scores_are_shares_of_decayed_weight():
    # given a fresh view of a, and a 30-day-old purchase of b worth 2
    scores = affinity_scores(
        [("a", 1.0, 0.0), ("b", 2.0, 30.0), ("a", 1.0, 60.0)], half_life_days=30.0
    )
    # a: 1 + 0.25 = 1.25, b: 1.0 -> shares 5/9 and 4/9
    assert scores == pytest.approx({"a": 1.25 / 2.25, "b": 1.0 / 2.25})
    assert math.fsum(scores.values()) == pytest.approx(1.0)


def test_negative_weights_lower_but_never_below_zero():
    scores = affinity_scores([("a", 1.0, 0.0), ("b", 1.0, 0.0), ("b", -3.0, 0.0)])
    assert scores == {"a": 1.0}
    assert affinity_scores([]) == {}


def test_top_k_is_ordered_with_ties_by_key():
    assert top_k({"b": 0.3, "a": 0.3, "c": 0.4, "d": 0.0}, 3) == [
        ("c", 0.4),
        ("a", 0.3),
        ("b", 0.3),
    ]


def test_incremental_updates_equal_the_batch_over_the_full_history():
    # given events at day 0, 10, 25 and a late event stamped day 5 arriving last
    events = [
        ("candles", 1.0, 0.0),
        ("kitchen", 2.0, 10.0),
        ("candles", 1.0, 25.0),
        ("toys", 1.0, 5.0),
    ]
    state = empty_state(0.0)
    for key, weight, day in events:
        state = update_affinity(state, key, weight, day * DAY, half_life_days=14.0)
    # then the state refers to the latest time and matches the batch computed at day 25
    assert state["as_of"] == 25 * DAY
    batch = affinity_scores([(k, w, 25.0 - d) for k, w, d in events], half_life_days=14.0)
    assert state_scores(state) == pytest.approx(batch)
    assert state["raw"]["candles"] == pytest.approx(1.0 + 0.5 ** (25 / 14))


def test_update_does_not_modify_the_stored_state_and_bounds_its_size():
    state = update_affinity(empty_state(0.0), "a", 1.0, 0.0)
    after = update_affinity(state, "b", 1.0, DAY, max_keys=1)
    assert state["raw"] == {"a": 1.0}
    assert list(after["raw"]) == ["b"]  # a decayed below b and was dropped


def test_affinity_matrix_rows_sum_to_one_or_zero():
    matrix = affinity_matrix(
        customer_index=[0, 0, 1, 2],
        key_index=[0, 1, 1, 0],
        weight=[1.0, 1.0, 1.0, -1.0],
        age_days=[0.0, 30.0, 3.0, 0.0],
        n_customers=4,
        n_keys=2,
        half_life_days=30.0,
    )
    np.testing.assert_allclose(matrix, [[2 / 3, 1 / 3], [0.0, 1.0], [0.0, 0.0], [0.0, 0.0]])


def test_price_bands_split_the_catalog_in_thirds_and_edges_go_up():
    edges = price_band_edges([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 0.0, float("nan")])
    assert edges.tolist() == [3.0, 5.0]
    assert [price_band(p, edges) for p in (2.99, 3.0, 4.99, 5.0, 100.0)] == [
        "low",
        "mid",
        "mid",
        "high",
        "high",
    ]
    assert price_band_indices([0.5, 3.0, 6.0], edges).tolist() == [0, 1, 2]
    assert price_band(1.0, price_band_edges([1.0, 2.0, 3.0, 4.0], n=4)) == "band_0"
    with pytest.raises(ValueError, match="no positive prices"):
        price_band_edges([0.0])
