"""Time-decayed affinities (category, brand, price band...) and per-shop price bands.

An event of weight w that happened `age` days ago counts w * 0.5 ** (age / half_life). Scores are
normalized to **sum to 1** per customer: a score reads as "share of this customer's recent interest"
(0.4 = 40%), so a rule threshold means the same for a heavy and a light shopper, and a customer
focused on one category is distinguishable from one spread over many (with max = 1, both would
have a top score of 1). Negative weights (a return) lower a key's score but never below 0.

Incremental updates keep the raw decayed totals with the time they refer to (`AffinityState`),
so one new event costs O(keys) without the history: decaying every total by the elapsed time and
adding the event gives exactly what the batch computation over the full history would give.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TypedDict

import numpy as np
import numpy.typing as npt

from personalization.engine.orders import SECONDS_PER_DAY

DEFAULT_HALF_LIFE_DAYS = 30.0
PRICE_BAND_NAMES = ("low", "mid", "high")
# Raw totals this small are dropped from stored state: after ~20 half-lives they are noise.
_PRUNE_BELOW = 1e-6


class AffinityState(TypedDict):
    """JSON-able stored affinity: raw decayed totals as of `as_of` (epoch seconds)."""

    as_of: float
    raw: dict[str, float]


def decay(age_days: float, half_life_days: float) -> float:
    if half_life_days <= 0:
        raise ValueError("half_life_days must be > 0")
    return 0.5 ** (max(age_days, 0.0) / half_life_days)


def normalized(raw: Mapping[str, float]) -> dict[str, float]:
    """Scores summing to 1 (negative totals clipped to 0); empty if nothing is positive."""
    positive = {key: value for key, value in raw.items() if value > 0}
    total = math.fsum(positive.values())
    if total <= 0:
        return {}
    return {key: value / total for key, value in positive.items()}


def affinity_scores(
    events: Iterable[tuple[str, float, float]], *, half_life_days: float = DEFAULT_HALF_LIFE_DAYS
) -> dict[str, float]:
    """Batch: (key, weight, age_days) events to normalized scores."""
    raw: dict[str, float] = {}
    for key, weight, age_days in events:
        raw[key] = raw.get(key, 0.0) + weight * decay(age_days, half_life_days)
    return normalized(raw)


def top_k(scores: Mapping[str, float], k: int) -> list[tuple[str, float]]:
    """The k best keys, highest first; ties broken by key so the order is stable."""
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:k]


def empty_state(now: float) -> AffinityState:
    return {"as_of": now, "raw": {}}


def update_affinity(
    state: AffinityState,
    key: str,
    weight: float,
    at: float,
    *,
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
    max_keys: int = 200,
) -> AffinityState:
    """A new state with one event (at epoch seconds `at`) added; the input is not modified.

    A late event (older than the state) is decayed to the state's time instead, so events may
    arrive out of order. `max_keys` bounds the stored size by dropping the weakest keys.
    """
    elapsed_days = (at - state["as_of"]) / SECONDS_PER_DAY
    if elapsed_days >= 0:
        factor = decay(elapsed_days, half_life_days)
        raw = {k: v * factor for k, v in state["raw"].items() if abs(v * factor) >= _PRUNE_BELOW}
        raw[key] = raw.get(key, 0.0) + weight
        as_of = at
    else:
        raw = dict(state["raw"])
        raw[key] = raw.get(key, 0.0) + weight * decay(-elapsed_days, half_life_days)
        as_of = state["as_of"]
    if len(raw) > max_keys:
        raw = dict(sorted(raw.items(), key=lambda item: (-item[1], item[0]))[:max_keys])
    return {"as_of": as_of, "raw": raw}


def state_scores(state: AffinityState) -> dict[str, float]:
    """Normalized scores of a stored state. Decay multiplies every total by the same factor, so
    shares do not depend on when they are read: no `now` needed."""
    return normalized(state["raw"])


def affinity_matrix(
    customer_index: npt.ArrayLike,
    key_index: npt.ArrayLike,
    weight: npt.ArrayLike,
    age_days: npt.ArrayLike,
    n_customers: int,
    n_keys: int,
    *,
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
) -> np.ndarray:
    """Batch over many customers and a small key set (categories, brands, bands): a dense
    (n_customers, n_keys) matrix whose rows sum to 1, or are all 0 without positive interest."""
    if half_life_days <= 0:
        raise ValueError("half_life_days must be > 0")
    customers = np.asarray(customer_index, dtype=np.int64)
    keys = np.asarray(key_index, dtype=np.int64)
    ages = np.maximum(np.asarray(age_days, dtype=np.float64), 0.0)
    weights = np.asarray(weight, dtype=np.float64) * np.exp2(-ages / half_life_days)
    if not customers.shape == keys.shape == weights.shape:
        raise ValueError("customer_index, key_index, weight and age_days must align")
    if customers.size and (customers.min() < 0 or customers.max() >= n_customers):
        raise ValueError(f"customer_index must lie in 0..{n_customers - 1}")
    if keys.size and (keys.min() < 0 or keys.max() >= n_keys):
        raise ValueError(f"key_index must lie in 0..{n_keys - 1}")
    flat = np.bincount(customers * n_keys + keys, weights=weights, minlength=n_customers * n_keys)
    raw = np.maximum(flat.reshape(n_customers, n_keys), 0.0)
    totals = raw.sum(axis=1, keepdims=True)
    return np.divide(raw, totals, out=np.zeros_like(raw), where=totals > 0)


def price_band_edges(prices: npt.ArrayLike, n: int = 3) -> np.ndarray:
    """The n-1 inner edges that split a shop's catalog prices into n equally populated bands.

    Computed over catalog prices (one per product, not weighted by sales) so "low" means "the
    cheapest third of what this shop sells", whatever its currency or price level.
    """
    if n < 2:
        raise ValueError("n must be >= 2")
    values = np.asarray(prices, dtype=np.float64)
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        raise ValueError("no positive prices to compute bands from")
    return np.quantile(values, np.arange(1, n) / n)


def _band_names(n_bands: int) -> tuple[str, ...]:
    if n_bands == len(PRICE_BAND_NAMES):
        return PRICE_BAND_NAMES
    return tuple(f"band_{i}" for i in range(n_bands))


def price_band(price: float, edges: np.ndarray) -> str:
    """'low' | 'mid' | 'high' for three bands ('band_<i>' otherwise); a price on an edge goes up."""
    return _band_names(len(edges) + 1)[int(np.searchsorted(edges, price, side="right"))]


def price_band_indices(prices: npt.ArrayLike, edges: np.ndarray) -> np.ndarray:
    """Vectorized band index (0 = lowest) for many prices."""
    return np.searchsorted(edges, np.asarray(prices, dtype=np.float64), side="right")


def stated_first(
    inferred: Mapping[str, float], stated: Iterable[str], *, lead: float = 3.0
) -> dict[str, float]:
    """Shares (sum 1) in which every stated key outranks every inferred one: what a shopper
    says they like is surer than a guess from their clicks. A stated key counts `lead` + its
    inferred share before normalizing, and an inferred share is at most 1, so a stated key weighs
    at least `lead` times any inferred one: enough that popularity blended into a ranking
    (decisions weigh taste 0.65 against popularity 0.35) cannot lift an inferred pick above a
    stated one. Behaviour still orders the stated keys among themselves; with nothing stated the
    inferred shares come back unchanged."""
    stated_keys = list(dict.fromkeys(stated))
    if not stated_keys:
        return dict(inferred)
    raw = {key: max(share, 0.0) for key, share in inferred.items()}
    for key in stated_keys:
        raw[key] = lead + raw.get(key, 0.0)
    return normalized(raw)
