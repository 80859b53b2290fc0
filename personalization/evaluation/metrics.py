"""Ranks of the held-out items under a full ranking, and the metrics computed from them.

Every item of the catalogue is ranked (no sampled negatives). Equal scores are settled by the
training popularity, the same rule `Recommender.rank` serves with; items still tied with a target
(same score, same popularity) count as ranked above it: pessimistic, so a model that gives
everything the same score gets no credit. Excluded items score -inf and can never be hits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

CURVE_K = 50  # HR@k is kept for k = 1..CURVE_K for the plot


def target_ranks(
    scores: np.ndarray, targets: np.ndarray, tiebreak: np.ndarray | None
) -> np.ndarray:
    """0-based pessimistic rank of one target per row (scores: queries x items)."""
    rows = np.arange(scores.shape[0])
    target_score = scores[rows, targets][:, None]
    above = (scores > target_score).sum(axis=1)
    tied = scores == target_score
    if tiebreak is not None:
        target_tiebreak = tiebreak[targets][:, None]
        tied &= tiebreak[None, :] >= target_tiebreak
    # the target itself is among the tied
    ranks = above + tied.sum(axis=1) - 1
    # an excluded target (-inf) is never found
    ranks[~np.isfinite(target_score[:, 0])] = scores.shape[1]
    return ranks


def basket_ranks(
    scores: np.ndarray, baskets: Sequence[np.ndarray], tiebreak: np.ndarray | None
) -> list[np.ndarray]:
    """Per row, the 0-based ranks of each target item, pessimistic against non-targets.

    Targets tied with each other are ordered among themselves (their order cannot change any
    metric); non-targets tied with a target rank above it."""
    out: list[np.ndarray] = []
    for row, basket in enumerate(baskets):
        line = scores[row]
        values = line[basket][:, None]
        is_other = np.ones(line.size, dtype=bool)
        is_other[basket] = False
        # one (targets x items) comparison per row: non-targets ahead of each target
        ahead = line[None, :] > values
        tied = line[None, :] == values
        if tiebreak is not None:
            tied &= tiebreak[None, :] >= tiebreak[basket][:, None]
        ranks = ((ahead | tied) & is_other[None, :]).sum(axis=1)
        ranks[~np.isfinite(values[:, 0])] = line.size
        # then the targets among themselves: the i-th of them has i targets ahead
        order = np.argsort(ranks, kind="stable")
        ranks[order] += np.arange(basket.size)
        out.append(ranks)
    return out


@dataclass
class RankAccumulator:
    """Sums over queries of single-target metrics."""

    ks: tuple[int, ...] = (5, 10, 20)
    count: int = 0

    def __post_init__(self) -> None:
        self.hits = np.zeros(CURVE_K, dtype=np.float64)  # hits[k-1]: number with rank < k
        self.ndcg = dict.fromkeys(self.ks, 0.0)
        self.mrr = dict.fromkeys(self.ks, 0.0)

    def add(self, ranks: np.ndarray) -> None:
        self.count += ranks.size
        clipped = ranks[ranks < CURVE_K]
        self.hits += np.bincount(clipped, minlength=CURVE_K).cumsum()
        for k in self.ks:
            hit = ranks < k
            self.ndcg[k] += float((1.0 / np.log2(ranks[hit] + 2.0)).sum())
            self.mrr[k] += float((1.0 / (ranks[hit] + 1.0)).sum())

    def hr(self, k: int) -> float:
        return float(self.hits[k - 1] / self.count) if self.count else 0.0

    def result(self, *, with_mrr: bool = False) -> dict[str, float]:
        metrics: dict[str, float] = {}
        n = max(self.count, 1)
        for k in self.ks:
            metrics[f"hr@{k}"] = self.hr(k)
        for k in self.ks:
            metrics[f"ndcg@{k}"] = self.ndcg[k] / n
        if with_mrr:
            for k in self.ks:
                metrics[f"mrr@{k}"] = self.mrr[k] / n
        return metrics

    def curve(self) -> list[float]:
        return [self.hr(k) for k in range(1, CURVE_K + 1)]


@dataclass
class BasketAccumulator:
    """Sums over customers of next-basket metrics, plus coverage and repeat/new shares."""

    n_items: int
    ks: tuple[int, ...] = (10, 20)
    count: int = 0

    def __post_init__(self) -> None:
        self.recall = dict.fromkeys(self.ks, 0.0)
        self.ndcg = dict.fromkeys(self.ks, 0.0)
        self.hit = dict.fromkeys(self.ks, 0.0)
        self.hits_curve = np.zeros(CURVE_K)
        self.recommended = {k: np.zeros(self.n_items, dtype=bool) for k in self.ks}
        self.repeat_recommended = dict.fromkeys(self.ks, 0.0)  # share of the list already bought
        self.repeat_recall = {k: [0.0, 0] for k in self.ks}
        self.new_recall = {k: [0.0, 0] for k in self.ks}
        self.target_repeat_share = 0.0

    def add(
        self,
        ranks: np.ndarray,
        basket: np.ndarray,
        top: np.ndarray,
        bought_before: np.ndarray,
    ) -> None:
        """ranks: of each basket item; top: the first max(ks) items recommended;
        bought_before: per basket item, whether the customer bought it before the cutoff;
        the repeat share of the list is computed by the caller through `list_repeats`."""
        self.add_many([ranks], [bought_before])
        self.add_list(top)

    def add_list(self, top: np.ndarray) -> None:
        """The items recommended to one customer (coverage)."""
        for k in self.ks:
            self.recommended[k][top[:k]] = True

    def add_many(
        self, ranks: Sequence[np.ndarray], bought_before: Sequence[np.ndarray]
    ) -> dict[str, np.ndarray]:
        """The accuracy metrics of many baskets at once (one array pass instead of a Python loop
        per customer: blend tuning calls this thousands of times). Returns the per-basket
        `ndcg@k` and `hr@k` for the paired comparisons."""
        count = len(ranks)
        if not count:
            return {}
        sizes = np.array([r.size for r in ranks])
        row = np.repeat(np.arange(count), sizes)
        flat = np.concatenate(ranks)
        repeat = np.concatenate(bought_before).astype(bool)
        size = np.maximum(sizes, 1).astype(np.float64)
        self.count += count
        self.target_repeat_share += float((np.bincount(row, repeat, count) / size).sum())
        repeats = np.bincount(row, repeat, count)
        news = sizes - repeats
        per_basket: dict[str, np.ndarray] = {}
        for k in self.ks:
            found = flat < k
            found_per_basket = np.bincount(row, found, count)
            self.recall[k] += float((found_per_basket / size).sum())
            ideal = np.r_[0.0, np.cumsum(1.0 / np.log2(np.arange(k) + 2.0))]
            gains = np.where(found, 1.0 / np.log2(np.where(found, flat, 0) + 2.0), 0.0)
            ndcg = np.bincount(row, gains, count) / ideal[np.minimum(sizes, k)].clip(min=1e-12)
            self.ndcg[k] += float(ndcg.sum())
            hit = (found_per_basket > 0).astype(np.float64)
            self.hit[k] += float(hit.sum())
            per_basket[f"ndcg@{k}"], per_basket[f"hr@{k}"] = ndcg, hit
            found_repeat = np.bincount(row, found & repeat, count)
            has = repeats > 0
            self.repeat_recall[k][0] += float((found_repeat[has] / repeats[has]).sum())
            self.repeat_recall[k][1] += int(has.sum())
            has = news > 0
            found_new = found_per_basket - found_repeat
            self.new_recall[k][0] += float((found_new[has] / news[has]).sum())
            self.new_recall[k][1] += int(has.sum())
        first = np.full(count, CURVE_K)
        np.minimum.at(first, row, np.minimum(flat, CURVE_K))
        self.hits_curve += np.bincount(first[first < CURVE_K], minlength=CURVE_K).cumsum()
        return per_basket

    def list_repeats(self, k: int, share: float) -> None:
        self.repeat_recommended[k] += share

    def result(self) -> dict[str, float]:
        n = max(self.count, 1)
        metrics: dict[str, float] = {}
        for k in self.ks:
            metrics[f"recall@{k}"] = self.recall[k] / n
            metrics[f"ndcg@{k}"] = self.ndcg[k] / n
            metrics[f"hr@{k}"] = self.hit[k] / n
        for k in self.ks:
            metrics[f"coverage@{k}"] = float(self.recommended[k].mean()) if self.n_items else 0.0
            metrics[f"repeat_share@{k}"] = self.repeat_recommended[k] / n
            total, users = self.repeat_recall[k]
            metrics[f"recall_repeat@{k}"] = total / users if users else 0.0
            total, users = self.new_recall[k]
            metrics[f"recall_new@{k}"] = total / users if users else 0.0
        metrics["target_repeat_share"] = self.target_repeat_share / n
        return metrics

    def curve(self) -> list[float]:
        n = max(self.count, 1)
        return [float(v / n) for v in self.hits_curve]
