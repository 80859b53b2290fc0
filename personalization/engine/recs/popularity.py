"""Popular and trending: the same count, with or without a time decay.

"Trending" is popularity where an event `age` old counts 0.5 ** (age / half_life). Age is measured
back from the newest training event, in days when the data has clock times, or (with
`decay_by="user_position"`, for data that only knows the order of each user's events) in number of
later events by the same user, so "recent" means "near the end of someone's history".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from personalization.engine.orders import SECONDS_PER_DAY
from personalization.engine.recs.base import Query, Recommender
from personalization.engine.recs.interactions import Catalog, Interactions


class Popularity(Recommender):
    """Everyone gets the same ranking: summed event weights, optionally decayed with age."""

    name = "popularity"

    def __init__(
        self,
        *,
        half_life_days: float | None = None,
        decay_by: str = "time",
        use_weights: bool = True,
    ) -> None:
        if half_life_days is not None and half_life_days <= 0:
            raise ValueError("half_life_days must be > 0")
        if decay_by not in ("time", "user_position"):
            raise ValueError("decay_by must be 'time' or 'user_position'")
        super().__init__(half_life_days=half_life_days, decay_by=decay_by, use_weights=use_weights)
        self.counts = np.zeros(0)

    def _fit(self, interactions: Interactions, catalog: Catalog | None) -> None:
        weights = interactions.weight if self.params["use_weights"] else np.ones(len(interactions))
        half_life = self.params["half_life_days"]
        if half_life is not None and len(interactions):
            if self.params["decay_by"] == "time":
                age = (interactions.latest - interactions.timestamp) / SECONDS_PER_DAY
            else:
                # rows are sorted by user then time: count the same user's rows after this one
                users = interactions.user
                last_of_user = np.searchsorted(users, users, side="right") - 1
                age = (last_of_user - np.arange(users.size)).astype(np.float64)
            weights = weights * 0.5 ** (age / half_life)
        self.counts = np.bincount(
            interactions.item, weights=weights, minlength=interactions.n_items
        ).astype(np.float64)

    def _score(self, queries: Sequence[Query]) -> np.ndarray:
        return np.broadcast_to(self.counts, (len(queries), self.n_items)).copy()

    def _state(self) -> dict[str, np.ndarray]:
        return {"counts": self.counts}

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.counts = state["counts"]
