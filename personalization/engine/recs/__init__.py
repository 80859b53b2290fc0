"""Recommendation models: fit on interactions, score and rank for a user, a history or a session.

Pure NumPy/SciPy (plus `implicit` for ALS/BPR); no Django. The storefront and the offline
evaluation call the same `Recommender.score` / `Recommender.rank`; models are stored with
`to_bytes()` and read back with `load_model()`. See `base.py` for the contract.
"""

from personalization.engine.recs.association import CoPurchase, Rule
from personalization.engine.recs.base import (
    MODEL_CLASSES,
    Query,
    Recommender,
    load_model,
    top_k,
)
from personalization.engine.recs.blend import Blend, for_you_blend, next_item_blend
from personalization.engine.recs.buy_again import BuyAgain
from personalization.engine.recs.content import ContentSimilarity
from personalization.engine.recs.cross_sell import CrossSell
from personalization.engine.recs.facets import FacetAffinity
from personalization.engine.recs.factorization import MatrixFactorization
from personalization.engine.recs.interactions import Catalog, Interactions, Sequences
from personalization.engine.recs.popularity import Popularity
from personalization.engine.recs.sknn import SessionKNN
from personalization.engine.recs.transitions import Transitions

__all__ = [
    "MODEL_CLASSES",
    "Blend",
    "BuyAgain",
    "Catalog",
    "CoPurchase",
    "ContentSimilarity",
    "CrossSell",
    "FacetAffinity",
    "Interactions",
    "MatrixFactorization",
    "Popularity",
    "Query",
    "Recommender",
    "Rule",
    "Sequences",
    "SessionKNN",
    "Transitions",
    "for_you_blend",
    "load_model",
    "next_item_blend",
    "top_k",
]
