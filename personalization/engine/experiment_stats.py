"""Experiment statistics that stay valid when people peek. NumPy/SciPy only, no Django.

The method is a group-sequential test with Lan-DeMets alpha spending (O'Brien-Fleming type):
each look k at information fraction t_k (visitors so far / planned visitors per arm) may spend
alpha(t_k) - alpha(t_{k-1}) of the false-positive budget, and the boundary c_k on |z| is found by
numerical integration of the joint law of the z statistics (independent increments), so the chance
that ANY look crosses under the null is alpha, however many looks there are and wherever they fall,
as long as the look times do not depend on the data (the app looks at each completed day).
Unlike a mixture SPRT, which is valid under continuous monitoring but spends much less than alpha
over a finite run (about 1-4 % in our simulations), the false-positive rate is alpha at the planned
size, so power is not given away. When the visitors exceed the plan, the look that crosses t = 1
spends the rest and later looks cannot reject.

- `spent_alpha(t, alpha)`, `sequential_bounds(fractions, alpha) -> z boundaries per look`
- `difference(...)`: Welch difference in means (proportions are means of 0/1) with its SE
- `sequential_compare(looks, planned, alpha)`: decision at the latest look and the repeated
  confidence interval (valid simultaneously over all looks)
- `srm_pvalue(counts, weights)`: chi-square test of the sample ratio
- `fixed_sample_size(...)`: visitors per arm for a given effect and power
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

GRID_POINTS = 201  # odd, for Simpson weights
SRM_THRESHOLD = 0.001  # p below this: the split is broken, results are not to be trusted


def spent_alpha(t: float | np.ndarray, alpha: float) -> np.ndarray:
    """O'Brien-Fleming-type spending: little alpha early, most near the planned end."""
    t_arr = np.clip(np.asarray(t, dtype=float), 1e-12, 1.0)
    z = stats.norm.isf(alpha / 2)
    return np.asarray(2 * stats.norm.sf(z / np.sqrt(t_arr)))


def _crossing(b: float, grid: np.ndarray, density: np.ndarray, sd: float) -> float:
    """P(|S_next| >= b, no earlier crossing), from the continuation density on the grid."""
    upper = stats.norm.sf((b - grid) / sd)
    lower = stats.norm.cdf((-b - grid) / sd)
    return float(np.dot(density, upper + lower))


def _excess(b: float, grid: np.ndarray, density: np.ndarray, sd: float, target: float) -> float:
    return _crossing(b, grid, density, sd) - target


def _simpson_weights(n: int, width: float) -> np.ndarray:
    weights = np.ones(n)
    weights[1:-1:2] = 4
    weights[2:-1:2] = 2
    return weights * width / (3 * (n - 1))


def sequential_bounds(fractions: Sequence[float], alpha: float) -> np.ndarray:
    """Two-sided |z| boundaries for looks at these information fractions (increasing; values
    above 1 count as 1). A look that spends nothing has boundary inf."""
    rounded = tuple(round(min(float(f), 1.0), 6) for f in fractions)
    return np.array(_bounds(rounded, float(alpha)))


