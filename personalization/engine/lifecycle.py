"""Lifecycle stage of a visitor or customer: one stage each, plus an independent VIP flag.

Stages, first matching rule wins:

1. no order: `new_visitor` (0 or 1 session) or `returning_visitor` (>= 2 sessions);
2. `lapsed`: the last order is more than `lapsed_after_days` ago;
3. `vip`: see below;
4. `repeat_customer`: >= 2 orders;
5. `first_time_customer`: 1 order.

Lapsed beats VIP: the stage answers "what should we do now", and for a big spender who stopped
buying that is win-back, not early-access perks. The value is not lost: `is_vip` is computed for
every customer regardless of the stage, so "lapsed VIP" is `stage == "lapsed" and is_vip`.

VIP: at least `vip_min_orders` orders and monetary at or above the shop's VIP bar, which is either
the absolute `vip_min_monetary` when set, or the monetary of the customer at the top
`vip_top_share` among eligible customers (ties at the bar are all in, so the share can be slightly
above target).

Why 120 days: on the UCI sample (UK gift retailer, 12,601 repeat-purchase gaps between consecutive
orders of the same customer) the gap percentiles are p50 27, p75 57, p90 109, p95 154 days; only
8.4% of gaps exceed 120 days. A customer silent for longer than 9 in 10 of that shop's repeat
purchases is past their usual rhythm. The sample covers one year, so long gaps are under-counted
and a shorter value would be too eager; per-shop overrides exist for shops with other rhythms.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Literal

import numpy as np
import numpy.typing as npt

Stage = Literal[
    "new_visitor", "returning_visitor", "first_time_customer", "repeat_customer", "lapsed", "vip"
]
STAGES: tuple[Stage, ...] = (
    "new_visitor",
    "returning_visitor",
    "first_time_customer",
    "repeat_customer",
    "lapsed",
    "vip",
)
_CODE = {name: code for code, name in enumerate(STAGES)}
_INT_FIELDS = frozenset({"vip_min_orders", "repeat_min_orders", "returning_min_sessions"})


@dataclass(frozen=True)
class LifecycleThresholds:
    lapsed_after_days: float = 120.0
    vip_top_share: float = 0.10
    vip_min_monetary: float | None = None  # absolute bar in shop currency; replaces the share
    vip_min_orders: int = 2
    repeat_min_orders: int = 2
    returning_min_sessions: int = 2

    def __post_init__(self) -> None:
        if not self.lapsed_after_days > 0:
            raise ValueError("lapsed_after_days must be > 0")
        if not 0 < self.vip_top_share <= 1:
            raise ValueError("vip_top_share must be in (0, 1]")
        if self.vip_min_monetary is not None and not self.vip_min_monetary >= 0:
            raise ValueError("vip_min_monetary must be >= 0")
        if self.vip_min_orders < 1 or self.repeat_min_orders < 2:
            raise ValueError("vip_min_orders must be >= 1 and repeat_min_orders >= 2")
        if self.returning_min_sessions < 2:
            raise ValueError("returning_min_sessions must be >= 2")

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, object]) -> LifecycleThresholds:
        """Defaults with a shop's stored overrides (a JSON object) applied; unknown keys are errors."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(f"unknown lifecycle threshold(s): {', '.join(unknown)}")
        for name, value in overrides.items():
            if value is None and name == "vip_min_monetary":
                continue
            wanted: type | tuple[type, ...] = int if name in _INT_FIELDS else (int, float)
            if isinstance(value, bool) or not isinstance(value, wanted):
                kind = "a whole number" if name in _INT_FIELDS else "a number"
                raise ValueError(f"{name} must be {kind}, got {value!r}")
        return replace(cls(), **overrides)  # type: ignore[arg-type]


def vip_monetary_bar(
    monetary: npt.ArrayLike, orders: npt.ArrayLike, thresholds: LifecycleThresholds
) -> float:
    """The shop's VIP bar: the absolute amount if set, else the top-share cut; inf if nobody qualifies."""
    if thresholds.vip_min_monetary is not None:
        return float(thresholds.vip_min_monetary)
    money = np.asarray(monetary, dtype=np.float64)
    eligible = money[np.asarray(orders) >= thresholds.vip_min_orders]
    if eligible.size == 0:
        return math.inf
    top = max(1, math.ceil(thresholds.vip_top_share * eligible.size - 1e-9))
    return float(np.sort(eligible)[::-1][top - 1])


def is_vip(orders: int, monetary: float, vip_bar: float, thresholds: LifecycleThresholds) -> bool:
    return orders >= thresholds.vip_min_orders and monetary >= vip_bar


def lifecycle_stage(
    *,
    orders: int,
    sessions: int,
    days_since_last_order: float | None,
    monetary: float,
    vip_bar: float,
    thresholds: LifecycleThresholds,
) -> Stage:
    """The stage of one visitor or customer (live path: plain comparisons, about a microsecond)."""
    if orders <= 0:
        return (
            "returning_visitor" if sessions >= thresholds.returning_min_sessions else "new_visitor"
        )
    if days_since_last_order is not None and days_since_last_order > thresholds.lapsed_after_days:
        return "lapsed"
    if orders >= thresholds.vip_min_orders and monetary >= vip_bar:
        return "vip"
    if orders >= thresholds.repeat_min_orders:
        return "repeat_customer"
    return "first_time_customer"


@dataclass(frozen=True)
class LifecycleBatch:
    stage_code: np.ndarray  # int8 index into STAGES
    is_vip: np.ndarray  # bool, independent of the stage
    vip_bar: float

    def stage_names(self) -> list[str]:
        return [STAGES[code] for code in self.stage_code.tolist()]


def lifecycle_stages(
    *,
    orders: npt.ArrayLike,
    sessions: npt.ArrayLike,
    days_since_last_order: npt.ArrayLike,
    monetary: npt.ArrayLike,
    thresholds: LifecycleThresholds,
    vip_bar: float | None = None,
) -> LifecycleBatch:
    """Stages for many; the VIP bar is computed from this population unless given.

    `days_since_last_order` is NaN for those without orders (as `RfmResult.recency_days`).
    """
    order_count = np.asarray(orders, dtype=np.int64)
    session_count = np.asarray(sessions, dtype=np.int64)
    days = np.asarray(days_since_last_order, dtype=np.float64)
    money = np.asarray(monetary, dtype=np.float64)
    if not order_count.shape == session_count.shape == days.shape == money.shape:
        raise ValueError("orders, sessions, days_since_last_order and monetary must align")
    bar = vip_monetary_bar(money, order_count, thresholds) if vip_bar is None else vip_bar

    has_orders = order_count > 0
    vip_flag = has_orders & (order_count >= thresholds.vip_min_orders) & (money >= bar)
    # NaN compares False, so a customer without a known last-order time is never lapsed.
    is_lapsed = has_orders & (days > thresholds.lapsed_after_days)
    stage = np.select(
        [
            ~has_orders & (session_count >= thresholds.returning_min_sessions),
            ~has_orders,
            is_lapsed,
            vip_flag,
            order_count >= thresholds.repeat_min_orders,
        ],
        [
            _CODE["returning_visitor"],
            _CODE["new_visitor"],
            _CODE["lapsed"],
            _CODE["vip"],
            _CODE["repeat_customer"],
        ],
        default=_CODE["first_time_customer"],
    ).astype(np.int8)
    return LifecycleBatch(stage_code=stage, is_vip=vip_flag, vip_bar=bar)
