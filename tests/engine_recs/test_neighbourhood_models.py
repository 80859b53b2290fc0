from __future__ import annotations

import numpy as np
import pytest

from personalization.engine.recs import (
    Catalog,
    ContentSimilarity,
    CoPurchase,
    Interactions,
    Query,
    SessionKNN,
    Transitions,
    load_model,
)
from personalization.engine.recs.content import words
from personalization.engine.recs.linear import LinearTransitions, regression_examples


def sequences_data(*sequences: list[int], n_items: int | None = None) -> Interactions:
    users = [u for u, seq in enumerate(sequences) for _ in seq]
    items = [i for seq in sequences for i in seq]
    times = [float(t) for seq in sequences for t in range(len(seq))]
    return Interactions.from_arrays(users, items, times, n_items=n_items)


def test_windowed_transitions_count_decayed_forward_and_backward_pairs():
    # given one sequence 0 -> 1 -> 2, pairs at distance 2 count 0.5, reverse pairs half as much
    data = sequences_data([0, 1, 2])
    model = Transitions(
        window=2,
        distance_decay=0.5,
        backward_weight=0.5,
        row_power=0.0,
        popularity_power=0.0,
        query_length=1,
    ).fit(data)
    assert model.matrix.toarray().tolist() == [
        [0.0, 1.0, 0.5],
        [0.5, 0.0, 1.0],
        [0.25, 0.5, 0.0],
    ]
    # a query after item 1 scores 0 (back) 0.5 and 2 (forward) 1
    assert model.score([Query.of(history=[1])])[0].tolist() == [0.5, 0.0, 1.0]


def test_transitions_markov_setting_is_the_conditional_probability_of_the_next_item():
    # given 0 -> 1 twice and 0 -> 2 once
    data = sequences_data([0, 1], [0, 1], [0, 2], [3, 0])
    model = Transitions(
        window=1, backward_weight=0.0, row_power=1.0, popularity_power=0.0, query_length=1
    ).fit(data)
    scores = model.score([Query.of(history=[3, 0])])[0]
    # only the last item counts: P(1 | 0) = 2/3, P(2 | 0) = 1/3
    assert scores == pytest.approx([0.0, 2 / 3, 1 / 3, 0.0])
    items, _ = model.rank(history=[3, 0], k=5, exclude=[3, 0])
    assert items.tolist() == [1, 2]


def test_transitions_query_weights_older_items_less_and_two_hop_reaches_further():
    data = sequences_data([0, 1], [1, 2], [3, 4])
    plain = Transitions(
        window=1, backward_weight=0.0, row_power=0.0, popularity_power=0.0, query_decay=0.5
    ).fit(data)
    # history 3, 0: item 1 follows the latest (weight 1), item 4 the older one (weight 0.5)
    assert plain.score([Query.of(history=[3, 0])])[0].tolist() == [0, 1.0, 0, 0, 0.5]
    hops = Transitions(
        window=1,
        backward_weight=0.0,
        row_power=0.0,
        popularity_power=0.0,
        query_length=1,
        two_hop_weight=0.5,
    ).fit(data)
    # after 0: one hop reaches 1 (normalized 1), two hops reach 2 (normalized 1, weight 0.5)
    assert hops.score([Query.of(history=[0])])[0].tolist() == [0, 1.0, 0.5, 0, 0]
    assert np.array_equal(
        load_model(hops.to_bytes()).score([Query.of(history=[0])]),
        hops.score([Query.of(history=[0])]),
    )


def test_co_purchase_support_confidence_and_lift():
    # given 4 baskets: {0,1}, {0,1}, {0,2}, {1,2}
    data = Interactions.from_arrays(
        user=[0, 0, 1, 1, 2, 2, 3, 3],
        item=[0, 1, 0, 1, 0, 2, 1, 2],
        basket=[0, 0, 1, 1, 2, 2, 3, 3],
    )
    model = CoPurchase(min_support=1, min_lift=0.0).fit(data)
    rules = {r.consequent: r for r in model.rules(0)}
    # n(0)=3, n(1)=3, n(0,1)=2: confidence 2/3, lift (2/3)/(3/4) = 8/9, support 2/4
    assert rules[1].pair_count == 2
    assert rules[1].support == pytest.approx(0.5)
    assert rules[1].confidence == pytest.approx(2 / 3)
    assert rules[1].lift == pytest.approx(8 / 9)
    # 0 -> 2: n(0,2)=1, n(2)=2: confidence 1/3, lift (1/3)/(2/4) = 2/3
    assert rules[2].confidence == pytest.approx(1 / 3)
    assert rules[2].lift == pytest.approx(2 / 3)
    # the cart anchors the scores (confidence by default)
    scores = model.score([Query.of(history=[2], session=[0])])[0]
    assert scores == pytest.approx([0.0, 2 / 3, 1 / 3])


