"""Baselines, implemented plainly (textbook versions), behind the engine's `Recommender` interface
so they are fitted, scored and ranked exactly like our models. Each is tuned on validation.

- MostPopular: training counts; or, for the S3-Rec convention, counts over the whole file.
- RecentlyPopular: counts over the last `days` of training (or each user's last `last_n` events
  when the data has no clock).
- ItemKNN: item-item cosine on the binary user x item matrix, `neighbours` kept per item
  (Sarwar et al. 2001; Deshpande & Karypis 2004); a query sums its items' similarities.
- ALS / BPR: `implicit`, through the engine's MatrixFactorization wrapper.
- SKNN / V-SKNN: session neighbourhoods (Jannach & Ludewig 2017; Ludewig & Jannach 2018): binary
  cosine between the query and each training session, the k most similar vote for their items;
  V-SKNN weights the query's items linearly by recency.
- MarkovChain: first-order transition counts from the last item.
- TopFrequency: how often this customer bought each item ("buy again", personal top).
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
    unpack_sparse,
)
from personalization.engine.recs.interactions import Catalog, Interactions
from personalization.engine.recs.transitions import pruned_product


def _context_matrix(queries: Sequence[Query], n_items: int, weighting: str) -> sp.csr_matrix:
    """queries x items: 1 per distinct context item ("binary") or linearly by recency ("linear":
    the latest item 1, the first 1/length), "last": only the latest item."""
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    for row, query in enumerate(queries):
        context = query.context
        if not context.size:
            continue
        if weighting == "last":
            context = context[-1:]
        unique, last_seen = np.unique(context[::-1], return_index=True)
        if weighting == "linear":
            weight = (context.size - last_seen) / context.size
        else:
            weight = np.ones(unique.size)
        rows.append(np.full(unique.size, row))
        cols.append(unique)
        vals.append(weight)
    if not rows:
        return sp.csr_matrix((len(queries), n_items))
    return sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(len(queries), n_items),
    )


class MostPopular(Recommender):
    name = "baseline_most_popular"

    def __init__(self, *, whole_file: bool = False, counts: np.ndarray | None = None) -> None:
        # `counts` fixes the popularity from outside (the S3-Rec whole-file convention)
        super().__init__(whole_file=whole_file)
        self._given = None if counts is None else np.asarray(counts, dtype=np.float64)
        self.counts = np.zeros(0)

    def _fit(self, interactions: Interactions, catalog: Catalog | None) -> None:
        if self._given is not None:
            self.counts = self._given
            # ties must go against the target: no popularity tie-break beyond the score itself
            self.popularity = self._given
        else:
            self.counts = np.bincount(interactions.item, minlength=interactions.n_items).astype(
                np.float64
            )

    def _score(self, queries: Sequence[Query]) -> np.ndarray:
        return np.broadcast_to(self.counts, (len(queries), self.n_items)).copy()

    def _state(self) -> dict[str, np.ndarray]:
        return {"counts": self.counts}

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.counts = state["counts"]


class RecentlyPopular(Recommender):
    name = "baseline_recently_popular"

    def __init__(self, *, days: float | None = 30.0, last_n: int | None = None) -> None:
        super().__init__(days=days, last_n=last_n)
        self.counts = np.zeros(0)

    def _fit(self, interactions: Interactions, catalog: Catalog | None) -> None:
        if self.params["last_n"] is not None:
            users = interactions.user
            last_of_user = np.searchsorted(users, users, side="right") - 1
            recent = (last_of_user - np.arange(users.size)) < self.params["last_n"]
        else:
            horizon = interactions.latest - self.params["days"] * SECONDS_PER_DAY
            recent = interactions.timestamp >= horizon
        self.counts = np.bincount(interactions.item[recent], minlength=interactions.n_items).astype(
            np.float64
        )

    def _score(self, queries: Sequence[Query]) -> np.ndarray:
        return np.broadcast_to(self.counts, (len(queries), self.n_items)).copy()

    def _state(self) -> dict[str, np.ndarray]:
        return {"counts": self.counts}

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.counts = state["counts"]


class ItemKNN(Recommender):
    name = "baseline_item_knn"

    def __init__(self, *, neighbours: int = 100) -> None:
        super().__init__(neighbours=neighbours)
        self.similarity = sp.csr_matrix((0, 0))

    def _fit(self, interactions: Interactions, catalog: Catalog | None) -> None:
        user_items = interactions.user_item_matrix(binary=True)
        norms = np.sqrt(np.asarray(user_items.sum(axis=0)).ravel())
        scaled = sp.csr_matrix(
            user_items @ sp.diags(np.where(norms > 0, 1.0 / np.maximum(norms, 1e-12), 0.0))
        )
        item_users = sp.csr_matrix(scaled.T)
        cosine = pruned_product(item_users, sp.csr_matrix(scaled), self.params["neighbours"] + 1)
        cosine = sp.csr_matrix(cosine - sp.diags(cosine.diagonal()))
        cosine.eliminate_zeros()
        self.similarity = cosine.astype(np.float32)

    def _score(self, queries: Sequence[Query]) -> np.ndarray:
        context = _context_matrix(queries, self.n_items, "binary")
        return np.asarray((context @ self.similarity).toarray(), dtype=np.float64)

    def _state(self) -> dict[str, np.ndarray]:
        return pack_sparse("similarity", self.similarity)

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.similarity = unpack_sparse(state, "similarity")


class SKNN(Recommender):
    """Binary cosine session-kNN; `weighting="linear"` is V-SKNN."""

    name = "baseline_sknn"

    def __init__(self, *, k: int = 100, weighting: str = "binary") -> None:
        super().__init__(k=k, weighting=weighting)
        self.sessions = sp.csr_matrix((0, 0))
        self.owner = np.zeros(0, np.int64)

    def _fit(self, interactions: Interactions, catalog: Catalog | None) -> None:
        sequences = interactions.sequences("auto")
        self.sessions = sequences.group_item_matrix(interactions.n_items).astype(np.float32)
        self.owner = sequences.owner

    def _score(self, queries: Sequence[Query]) -> np.ndarray:
        context = _context_matrix(queries, self.n_items, self.params["weighting"])
        overlap = sp.csr_matrix(context @ self.sessions.T)
        session_size = np.asarray(self.sessions.sum(axis=1)).ravel()
        query_size = np.asarray((context > 0).sum(axis=1)).ravel()
        k = self.params["k"]
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        for row, query in enumerate(queries):
            start, end = overlap.indptr[row], overlap.indptr[row + 1]
            neighbours = overlap.indices[start:end]
            sims = overlap.data[start:end] / np.sqrt(
                session_size[neighbours] * max(query_size[row], 1)
            )
            if query.user is not None:
                mine = self.owner[neighbours] == query.user
                neighbours, sims = neighbours[~mine], sims[~mine]
            if neighbours.size > k:
                best = np.lexsort((neighbours, -sims))[:k]
                neighbours, sims = neighbours[best], sims[best]
            rows.append(np.full(neighbours.size, row))
            cols.append(neighbours)
            vals.append(sims)
        chosen = sp.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(len(queries), self.sessions.shape[0]),
        )
        return np.asarray((chosen @ self.sessions).toarray(), dtype=np.float64)

    def _state(self) -> dict[str, np.ndarray]:
        return {**pack_sparse("sessions", self.sessions), "owner": self.owner}

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.sessions = unpack_sparse(state, "sessions")
        self.owner = state["owner"]


class MarkovChain(Recommender):
    name = "baseline_markov"

    def __init__(self) -> None:
        super().__init__()
        self.counts = sp.csr_matrix((0, 0))

    def _fit(self, interactions: Interactions, catalog: Catalog | None) -> None:
        sequences = interactions.sequences("auto")
        group = sequences.group_of_position()
        follows = np.flatnonzero(group[:-1] == group[1:])
        heads, tails = sequences.items[follows], sequences.items[follows + 1]
        n = interactions.n_items
        counts = sp.csr_matrix((np.ones(heads.size), (heads, tails)), shape=(n, n))
        counts.sum_duplicates()
        self.counts = counts.astype(np.float32)

    def _score(self, queries: Sequence[Query]) -> np.ndarray:
        last = _context_matrix(queries, self.n_items, "last")
        return np.asarray((last @ self.counts).toarray(), dtype=np.float64)

    def _state(self) -> dict[str, np.ndarray]:
        return pack_sparse("counts", self.counts)

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.counts = unpack_sparse(state, "counts")


class TopFrequency(Recommender):
    name = "baseline_top_frequency"

    def __init__(self) -> None:
        super().__init__()
        self.counts = sp.csr_matrix((0, 0))

    def _fit(self, interactions: Interactions, catalog: Catalog | None) -> None:
        if interactions.basket is not None:
            # one count per basket (an order line of 12 mugs is one purchase of mugs)
            keep = interactions.basket >= 0
            pairs = np.unique(
                np.stack(
                    [interactions.user[keep], interactions.item[keep], interactions.basket[keep]]
                ),
                axis=1,
            )
            users, items = pairs[0], pairs[1]
        else:
            users, items = interactions.user, interactions.item
        counts = sp.csr_matrix(
            (np.ones(users.size), (users, items)),
            shape=(interactions.n_users, interactions.n_items),
        )
        counts.sum_duplicates()
        self.counts = counts

    def _score(self, queries: Sequence[Query]) -> np.ndarray:
        scores = np.zeros((len(queries), self.n_items))
        for row, query in enumerate(queries):
            if query.user is not None and 0 <= query.user < self.counts.shape[0]:
                line = self.counts[query.user]
                scores[row, line.indices] = line.data
            elif query.context.size:
                np.add.at(scores[row], query.context, 1.0)
        return scores

    def _state(self) -> dict[str, np.ndarray]:
        return pack_sparse("counts", self.counts)

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.counts = unpack_sparse(state, "counts")
