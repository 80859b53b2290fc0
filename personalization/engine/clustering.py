"""Behaviour clusters of customers from RFM, price level and category affinities.

Features per customer (with at least one order): log1p(recency days), log1p(orders),
log1p(monetary), price level (mean price band of the items bought: 0 low .. 2 high) and category
shares (the affinity row, summing to 1). The four numeric features are z-scored; the category block
is scaled so that together it weighs as much as `CATEGORY_WEIGHT` z-scored features, whatever the
number of categories, so twenty categories cannot drown out recency and frequency.

k-means with k-means++ seeding (fixed seed, best of `n_init` runs by inertia); k is the value in
4..8 with the highest silhouette (computed exactly on a fixed-seed sample). The range starts at 4
on purpose: customer data is a continuum rather than separated blobs, so the silhouette falls
steadily with k (UCI: 0.21 at k=2, 0.18 at 3, 0.14 at 4, 0.12 at 5-8) and an open range would
always answer 2 or 3, which only restates "frequent vs one-time". Four groups is the smallest
number that separates behaviour *and* taste; more than eight is more than a merchant will read.

Cluster ids survive retraining: `assign_stable_ids` matches new centroids to the previous ones by
minimum total distance (Hungarian algorithm) in the new model's standardized space, and only pairs
closer than `max_distance` keep their id; unmatched clusters get ids never used before.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

MODEL_VERSION = 1
NUMERIC_FEATURES = ("recency_log", "frequency_log", "monetary_log", "price_level")
CATEGORY_WEIGHT = 2.0
DEFAULT_K_RANGE = range(4, 9)
DEFAULT_MAX_DISTANCE = 1.0  # in standardized units: about one standard deviation


@dataclass(frozen=True)
class ClusterFeatures:
    matrix: np.ndarray  # (n, 4 + n_categories), unstandardized
    category_names: tuple[str, ...]

    @property
    def feature_names(self) -> tuple[str, ...]:
        return NUMERIC_FEATURES + tuple(f"category:{name}" for name in self.category_names)


def cluster_features(
    *,
    recency_days: npt.ArrayLike,
    frequency: npt.ArrayLike,
    monetary: npt.ArrayLike,
    price_level: npt.ArrayLike,
    category_shares: npt.ArrayLike,
    category_names: Sequence[str],
) -> ClusterFeatures:
    """Stack the raw features of customers with orders (no NaN recency)."""
    recency = np.asarray(recency_days, dtype=np.float64)
    shares = np.asarray(category_shares, dtype=np.float64)
    if shares.ndim != 2 or shares.shape != (recency.size, len(category_names)):
        raise ValueError("category_shares must be (n_customers, len(category_names))")
    if not np.isfinite(recency).all():
        raise ValueError("cluster only customers with orders: recency_days has NaN")
    numeric = np.column_stack(
        [
            np.log1p(np.maximum(recency, 0.0)),
            np.log1p(np.asarray(frequency, dtype=np.float64)),
            np.log1p(np.maximum(np.asarray(monetary, dtype=np.float64), 0.0)),
            np.asarray(price_level, dtype=np.float64),
        ]
    )
    return ClusterFeatures(np.hstack([numeric, shares]), tuple(category_names))


@dataclass(frozen=True)
class ClusterModel:
    ids: tuple[str, ...]
    centroids: np.ndarray  # (k, d) unstandardized, so they stay meaningful across retrains
    means: np.ndarray  # (d,) population means (raw)
    scales: np.ndarray  # (d,) divisor of the standardized space
    category_names: tuple[str, ...]
    descriptions: tuple[str, ...]
    sizes: tuple[int, ...]
    silhouette: float
    silhouette_by_k: tuple[tuple[int, float], ...] = ()
    version: int = MODEL_VERSION

    def standardize(self, matrix: np.ndarray) -> np.ndarray:
        return (np.asarray(matrix, dtype=np.float64) - self.means) / self.scales

    def assign(self, features: ClusterFeatures) -> list[str]:
        """The id of the nearest cluster for each customer (e.g. one who just ordered)."""
        nearest = _nearest(self.standardize(features.matrix), self.standardize(self.centroids))
        return [self.ids[i] for i in nearest.tolist()]

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "ids": list(self.ids),
            "centroids": self.centroids.tolist(),
            "means": self.means.tolist(),
            "scales": self.scales.tolist(),
            "category_names": list(self.category_names),
            "descriptions": list(self.descriptions),
            "sizes": list(self.sizes),
            "silhouette": self.silhouette,
            "silhouette_by_k": [list(pair) for pair in self.silhouette_by_k],
        }

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> ClusterModel:
        if stored.get("version") != MODEL_VERSION:
            raise ValueError(f"unsupported cluster model version {stored.get('version')!r}")
        return cls(
            ids=tuple(stored["ids"]),
            centroids=np.asarray(stored["centroids"], dtype=np.float64),
            means=np.asarray(stored["means"], dtype=np.float64),
            scales=np.asarray(stored["scales"], dtype=np.float64),
            category_names=tuple(stored["category_names"]),
            descriptions=tuple(stored["descriptions"]),
            sizes=tuple(int(s) for s in stored["sizes"]),
            silhouette=float(stored["silhouette"]),
            silhouette_by_k=tuple((int(k), float(v)) for k, v in stored.get("silhouette_by_k", [])),
        )


def standardization(features: ClusterFeatures) -> tuple[np.ndarray, np.ndarray]:
    """Means and scales: z-scores for the numeric block, one shared scale for the categories."""
    matrix = features.matrix
    means = matrix.mean(axis=0)
    scales = matrix.std(axis=0)
    n_numeric = len(NUMERIC_FEATURES)
    scales[:n_numeric][scales[:n_numeric] < 1e-12] = 1.0
    category_variance = float(np.sum(scales[n_numeric:] ** 2))
    # Total variance of the scaled category block = CATEGORY_WEIGHT.
    block_scale = math.sqrt(category_variance / CATEGORY_WEIGHT) if category_variance > 0 else 1.0
    scales[n_numeric:] = block_scale
    return means, scales


def _squared_distances(points: np.ndarray, centers: np.ndarray) -> np.ndarray:
    d2 = (
        np.sum(points**2, axis=1)[:, None]
        - 2.0 * points @ centers.T
        + np.sum(centers**2, axis=1)[None, :]
    )
    return np.maximum(d2, 0.0)


def _nearest(points: np.ndarray, centers: np.ndarray) -> np.ndarray:
    return np.argmin(_squared_distances(points, centers), axis=1)


def _kmeans_plus_plus(points: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    centers = [points[rng.integers(points.shape[0])]]
    closest = _squared_distances(points, centers[0][None, :])[:, 0]
    for _ in range(1, k):
        total = closest.sum()
        # All points on the chosen centers: any point will do.
        pick = (
            rng.choice(points.shape[0], p=closest / total)
            if total > 0
            else rng.integers(points.shape[0])
        )
        centers.append(points[pick])
        closest = np.minimum(closest, _squared_distances(points, points[pick][None, :])[:, 0])
    return np.array(centers)


def kmeans(
    points: np.ndarray, k: int, *, seed: int = 0, n_init: int = 4, max_iter: int = 100
) -> tuple[np.ndarray, np.ndarray, float]:
    """(centroids, labels, inertia) of the best of `n_init` k-means++ runs; deterministic."""
    if not 1 <= k <= points.shape[0]:
        raise ValueError("k must be between 1 and the number of points")
    rng = np.random.default_rng(seed)
    best: tuple[np.ndarray, np.ndarray, float] | None = None
    for _ in range(n_init):
        centers = _kmeans_plus_plus(points, k, rng)
        labels = np.full(points.shape[0], -1)
        for _ in range(max_iter):
            d2 = _squared_distances(points, centers)
            new_labels = np.argmin(d2, axis=1)
            if np.array_equal(new_labels, labels):
                break
            labels = new_labels
            for j in range(k):
                members = labels == j
                if members.any():
                    centers[j] = points[members].mean(axis=0)
                else:
                    # An emptied cluster restarts at the point worst served by the others.
                    far = int(np.argmax(d2[np.arange(points.shape[0]), labels]))
                    centers[j] = points[far]
                    labels[far] = j
        inertia = float(
            _squared_distances(points, centers)[np.arange(points.shape[0]), labels].sum()
        )
        if best is None or inertia < best[2]:
            best = (centers.copy(), labels.copy(), inertia)
    assert best is not None
    return best


def silhouette(points: np.ndarray, labels: np.ndarray, *, chunk: int = 1024) -> float:
    """Mean silhouette, exact; singletons score 0 (the usual convention)."""
    n = points.shape[0]
    clusters, labels_dense = np.unique(labels, return_inverse=True)
    if clusters.size < 2:
        return 0.0
    one_hot = np.zeros((n, clusters.size))
    one_hot[np.arange(n), labels_dense] = 1.0
    sizes = one_hot.sum(axis=0)
    values = np.empty(n)
    for start in range(0, n, chunk):
        block = slice(start, min(start + chunk, n))
        distances = np.sqrt(_squared_distances(points[block], points))
        sums = distances @ one_hot  # (chunk, k): total distance to each cluster
        own = labels_dense[block]
        rows = np.arange(sums.shape[0])
        own_size = sizes[own]
        a = np.where(own_size > 1, sums[rows, own] / np.maximum(own_size - 1, 1), 0.0)
        means = sums / sizes
        means[rows, own] = np.inf
        b = means.min(axis=1)
        s = np.where(own_size > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
        values[block] = s
    return float(values.mean())


def fit_clusters(
    features: ClusterFeatures,
    *,
    k_range: Iterable[int] = DEFAULT_K_RANGE,
    seed: int = 0,
    n_init: int = 4,
    silhouette_sample: int = 2000,
    previous: ClusterModel | None = None,
    max_distance: float = DEFAULT_MAX_DISTANCE,
    retired_ids: Iterable[str] = (),
) -> tuple[ClusterModel, list[str]]:
    """Cluster, pick k by silhouette, describe; returns the model and each customer's cluster id.

    With `previous`, clusters that match a previous one (see module doc) keep its id; new ids
    are numbered above the previous model's and `retired_ids` (ids of older models).
    """
    means, scales = standardization(features)
    points = (features.matrix - means) / scales
    rng = np.random.default_rng(seed)
    sample = (
        rng.choice(points.shape[0], silhouette_sample, replace=False)
        if points.shape[0] > silhouette_sample
        else np.arange(points.shape[0])
    )
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    scores: list[tuple[int, float]] = []
    for k in k_range:
        if k > points.shape[0]:
            break
        centers, labels, _ = kmeans(points, k, seed=seed, n_init=n_init)
        score = silhouette(points[sample], labels[sample]) if k > 1 else 0.0
        scores.append((k, score))
        if best is None or score > best[0] + 1e-12:
            best = (score, centers, labels)
    if best is None:
        raise ValueError("no k in k_range fits the data")
    score, centers, labels = best
    raw_centroids = centers * scales + means
    sizes = np.bincount(labels, minlength=centers.shape[0])
    descriptions = tuple(
        describe_cluster(c, means, scales, features.category_names) for c in raw_centroids
    )
    if previous is None:
        ids = [f"c{i + 1}" for i in range(centers.shape[0])]
    else:
        previous_centroids = _realign(previous, features.category_names)
        ids = assign_stable_ids(
            {
                cid: (centroid - means) / scales
                for cid, centroid in zip(previous.ids, previous_centroids, strict=True)
            },
            centers,
            max_distance,
            taken=retired_ids,
        )
    model = ClusterModel(
        ids=tuple(ids),
        centroids=raw_centroids,
        means=means,
        scales=scales,
        category_names=features.category_names,
        descriptions=descriptions,
        sizes=tuple(int(s) for s in sizes),
        silhouette=score,
        silhouette_by_k=tuple(scores),
    )
    return model, [ids[i] for i in labels.tolist()]


def _realign(previous: ClusterModel, category_names: Sequence[str]) -> np.ndarray:
    """Previous centroids over the new category list: a category the shop added had share 0
    then, and a dropped one no longer counts."""
    if tuple(category_names) == previous.category_names:
        return previous.centroids
    n_numeric = len(NUMERIC_FEATURES)
    old_column = {name: n_numeric + i for i, name in enumerate(previous.category_names)}
    realigned = np.zeros((previous.centroids.shape[0], n_numeric + len(category_names)))
    realigned[:, :n_numeric] = previous.centroids[:, :n_numeric]
    for i, name in enumerate(category_names):
        if name in old_column:
            realigned[:, n_numeric + i] = previous.centroids[:, old_column[name]]
    return realigned


_ID_NUMBER = re.compile(r"^(.*?)(\d+)$")


def assign_stable_ids(
    previous: Mapping[str, np.ndarray],
    new_centroids: np.ndarray,
    max_distance: float,
    *,
    taken: Iterable[str] = (),
    prefix: str = "c",
) -> list[str]:
    """Ids for `new_centroids`: a previous id when matched (minimum total Euclidean distance,
    each pair closer than `max_distance`), otherwise a fresh `<prefix><n>` above every id in
    `previous` and `taken` (pass ids retired earlier so they are never reused)."""
    new = np.atleast_2d(np.asarray(new_centroids, dtype=np.float64))
    previous_ids = list(previous)
    ids: list[str | None] = [None] * new.shape[0]
    if previous_ids and new.shape[0]:
        old = np.array([np.asarray(previous[i], dtype=np.float64) for i in previous_ids])
        if old.shape[1] != new.shape[1]:
            raise ValueError("previous and new centroids have different dimensions")
        distance = np.sqrt(_squared_distances(old, new))
        allowed = distance <= max_distance
        # Forbidden pairs cost more than all allowed pairs together, so the assignment first
        # maximizes the number of allowed matches, then minimizes their total distance.
        forbidden_cost = float(distance[allowed].sum()) + 1.0
        cost = np.where(allowed, distance, forbidden_cost)
        rows, cols = linear_sum_assignment(cost)
        for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
            if allowed[row, col]:
                ids[col] = previous_ids[row]
    used_numbers = [
        int(m.group(2))
        for name in [*previous_ids, *taken]
        if (m := _ID_NUMBER.match(name)) and m.group(1) == prefix
    ]
    next_number = max(used_numbers, default=0) + 1
    result = []
    for assigned in ids:
        if assigned is None:
            assigned = f"{prefix}{next_number}"
            next_number += 1
        result.append(assigned)
    return result


def _frequency_words(typical_orders: float) -> str:
    # Typical = expm1 of the centroid's mean log1p(orders): a cluster of mostly single orders
    # with a few seconds lands around 1.3-1.6, hence the bar at 2.
    if typical_orders < 2:
        return "one-time"
    if typical_orders < 5:
        return "occasional"
    return "frequent"


def describe_cluster(
    centroid: np.ndarray, means: np.ndarray, scales: np.ndarray, category_names: Sequence[str]
) -> str:
    """ "frequent buyers of candles & lights, mid prices, active recently" from a raw centroid.

    Frequency in absolute words (a cluster's typical orders: one-time < 2 <= occasional < 5 <=
    frequent); recency and price relative to the population (0.5 standard deviations away or
    more); the category most over-represented against the population average (plus a
    second one if it is nearly as over-represented).
    """
    n_numeric = len(NUMERIC_FEATURES)
    z = (centroid[:n_numeric] - means[:n_numeric]) / scales[:n_numeric]
    typical_orders = math.expm1(float(centroid[1]))
    parts = [f"{_frequency_words(typical_orders)} buyers"]
    if category_names:
        over = centroid[n_numeric:] - means[n_numeric:]
        order = np.argsort(-over, kind="stable")
        first = int(order[0])
        chosen = [category_names[first]] if over[first] > 0 else []
        if len(order) > 1 and over[first] > 0:
            second = int(order[1])
            if over[second] > 0.5 * over[first]:
                chosen.append(category_names[second])
        if not chosen:  # nothing stands out: name the biggest share
            chosen = [category_names[int(np.argmax(centroid[n_numeric:]))]]
        parts[0] += " of " + " and ".join(name.lower() for name in chosen)
    price_z = float(z[3])
    parts.append(
        "high prices" if price_z >= 0.5 else "low prices" if price_z <= -0.5 else "mid prices"
    )
    recency_z = float(z[0])
    if recency_z <= -0.5:
        parts.append("active recently")
    elif recency_z >= 0.5:
        months = max(1, round(math.expm1(float(centroid[0])) / 30.4))
        parts.append(f"quiet for ~{months} month{'s' if months > 1 else ''}")
    return ", ".join(parts)
