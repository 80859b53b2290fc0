from __future__ import annotations

import math

import numpy as np
import pytest

from personalization.engine.metrics import brier_score, calibration_table, mid_ranks, roc_auc


def test_mid_ranks_share_ties():
    assert mid_ranks([10.0, 20.0, 10.0, 30.0, 20.0]).tolist() == [1.5, 3.5, 1.5, 5.0, 3.5]


def test_auc_on_a_known_example():
    assert roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75


def test_auc_counts_ties_as_half():
    # pairs: (0.5 vs 0.5) = 0.5, (0.5 vs 0.2) = 1, (0.9 vs both) = 2 -> 3.5 / 4
    assert roc_auc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]) == 0.875
    assert roc_auc([1, 0, 1, 0], [1.0, 1.0, 1.0, 1.0]) == 0.5


def test_auc_needs_both_classes():
    with pytest.raises(ValueError, match="both positive and negative"):
        roc_auc([1, 1], [0.2, 0.3])


def test_brier_score():
    assert brier_score([0, 1], [0.2, 0.6]) == pytest.approx(0.1)


def test_calibration_table_bins_by_predicted_probability():
    table = calibration_table([0, 1, 1, 0, 1], [0.05, 0.15, 0.12, 0.95, 1.0], n_bins=10)
    assert [b.count for b in table] == [1, 2, 0, 0, 0, 0, 0, 0, 0, 2]
    assert table[1].mean_predicted == pytest.approx(0.135)
    assert table[1].observed_rate == 1.0
    assert table[9].observed_rate == 0.5
    assert math.isnan(table[2].mean_predicted)
    assert (table[0].lower, table[9].upper) == (0.0, 1.0)
    assert np.isclose(sum(b.count for b in table), 5)
