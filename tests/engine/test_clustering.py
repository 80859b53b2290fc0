from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest

from personalization.engine.clustering import (
    ClusterModel,
    assign_stable_ids,
    cluster_features,
    describe_cluster,
    fit_clusters,
    kmeans,
    silhouette,
)

CATEGORIES = ("Candles & Lights", "Christmas", "Kitchen & Dining", "Toys & Kids", "Bags & Storage")
# name: (recency days, orders, monetary, price level, category index)
GROUPS = {
    "regulars": (5.0, 12, 2000.0, 1.0, 0),
    "seasonal": (250.0, 1, 30.0, 0.3, 1),
    "cooks": (60.0, 3, 300.0, 1.8, 2),
    "parents": (20.0, 2, 150.0, 1.0, 3),
    "collectors": (10.0, 8, 5000.0, 1.9, 4),
}


def _sample(groups: list[str], seed: int, per_group: int = 150):
    rng = np.random.default_rng(seed)
    rows, names = [], []
    for name in groups:
        recency, orders, monetary, price, category = GROUPS[name]
        for _ in range(per_group):
            shares = rng.dirichlet(np.full(len(CATEGORIES), 0.3))
            shares = 0.2 * shares
            shares[category] += 0.8
            rows.append(
                (
                    recency * rng.lognormal(0, 0.15),
                    max(1, round(orders * rng.lognormal(0, 0.1))),
                    monetary * rng.lognormal(0, 0.2),
                    float(np.clip(price + rng.normal(0, 0.1), 0, 2)),
                    shares,
                )
            )
            names.append(name)
    recency, orders, monetary, price, shares = zip(*rows, strict=True)
    features = cluster_features(
        recency_days=recency,
        frequency=orders,
        monetary=monetary,
        price_level=price,
        category_shares=np.array(shares),
        category_names=CATEGORIES,
    )
    return features, names


def _id_of_group(names: list[str], ids: list[str]) -> dict[str, str]:
    by_group: dict[str, Counter[str]] = {}
    for name, cluster_id in zip(names, ids, strict=True):
        by_group.setdefault(name, Counter())[cluster_id] += 1
    # every group lands whole in one cluster
    assert all(len(counter) == 1 for counter in by_group.values()), by_group
    return {name: counter.most_common(1)[0][0] for name, counter in by_group.items()}


def test_kmeans_is_deterministic_and_finds_separated_blobs():
    rng = np.random.default_rng(1)
    points = np.vstack(
        [rng.normal(center, 0.1, size=(50, 2)) for center in ((0, 0), (5, 0), (0, 5))]
    )
    centers, labels, _ = kmeans(points, 3, seed=3)
    again_centers, again_labels, _ = kmeans(points, 3, seed=3)
    np.testing.assert_array_equal(labels, again_labels)
    np.testing.assert_array_equal(centers, again_centers)
    assert sorted(Counter(labels.tolist()).values()) == [50, 50, 50]
    assert len({labels[0], labels[50], labels[100]}) == 3


def test_silhouette_on_a_hand_computed_example():
    points = np.array([[0.0], [1.0], [10.0], [11.0]])
    expected = (9.5 / 10.5 + 8.5 / 9.5) / 2
    assert silhouette(points, np.array([0, 0, 1, 1])) == pytest.approx(expected)
    assert silhouette(points, np.array([0, 0, 0, 0])) == 0.0


def test_fit_picks_k_by_silhouette_and_describes_each_group():
    features, names = _sample(["regulars", "seasonal", "cooks", "parents"], seed=10)
    model, ids = fit_clusters(features, k_range=range(2, 7))
    assert len(model.ids) == 4
    group_ids = _id_of_group(names, ids)
    description = dict(zip(model.ids, model.descriptions, strict=True))
    assert (
        description[group_ids["regulars"]]
        == "frequent buyers of candles & lights, mid prices, active recently"
    )
    assert (
        description[group_ids["seasonal"]]
        == "one-time buyers of christmas, low prices, quiet for ~8 months"
    )
    assert description[group_ids["cooks"]].startswith(
        "occasional buyers of kitchen & dining, high prices"
    )
    assert sorted(model.sizes) == [150, 150, 150, 150]


