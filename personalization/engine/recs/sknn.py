"""Session neighbourhoods (SKNN, V-SKNN, STAN family): "sessions like yours went on to view...".

The query's recent items (recency-weighted: `query_decay` = 1 is SKNN, < 1 is V-SKNN's decay, as in
Ludewig & Jannach, "Evaluation of session-based recommendation algorithms", 2018) are matched
against every training session (a visit, or a user's whole history when the data has no sessions).
Similarity is the weighted overlap, each item weighted by its inverse document frequency when
`idf` is on, divided by sqrt(neighbour length) (cosine on the neighbour side). The k most similar
sessions vote for their items with their similarity.

Two STAN refinements (Garg et al., "Sequence and Time Aware Neighborhood for Session-based
Recommendations", SIGIR 2019) are optional: `neighbour_half_life_days` discounts old neighbour
sessions, and `neighbour_position_decay` makes a neighbour's items count
exp(-|distance to the last item it shares with the query| / decay), so the items next to the
shared one count most. A user's own sessions are never their neighbours.
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
from personalization.engine.recs.interactions import Catalog, Interactions


class SessionKNN(Recommender):
    name = "session_knn"

    def __init__(
        self,
        *,
        k: int = 50,
        query_length: int = 20,
        query_decay: float = 0.7,
        idf: bool = True,
        neighbour_half_life_days: float | None = None,
        neighbour_position_decay: float | None = None,
        by: str = "auto",
    ) -> None:
        if k < 1 or query_length < 1:
            raise ValueError("k and query_length must be >= 1")
        super().__init__(
            k=k,
            query_length=query_length,
            query_decay=query_decay,
            idf=idf,
            neighbour_half_life_days=neighbour_half_life_days,
            neighbour_position_decay=neighbour_position_decay,
            by=by,
        )
        self.sessions = sp.csr_matrix((0, 0))  # sessions x items, 1 where the item occurs
        self.session_items = np.zeros(0, np.int64)  # items of each session in time order
        self.session_indptr = np.zeros(1, np.int64)
        self.session_owner = np.zeros(0, np.int64)
        self.session_weight = np.zeros(0)  # 1/sqrt(length) x recency discount
        self.item_weight = np.zeros(0)  # idf (or 1)

    def _fit(self, interactions: Interactions, catalog: Catalog | None) -> None:
        sequences = interactions.sequences(self.params["by"])
        self.sessions = sequences.group_item_matrix(interactions.n_items).astype(np.float32)
        self.session_items = sequences.items
        self.session_indptr = sequences.indptr
        self.session_owner = sequences.owner
        distinct = np.asarray(self.sessions.sum(axis=1)).ravel()
        weight = 1.0 / np.sqrt(np.maximum(distinct, 1.0))
        half_life = self.params["neighbour_half_life_days"]
        if half_life is not None and len(sequences):
            ended = sequences.times[sequences.indptr[1:] - 1]
            weight = weight * 0.5 ** ((interactions.latest - ended) / SECONDS_PER_DAY / half_life)
        self.session_weight = weight
        sessions_with = np.asarray(self.sessions.sum(axis=0)).ravel()
        if self.params["idf"]:
            self.item_weight = np.log((len(sequences) + 1.0) / (sessions_with + 1.0))
        else:
            self.item_weight = np.ones(interactions.n_items)

    def _score(self, queries: Sequence[Query]) -> np.ndarray:
        weights = recency_query_matrix(
            queries,
            self.n_items,
            length=self.params["query_length"],
            decay=self.params["query_decay"],
        )
        weighted = sp.csr_matrix(weights @ sp.diags(self.item_weight))
        similarity = sp.csr_matrix(weighted @ self.sessions.T @ sp.diags(self.session_weight))
        k = self.params["k"]
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        for row, query in enumerate(queries):
            start, end = similarity.indptr[row], similarity.indptr[row + 1]
            neighbours = similarity.indices[start:end]
            sims = similarity.data[start:end]
            if query.user is not None:
                own = self.session_owner[neighbours] == query.user
                neighbours, sims = neighbours[~own], sims[~own]
            if neighbours.size > k:
                # the k most similar; equal similarities go to the lower session index
                order = np.lexsort((neighbours, -sims))[:k]
                neighbours, sims = neighbours[order], sims[order]
            rows.append(np.full(neighbours.size, row))
            cols.append(neighbours)
            vals.append(sims)
        chosen = sp.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(len(queries), self.session_weight.size),
        )
        if self.params["neighbour_position_decay"] is None:
            return np.asarray((chosen @ self.sessions).toarray(), dtype=np.float64)
        return self._position_weighted(queries, chosen)

    def _position_weighted(self, queries: Sequence[Query], chosen: sp.csr_matrix) -> np.ndarray:
        decay = float(self.params["neighbour_position_decay"])
        scores = np.zeros((len(queries), self.n_items))
        for row, query in enumerate(queries):
            start, end = chosen.indptr[row], chosen.indptr[row + 1]
            if start == end:
                continue
            neighbours, sims = chosen.indices[start:end], chosen.data[start:end]
            begins = self.session_indptr[neighbours]
            lengths = self.session_indptr[neighbours + 1] - begins
            owner = np.repeat(np.arange(neighbours.size), lengths)
            offsets = np.arange(owner.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
            items = self.session_items[np.repeat(begins, lengths) + offsets]
            shared = np.isin(items, query.context[-self.params["query_length"] :])
            # position of the last shared item in each neighbour (-1 when none: cannot happen
            # for a chosen neighbour, but keeps the arithmetic safe)
            last_shared = np.full(neighbours.size, -1)
            np.maximum.at(last_shared, owner[shared], offsets[shared])
            distance = np.abs(offsets - last_shared[owner])
            np.add.at(scores[row], items, sims[owner] * np.exp(-distance / decay))
        return scores

    def _state(self) -> dict[str, np.ndarray]:
        return {
            **pack_sparse("sessions", self.sessions),
            "session_items": self.session_items,
            "session_indptr": self.session_indptr,
            "session_owner": self.session_owner,
            "session_weight": self.session_weight,
            "item_weight": self.item_weight,
        }

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.sessions = unpack_sparse(state, "sessions")
        self.session_items = state["session_items"]
        self.session_indptr = state["session_indptr"]
        self.session_owner = state["session_owner"]
        self.session_weight = state["session_weight"]
        self.item_weight = state["item_weight"]
