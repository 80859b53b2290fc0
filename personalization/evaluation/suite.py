"""Which models each protocol compares, with their validation grids.

Grids are small on purpose (the whole run must stay within minutes on two cores); they cover the
settings that matter for each model, and the same budget goes to baselines and to ours.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from personalization.engine.recs import (
    BuyAgain,
    ContentSimilarity,
    CoPurchase,
    CrossSell,
    FacetAffinity,
    MatrixFactorization,
    Popularity,
    SessionKNN,
    Transitions,
)
from personalization.engine.recs.linear import LinearTransitions
from personalization.evaluation.baselines import (
    SKNN,
    ItemKNN,
    MarkovChain,
    MostPopular,
    RecentlyPopular,
    TopFrequency,
)
from personalization.evaluation.loaders import Dataset
from personalization.evaluation.runner import BlendCandidate, Candidate

# the ridge solve is dense in the catalogue size: past this many items the model is left out
LINEAR_MAX_ITEMS = 20_000
ALS_GRID: list[dict[str, Any]] = [
    {"algorithm": "als", "factors": 64, "regularization": 0.05, "alpha": 10.0},
    {"algorithm": "als", "factors": 128, "regularization": 1.0, "alpha": 10.0},
    {"algorithm": "als", "factors": 128, "regularization": 1.0, "alpha": 40.0},
]
BPR_GRID: list[dict[str, Any]] = [
    {
        "algorithm": "bpr",
        "factors": 64,
        "learning_rate": 0.01,
        "regularization": 0.01,
        "iterations": 100,
    },
    {
        "algorithm": "bpr",
        "factors": 128,
        "learning_rate": 0.05,
        "regularization": 0.01,
        "iterations": 100,
    },
]


def baselines(protocol: str, dataset: Dataset, *, whole_file_popularity: bool) -> list[Candidate]:
    if whole_file_popularity:
        counts = np.bincount(dataset.interactions.item, minlength=dataset.interactions.n_items)
        popular = Candidate(
            "most-popular",
            "baseline",
            lambda **p: MostPopular(whole_file=True, counts=counts.astype(np.float64)),
            [{}],
            "counts over the whole file, test items included (S3-Rec convention)",
        )
    else:
        popular = Candidate("most-popular", "baseline", MostPopular, [{}], "training counts")
    recent_grid: list[dict[str, Any]] = (
        [{"days": d} for d in (7.0, 30.0, 90.0)]
        if dataset.has_clock
        else [{"days": None, "last_n": n} for n in (1, 2, 5)]
    )
    out = [
        popular,
        Candidate(
            "recently-popular",
            "baseline",
            RecentlyPopular,
            recent_grid,
            "counts over the recent end of training",
        ),
        Candidate(
            "item-knn",
            "baseline",
            ItemKNN,
            [{"neighbours": n} for n in (50, 200)],
            "item-item cosine",
        ),
        Candidate("als", "baseline", MatrixFactorization, ALS_GRID, "implicit ALS"),
        Candidate("bpr", "baseline", MatrixFactorization, BPR_GRID, "implicit BPR"),
        Candidate(
            "sknn", "baseline", SKNN, [{"k": k} for k in (50, 100, 500)], "session kNN, cosine"
        ),
        Candidate(
            "v-sknn",
            "baseline",
            SKNN,
            [{"k": k, "weighting": "linear"} for k in (50, 100, 500)],
            "session kNN, linear recency weights",
        ),
        Candidate("markov", "baseline", MarkovChain, [{}], "first-order Markov chain"),
    ]
    if protocol != "session-next":
        out.append(
            Candidate(
                "top-frequency",
                "baseline",
                TopFrequency,
                [{}],
                "personal top frequency (buy again)",
            )
        )
    return out


def ours(protocol: str, dataset: Dataset) -> tuple[list[Candidate], list[BlendCandidate]]:
    has_catalog = dataset.catalog is not None
    trending_grid: list[dict[str, Any]] = (
        [{"half_life_days": d} for d in (7.0, 30.0)]
        if dataset.has_clock
        else [{"half_life_days": d, "decay_by": "user_position"} for d in (1.0, 3.0)]
    )
    singles = [
        Candidate(
            "ours:trending", "ours", Popularity, trending_grid, "popularity with a time decay"
        ),
        Candidate(
            "ours:transitions",
            "ours",
            Transitions,
            [
                {},
                {"distance_decay": 0.9},
                {"two_hop_weight": 0.3},
            ],
            "windowed two-way item transitions",
        ),
        Candidate(
            "ours:first-order",
            "ours",
            Transitions,
            [
                {
                    "window": 1,
                    "backward_weight": 0.0,
                    "query_length": 1,
                    "row_power": 0.5,
                    "popularity_power": 0.0,
                }
            ],
            "first-order transitions, normalized",
        ),
        Candidate(
            "ours:session-knn",
            "ours",
            SessionKNN,
            [{"k": 50}, {"k": 200}, {"k": 100, "neighbour_position_decay": 3.0}],
            "V-SKNN/STAN-style neighbours with idf",
        ),
        Candidate("ours:als", "ours", MatrixFactorization, ALS_GRID[1:2], "ALS for the blends"),
    ]
    if dataset.interactions.n_items <= LINEAR_MAX_ITEMS:
        singles.append(
            Candidate(
                "ours:linear",
                "ours",
                LinearTransitions,
                [{"max_items": LINEAR_MAX_ITEMS}],
                "learned (ridge) item transitions",
            )
        )
    if has_catalog:
        singles.append(
            Candidate(
                "ours:content",
                "ours",
                ContentSimilarity,
                [{}, {"query_length": 10, "query_decay": 0.8}],
                "TF-IDF content similarity",
            )
        )
        singles.append(
            Candidate("ours:affinity", "ours", FacetAffinity, [{}], "category and tag affinity")
        )
    if protocol == "temporal-basket":
        singles += [
            Candidate(
                "ours:buy-again",
                "ours",
                BuyAgain,
                [
                    {},
                    {"trend_power": 0.0},
                    {"trend_power": 1.0},
                    {"timing_weight": 0.0},
                ],
                "repurchase with learned intervals",
            ),
            Candidate(
                "ours:co-purchase",
                "ours",
                CoPurchase,
                [
                    {"query_length": 20, "query_decay": 0.9},
                    {"query_length": 50, "query_decay": 0.95, "metric": "cosine"},
                ],
                "association rules (confidence, lift)",
            ),
            Candidate("ours:cross-sell", "ours", CrossSell, [{}], "complements from later baskets"),
        ]
    blends = [
        BlendCandidate(
            "ours:next-item",
            {
                "transitions": "ours:transitions",
                "markov": "ours:first-order",
                "neighbours": "ours:session-knn",
                "content": "ours:content",
                "factors": "ours:als",
                "trending": "ours:trending",
                "linear": "ours:linear",
            },
            {"transitions": 1.0, "markov": 0.5, "neighbours": 2.0, "content": 1.0, "linear": 0.5},
            "blend: transitions, first-order, neighbours, content, ALS, trending, linear",
        ),
        BlendCandidate(
            "ours:for-you",
            {
                "neighbours": "ours:session-knn",
                "affinity": "ours:affinity",
                "factors": "ours:als",
                "buy_again": "ours:buy-again",
                "trending": "ours:trending",
                "transitions": "ours:transitions",
            },
            {"neighbours": 1.0, "factors": 0.5, "affinity": 0.2, "transitions": 0.5},
            "blend: neighbours, affinities, ALS, buy again, trending, transitions",
        ),
    ]
    if protocol == "temporal-basket":
        blends.append(
            BlendCandidate(
                "ours:next-basket",
                {
                    "buy_again": "ours:buy-again",
                    "co_purchase": "ours:co-purchase",
                    "transitions": "ours:transitions",
                    "neighbours": "ours:session-knn",
                    "factors": "ours:als",
                    "trending": "ours:trending",
                    "cross_sell": "ours:cross-sell",
                    "linear": "ours:linear",
                },
                {"buy_again": 1.0, "co_purchase": 0.1, "trending": 0.1},
                "blend: buy again, co-purchase, transitions, neighbours, ALS, trending",
            )
        )
    return singles, blends
