"""Learned linear transitions: a ridge regression from "what was seen recently" to "what came next".

Every position t of every training sequence is one example: its input is the recency-weighted
vector of the `input_length` items before it (the latest 1, older ones input_decay ** age), its
output the item at t. The item x item matrix B minimizing ||Y - X B||^2 + l2 ||B||^2 is
(X'X + l2 I)^-1 X'Y, solved with one Cholesky factorization. Unlike counted transitions, B
explains away items that only co-occur because of a common neighbour. This is the transition part
of SLIST (Choi et al., "Session-aware Linear Item-Item Models for Session-based
Recommendation", WWW 2021), written from the paper's closed form.

The solve is dense in the number of items (a 12,000-item catalogue takes about a minute and
1.5 GB), so the model refuses catalogues above `max_items`. Each item keeps its `keep` strongest
successors, so the stored model and the scoring are sparse.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.linalg
import scipy.sparse as sp

from personalization.engine.recs.base import (
    Query,
    Recommender,
    pack_sparse,
    recency_query_matrix,
    unpack_sparse,
)
from personalization.engine.recs.interactions import Catalog, Interactions


def regression_examples(
    indptr: np.ndarray, items: np.ndarray, n_items: int, *, length: int, decay: float
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """(inputs, outputs): one row per position with at least one item before it."""
    lengths = np.diff(indptr)
    group = np.repeat(np.arange(lengths.size), lengths)
    positions = np.flatnonzero(np.r_[False, group[1:] == group[:-1]])
    example = np.arange(positions.size)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    for back in range(1, length + 1):
        source = positions - back
        valid = source >= 0
        valid[valid] &= group[source[valid]] == group[positions[valid]]
        if not valid.any():
            break
        rows.append(example[valid])
        cols.append(items[source[valid]])
        vals.append(np.full(int(valid.sum()), decay ** (back - 1)))
    inputs = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(positions.size, n_items),
    )
    outputs = sp.csr_matrix(
        (np.ones(positions.size), (example, items[positions])), shape=(positions.size, n_items)
    )
    return inputs, outputs


class LinearTransitions(Recommender):
    name = "linear_transitions"

    def __init__(
        self,
        *,
        l2: float = 50.0,
        input_length: int = 5,
        input_decay: float = 0.5,
        keep: int = 200,
        max_items: int = 30_000,
        by: str = "auto",
    ) -> None:
        super().__init__(
            l2=l2,
            input_length=input_length,
            input_decay=input_decay,
            keep=keep,
            max_items=max_items,
            by=by,
        )
        self.matrix = sp.csr_matrix((0, 0))

    def _fit(self, interactions: Interactions, catalog: Catalog | None) -> None:
        n = interactions.n_items
        if n > self.params["max_items"]:
            raise ValueError(f"{n} items is above max_items={self.params['max_items']}")
        sequences = interactions.sequences(self.params["by"])
        inputs, outputs = regression_examples(
            sequences.indptr,
            sequences.items,
            n,
            length=self.params["input_length"],
            decay=self.params["input_decay"],
        )
        gram = np.asarray((inputs.T @ inputs).toarray(), dtype=np.float32)
        gram[np.diag_indices(n)] += self.params["l2"]
        target = np.asarray((inputs.T @ outputs).toarray(), dtype=np.float32)
        factor = scipy.linalg.cho_factor(gram, overwrite_a=True, check_finite=False)
        solution = scipy.linalg.cho_solve(factor, target, overwrite_b=True, check_finite=False)
        del gram, factor
        np.fill_diagonal(solution, 0.0)
        self.matrix = self._strongest(solution, self.params["keep"])

    @staticmethod
    def _strongest(solution: np.ndarray, keep: int) -> sp.csr_matrix:
        n = solution.shape[0]
        if n <= keep:
            return sp.csr_matrix(np.where(solution > 0, solution, 0.0).astype(np.float32))
        top = np.argpartition(-solution, keep - 1, axis=1)[:, :keep]
        values = np.take_along_axis(solution, top, axis=1)
        positive = values > 0
        rows = np.nonzero(positive)[0]
        return sp.csr_matrix(
            (values[positive].astype(np.float32), (rows, top[positive])), shape=(n, n)
        )

    def _score(self, queries: Sequence[Query]) -> np.ndarray:
        weights = recency_query_matrix(
            queries,
            self.n_items,
            length=self.params["input_length"],
            decay=self.params["input_decay"],
        )
        return np.asarray((weights @ self.matrix).toarray(), dtype=np.float64)

    def _state(self) -> dict[str, np.ndarray]:
        return pack_sparse("matrix", self.matrix)

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.matrix = unpack_sparse(state, "matrix")
