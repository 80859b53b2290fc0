"""Deterministic bucketing of visitors into experiment arms. Pure Python, no Django.

A visitor's bucket is a function of (salt, visitor id) alone: the same visitor gets the same arm on
every page, in every process, with nothing stored, and the analysis can recompute any visitor's arm
from the id in their events. Each experiment (and the holdout) has its own salt, so assignments in
one are independent of assignments in another.

- `unit(salt, visitor_id) -> float` in [0, 1): the first 64 bits of SHA-256, uniform.
- `bucket(salt, visitor_id, weights) -> int`: the arm whose share of [0, 1) holds `unit`.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

_SCALE = float(2**64)


def unit(salt: str, visitor_id: str) -> float:
    """A uniform number in [0, 1) fixed by (salt, visitor_id)."""
    # The separator keeps ("ab", "c") and ("a", "bc") apart.
    digest = hashlib.sha256(f"{salt}\x1f{visitor_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def validate_weights(weights: Sequence[float]) -> list[float]:
    """Positive, finite weights; raises ValueError naming the problem."""
    if not weights:
        raise ValueError("weights: at least one arm is needed")
    cleaned = [float(w) for w in weights]
    for index, weight in enumerate(cleaned):
        if not math.isfinite(weight) or weight <= 0:
            raise ValueError(f"weights[{index}]: must be a positive number, got {weight}")
    return cleaned


def bucket(salt: str, visitor_id: str, weights: Sequence[float]) -> int:
    """The index of the visitor's arm; arm i receives weights[i] / sum(weights) of visitors."""
    cleaned = validate_weights(weights)
    point = unit(salt, visitor_id) * sum(cleaned)
    running = 0.0
    for index, weight in enumerate(cleaned):
        running += weight
        if point < running:
            return index
    return len(cleaned) - 1  # float rounding at the very top of the range


def in_fraction(salt: str, visitor_id: str, fraction: float) -> bool:
    """Whether the visitor falls in the first `fraction` of the unit interval (a holdout)."""
    return unit(salt, visitor_id) < fraction
