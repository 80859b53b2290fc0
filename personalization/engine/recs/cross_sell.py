"""Post-purchase cross-sell: after an order, complements of what was bought, not substitutes.

Complement evidence comes from purchases only: X and Y in the same basket, and Y in the same
customer's next basket within `horizon_days` after a basket with X (what people come back for).
Each is a confidence n(X, Y) / n(X), kept only above `min_support` pairs and lift > 1, and the two
are mixed with `next_basket_weight`.

A substitute is another version of the same need: after buying a kettle, another kettle is a bad
suggestion. Pairs in the same catalog category, or whose titles/tags read alike (TF-IDF cosine
>= `substitute_similarity`), are multiplied by `substitute_penalty`. A query anchors on the just
bought items (the current session), else the last `query_length` history items.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from personalization.engine.orders import SECONDS_PER_DAY
from personalization.engine.recs.base import (
    Query,
    Recommender,
    pack_sparse,
    recency_query_matrix,
    unpack_sparse,
)
from personalization.engine.recs.content import tfidf_vectors
from personalization.engine.recs.interactions import Catalog, Interactions


def next_basket_pairs(
    basket_user: np.ndarray,
    basket_time: np.ndarray,
    basket_items: sp.csr_matrix,
    horizon_seconds: float,
) -> sp.csr_matrix:
    """items x items: how many times Y was in a customer's next basket after one holding X.

    Baskets must be sorted by (user, time)."""
    follows = np.flatnonzero(
        (basket_user[1:] == basket_user[:-1])
        & (basket_time[1:] - basket_time[:-1] <= horizon_seconds)
    )
    if not follows.size:
        n = basket_items.shape[1]
        return sp.csr_matrix((n, n))
    before = basket_items[follows]
    after = basket_items[follows + 1]
    return sp.csr_matrix(before.T @ after)


class CrossSell(Recommender):
    name = "cross_sell"
    uses_catalog = True

    def __init__(
        self,
        *,
        next_basket_weight: float = 0.5,
        horizon_days: float = 90.0,
        min_support: int = 2,
        substitute_penalty: float = 0.1,
        substitute_similarity: float = 0.5,
        query_length: int = 20,
        query_decay: float = 1.0,
    ) -> None:
        super().__init__(
            next_basket_weight=next_basket_weight,
            horizon_days=horizon_days,
            min_support=min_support,
            substitute_penalty=substitute_penalty,
            substitute_similarity=substitute_similarity,
            query_length=query_length,
            query_decay=query_decay,
        )
        self.matrix = sp.csr_matrix((0, 0))

    def _fit(self, interactions: Interactions, catalog: Catalog | None) -> None:
        n_items = interactions.n_items
        purchases = interactions.select(interactions.weight > 0)
        by = "basket" if purchases.basket is not None else "auto"
        baskets = purchases.sequences(by)
        basket_items = baskets.group_item_matrix(n_items)
        # baskets sorted by (user, time) so consecutive rows are a customer's consecutive orders
        started = baskets.times[baskets.indptr[:-1]] if len(baskets) else np.zeros(0)
        order = np.lexsort((started, baskets.owner))
        basket_items = sp.csr_matrix(basket_items[order])
        n_baskets = max(basket_items.shape[0], 1)
        item_baskets = np.asarray(basket_items.sum(axis=0)).ravel()

        same = sp.csr_matrix(basket_items.T @ basket_items)
        same = sp.csr_matrix(same - sp.diags(same.diagonal()))
        later = next_basket_pairs(
            baskets.owner[order],
            started[order],
            basket_items,
            self.params["horizon_days"] * SECONDS_PER_DAY,
        )
        later = sp.csr_matrix(later - sp.diags(later.diagonal()))
        mixed = self._confidence(same, item_baskets, n_baskets) + self.params[
            "next_basket_weight"
        ] * self._confidence(later, item_baskets, n_baskets)
        self.matrix = self._penalize_substitutes(sp.csr_matrix(mixed), catalog).astype(np.float32)

    def _confidence(
        self, pairs: sp.csr_matrix, item_baskets: np.ndarray, n_baskets: int
    ) -> sp.csr_matrix:
        coo = sp.coo_matrix(pairs)
        keep = coo.data >= self.params["min_support"]
        rows, cols, counts = coo.row[keep], coo.col[keep], coo.data[keep]
        confidence = counts / np.maximum(item_baskets[rows], 1.0)
        lift = confidence * n_baskets / np.maximum(item_baskets[cols], 1.0)
        confidence = np.where(lift > 1.0, confidence, 0.0)
        matrix = sp.csr_matrix((confidence, (rows, cols)), shape=pairs.shape)
        matrix.eliminate_zeros()
        return matrix

    def _penalize_substitutes(
        self, matrix: sp.csr_matrix, catalog: Catalog | None
    ) -> sp.csr_matrix:
        if catalog is None or not matrix.nnz:
            return matrix
        coo = sp.coo_matrix(matrix)
        is_substitute = np.zeros(coo.nnz, dtype=bool)
        categories, _ = catalog.category_index()
        has_category = categories[coo.row] >= 0
        is_substitute |= has_category & (categories[coo.row] == categories[coo.col])
        vectors = tfidf_vectors(catalog, {"title": 1.0, "tags": 1.0})
        if vectors.nnz:
            cosine = np.asarray(vectors[coo.row].multiply(vectors[coo.col]).sum(axis=1)).ravel()
            is_substitute |= cosine >= self.params["substitute_similarity"]
        values = np.where(is_substitute, coo.data * self.params["substitute_penalty"], coo.data)
        return sp.csr_matrix((values, (coo.row, coo.col)), shape=matrix.shape)

    def _score(self, queries: Sequence[Query]) -> np.ndarray:
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
        return pack_sparse("matrix", self.matrix)

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.matrix = unpack_sparse(state, "matrix")
