from __future__ import annotations

import numpy as np
import pytest

from personalization.engine.cooccurrence import Neighbours, neighbours


def test_pairs_bought_together_rank_first_and_rare_chance_pairs_are_dropped():
    # baskets: 0 = (mug, saucer) x3, (mug, candle) x1, (saucer, spoon) x2; item 4 appears once
    groups = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]
    items = [0, 1, 0, 1, 0, 1, 0, 2, 1, 3, 1, 3, 0, 4]
    model = neighbours(groups, items, n_items=5, k=3, min_support=2, shrink=0.0)
    # mug(0): saucer 3 times together; candle and item 4 only once: below the support floor
    assert model.of(0, 3) == [(1, pytest.approx(3 / np.sqrt(5 * 5)))]
    # saucer(1): the spoon (always with a saucer: 2/sqrt(5*2) = 0.63) beats the mug (3/5 = 0.6)
    assert [i for i, _ in model.of(1, 3)] == [3, 0]
    assert model.of(4, 3) == []
    assert model.support[1][:2].tolist() == [2, 3]


def test_a_repeated_item_in_one_basket_counts_once():
    model = neighbours([0, 0, 0, 1, 1], [0, 0, 1, 0, 1], n_items=2, min_support=1, shrink=0.0)
    assert model.support[0][0] == 2
    assert model.of(0, 1)[0][1] == pytest.approx(1.0)


def test_round_trip_and_bad_input():
    model = neighbours([0, 0, 1, 1], [0, 1, 0, 1], n_items=2, min_support=1)
    restored = Neighbours.from_bytes(model.to_bytes())
    assert restored.of(0, 5) == model.of(0, 5)
    with pytest.raises(ValueError, match="must lie in"):
        neighbours([0], [7], n_items=2)