def test_retraining_on_a_resample_keeps_ids_and_a_new_group_gets_a_new_id():
    # given a model trained on four groups
    features, names = _sample(["regulars", "seasonal", "cooks", "parents"], seed=10)
    first, ids = fit_clusters(features, k_range=range(2, 7))
    before = _id_of_group(names, ids)
    # when retrained on a fresh sample of the same groups, in another order
    again, again_names = _sample(
        ["parents", "cooks", "regulars", "seasonal"], seed=11, per_group=120
    )
    second, again_ids = fit_clusters(again, k_range=range(2, 7), previous=first, seed=5)
    # then every group keeps its id
    assert _id_of_group(again_names, again_ids) == before
    # when one group disappears and a new one appears
    changed, changed_names = _sample(["regulars", "seasonal", "cooks", "collectors"], seed=12)
    _, changed_ids = fit_clusters(changed, k_range=range(2, 7), previous=second)
    after = _id_of_group(changed_names, changed_ids)
    # then the unchanged groups keep theirs and the newcomer gets an id never used before
    assert {g: after[g] for g in ("regulars", "seasonal", "cooks")} == {
        g: before[g] for g in ("regulars", "seasonal", "cooks")
    }
    assert after["collectors"] == "c5"
    # and ids of older models are never handed out again
    _, renumbered = fit_clusters(changed, k_range=range(2, 7), previous=second, retired_ids=["c9"])
    assert _id_of_group(changed_names, renumbered)["collectors"] == "c10"


def test_assign_stable_ids_matches_by_minimum_total_distance():
    previous = {
        "c1": np.array([0.0, 0.0]),
        "c2": np.array([10.0, 0.0]),
        "c3": np.array([0.0, 10.0]),
    }
    new = np.array([[10.2, 0.0], [0.1, 0.1], [50.0, 50.0]])
    assert assign_stable_ids(previous, new, max_distance=1.0) == ["c2", "c1", "c4"]
    assert assign_stable_ids(previous, new, max_distance=1.0, taken=["c7"]) == ["c2", "c1", "c8"]


def test_assignment_is_global_not_greedy():
    # greedy would give x the closer b (0.9) and leave y unmatched (3.5 from a);
    # the assignment matches both within 2.0 instead
    previous = {"a1": np.array([0.0]), "b1": np.array([2.0])}
    new = np.array([[1.1], [3.5]])
    assert assign_stable_ids(previous, new, max_distance=2.0, prefix="x") == ["a1", "b1"]


def test_describe_cluster_from_a_hand_made_centroid():
    means = np.array([np.log1p(60.0), np.log1p(3.0), 5.0, 1.0, 0.5, 0.5])
    scales = np.array([1.0, 1.0, 1.0, 0.4, 0.3, 0.3])
    centroid = np.array([np.log1p(60.0) + 1.0, np.log1p(1.0), 5.0, 0.9, 0.2, 0.8])
    text = describe_cluster(centroid, means, scales, ("Candles & Lights", "Christmas"))
    assert text == "one-time buyers of christmas, mid prices, quiet for ~5 months"


def test_model_round_trips_through_json_and_assigns_new_customers():
    features, _ = _sample(["regulars", "seasonal"], seed=3, per_group=40)
    model, ids = fit_clusters(features, k_range=[2])
    loaded = ClusterModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert loaded.assign(features) == ids
    assert loaded.descriptions == model.descriptions


def test_retraining_after_the_shop_adds_a_category_keeps_ids():
    # given a model trained before the category "Garden" existed
    features, names = _sample(["regulars", "seasonal", "cooks", "parents"], seed=10)
    first, ids = fit_clusters(features, k_range=[4])
    before = _id_of_group(names, ids)
    # when the same customers are retrained with an extra, empty category column
    widened = type(features)(
        np.hstack([features.matrix, np.zeros((features.matrix.shape[0], 1))]),
        (*features.category_names, "Garden"),
    )
    _, again_ids = fit_clusters(widened, k_range=[4], previous=first)
    # then every group keeps its id
    assert _id_of_group(names, again_ids) == before
