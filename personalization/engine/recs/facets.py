"""Facet affinity: more of the categories and tags this shopper has been looking at.

The query's recent items (latest weighted 1, older ones query_decay ** age) give a share of
interest per facet (category levels and tags). An item scores its facets' summed share times
how popular it is, on a log scale relative to the most popular item, so within a liked category
the bestsellers come first. The personal part of "for you" for shoppers with little history.
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
    unpack_sparse,
)
from personalization.engine.recs.content import item_terms
from personalization.engine.recs.interactions import Catalog, Interactions


def facet_matrix(catalog: Catalog) -> sp.csr_matrix:
    """items x facets, 1 where the item has the category level or tag."""
    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for item in range(catalog.n_items):
        for field_name, term in item_terms(catalog, item):
            if field_name in ("tags", "category"):
                rows.append(item)
                cols.append(vocabulary.setdefault(term, len(vocabulary)))
    matrix = sp.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(catalog.n_items, max(len(vocabulary), 1))
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


class FacetAffinity(Recommender):
    name = "facet_affinity"
    uses_catalog = True

    def __init__(self, *, query_length: int = 20, query_decay: float = 0.8) -> None:
        super().__init__(query_length=query_length, query_decay=query_decay)
        self.facets = sp.csr_matrix((0, 0))
        self.popularity = np.zeros(0)

    def _fit(self, interactions: Interactions, catalog: Catalog | None) -> None:
        catalog = catalog or Catalog(n_items=interactions.n_items)
        self.facets = facet_matrix(catalog).astype(np.float32)
        counts = np.bincount(interactions.item, minlength=interactions.n_items)
        self.popularity = np.log1p(counts) / max(float(np.log1p(counts.max(initial=0))), 1.0)

    def _score(self, queries: Sequence[Query]) -> np.ndarray:
        weights = recency_query_matrix(
            queries,
            self.n_items,
            length=self.params["query_length"],
            decay=self.params["query_decay"],
        )
        interest = sp.csr_matrix(weights @ self.facets)
        totals = np.asarray(interest.sum(axis=1)).ravel()
        interest = sp.csr_matrix(
            sp.diags(np.where(totals > 0, 1.0 / np.maximum(totals, 1e-12), 0.0)) @ interest
        )
        match = np.asarray((interest @ self.facets.T).toarray(), dtype=np.float64)
        return match * (0.1 + self.popularity)

    def _state(self) -> dict[str, np.ndarray]:
        return {**pack_sparse("facets", self.facets), "popularity": self.popularity}

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.facets = unpack_sparse(state, "facets")
        self.popularity = state["popularity"]
