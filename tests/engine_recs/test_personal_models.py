from __future__ import annotations

import numpy as np
import pytest

from personalization.engine.recs import (
    Blend,
    BuyAgain,
    Catalog,
    CrossSell,
    FacetAffinity,
    Interactions,
    MatrixFactorization,
    Popularity,
    Query,
    Transitions,
    for_you_blend,
    load_model,
    next_item_blend,
)

DAY = 86400.0


def purchases() -> Interactions:
    # user 0 buys item 0 on days 0, 10, 20 and item 1 on day 5; user 1 buys item 0 on days 0
    # and 30 and item 1 on day 0
    return Interactions.from_arrays(
        user=[0, 0, 0, 0, 1, 1, 1],
        item=[0, 0, 0, 1, 0, 0, 1],
        timestamp=np.array([0, 10, 20, 5, 0, 30, 0]) * DAY,
        n_items=3,
    )


def test_buy_again_learns_repurchase_intervals_and_peaks_when_due():
    model = BuyAgain(
        half_life_days=None,
        popularity_power=0.0,
        repeat_rate_power=0.0,
        trend_power=0.0,
        timing_weight=0.5,
    ).fit(purchases())
    # all gaps: 10, 10, 30 -> shop median 10; item 0 median 10 shrunk to 10; item 1 has none
    assert model.default_interval == 10.0
    assert model.item_interval.tolist() == [10.0, 10.0, 10.0]
    # user 0, item 0: gaps sum 20 over 2 gaps, plus 2 pseudo-gaps of 10 -> 10 days
    scores = model.score([Query.of(user=0, time=30 * DAY)])[0]
    # day 30: 10 days since the last purchase, exactly the interval -> due = 1
    assert scores[0] == pytest.approx(3 * (1 + 0.5))
    # item 1: once, 25 days ago, interval 10 -> r = 2.5
    assert scores[1] == pytest.approx(1 + 0.5 * np.exp(-(np.log(2.5) ** 2) / 2))
    assert scores[2] == 0.0
    # the same numbers from a history with times (a profile instead of a stored user)
    from_history = model.score(
        [
            Query.of(
                history=[0, 1, 0, 0],
                history_times=np.array([0, 5, 10, 20]) * DAY,
                time=30 * DAY,
            )
        ]
    )[0]
    assert from_history == pytest.approx(scores)


def test_buy_again_too_soon_scores_less_than_due_and_popularity_breaks_equal_counts():
    model = BuyAgain(half_life_days=None, popularity_power=0.0, timing_weight=1.0).fit(purchases())
    soon = model.score([Query.of(user=0, time=21 * DAY)])[0][0]
    due = model.score([Query.of(user=0, time=30 * DAY)])[0][0]
    assert soon < due
    # with popularity_power 1 each count is multiplied by 1 + the item's training rows
    popular = BuyAgain(
        half_life_days=None,
        popularity_power=1.0,
        repeat_rate_power=0.0,
        trend_power=0.0,
        timing_weight=0.0,
    ).fit(purchases())
    assert popular.score([Query.of(user=1)])[0].tolist() == [2 * 6.0, 1 * 3.0, 0.0]
    assert np.array_equal(
        load_model(popular.to_bytes()).score([Query.of(user=1)]),
        popular.score([Query.of(user=1)]),
    )


def test_buy_again_favours_items_that_customers_rebuy():
    model = BuyAgain(
        half_life_days=None,
        popularity_power=0.0,
        repeat_rate_power=1.0,
        trend_power=0.0,
        timing_weight=0.0,
    ).fit(purchases())
    # item 0: both buyers rebought it; item 1: neither; shop rate 2/4; 2 pseudo-buyers
    assert model.repeat_rate.tolist() == [0.75, 0.25, 0.5]
    assert model.score([Query.of(user=1)])[0].tolist() == [2 * 0.75, 1 * 0.25, 0.0]


def test_buy_again_trend_is_the_recent_share_over_the_yearly_share():
    model = BuyAgain(trend_half_life_days=10.0).fit(purchases())
    # newest event day 30; item 0 rows on days 0, 10, 20, 0, 30; item 1 on days 5, 0
    age = 30 - np.array([0, 10, 20, 0, 30])
    recent0, yearly0 = (0.5 ** (age / 10.0)).sum(), (0.5 ** (age / 365.0)).sum()
    age1 = 30 - np.array([5, 0])
    recent1, yearly1 = (0.5 ** (age1 / 10.0)).sum(), (0.5 ** (age1 / 365.0)).sum()
    recent_total, yearly_total = recent0 + recent1, yearly0 + yearly1
    prior = 1 / 3
    assert model.trend[0] == pytest.approx(
        (recent0 / recent_total + prior) / (yearly0 / yearly_total + prior)
    )
    assert model.trend[1] == pytest.approx(
        (recent1 / recent_total + prior) / (yearly1 / yearly_total + prior)
    )
    # item 0 sold lately, item 1 long ago, item 2 never (neutral)
    assert model.trend[0] > 1 > model.trend[1]
    assert model.trend[2] == 1.0