@functools.lru_cache(maxsize=1024)
def _bounds(fractions: tuple[float, ...], alpha: float) -> tuple[float, ...]:
    # Cached: an experiment's daily looks are the same every time its results page is opened.
    fractions_arr = np.asarray(fractions, dtype=float)
    if fractions_arr.size == 0:
        return ()
    if np.any(fractions_arr <= 0) or np.any(np.diff(fractions_arr) < 0):
        raise ValueError("fractions: must be positive and non-decreasing")
    spend = np.diff(np.concatenate([[0.0], spent_alpha(fractions_arr, alpha)]))
    bounds = np.full(fractions_arr.size, np.inf)
    # Work on the score scale S_k = Z_k * sqrt(t_k): a Brownian motion in t.
    t_prev = fractions_arr[0]
    bounds[0] = stats.norm.isf(spend[0] / 2) if spend[0] > 0 else np.inf
    half = bounds[0] * math.sqrt(t_prev) if np.isfinite(bounds[0]) else 8 * math.sqrt(t_prev)
    grid = np.linspace(-half, half, GRID_POINTS)
    density = stats.norm.pdf(grid, scale=math.sqrt(t_prev)) * _simpson_weights(
        GRID_POINTS, 2 * half
    )
    for k in range(1, fractions_arr.size):
        step = fractions_arr[k] - t_prev
        if step <= 1e-12:
            continue  # no new information: same boundary would be tested again, spend nothing
        sd = math.sqrt(step)
        scale = math.sqrt(fractions_arr[k])
        if spend[k] > 1e-15:
            # the crossing probability falls as b grows; far enough out it is below spend[k]
            target = float(spend[k])
            if _crossing(1e-9, grid, density, sd) <= target:
                b_score = 1e-9
            else:
                b_score = optimize.brentq(
                    _excess, 1e-9, 10.0 * scale + 10.0 * sd, args=(grid, density, sd, target)
                )
            bounds[k] = b_score / scale
            half = b_score
        else:
            half = 8 * scale
        new_grid = np.linspace(-half, half, GRID_POINTS)
        kernel = stats.norm.pdf((new_grid[:, None] - grid[None, :]) / sd) / sd
        density = (kernel @ density) * _simpson_weights(GRID_POINTS, 2 * half)
        grid = new_grid
        t_prev = fractions_arr[k]
    return tuple(float(b) for b in bounds)


@dataclass(frozen=True)
class ArmSummary:
    """Sufficient statistics of one arm's per-visitor metric: count, sum and sum of squares."""

    n: int
    total: float
    total_sq: float

    @classmethod
    def of(cls, values: np.ndarray) -> ArmSummary:
        values = np.asarray(values, dtype=float)
        return cls(int(values.size), float(values.sum()), float(np.square(values).sum()))

    @property
    def mean(self) -> float:
        return self.total / self.n if self.n else 0.0

    @property
    def variance(self) -> float:
        if self.n < 2:
            return 0.0
        return max(0.0, (self.total_sq - self.n * self.mean**2) / (self.n - 1))


def difference(control: ArmSummary, treatment: ArmSummary) -> tuple[float, float]:
    """Treatment mean minus control mean and its (Welch) standard error."""
    if control.n < 2 or treatment.n < 2:
        return treatment.mean - control.mean, math.inf
    se = math.sqrt(control.variance / control.n + treatment.variance / treatment.n)
    return treatment.mean - control.mean, se


@dataclass(frozen=True)
class SequentialResult:
    estimate: float  # treatment minus control, at the latest look
    low: float  # repeated confidence interval: valid at every look at once
    high: float
    z: float
    boundary: float  # |z| needed at the latest look (inf: this look cannot reject)
    information: float  # fraction of the planned visitors per arm
    is_significant: bool  # some look (the latest, or an earlier one) crossed its boundary
    crossed_at_look: int | None


def sequential_compare(
    looks: Sequence[tuple[ArmSummary, ArmSummary]], *, planned_per_arm: int, alpha: float
) -> SequentialResult:
    """Control vs treatment at each look (cumulative summaries, oldest first).

    The information fraction is min(n_control, n_treatment) / planned_per_arm; looks before both
    arms have 2 visitors, or with no new visitors, are skipped.
    """
    usable: list[tuple[float, float, float]] = []  # (fraction, estimate, se)
    last_fraction = 0.0
    for control, treatment in looks:
        fraction = min(control.n, treatment.n) / planned_per_arm
        estimate, se = difference(control, treatment)
        if fraction <= last_fraction or not math.isfinite(se) or se <= 0:
            continue
        usable.append((fraction, estimate, se))
        last_fraction = fraction
    if not usable:
        return SequentialResult(0.0, -math.inf, math.inf, 0.0, math.inf, 0.0, False, None)
    fractions = [u[0] for u in usable]
    bounds = sequential_bounds(fractions, alpha)
    z_values = np.array([u[1] / u[2] for u in usable])
    crossed = np.flatnonzero(np.abs(z_values) >= bounds)
    estimate, se = usable[-1][1], usable[-1][2]
    finite = bounds[np.isfinite(bounds)]
    # After the plan is used up the last spending look's boundary still gives a valid interval.
    width_z = (
        float(bounds[-1])
        if math.isfinite(bounds[-1])
        else float(finite[-1])
        if finite.size
        else math.inf
    )
    return SequentialResult(
        estimate=estimate,
        low=estimate - width_z * se,
        high=estimate + width_z * se,
        z=float(z_values[-1]),
        boundary=float(bounds[-1]),
        information=min(1.0, fractions[-1]),
        is_significant=bool(crossed.size),
        crossed_at_look=int(crossed[0]) if crossed.size else None,
    )


