"""Deterministic bucketing: stable across calls and processes, uniform, weight-proportional."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from personalization.engine.bucketing import bucket, in_fraction, unit, validate_weights


def test_the_same_visitor_always_gets_the_same_arm():
    # given a salt and a set of visitors, when bucketed twice, then every arm is the same
    ids = [f"visitor-{i}" for i in range(2000)]
    first = [bucket("exp-1", v, [1, 1, 1]) for v in ids]
    assert first == [bucket("exp-1", v, [1, 1, 1]) for v in ids]


def test_the_arm_is_the_same_in_another_process():
    # given a fixed (salt, visitor), when another interpreter (another hash seed) buckets it,
    # then it agrees: nothing depends on Python's per-process hash randomization
    code = (
        "from personalization.engine.bucketing import bucket;"
        "print(bucket('exp-1', 'abc-123', [1, 2, 3]), bucket('holdout:7', 'zz-99', [5, 95]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "123", "PATH": ""},
    ).stdout.split()
    assert out == [
        str(bucket("exp-1", "abc-123", [1, 2, 3])),
        str(bucket("holdout:7", "zz-99", [5, 95])),
    ]


def test_units_are_uniform():
    # given 100,000 visitor ids, when mapped to [0, 1), then a KS test does not reject uniformity
    units = np.array([unit("salt", f"v{i}") for i in range(100_000)])
    assert units.min() >= 0.0
    assert units.max() < 1.0
    assert stats.kstest(units, "uniform").pvalue > 0.001


def test_arms_receive_their_weights_share():
    # given weights 1:2:7 and 50,000 visitors, when bucketed, then counts match the shares (chi-square)
    counts = np.bincount([bucket("s", f"v{i}", [1, 2, 7]) for i in range(50_000)], minlength=3)
    expected = np.array([0.1, 0.2, 0.7]) * 50_000
    assert stats.chisquare(counts, expected).pvalue > 0.001
    assert abs(counts[0] / 50_000 - 0.1) < 0.01


def test_different_salts_are_independent():
    # given two salts, when the same visitors are split 50/50 by each, then the 2x2 table shows no
    # association (the holdout does not overlap any experiment's arm more than chance)
    a = np.array([bucket("holdout:1", f"v{i}", [1, 1]) for i in range(40_000)])
    b = np.array([bucket("exp-abc", f"v{i}", [1, 1]) for i in range(40_000)])
    table = np.array([[np.sum((a == i) & (b == j)) for j in (0, 1)] for i in (0, 1)])
    assert stats.chi2_contingency(table).pvalue > 0.001


def test_a_larger_holdout_keeps_everyone_already_in_it():
    ids = [f"v{i}" for i in range(5000)]
    small = {v for v in ids if in_fraction("holdout:1", v, 0.05)}
    large = {v for v in ids if in_fraction("holdout:1", v, 0.10)}
    assert small < large
    assert 150 < len(small) < 350


@pytest.mark.parametrize("weights", [[], [1, 0], [1, -2], [float("nan"), 1]])
def test_bad_weights_are_refused(weights):
    with pytest.raises(ValueError, match="weights"):
        validate_weights(weights)
