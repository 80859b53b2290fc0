from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from personalization.engine.recs import Interactions, Popularity, Query, load_model, top_k
from personalization.engine.recs.base import recency_query_matrix

DAY = 86400.0


def test_rows_are_sorted_by_user_then_time_keeping_input_order_on_ties():
    # given events out of order, two of them at the same time
    data = Interactions.from_arrays(
        user=[1, 0, 0, 0], item=[5, 3, 2, 4], timestamp=[0.0, 9.0, 1.0, 1.0], n_items=6
    )
    # then user 0's items run 2, 4 (tie: input order), 3; then user 1
    assert data.user.tolist() == [0, 0, 0, 1]
    assert data.item.tolist() == [2, 4, 3, 5]
    assert data.n_users == 2
    assert data.n_items == 6
    sequences = data.sequences("user")
    assert sequences.indptr.tolist() == [0, 3, 4]
    assert sequences[0].tolist() == [2, 4, 3]
    assert sequences.owner.tolist() == [0, 1]


def test_sessions_and_baskets_group_rows_and_minus_one_means_none():
    data = Interactions.from_arrays(
        user=[0, 0, 0, 1],
        item=[1, 2, 3, 1],
        timestamp=[0, 1, 2, 3],
        session=[7, 7, 8, 9],
        basket=[-1, 0, 0, 1],
    )
    assert [s.tolist() for s in (data.sequences("session")[g] for g in range(3))] == [
        [1, 2],
        [3],
        [1],
    ]
    baskets = data.sequences("basket")
    assert len(baskets) == 2
    assert baskets[0].tolist() == [2, 3]
    assert baskets.owner.tolist() == [0, 1]
    # "auto" prefers sessions when the data has them
    assert len(data.sequences("auto")) == 3


def test_bad_interactions_are_refused():
    with pytest.raises(ValueError, match="item must lie"):
        Interactions.from_arrays([0], [3], n_items=2)
    with pytest.raises(ValueError, match="one value per interaction"):
        Interactions.from_arrays([0, 0], [1])
    with pytest.raises(ValueError, match="finite"):
        Interactions.from_arrays([0], [1], [np.nan])
    with pytest.raises(ValueError, match="integers"):
        Interactions.from_arrays([0.5], [1])


def test_top_k_breaks_ties_by_popularity_then_index_and_never_returns_excluded_items():
    scores = np.array([0.0, 2.0, 1.0, 2.0, 2.0, -1.0])
    popularity = np.array([9.0, 1.0, 5.0, 3.0, 1.0, 9.0])
    items, values = top_k(scores, 3, exclude=[3], tiebreak=popularity)
    # 1 and 4 tie on score and popularity: lower index first; 3 is excluded
    assert items.tolist() == [1, 4, 2]
    assert values.tolist() == [2.0, 2.0, 1.0]
    # only items with evidence (score > 0) are ranked
    assert top_k(scores, 10)[0].tolist() == [1, 3, 4, 2]
    assert top_k(np.zeros(3), 2)[0].tolist() == []


def test_query_context_is_history_then_session_and_recency_weights_keep_the_latest():
    query = Query.of(history=[1, 2], session=[3, 2])
    assert query.context.tolist() == [1, 2, 3, 2]
    weights = recency_query_matrix([query], 5, length=3, decay=0.5).toarray()[0]
    # last three: 2 (age 0), 3 (age 1), 2 (age 2, already counted with its latest weight)
    assert weights.tolist() == [0.0, 0.0, 1.0, 0.5, 0.0]


def test_popularity_decays_with_age_and_rank_excludes():
    # given item 0 bought 20 days before the newest event and item 1 twice, 10 days before
    data = Interactions.from_arrays(
        user=[0, 1, 2, 2], item=[0, 1, 1, 2], timestamp=[0.0, 10 * DAY, 10 * DAY, 20 * DAY]
    )
    model = Popularity(half_life_days=10.0).fit(data)
    assert model.score([Query()])[0].tolist() == [0.25, 1.0, 1.0]
    items, _ = model.rank(k=2, exclude=[1])
    assert items.tolist() == [2, 0]
    # plain counts without a half-life; ties go to the more popular (equal here: lower index)
    assert Popularity().fit(data).rank(k=3)[0].tolist() == [1, 0, 2]


def test_popularity_by_user_position_for_data_without_clock():
    data = Interactions.from_arrays(user=[0, 0, 1], item=[0, 1, 1])
    model = Popularity(half_life_days=1.0, decay_by="user_position").fit(data)
    # user 0: item 0 has one later event (x 0.5), item 1 is their last (x 1); user 1: item 1 x 1
    assert model.score([Query()])[0].tolist() == [0.5, 2.0]


def test_a_model_round_trips_through_bytes_with_its_version():
    data = Interactions.from_arrays(user=[0, 1, 1], item=[0, 1, 2], timestamp=[0.0, 1.0, 2.0])
    model = Popularity(half_life_days=5.0).fit(data)
    restored = load_model(model.to_bytes())
    assert isinstance(restored, Popularity)
    assert restored.version == model.version
    assert restored.version.startswith("popularity-")
    assert restored.params == model.params
    assert np.array_equal(restored.score([Query()]), model.score([Query()]))
    # the same data and parameters give the same version; other parameters another one
    assert Popularity(half_life_days=5.0).fit(data).version == model.version
    assert Popularity(half_life_days=6.0).fit(data).version != model.version


def test_unfitted_models_and_unknown_bytes_are_refused():
    with pytest.raises(RuntimeError, match="not fitted"):
        Popularity().score([Query()])
    with pytest.raises(RuntimeError, match="not fitted"):
        Popularity().to_bytes()
    with pytest.raises(ValueError, match="not a model archive"):
        load_model(b"not a model")


def test_recs_package_imports_without_django():
    # given a fresh interpreter (this one has Django loaded)
    check = (
        "import personalization.engine.recs, personalization.engine.recs.linear, sys; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'shopapp')]; "
        "assert not bad, bad"
    )
    result = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
