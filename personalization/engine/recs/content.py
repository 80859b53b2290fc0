"""Content similarity over title, description, tags and category (TF-IDF, cosine): cold start.

Each item becomes one TF-IDF vector built from its fields, each field's terms scaled by the
field's weight (title words matter more than description words). Tags and the category are
matched whole (and a category path "Home > Candles" also as each of its levels). The vectors are
L2-normalized, so the similarity of two items is their cosine. A query scores items by their
similarity to its recent items (the latest weighted 1, older ones query_decay ** age). Needs no
interactions at all: a product added a minute ago has neighbours.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

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

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "set",
        "the",
        "this",
        "to",
        "with",
        "w",
    ]
)
DEFAULT_FIELD_WEIGHTS = {"title": 1.0, "description": 0.3, "tags": 1.0, "category": 1.0}


def words(text: str) -> list[str]:
    """Lower-case words of two characters or more, without stop words."""
    return [w for w in _WORD.findall(text.lower()) if len(w) > 1 and w not in STOP_WORDS]


def item_terms(catalog: Catalog, item: int) -> Iterable[tuple[str, str]]:
    """(field, term) pairs of one item; tags and categories are whole terms."""
    if catalog.title:
        for word in words(catalog.title[item]):
            yield "title", f"w:{word}"
    if catalog.description:
        for word in words(catalog.description[item]):
            yield "description", f"w:{word}"
    if catalog.tags:
        for tag in catalog.tags[item]:
            if tag:
                yield "tags", f"t:{tag.strip().lower()}"
    if catalog.category and catalog.category[item]:
        levels = [part.strip().lower() for part in catalog.category[item].split(">")]
        for depth in range(1, len(levels) + 1):
            yield "category", "c:" + ">".join(levels[:depth])


def tfidf_vectors(
    catalog: Catalog, field_weights: dict[str, float], *, min_df: int = 1
) -> sp.csr_matrix:
    """items x terms, sublinear tf x smoothed idf x field weight, rows L2-normalized."""
    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for item in range(catalog.n_items):
        for field_name, term in item_terms(catalog, item):
            weight = field_weights.get(field_name, 0.0)
            if weight <= 0:
                continue
            rows.append(item)
            cols.append(vocabulary.setdefault(term, len(vocabulary)))
            vals.append(weight)
    n_terms = len(vocabulary)
    if not rows:
        return sp.csr_matrix((catalog.n_items, max(n_terms, 1)))
    # Summing duplicates gives, per (item, term), the field-weighted count of the term.
    counts = sp.csr_matrix((vals, (rows, cols)), shape=(catalog.n_items, n_terms))
    counts.sum_duplicates()
    document_frequency = np.bincount(counts.indices, minlength=n_terms)
    idf = np.log((1.0 + catalog.n_items) / (1.0 + document_frequency)) + 1.0
    idf[document_frequency < min_df] = 0.0
    # A term used by every item says nothing; the +1 above would still give it weight 1.
    idf[document_frequency >= catalog.n_items] = 0.0
    counts.data = 1.0 + np.log(counts.data)
    vectors = sp.csr_matrix(counts @ sp.diags(idf))
    norms = np.sqrt(np.asarray(vectors.multiply(vectors).sum(axis=1)).ravel())
    vectors = sp.csr_matrix(
        sp.diags(np.where(norms > 0, 1.0 / np.maximum(norms, 1e-12), 0.0)) @ vectors
    )
    vectors.eliminate_zeros()
    return vectors


class ContentSimilarity(Recommender):
    """Items that read like the ones the shopper looked at."""

    name = "content"
    uses_catalog = True

    def __init__(
        self,
        *,
        field_weights: dict[str, float] | None = None,
        query_length: int = 3,
        query_decay: float = 0.5,
        min_df: int = 1,
    ) -> None:
        super().__init__(
            field_weights=dict(field_weights or DEFAULT_FIELD_WEIGHTS),
            query_length=query_length,
            query_decay=query_decay,
            min_df=min_df,
        )
        self.vectors = sp.csr_matrix((0, 0))

    def _fit(self, interactions: Interactions, catalog: Catalog | None) -> None:
        if catalog is None:
            catalog = Catalog(n_items=interactions.n_items)
        if catalog.n_items != interactions.n_items:
            raise ValueError("the catalog must describe every item of the interactions")
        self.vectors = tfidf_vectors(
            catalog, self.params["field_weights"], min_df=self.params["min_df"]
        ).astype(np.float32)

    def similarity(self, item: int) -> np.ndarray:
        """Cosine similarity of one item to every item (1 for itself when it has any text)."""
        return np.asarray((self.vectors[item] @ self.vectors.T).toarray()).ravel()

    def _score(self, queries: Sequence[Query]) -> np.ndarray:
        weights = recency_query_matrix(
            queries,
            self.n_items,
            length=self.params["query_length"],
            decay=self.params["query_decay"],
        )
        # a dense profile times the sparse vectors is much faster than sparse x sparse, and
        # the result is dense anyway
        profile = np.asarray((weights @ self.vectors).toarray(), dtype=np.float64)
        return np.asarray(self.vectors @ profile.T, dtype=np.float64).T

    def _state(self) -> dict[str, np.ndarray]:
        return pack_sparse("vectors", self.vectors)

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.vectors = unpack_sparse(state, "vectors")