def srm_pvalue(counts: Sequence[int], weights: Sequence[float]) -> float:
    """Chi-square goodness of fit of arm sizes to their configured weights (1.0 when too few)."""
    observed = np.asarray(counts, dtype=float)
    shares = np.asarray(weights, dtype=float)
    total = observed.sum()
    if total < 20 or observed.size < 2:
        return 1.0
    expected = shares / shares.sum() * total
    return float(stats.chisquare(observed, expected).pvalue)


def fixed_sample_size(
    *, baseline_mean: float, baseline_sd: float, relative_effect: float, alpha: float, power: float
) -> int:
    """Visitors per arm a fixed-horizon two-sided z-test needs; the sequential plan adds about 3 %
    (the O'Brien-Fleming inflation for many looks)."""
    effect = abs(baseline_mean * relative_effect)
    if effect <= 0:
        raise ValueError("relative_effect: must not be zero")
    z_total = stats.norm.isf(alpha / 2) + stats.norm.ppf(power)
    return math.ceil(2 * (baseline_sd * z_total / effect) ** 2)


def mean_interval(
    treatment: ArmSummary, control: ArmSummary, *, scale: float, confidence: float = 0.95
) -> tuple[float, float, float]:
    """(estimate, low, high) of scale * (treatment mean - control mean), a fixed-horizon Welch
    interval: used for the dashboard's incremental revenue against the holdout."""
    estimate, se = difference(control, treatment)
    if not math.isfinite(se):
        return scale * estimate, -math.inf, math.inf
    z = stats.norm.isf((1 - confidence) / 2)
    return scale * estimate, scale * (estimate - z * se), scale * (estimate + z * se)


OUTCOME_KINDS = ("click", "add_to_cart", "purchase")


@dataclass(frozen=True)
class VisitorOutcomes:
    """Per exposed visitor, what happened within the attribution window (and before the cutoff)."""

    clicked: np.ndarray  # 0/1
    added: np.ndarray  # 0/1
    converted: np.ndarray  # 0/1
    revenue: np.ndarray
    orders: np.ndarray


def attribute(
    first_exposed: np.ndarray,
    outcome_visitor: np.ndarray,
    outcome_ts: np.ndarray,
    outcome_kind: np.ndarray,
    outcome_value: np.ndarray,
    *,
    window_seconds: float,
    cutoff: float,
) -> VisitorOutcomes:
    """Credit each outcome (index into OUTCOME_KINDS, timestamp in seconds, value) to its visitor
    (index into first_exposed) when it happened from the first exposure to the end of the window,
    and no later than the cutoff (a look's end). Visitors exposed after the cutoff get nothing;
    callers leave them out."""
    n = first_exposed.size
    start = first_exposed[outcome_visitor] if outcome_visitor.size else np.array([])
    inside = (outcome_ts >= start) & (outcome_ts <= start + window_seconds) & (outcome_ts <= cutoff)

    def count(kind: int, weights: np.ndarray | None = None) -> np.ndarray:
        mask = inside & (outcome_kind == kind)
        return np.bincount(
            outcome_visitor[mask],
            weights=None if weights is None else weights[mask],
            minlength=n,
        ).astype(float)

    clicks = count(0)
    adds = count(1)
    orders = count(2)
    revenue = count(2, outcome_value)
    return VisitorOutcomes(
        clicked=(clicks > 0).astype(float),
        added=(adds > 0).astype(float),
        converted=(orders > 0).astype(float),
        revenue=revenue,
        orders=orders,
    )


def metric_values(outcomes: VisitorOutcomes, metric: str) -> np.ndarray:
    """The per-visitor value a metric averages: ctr, add_to_cart, conversion, revenue_per_visitor."""
    return {
        "ctr": outcomes.clicked,
        "add_to_cart": outcomes.added,
        "conversion": outcomes.converted,
        "revenue_per_visitor": outcomes.revenue,
    }[metric]
