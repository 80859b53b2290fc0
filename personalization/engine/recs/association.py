"""Co-purchase association rules: "frequently bought together".

Over baskets (orders; sessions or users when the data has no baskets), with N baskets, an item's
support count n(X) and a pair's n(X, Y):
    support(X -> Y)    = n(X, Y) / N
    confidence(X -> Y) = n(X, Y) / n(X)
    lift(X -> Y)       = confidence / (n(Y) / N)
A rule counts only with n(X, Y) >= min_support (a pair seen once is chance) and lift > min_lift
(bought together more often than by chance). A query scores items by the rules from its anchor
items, the items in the current session (the cart), else the last `query_length` history items;
the scoring metric is "confidence" (default: what shoppers actually add), "lift" or "cosine".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from personalization.engine.recs.base import (
    Query,
    Recommender,
    pack_sparse,
    recency_query_matrix,
    unpack_sparse,
)
from personalization.engine.recs.interactions import Catalog, Interactions

METRICS = ("confidence", "lift", "cosine")


@dataclass(frozen=True)
class Rule:
    antecedent: int
    consequent: int
    pair_count: int
    support: float
    confidence: float
    lift: float


class CoPurchase(Recommender):
    name = "co_purchase"

    def __init__(
        self,
        *,
        metric: str = "confidence",
        min_support: int = 2,
        min_lift: float = 1.0,
        query_length: int = 1,
        query_decay: float = 0.5,
        by: str = "basket",
    ) -> None:
        if metric not in METRICS:
            raise ValueError(f"metric must be one of {', '.join(METRICS)}")
        if min_support < 1:
            raise ValueError("min_support must be >= 1")
        super().__init__(
            metric=metric,
            min_support=min_support,
            min_lift=min_lift,
            query_length=query_length,
            query_decay=query_decay,
            by=by,
        )
        self.pair_counts = sp.csr_matrix((0, 0))
        self.item_counts = np.zeros(0)
        self.n_baskets = 0
        self.matrix = sp.csr_matrix((0, 0))

    def _fit(self, interactions: Interactions, catalog: Catalog | None) -> None:
        by = self.params["by"]
        if by == "basket" and interactions.basket is None:
            by = "auto"
        baskets = interactions.sequences(by).group_item_matrix(interactions.n_items)
        self.n_baskets = baskets.shape[0]
        self.item_counts = np.asarray(baskets.sum(axis=0)).ravel()
        pairs = sp.csr_matrix(baskets.T @ baskets)
        pairs = sp.csr_matrix(pairs - sp.diags(pairs.diagonal()))
        pairs.data[pairs.data < self.params["min_support"]] = 0
        pairs.eliminate_zeros()
        self.pair_counts = pairs.astype(np.float64)
        self.matrix = self._rule_matrix().astype(np.float32)

    def _rule_matrix(self) -> sp.csr_matrix:
        pairs = sp.coo_matrix(self.pair_counts)
        head_count = self.item_counts[pairs.row]
        tail_count = self.item_counts[pairs.col]
        confidence = pairs.data / head_count
        lift = confidence * self.n_baskets / tail_count
        metric = self.params["metric"]
        if metric == "confidence":
            value = confidence
        elif metric == "lift":
            value = lift
        else:
            value = pairs.data / np.sqrt(head_count * tail_count)
        value = np.where(lift > self.params["min_lift"], value, 0.0)
        matrix = sp.csr_matrix((value, (pairs.row, pairs.col)), shape=self.pair_counts.shape)
        matrix.eliminate_zeros()
        return matrix

    def rules(self, item: int, k: int = 10) -> list[Rule]:
        """The strongest rules from one item, for the admin's "why" view."""
        start, end = self.pair_counts.indptr[item], self.pair_counts.indptr[item + 1]
        tails = self.pair_counts.indices[start:end]
        counts = self.pair_counts.data[start:end]
        if not tails.size or self.item_counts[item] == 0:
            return []
        confidence = counts / self.item_counts[item]
        lift = confidence * self.n_baskets / self.item_counts[tails]
        order = np.lexsort((tails, -confidence))[:k]
        return [
            Rule(
                antecedent=item,
                consequent=int(tails[i]),
                pair_count=int(counts[i]),
                support=float(counts[i] / self.n_baskets),
                confidence=float(confidence[i]),
                lift=float(lift[i]),
            )
            for i in order
            if lift[i] > self.params["min_lift"]
        ]

    def _score(self, queries: Sequence[Query]) -> np.ndarray:
        # the cart (current session) anchors the rules when there is one, else the history
        anchored = [
            Query(user=q.user, history=q.session if q.session.size else q.history) for q in queries
        ]
        weights = recency_query_matrix(
            anchored,
            self.n_items,
            length=self.params["query_length"],
            decay=self.params["query_decay"],
        )
        return np.asarray((weights @ self.matrix).toarray(), dtype=np.float64)

    def _state(self) -> dict[str, np.ndarray]:
        return {
            **pack_sparse("pair_counts", self.pair_counts),
            "item_counts": self.item_counts,
            "n_baskets": np.asarray([self.n_baskets]),
        }

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.pair_counts = unpack_sparse(state, "pair_counts")
        self.item_counts = state["item_counts"]
        self.n_baskets = int(state["n_baskets"][0])
        self.matrix = self._rule_matrix().astype(np.float32)
