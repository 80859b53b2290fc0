"""Personal "buy again": what this customer buys repeatedly, when it is due.

For every (customer, item) the model keeps the number of purchase occasions (lines of one basket,
or of the same few hours, are one occasion), a time-decayed count, the last purchase time and a
learned repurchase interval: the customer's own mean gap between occasions, shrunk towards the
item's median gap over all customers (and that towards the shop's median) with `prior_strength`
pseudo-gaps, so one lucky pair of orders does not define a habit.

At query time t (the request time; the newest training event when not given) an item scores
    decayed_count(t) x (1 + item popularity) ** popularity_power
                     x repeat_rate ** repeat_rate_power x trend ** trend_power
                     x (1 + timing_weight x due(t)),
    due = exp(-ln(r)^2 / (2 sigma^2)),   r = (t - last purchase) / interval,
a bump that peaks when the interval has elapsed and fades on both sides: too soon to need it
again, or so long ago the habit is over. `repeat_rate` is the share of an item's buyers who
bought it on two or more occasions (shrunk towards the shop's share): a candle is rebought, a
wedding card is not. `trend` is an item's share of recent sales (half-life
`trend_half_life_days`) over its share of the year's: in a seasonal shop, the customer's own
Christmas lines come back in November. Items the customer never bought score 0. The
popularity factor matters more than it looks: most (customer, item) counts are 1 or 2, and on
the UCI data breaking those ties by what the whole shop buys beats breaking them by timing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from personalization.engine.orders import SECONDS_PER_DAY
from personalization.engine.recs.base import Query, Recommender
from personalization.engine.recs.interactions import Catalog, Interactions


def purchase_occasions(
    user: np.ndarray,
    item: np.ndarray,
    time: np.ndarray,
    same_occasion_seconds: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(user, item, time) of distinct occasions, sorted by user, item, time."""
    order = np.lexsort((time, item, user))
    user, item, time = user[order], item[order], time[order]
    if not user.size:
        return user, item, time
    new_pair = np.r_[True, (user[1:] != user[:-1]) | (item[1:] != item[:-1])]
    # an occasion starts with a new pair or after a pause longer than the occasion window
    starts = new_pair | np.r_[True, np.diff(time) > same_occasion_seconds]
    return user[starts], item[starts], time[starts]