def test_co_purchase_drops_pairs_below_support_or_lift():
    data = Interactions.from_arrays(
        user=[0, 0, 1, 1, 2, 2, 3, 3],
        item=[0, 1, 0, 1, 0, 2, 1, 2],
        basket=[0, 0, 1, 1, 2, 2, 3, 3],
    )
    # lift must exceed 0.8: 0 -> 1 (8/9) stays, 0 -> 2 (2/3) goes
    assert [r.consequent for r in CoPurchase(min_support=1, min_lift=0.8).fit(data).rules(0)] == [1]
    # support must reach 2: only 0 -> 1 (seen twice)
    model = CoPurchase(min_support=2, min_lift=0.0).fit(data)
    assert [r.consequent for r in model.rules(0)] == [1]
    assert model.score([Query.of(session=[2])])[0].tolist() == [0.0, 0.0, 0.0]


def test_session_knn_votes_with_cosine_similarity_and_skips_the_users_own_sessions():
    # given sessions: A=[0,1,2] (user 0), B=[0,3] (user 1), C=[4,5] (user 2)
    data = sequences_data([0, 1, 2], [0, 3], [4, 5])
    model = SessionKNN(k=5, idf=False, query_decay=1.0).fit(data)
    scores = model.score([Query.of(history=[0])])[0]
    # overlap 1 with A (length 3) and B (length 2): similarities 1/sqrt(3) and 1/sqrt(2)
    a, b = 1 / np.sqrt(3), 1 / np.sqrt(2)
    assert scores == pytest.approx([a + b, a, a, b, 0, 0])
    # user 0 asking: their own session A is not a neighbour
    own = model.score([Query.of(user=0, history=[0])])[0]
    assert own == pytest.approx([b, 0, 0, b, 0, 0])
    # k = 1 keeps the most similar session only
    assert SessionKNN(k=1, idf=False).fit(data).rank(history=[0], k=3, exclude=[0])[0].tolist() == [
        3
    ]


def test_session_knn_position_decay_favours_items_next_to_the_shared_one():
    data = sequences_data([9, 0, 1, 2, 3], n_items=10)
    model = SessionKNN(k=5, idf=False, neighbour_position_decay=1.0).fit(data)
    scores = model.score([Query.of(history=[1])])[0]
    sim = 1 / np.sqrt(5)
    # distances from item 1 (position 2): 9 -> 2, 0 -> 1, 2 -> 1, 3 -> 2
    assert scores[[9, 0, 2, 3]] == pytest.approx(sim * np.exp(-np.array([2, 1, 1, 2])))


def test_content_similarity_is_tfidf_cosine_over_fields():
    catalog = Catalog(
        n_items=3,
        title=["Red Mug", "Blue Mug", "Red Candle"],
        category=["Kitchen", "Kitchen", "Home > Candles"],
    )
    data = Interactions.from_arrays([0], [0], n_items=3)
    model = ContentSimilarity(field_weights={"title": 1.0, "category": 1.0}).fit(data, catalog)
    # idf = ln(4 / (1 + df)) + 1; each term once, tf = 1
    idf_2, idf_1 = np.log(4 / 3) + 1, np.log(2) + 1
    red_mug = np.array([idf_2, idf_2, idf_2])  # red, mug, c:kitchen (all in 2 items)
    blue_mug = np.array([idf_1, idf_2, idf_2])  # blue, mug, c:kitchen
    expected = (red_mug[1:] @ blue_mug[1:]) / (np.linalg.norm(red_mug) * np.linalg.norm(blue_mug))
    similarity = model.similarity(0)
    assert similarity[0] == pytest.approx(1.0)
    assert similarity[1] == pytest.approx(expected)
    # red mug vs red candle share only "red"
    candle = np.array([idf_2, idf_1, idf_1, idf_1])  # red, candle, c:home, c:home>candles
    assert similarity[2] == pytest.approx(
        idf_2**2 / (np.linalg.norm(red_mug) * np.linalg.norm(candle))
    )
    assert model.rank(history=[0], k=2, exclude=[0])[0].tolist() == [1, 2]


def test_words_drop_stop_words_and_single_letters():
    assert words("Set of 3 Cake Tins, w/ LID") == ["cake", "tins", "lid"]


def test_linear_transitions_solve_the_ridge_regression():
    data = sequences_data([0, 1, 2], [0, 2], n_items=3)
    model = LinearTransitions(l2=1.0, input_length=2, input_decay=0.5, keep=3).fit(data)
    sequences = data.sequences("user")
    inputs, outputs = regression_examples(sequences.indptr, sequences.items, 3, length=2, decay=0.5)
    # examples: [0] -> 1, [1 + 0.5*0] -> 2, [0] -> 2
    assert inputs.toarray().tolist() == [[1, 0, 0], [0.5, 1, 0], [1, 0, 0]]
    assert outputs.toarray().argmax(axis=1).tolist() == [1, 2, 2]
    x, y = inputs.toarray(), outputs.toarray()
    expected = np.linalg.solve(x.T @ x + np.eye(3), x.T @ y)
    np.fill_diagonal(expected, 0.0)
    expected[expected < 0] = 0.0
    assert model.matrix.toarray() == pytest.approx(expected, abs=1e-5)
