"""The sequential test, checked by simulation: peeking does not inflate false positives."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from personalization.engine.experiment_stats import (
    ArmSummary,
    fixed_sample_size,
    sequential_bounds,
    sequential_compare,
    spent_alpha,
    srm_pvalue,
)

LOOKS = 14  # a daily look for two weeks
ALPHA = 0.05


def _simulate(rng, *, sims, per_arm, p_control, p_treatment, revenue=False):
    """Cumulative per-arm summaries at each daily look for `sims` experiments, vectorized."""
    cut = np.linspace(per_arm / LOOKS, per_arm, LOOKS).astype(int) - 1
    arms = []
    for p in (p_control, p_treatment):
        converted = rng.random((sims, per_arm)) < p
        values = (
            np.where(converted, rng.lognormal(3.5, 1.0, (sims, per_arm)), 0.0)
            if revenue
            else converted.astype(float)
        )
        arms.append((np.cumsum(values, axis=1)[:, cut], np.cumsum(values**2, axis=1)[:, cut]))
    n = cut + 1
    return n, arms


def _run(n, arms, planned):
    (c_sum, c_sq), (t_sum, t_sq) = arms
    results = []
    for s in range(c_sum.shape[0]):
        looks = [
            (
                ArmSummary(int(n[k]), c_sum[s, k], c_sq[s, k]),
                ArmSummary(int(n[k]), t_sum[s, k], t_sq[s, k]),
            )
            for k in range(LOOKS)
        ]
        results.append(sequential_compare(looks, planned_per_arm=planned, alpha=ALPHA))
    return results


def test_the_boundaries_spend_exactly_alpha_over_any_looks():
    # given irregular looks, when Brownian paths are simulated, then P(any crossing) = alpha
    rng = np.random.default_rng(7)
    fractions = np.array([0.03, 0.1, 0.11, 0.3, 0.55, 0.56, 0.8, 0.9, 1.0])
    bounds = sequential_bounds(fractions, ALPHA)
    steps = rng.normal(size=(200_000, fractions.size)) * np.sqrt(np.diff(fractions, prepend=0))
    z = np.cumsum(steps, axis=1) / np.sqrt(fractions)
    rate = np.mean((np.abs(z) >= bounds).any(axis=1))
    assert abs(rate - ALPHA) < 0.003
    # early looks are strict (O'Brien-Fleming type), the last is close to the fixed-horizon 1.96
    assert bounds[0] > 5
    assert 1.96 < bounds[-1] < 2.2
    assert spent_alpha(1.0, ALPHA) == pytest.approx(ALPHA)


def test_looks_beyond_the_plan_cannot_reject_again():
    bounds = sequential_bounds([0.5, 1.0, 1.4, 2.0], ALPHA)
    assert math.isfinite(bounds[1])
    assert bounds[2] == math.inf
    assert bounds[3] == math.inf


def test_one_thousand_aa_experiments_with_daily_peeking_keep_the_false_positive_rate():
    # given 1,000 A/A experiments (5 % conversion in both arms), each peeked at 14 times
    started = time.perf_counter()
    rng = np.random.default_rng(2024)
    per_arm = 5000
    n, arms = _simulate(rng, sims=1000, per_arm=per_arm, p_control=0.05, p_treatment=0.05)
    # when every look is tested with the sequential boundaries
    results = _run(n, arms, planned=per_arm)
    rate = np.mean([r.is_significant for r in results])
    # and, for contrast, with the naive fixed-horizon 1.96 at every look
    (c_sum, c_sq), (t_sum, t_sq) = arms
    naive = 0
    for s in range(1000):
        zs = []
        for k in range(LOOKS):
            c = ArmSummary(int(n[k]), c_sum[s, k], c_sq[s, k])
            t = ArmSummary(int(n[k]), t_sum[s, k], t_sq[s, k])
            se = math.sqrt(c.variance / c.n + t.variance / t.n)
            zs.append(abs(t.mean - c.mean) / se if se > 0 else 0.0)
        naive += max(zs) >= 1.96
    elapsed = time.perf_counter() - started
    print(
        f"\nA/A false-positive rate with 14 peeks: sequential {rate:.3f}, naive {naive / 1000:.3f} ({elapsed:.1f} s)"
    )
    # then the sequential rate is within 5 % +- 1.5 %, while naive peeking is far above it
    assert 0.035 <= rate <= 0.065
    assert naive / 1000 > 0.12
    # and every repeated interval covers the true difference (0) unless the test rejected
    assert all((r.low <= 0 <= r.high) or r.is_significant for r in results)


def test_aa_revenue_per_visitor_keeps_the_false_positive_rate():
    # revenue per visitor is heavy tailed (lognormal order values, 5 % converting)
    rng = np.random.default_rng(99)
    n, arms = _simulate(
        rng, sims=1000, per_arm=4000, p_control=0.05, p_treatment=0.05, revenue=True
    )
    rate = np.mean([r.is_significant for r in _run(n, arms, planned=4000)])
    print(f"\nA/A revenue-per-visitor false-positive rate: {rate:.3f}")
    assert 0.035 <= rate <= 0.065


def test_power_for_a_known_effect_is_reported():
    # given a 5 % -> 6 % conversion lift and the plan sized for 80 % power (+3 % for sequential)
    rng = np.random.default_rng(11)
    sd = math.sqrt(0.05 * 0.95)
    planned = math.ceil(
        1.03
        * fixed_sample_size(
            baseline_mean=0.05, baseline_sd=sd, relative_effect=0.2, alpha=ALPHA, power=0.8
        )
    )
    n, arms = _simulate(rng, sims=500, per_arm=planned, p_control=0.05, p_treatment=0.06)
    results = _run(n, arms, planned=planned)
    power = np.mean([r.is_significant and r.estimate > 0 for r in results])
    early = np.mean(
        [r.crossed_at_look is not None and r.crossed_at_look < LOOKS - 1 for r in results]
    )
    print(
        f"\npower for 5 % -> 6 % with {planned} visitors per arm: {power:.3f} (stopped early: {early:.3f})"
    )
    assert power >= 0.72
    assert early > 0.2


def test_sample_ratio_mismatch():
    assert srm_pvalue([5000, 5080], [1, 1]) > 0.01
    assert srm_pvalue([5000, 5400], [1, 1]) < 0.001
    assert srm_pvalue([1000, 2000, 7000], [1, 2, 7]) == pytest.approx(1.0)
    assert srm_pvalue([3, 9], [1, 1]) == 1.0  # too few to tell