class BuyAgain(Recommender):
    name = "buy_again"

    def __init__(
        self,
        *,
        half_life_days: float | None = 180.0,
        prior_strength: float = 2.0,
        sigma: float = 1.0,
        timing_weight: float = 0.5,
        popularity_power: float = 0.3,
        repeat_rate_power: float = 0.5,
        trend_power: float = 0.5,
        trend_half_life_days: float = 14.0,
        same_occasion_hours: float = 12.0,
        min_interval_days: float = 1.0,
    ) -> None:
        super().__init__(
            half_life_days=half_life_days,
            prior_strength=prior_strength,
            sigma=sigma,
            timing_weight=timing_weight,
            popularity_power=popularity_power,
            repeat_rate_power=repeat_rate_power,
            trend_power=trend_power,
            trend_half_life_days=trend_half_life_days,
            same_occasion_hours=same_occasion_hours,
            min_interval_days=min_interval_days,
        )
        self.item_interval: np.ndarray = np.zeros(0)  # days
        self.repeat_rate: np.ndarray = np.zeros(0)
        self.trend: np.ndarray = np.zeros(0)
        self.default_interval = 30.0
        self.trained_until = 0.0
        # per (user, item), CSR layout over users: item, occasions, decayed count at
        # trained_until, last purchase time, sum of gaps (days)
        self.indptr: np.ndarray = np.zeros(1, np.int64)
        self.items: np.ndarray = np.zeros(0, np.int64)
        self.occasions: np.ndarray = np.zeros(0)
        self.decayed: np.ndarray = np.zeros(0)
        self.last: np.ndarray = np.zeros(0)
        self.gap_sum: np.ndarray = np.zeros(0)

    # -- training ------------------------------------------------------------------------------

    def _fit(self, interactions: Interactions, catalog: Catalog | None) -> None:
        purchases = interactions.weight > 0  # returns and negative events are not purchases
        user, item, when = purchase_occasions(
            interactions.user[purchases],
            interactions.item[purchases],
            interactions.timestamp[purchases],
            self.params["same_occasion_hours"] * 3600.0,
        )
        self.trained_until = interactions.latest
        same_pair = np.r_[False, (user[1:] == user[:-1]) & (item[1:] == item[:-1])]
        gaps = np.r_[0.0, np.diff(when)] / SECONDS_PER_DAY
        gap_rows = np.flatnonzero(same_pair)
        minimum = self.params["min_interval_days"]
        all_gaps = np.maximum(gaps[gap_rows], minimum)
        self.default_interval = float(np.median(all_gaps)) if all_gaps.size else 30.0
        self.item_interval = np.full(interactions.n_items, self.default_interval)
        if all_gaps.size:
            gap_items = item[gap_rows]
            order = np.lexsort((all_gaps, gap_items))
            sorted_items, sorted_gaps = gap_items[order], all_gaps[order]
            firsts = np.flatnonzero(np.r_[True, sorted_items[1:] != sorted_items[:-1]])
            counts = np.diff(np.r_[firsts, sorted_items.size])
            medians = 0.5 * (
                sorted_gaps[firsts + (counts - 1) // 2] + sorted_gaps[firsts + counts // 2]
            )
            # the item's median, itself shrunk towards the shop's median by its evidence
            strength = self.params["prior_strength"]
            self.item_interval[sorted_items[firsts]] = (
                counts * medians + strength * self.default_interval
            ) / (counts + strength)

        pair_start = np.flatnonzero(~same_pair)
        pair_id = np.cumsum(~same_pair) - 1
        self.items = item[pair_start]
        self.occasions = np.bincount(pair_id).astype(np.float64)
        self.last = np.maximum.reduceat(when, pair_start) if when.size else np.zeros(0)
        self.gap_sum = np.bincount(pair_id, weights=np.where(same_pair, gaps, 0.0))
        self.decayed = np.bincount(pair_id, weights=self._decay(self.trained_until - when))
        pair_users = user[pair_start]
        self.indptr = np.searchsorted(pair_users, np.arange(interactions.n_users + 1)).astype(
            np.int64
        )
        # how often an item is bought again at all: customers with two or more occasions over
        # customers with one or more, shrunk towards the shop's rate with prior_strength
        buyers = np.bincount(self.items, minlength=interactions.n_items).astype(np.float64)
        repeaters = np.bincount(
            self.items[self.occasions >= 2], minlength=interactions.n_items
        ).astype(np.float64)
        shop_rate = repeaters.sum() / max(buyers.sum(), 1.0)
        strength = self.params["prior_strength"]
        self.repeat_rate = (repeaters + strength * shop_rate) / (buyers + strength)
        self.trend = self._trend(interactions.item[purchases], interactions.timestamp[purchases])

    def _trend(self, items: np.ndarray, when: np.ndarray) -> np.ndarray:
        """Each item's share of recent sales over its share of the year's (1 = steady).

        Both shares get a uniform prior share 1/n_items, so an item with few or no sales stays
        near 1 instead of swinging on one order."""
        if not items.size:
            return np.ones(self.n_items)
        age_days = (self.trained_until - when) / SECONDS_PER_DAY
        recent = np.bincount(
            items, 0.5 ** (age_days / self.params["trend_half_life_days"]), minlength=self.n_items
        )
        yearly = np.bincount(items, 0.5 ** (age_days / 365.0), minlength=self.n_items)
        prior = 1.0 / self.n_items
        return (recent / recent.sum() + prior) / (yearly / yearly.sum() + prior)

    def _decay(self, age_seconds: np.ndarray) -> np.ndarray:
        half_life = self.params["half_life_days"]
        if half_life is None:
            return np.ones_like(age_seconds, dtype=np.float64)
        return 0.5 ** (np.maximum(age_seconds, 0.0) / SECONDS_PER_DAY / half_life)

    # -- scoring -------------------------------------------------------------------------------

    def interval_days(
        self, items: np.ndarray, occasions: np.ndarray, gap_sum: np.ndarray
    ) -> np.ndarray:
        """The learned repurchase interval of each (customer, item)."""
        strength = self.params["prior_strength"]
        prior = self.item_interval[items]
        gaps = np.maximum(occasions - 1.0, 0.0)
        interval = (gap_sum + strength * prior) / (gaps + strength)
        return np.maximum(interval, self.params["min_interval_days"])

    def _item_scores(
        self,
        items: np.ndarray,
        occasions: np.ndarray,
        decayed: np.ndarray,
        last: np.ndarray,
        gap_sum: np.ndarray,
        at: float,
    ) -> np.ndarray:
        interval = self.interval_days(items, occasions, gap_sum)
        elapsed = np.maximum((at - last) / SECONDS_PER_DAY, 1e-3)
        ratio = elapsed / interval
        due = np.exp(-(np.log(ratio) ** 2) / (2.0 * self.params["sigma"] ** 2))
        # shop-wide popularity settles the many equal counts (most items are bought once or
        # twice): among a customer's items, the ones everyone rebuys come back first
        popular = (1.0 + self.popularity[items]) ** self.params["popularity_power"]
        repeatable = self.repeat_rate[items] ** self.params["repeat_rate_power"]
        trending = self.trend[items] ** self.params["trend_power"]
        return (
            decayed * popular * repeatable * trending * (1.0 + self.params["timing_weight"] * due)
        )

    def _stats_from_history(self, query: Query) -> tuple[np.ndarray, ...]:
        assert query.history_times is not None
        n = query.history.size
        _, item, when = purchase_occasions(
            np.zeros(n, np.int64),
            query.history,
            query.history_times,
            self.params["same_occasion_hours"] * 3600.0,
        )
        same_pair = np.r_[False, item[1:] == item[:-1]]
        gaps = np.r_[0.0, np.diff(when)] / SECONDS_PER_DAY
        pair_start = np.flatnonzero(~same_pair)
        pair_id = np.cumsum(~same_pair) - 1
        at = query.time if query.time is not None else float(when.max(initial=0.0))
        return (
            item[pair_start],
            np.bincount(pair_id).astype(np.float64),
            np.bincount(pair_id, weights=self._decay(at - when)),
            np.maximum.reduceat(when, pair_start),
            np.bincount(pair_id, weights=np.where(same_pair, gaps, 0.0)),
        )

    def _score(self, queries: Sequence[Query]) -> np.ndarray:
        scores = np.zeros((len(queries), self.n_items))
        for row, query in enumerate(queries):
            at = query.time if query.time is not None else self.trained_until
            if query.history_times is not None and query.history.size:
                items, occasions, decayed, last, gap_sum = self._stats_from_history(query)
            elif query.user is not None and 0 <= query.user < self.indptr.size - 1:
                start, end = self.indptr[query.user], self.indptr[query.user + 1]
                items, occasions, last, gap_sum = (
                    self.items[start:end],
                    self.occasions[start:end],
                    self.last[start:end],
                    self.gap_sum[start:end],
                )
                # stored decayed counts refer to the end of training; move them to `at`
                decayed = self.decayed[start:end] * self._decay(
                    np.asarray([at - self.trained_until])
                )
            else:
                continue
            scores[row, items] = self._item_scores(items, occasions, decayed, last, gap_sum, at)
        return scores

    def _state(self) -> dict[str, np.ndarray]:
        return {
            "item_interval": self.item_interval,
            "repeat_rate": self.repeat_rate,
            "trend": self.trend,
            "scalars": np.asarray([self.default_interval, self.trained_until]),
            "indptr": self.indptr,
            "items": self.items,
            "occasions": self.occasions,
            "decayed": self.decayed,
            "last": self.last,
            "gap_sum": self.gap_sum,
        }

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.item_interval = state["item_interval"]
        self.repeat_rate = state["repeat_rate"]
        self.trend = state["trend"]
        self.default_interval, self.trained_until = (float(x) for x in state["scalars"])
        self.indptr = state["indptr"]
        self.items = state["items"]
        self.occasions = state["occasions"]
        self.decayed = state["decayed"]
        self.last = state["last"]
        self.gap_sum = state["gap_sum"]

    def user_matrix(self) -> sp.csr_matrix:
        """users x items occasions (for the evaluation's repeat analysis)."""
        return sp.csr_matrix(
            (self.occasions, self.items, self.indptr), shape=(self.indptr.size - 1, self.n_items)
        )
