"""Blends: several models' scores, each divided by its row's best score, mixed with weights.

Dividing by the row maximum puts every component on a 0..1 scale per query, so a weight means the
same for a shopper with a long history as for one with a single view. The presets below are the
storefront's "next item" (transitions first, then neighbours and look-alikes) and "for you"
(affinities, session neighbours, ALS, buy again, trending); their default weights are the ones
the offline evaluation chose on validation data (docs/evaluation.md) and the evaluation re-tunes
them per dataset.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from personalization.engine.recs.base import (
    Query,
    Recommender,
    load_model,
    row_max_normalized,
)
from personalization.engine.recs.buy_again import BuyAgain
from personalization.engine.recs.content import ContentSimilarity
from personalization.engine.recs.facets import FacetAffinity
from personalization.engine.recs.factorization import MatrixFactorization
from personalization.engine.recs.interactions import Catalog, Interactions
from personalization.engine.recs.popularity import Popularity
from personalization.engine.recs.sknn import SessionKNN
from personalization.engine.recs.transitions import Transitions


class Blend(Recommender):
    name = "blend"

    def __init__(
        self,
        *,
        weights: Mapping[str, float],
        components: Mapping[str, Recommender] | None = None,
        label: str = "blend",
    ) -> None:
        super().__init__(weights=dict(weights), label=label)
        self.components: dict[str, Recommender] = dict(components or {})
        unknown = set(self.components) - set(weights)
        if unknown:
            raise ValueError(f"no weight for component(s) {', '.join(sorted(unknown))}")

    @property
    def uses_catalog(self) -> bool:  # type: ignore[override]
        return any(c.uses_catalog for c in self.components.values())

    @classmethod
    def of_fitted(
        cls,
        components: Mapping[str, Recommender],
        weights: Mapping[str, float],
        label: str = "blend",
    ) -> Blend:
        """A blend of already fitted models (the evaluation tunes weights without refitting)."""
        blend = cls(weights=weights, components=components, label=label)
        first = next(iter(components.values()))
        blend.n_items = first.n_items
        blend.popularity = first.popularity
        blend.report = {
            "model": cls.name,
            "params": blend.params,
            "components": {name: c.version for name, c in components.items()},
            "seconds": sum(c.report.get("seconds", 0.0) for c in components.values()),
        }
        blend.version = blend._digest()
        return blend

    def _fit(self, interactions: Interactions, catalog: Catalog | None) -> None:
        for name, component in self.components.items():
            if self.params["weights"].get(name, 0.0):
                component.fit(interactions, catalog)

    def active(self) -> dict[str, Recommender]:
        return {
            name: component
            for name, component in self.components.items()
            if self.params["weights"].get(name, 0.0)
        }

    def component_scores(self, queries: Sequence[Query]) -> dict[str, np.ndarray]:
        """Each active component's row-max-normalized scores (the evaluation caches these)."""
        return {
            name: row_max_normalized(component.score(queries))
            for name, component in self.active().items()
        }

    def _score(self, queries: Sequence[Query]) -> np.ndarray:
        total = np.zeros((len(queries), self.n_items))
        weights = self.params["weights"]
        for name, scores in self.component_scores(queries).items():
            total += weights[name] * scores
        return total

    def _state(self) -> dict[str, np.ndarray]:
        return {
            f"component.{name}": np.frombuffer(component.to_bytes(), dtype=np.uint8)
            for name, component in self.active().items()
        }

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        prefix = "component."
        self.components = {
            key[len(prefix) :]: load_model(array.tobytes())
            for key, array in state.items()
            if key.startswith(prefix)
        }


NEXT_ITEM_WEIGHTS = {
    "transitions": 1.0,
    "markov": 0.1,
    "neighbours": 0.1,
    "content": 0.3,
    "trending": 0.0,
}


def next_item_blend(weights: Mapping[str, float] | None = None) -> Blend:
    """ "You may also like" / next item: transitions, first-order chain, neighbours, look-alikes."""
    return Blend(
        weights=dict(weights or NEXT_ITEM_WEIGHTS),
        components={
            "transitions": Transitions(two_hop_weight=0.3),
            "markov": Transitions(
                window=1, backward_weight=0.0, query_length=1, row_power=0.5, popularity_power=0.0
            ),
            "neighbours": SessionKNN(k=50),
            "content": ContentSimilarity(),
            "trending": Popularity(half_life_days=30.0),
        },
        label="next-item",
    )


FOR_YOU_WEIGHTS = {
    "affinity": 0.2,
    "neighbours": 0.5,
    "factors": 0.5,
    "buy_again": 0.5,
    "trending": 0.1,
    "transitions": 0.5,
}


def for_you_blend(weights: Mapping[str, float] | None = None) -> Blend:
    """The personal homepage row: affinities, session neighbours, ALS, buy again, trending."""
    return Blend(
        weights=dict(weights or FOR_YOU_WEIGHTS),
        components={
            "affinity": FacetAffinity(),
            "neighbours": SessionKNN(k=100, query_decay=0.9),
            "factors": MatrixFactorization(algorithm="als"),
            "buy_again": BuyAgain(),
            "trending": Popularity(half_life_days=30.0),
            "transitions": Transitions(),
        },
        label="for-you",
    )
