"""Vectorized RFM (recency, frequency, monetary) with quintile scores and a readable class.

Definitions (per customer, as of `now`; rows after `now` are ignored, so "RFM as of a past date"
is the same call):

- frequency: number of sale orders (returns are not purchases).
- recency_days: days since the last sale order; NaN without one.
- tenure_days: days since the first sale order; NaN without one.
- monetary: net value, sales minus returns, floored at 0 (a return of something bought before the
  data window must not make a customer "worth" less than nothing).
- R, F, M: 1..5 by quintiles among customers with at least one sale order, 0 for the rest. Higher is
  better: R = more recent. Ties always share a score: a value's score comes from its mid-rank
  percentile p = (#smaller + #equal / 2) / n as 1 + floor(5p), so the result does not depend on row
  order.

Classes (first matching rule wins; see `rfm_class`):

| class           | rule                        | meaning                                    |
|-----------------|-----------------------------|--------------------------------------------|
| none            | no sale order               | not a customer (yet)                       |
| champions       | R>=4, F>=4, M>=4            | recent, frequent, high spend               |
| loyal           | R>=3, F>=4                  | frequent and still active                  |
| new             | R>=4, exactly one order     | first order recently                       |
| promising       | R>=4                        | recent, few orders so far                  |
| needs_attention | R=3                         | middling recency, drifting                 |
| at_risk         | R<=2, F>=3                  | used to buy often, gone quiet              |
| hibernating     | R<=2, F<=2                  | few orders, long ago                       |
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from personalization.engine.orders import SECONDS_PER_DAY, order_columns

RFM_CLASSES = (
    "none",
    "champions",
    "loyal",
    "new",
    "promising",
    "needs_attention",
    "at_risk",
    "hibernating",
)


@dataclass(frozen=True)
class RfmResult:
    """One entry per customer index (0..n_customers-1)."""

    recency_days: np.ndarray  # float64, NaN without a sale order
    frequency: np.ndarray  # int64
    monetary: np.ndarray  # float64, net of returns, >= 0
    tenure_days: np.ndarray  # float64, NaN without a sale order
    r_score: np.ndarray  # int8, 1..5, 0 without a sale order
    f_score: np.ndarray
    m_score: np.ndarray
    rfm_class: np.ndarray  # str, one of RFM_CLASSES


def quintile_scores(values: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """1..5 by mid-rank quintile of `values` among `eligible`, 0 elsewhere; higher value, higher score."""
    scores = np.zeros(values.shape, dtype=np.int8)
    population = np.sort(values[eligible])
    if population.size:
        scores[eligible] = _scores_against(population, values[eligible])
    return scores


def quintile_score(sorted_population: np.ndarray, value: float) -> int:
    """Score one new value against a stored, sorted population (live re-scoring after an order)."""
    if sorted_population.size == 0:
        return 0
    return int(_scores_against(sorted_population, np.array([value], dtype=np.float64))[0])


def _scores_against(sorted_population: np.ndarray, values: np.ndarray) -> np.ndarray:
    n = sorted_population.size
    below = np.searchsorted(sorted_population, values, side="left")
    at_or_below = np.searchsorted(sorted_population, values, side="right")
    # 1 + floor(5 * (below + at_or_below) / (2n)) in integers, so no float rounding at the edges.
    return np.minimum(1 + (5 * (below + at_or_below)) // (2 * n), 5).astype(np.int8)


def rfm_class(r: int, f: int, m: int, frequency: int) -> str:
    """The readable class for one customer's scores (same rules as the vectorized path)."""
    if frequency <= 0:
        return "none"
    if r >= 4 and f >= 4 and m >= 4:
        return "champions"
    if r >= 3 and f >= 4:
        return "loyal"
    if r >= 4:
        return "new" if frequency == 1 else "promising"
    if r == 3:
        return "needs_attention"
    return "at_risk" if f >= 3 else "hibernating"


def compute_rfm(
    customer_index: npt.ArrayLike,
    order_time: npt.ArrayLike,
    order_value: npt.ArrayLike,
    n_customers: int,
    now: float,
    *,
    is_return: npt.ArrayLike | None = None,
) -> RfmResult:
    """RFM for every customer from order rows (one row per order; epoch seconds; money).

    A row is a return when `is_return` marks it or, by default, when its value is negative; a
    return's value counts against monetary whatever its sign.
    """
    index, times, values, returns = order_columns(
        customer_index, order_time, order_value, n_customers, is_return
    )
    known = times <= now
    index, times, values, returns = index[known], times[known], values[known], returns[known]
    sale = ~returns

    frequency = np.bincount(index[sale], minlength=n_customers).astype(np.int64)
    signed = np.where(returns, -np.abs(values), values)
    monetary = np.maximum(np.bincount(index, weights=signed, minlength=n_customers), 0.0)

    last_sale = np.full(n_customers, -np.inf)
    first_sale = np.full(n_customers, np.inf)
    np.maximum.at(last_sale, index[sale], times[sale])
    np.minimum.at(first_sale, index[sale], times[sale])
    has_orders = frequency > 0
    recency_days = np.where(has_orders, (now - last_sale) / SECONDS_PER_DAY, np.nan)
    tenure_days = np.where(has_orders, (now - first_sale) / SECONDS_PER_DAY, np.nan)

    r_score = quintile_scores(np.where(has_orders, last_sale, 0.0), has_orders)
    f_score = quintile_scores(frequency.astype(np.float64), has_orders)
    m_score = quintile_scores(monetary, has_orders)
    return RfmResult(
        recency_days=recency_days,
        frequency=frequency,
        monetary=monetary,
        tenure_days=tenure_days,
        r_score=r_score,
        f_score=f_score,
        m_score=m_score,
        rfm_class=rfm_classes(r_score, f_score, m_score, frequency),
    )


def rfm_classes(
    r_score: np.ndarray, f_score: np.ndarray, m_score: np.ndarray, frequency: np.ndarray
) -> np.ndarray:
    """Vectorized `rfm_class`; the rule order matches it exactly."""
    conditions = [
        frequency <= 0,
        (r_score >= 4) & (f_score >= 4) & (m_score >= 4),
        (r_score >= 3) & (f_score >= 4),
        (r_score >= 4) & (frequency == 1),
        r_score >= 4,
        r_score == 3,
        f_score >= 3,
    ]
    choices = ["none", "champions", "loyal", "new", "promising", "needs_attention", "at_risk"]
    return np.select(conditions, choices, default="hibernating")
