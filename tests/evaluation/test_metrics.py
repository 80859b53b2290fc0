from __future__ import annotations

import numpy as np
import pytest

from personalization.evaluation.metrics import (
    BasketAccumulator,
    RankAccumulator,
    basket_ranks,
    target_ranks,
)


def test_ties_count_against_the_target():
    # given a target tied with two other items on score
    scores = np.array([[0.5, 0.9, 0.5, 0.5, 0.1]])
    # without a tie-break everything tied ranks above it: 0.9, then the two others
    assert target_ranks(scores, np.array([2]), None).tolist() == [3]
    # all-equal scores: the target is last
    assert target_ranks(np.zeros((1, 4)), np.array([0]), None).tolist() == [3]


def test_popularity_settles_ties_before_pessimism():
    scores = np.array([[0.5, 0.9, 0.5, 0.5, 0.1]])
    popularity = np.array([3.0, 0.0, 2.0, 2.0, 9.0])
    # item 0 is more popular (ahead), item 3 equally popular (pessimistic: ahead)
    assert target_ranks(scores, np.array([2]), popularity).tolist() == [3]
    popularity = np.array([1.0, 0.0, 2.0, 1.0, 9.0])
    assert target_ranks(scores, np.array([2]), popularity).tolist() == [1]


def test_an_excluded_target_is_never_a_hit():
    scores = np.array([[-np.inf, 1.0, 0.0]])
    assert target_ranks(scores, np.array([0]), None).tolist() == [3]


def test_rank_accumulator_hr_ndcg_mrr():
    acc = RankAccumulator(ks=(1, 5))
    acc.add(np.array([0, 2, 7]))
    result = acc.result(with_mrr=True)
    assert result["hr@1"] == pytest.approx(1 / 3)
    assert result["hr@5"] == pytest.approx(2 / 3)
    assert result["ndcg@5"] == pytest.approx((1 + 1 / np.log2(4)) / 3)
    assert result["mrr@5"] == pytest.approx((1 + 1 / 3) / 3)
    assert acc.curve()[:3] == pytest.approx([1 / 3, 1 / 3, 2 / 3])


def test_basket_ranks_are_pessimistic_against_non_targets_only():
    # items 0..4; targets {1, 3}; item 1 ties with non-target 2 and target 3
    scores = np.array([[0.9, 0.5, 0.5, 0.5, 0.1]])
    ranks = basket_ranks(scores, [np.array([1, 3])], None)[0]
    # non-targets ahead of either target: 0 (higher) and 2 (tied) -> 2; then one target first
    assert sorted(ranks.tolist()) == [2, 3]


def test_basket_accumulator_recall_ndcg_hit_coverage_and_repeats():
    acc = BasketAccumulator(n_items=10, ks=(2,))
    # basket {4, 5, 6}: 4 at rank 0, 5 at rank 3, 6 never; 4 was bought before
    acc.add(
        np.array([0, 3, 10]),
        np.array([4, 5, 6]),
        np.array([4, 1]),
        np.array([True, False, False]),
    )
    acc.list_repeats(2, 0.5)
    result = acc.result()
    assert result["recall@2"] == pytest.approx(1 / 3)
    ideal = 1 + 1 / np.log2(3)
    assert result["ndcg@2"] == pytest.approx(1 / ideal)
    assert result["hr@2"] == 1.0
    assert result["coverage@2"] == pytest.approx(0.2)
    assert result["repeat_share@2"] == 0.5
    assert result["recall_repeat@2"] == 1.0
    assert result["recall_new@2"] == 0.0
    assert result["target_repeat_share"] == pytest.approx(1 / 3)


def test_paired_bootstrap_of_a_constant_difference_is_that_difference():
    from personalization.evaluation.runner import paired_bootstrap

    ours = np.array([1.0, 0.5, 0.25, 0.0])
    assert paired_bootstrap(ours, ours - 0.1) == pytest.approx((0.1, 0.1, 0.1))
    mean, low, high = paired_bootstrap(np.array([1.0, 0.0] * 50), np.zeros(100))
    assert mean == 0.5
    assert low < 0.5 < high


def test_basket_accumulator_adds_many_baskets_at_once_with_per_basket_values():
    acc = BasketAccumulator(n_items=10, ks=(2,))
    # basket A {1, 2}: ranks 0 and 5, item 1 bought before; basket B {3}: rank 1, new
    per_basket = acc.add_many(
        [np.array([0, 5]), np.array([1])], [np.array([True, False]), np.array([False])]
    )
    ideal_two = 1 + 1 / np.log2(3)
    assert per_basket["ndcg@2"] == pytest.approx([1 / ideal_two, (1 / np.log2(3)) / 1.0])
    assert per_basket["hr@2"].tolist() == [1.0, 1.0]
    result = acc.result()
    assert result["recall@2"] == pytest.approx((1 / 2 + 1) / 2)
    assert result["recall_repeat@2"] == 1.0  # only A has a repeat, found
    assert result["recall_new@2"] == pytest.approx((0 + 1) / 2)
    assert result["target_repeat_share"] == pytest.approx((1 / 2 + 0) / 2)
    # HR@k curve: both baskets have a hit at rank <= 1
    assert acc.curve()[:2] == [0.5, 1.0]
