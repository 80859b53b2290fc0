"""Item-to-item transitions: "people who had X next had Y", weighted by how close Y came after X.

Within each sequence (a session, or a user's history when there are no sessions), every pair
(X at position p, Y at position p + d) with 1 <= d <= window counts distance_decay ** (d - 1);
the reverse pair (Y then X) counts backward_weight times that, because in review and order data
items bought the same day are recorded in an arbitrary order. Counts are normalized by the
source's total out-weight to the power row_power (1 = conditional probability, 0 = raw counts)
and by the target's popularity to the power popularity_power (a dampened lift).

A query is its last `query_length` context items, the latest weighted 1 and older ones
query_decay ** age. Optionally a second hop (transitions of transitions, each hop normalized by
its best score) is added with `two_hop_weight`, which reaches items never seen right after the
query's items; it is precomputed (each item's `two_hop_keep` strongest two-step successors).

window=1, backward_weight=0, query_length=1, row_power=1, popularity_power=0 is the classic
first-order Markov chain.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from personalization.engine.recs.base import (
    Query,
    Recommender,
    pack_sparse,
    recency_query_matrix,
    row_max_normalized,
    unpack_sparse,
)
from personalization.engine.recs.interactions import Catalog, Interactions


def transition_counts(
    indptr: np.ndarray,
    items: np.ndarray,
    n_items: int,
    *,
    window: int,
    distance_decay: float,
    backward_weight: float,
) -> sp.csr_matrix:
    """n_items x n_items weighted pair counts over the sequences items[indptr[g]:indptr[g+1]]."""
    lengths = np.diff(indptr)
    group = np.repeat(np.arange(lengths.size), lengths)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    for distance in range(1, window + 1):
        # positions whose successor at this distance is still in the same sequence
        if items.size <= distance:
            break
        source = np.flatnonzero(group[:-distance] == group[distance:])
        if not source.size:
            break
        weight = distance_decay ** (distance - 1)
        head, tail = items[source], items[source + distance]
        rows.append(head)
        cols.append(tail)
        vals.append(np.full(head.size, weight))
        if backward_weight > 0:
            rows.append(tail)
            cols.append(head)
            vals.append(np.full(head.size, weight * backward_weight))
    if not rows:
        return sp.csr_matrix((n_items, n_items))
    heads, tails, weights = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    # a repeat of the same item is not a transition to recommend
    keep = heads != tails
    counts = sp.csr_matrix((weights[keep], (heads[keep], tails[keep])), shape=(n_items, n_items))
    counts.sum_duplicates()
    return counts


def pruned_product(
    left: sp.csr_matrix, right: sp.csr_matrix, keep: int, block: int = 1024
) -> sp.csr_matrix:
    """left @ right keeping each row's `keep` largest entries, computed a block of rows at a time
    so the (nearly dense) full product never exists at once."""
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    for start in range(0, left.shape[0], block):
        dense = np.asarray((left[start : start + block] @ right).toarray())
        if dense.shape[1] > keep:
            top = np.argpartition(-dense, keep - 1, axis=1)[:, :keep]
        else:
            top = np.broadcast_to(np.arange(dense.shape[1]), dense.shape)
        values = np.take_along_axis(dense, top, axis=1)
        positive = values > 0
        rows.append(np.nonzero(positive)[0] + start)
        cols.append(top[positive])
        vals.append(values[positive])
    return sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(left.shape[0], right.shape[1]),
    )


def normalized_transitions(
    counts: sp.csr_matrix, popularity: np.ndarray, *, row_power: float, popularity_power: float
) -> sp.csr_matrix:
    out_weight = np.asarray(counts.sum(axis=1)).ravel()
    row_scale = np.where(out_weight > 0, np.maximum(out_weight, 1e-12) ** -row_power, 0.0)
    col_scale = np.maximum(popularity, 1.0) ** -popularity_power
    return sp.csr_matrix(sp.diags(row_scale) @ counts @ sp.diags(col_scale))


class Transitions(Recommender):
    """Windowed, decayed, two-way item transitions ("next item" and "what goes with this")."""

    name = "transitions"

    def __init__(
        self,
        *,
        window: int = 8,
        distance_decay: float = 0.7,
        backward_weight: float = 0.5,
        row_power: float = 0.5,
        popularity_power: float = 0.1,
        query_length: int = 5,
        query_decay: float = 0.5,
        two_hop_weight: float = 0.0,
        two_hop_keep: int = 200,
        by: str = "auto",
    ) -> None:
        if window < 1 or query_length < 1:
            raise ValueError("window and query_length must be >= 1")
        super().__init__(
            window=window,
            distance_decay=distance_decay,
            backward_weight=backward_weight,
            row_power=row_power,
            popularity_power=popularity_power,
            query_length=query_length,
            query_decay=query_decay,
            two_hop_weight=two_hop_weight,
            two_hop_keep=two_hop_keep,
            by=by,
        )
        self.matrix = sp.csr_matrix((0, 0))
        self.two_hop = sp.csr_matrix((0, 0))

    def _fit(self, interactions: Interactions, catalog: Catalog | None) -> None:
        sequences = interactions.sequences(self.params["by"])
        counts = transition_counts(
            sequences.indptr,
            sequences.items,
            interactions.n_items,
            window=self.params["window"],
            distance_decay=self.params["distance_decay"],
            backward_weight=self.params["backward_weight"],
        )
        popularity = np.bincount(interactions.item, minlength=interactions.n_items).astype(float)
        self.matrix = normalized_transitions(
            counts,
            popularity,
            row_power=self.params["row_power"],
            popularity_power=self.params["popularity_power"],
        ).astype(np.float32)
        self.two_hop = sp.csr_matrix((interactions.n_items, interactions.n_items), dtype=np.float32)
        if self.params["two_hop_weight"] > 0:
            self.two_hop = pruned_product(
                self.matrix, self.matrix, self.params["two_hop_keep"]
            ).astype(np.float32)

    def _score(self, queries: Sequence[Query]) -> np.ndarray:
        weights = recency_query_matrix(
            queries,
            self.n_items,
            length=self.params["query_length"],
            decay=self.params["query_decay"],
        )
        scores = (weights @ self.matrix).toarray().astype(np.float64)
        if self.params["two_hop_weight"] > 0:
            two_hop = (weights @ self.two_hop).toarray().astype(np.float64)
            scores = row_max_normalized(scores) + self.params[
                "two_hop_weight"
            ] * row_max_normalized(two_hop)
        return scores

    def _state(self) -> dict[str, np.ndarray]:
        return {**pack_sparse("matrix", self.matrix), **pack_sparse("two_hop", self.two_hop)}

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.matrix = unpack_sparse(state, "matrix")
        self.two_hop = unpack_sparse(state, "two_hop")