def test_cross_sell_suggests_complements_and_penalizes_substitutes():
    # baskets: A {mug, saucer} -> B {candle}; C {mug, saucer} -> D {candle}; E {mug, blue mug}
    data = Interactions.from_arrays(
        user=[0, 0, 0, 1, 1, 1, 2, 2],
        item=[0, 1, 2, 0, 1, 2, 0, 3],
        timestamp=np.array([0, 0, 10, 0, 0, 5, 0, 0]) * DAY,
        basket=[0, 0, 1, 2, 2, 3, 4, 4],
    )
    catalog = Catalog(
        n_items=4,
        title=["Red Mug", "Saucer", "Candle", "Blue Mug"],
        category=["Mugs", "Saucers", "Candles", "Mugs"],
    )
    model = CrossSell(min_support=1, next_basket_weight=0.5, substitute_penalty=0.1).fit(
        data, catalog
    )
    scores = model.score([Query.of(session=[0])])[0]
    # saucer: same basket 2/3; candle: next basket 2/3 x 0.5; blue mug: 1/3, same category x 0.1
    assert scores == pytest.approx([0.0, 2 / 3, 1 / 3, 1 / 30])


def test_facet_affinity_prefers_the_liked_category_and_its_bestsellers():
    data = Interactions.from_arrays(user=[0, 1, 1, 1, 2], item=[0, 1, 1, 1, 2])
    catalog = Catalog(n_items=3, category=["A", "A", "B"])
    model = FacetAffinity().fit(data, catalog)
    # interest all in A; popularity log1p(count) / log1p(3): item 0 -> 0.5, item 1 -> 1
    assert model.score([Query.of(history=[0])])[0] == pytest.approx([0.6, 1.1, 0.0])


def test_matrix_factorization_scores_known_users_and_folds_in_new_ones():
    data = Interactions.from_arrays(
        user=[0, 0, 1, 1, 2, 2, 3], item=[0, 1, 0, 1, 2, 3, 2], n_items=4
    )
    model = MatrixFactorization(factors=4, iterations=5, regularization=0.1, threads=1).fit(data)
    known = model.score([Query.of(user=0)])[0]
    assert known == pytest.approx(model.item_factors @ model.user_factors[0], rel=1e-5)
    # a guest who saw item 0: the normal equations of implicit's weighted least squares
    y = model.item_factors.astype(np.float64)
    confidence = model.params["alpha"] * np.log(2.0)
    gram = y.T @ y + (confidence - 1) * np.outer(y[0], y[0]) + 0.1 * np.eye(y.shape[1])
    expected = y @ np.linalg.solve(gram, confidence * y[0])
    guest = model.score([Query.of(history=[0])])[0]
    assert guest == pytest.approx(expected, rel=1e-4, abs=1e-6)
    assert np.array_equal(
        load_model(model.to_bytes()).score([Query.of(user=2)]), model.score([Query.of(user=2)])
    )


def test_blend_mixes_row_normalized_component_scores():
    data = Interactions.from_arrays(user=[0, 0, 1, 1, 1], item=[0, 1, 1, 2, 2])
    popular = Popularity().fit(data)  # counts 1, 2, 2
    chain = Transitions(
        window=1, backward_weight=0.0, row_power=0.0, popularity_power=0.0, query_length=1
    ).fit(data)  # 0 -> 1, 1 -> 2 (2 -> 2 is not a transition)
    blend = Blend.of_fitted({"popular": popular, "chain": chain}, {"popular": 0.5, "chain": 1.0})
    scores = blend.score([Query.of(history=[0])])[0]
    # popularity / 2 x 0.5 + transitions from 0 (only item 1, normalized 1) x 1
    assert scores.tolist() == [0.25, 1.5, 0.5]
    restored = load_model(blend.to_bytes())
    assert restored.version == blend.version
    assert restored.score([Query.of(history=[0])])[0].tolist() == [0.25, 1.5, 0.5]
    with pytest.raises(ValueError, match="no weight"):
        Blend(weights={}, components={"popular": popular})


def test_presets_fit_and_rank_on_a_tiny_shop():
    data = Interactions.from_arrays(
        user=[0, 0, 0, 1, 1, 2, 2, 2],
        item=[0, 1, 2, 0, 1, 1, 2, 3],
        timestamp=np.arange(8) * DAY,
        basket=[0, 0, 1, 2, 2, 3, 3, 4],
    )
    catalog = Catalog(n_items=4, title=["Mug", "Saucer", "Candle", "Lamp"])
    for blend in (next_item_blend(), for_you_blend()):
        blend.components = {
            name: component
            for name, component in blend.components.items()
            if not isinstance(component, MatrixFactorization)
        }
        blend.params["weights"] = {
            k: v for k, v in blend.params["weights"].items() if k in blend.components
        }
        blend.fit(data, catalog)
        items, scores = blend.rank(user=0, history=[0, 1], k=3, exclude=[0, 1])
        assert not set(items.tolist()) & {0, 1}
        assert items.size >= 1
        assert (np.diff(scores) <= 0).all()
        assert (
            load_model(blend.to_bytes())
            .rank(user=0, history=[0, 1], k=3, exclude=[0, 1])[0]
            .tolist()
            == items.tolist()
        )
