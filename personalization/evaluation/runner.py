"""Tune every candidate on validation, then fit it on the test split's training data and test it.

Single models try each point of their grid; blends reuse their components' tuned, fitted models,
cache each component's normalized scores on the validation queries and choose weights by
coordinate ascent. All choices use validation NDCG@10 (HR@20 breaks ties); test data is touched
once, by the chosen configuration.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from personalization.engine.recs.base import Query, Recommender, row_max_normalized
from personalization.engine.recs.blend import Blend
from personalization.engine.recs.interactions import Catalog
from personalization.evaluation.metrics import (
    BasketAccumulator,
    RankAccumulator,
    basket_ranks,
    target_ranks,
)
from personalization.evaluation.protocols import Split, Task

# queries x items scores held in memory at once. Kept small on purpose: float64 blocks under
# 32 MB are reused by the allocator, larger ones are mapped and page-faulted afresh every batch
# (that cost a third of the Beauty run's CPU as system time at 12 million cells)
BATCH_CELLS = 2_000_000
SELECTION_METRIC = "ndcg@10"
WEIGHT_GRID = (0.0, 0.1, 0.3, 0.5, 1.0, 2.0, 3.0)

Scorer = Callable[[Sequence[Query]], np.ndarray]
Log = Callable[[str], None]


@dataclass
class Candidate:
    name: str
    family: str  # "baseline" or "ours"
    build: Callable[..., Recommender]
    grid: list[dict[str, Any]]
    description: str = ""


@dataclass
class BlendCandidate:
    name: str
    components: dict[str, str]  # component key -> name of the candidate it reuses
    start: dict[str, float]
    description: str = ""
    family: str = "ours"


@dataclass
class Evaluation:
    metrics: dict[str, float]
    curve: list[float]
    seconds: float
    # per query, for paired comparisons: "ndcg@10" and "hr@20"
    per_query: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class Result:
    name: str
    family: str
    description: str
    params: dict[str, Any]
    validation: dict[str, float]
    test: dict[str, float]
    curve: list[float]
    fit_seconds: float  # on the test split's training data
    test_seconds: float
    tried: list[dict[str, Any]] = field(default_factory=list)
    per_query: dict[str, np.ndarray] = field(default_factory=dict)
    validation_model: Recommender | None = None
    test_model: Recommender | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "family": self.family,
            "description": self.description,
            "params": self.params,
            "validation": self.validation,
            "test": self.test,
            "hr_curve": self.curve,
            "fit_seconds": round(self.fit_seconds, 2),
            "test_seconds": round(self.test_seconds, 2),
            "tried": self.tried,
            "version": None if self.test_model is None else self.test_model.version,
        }


def _batches(n_queries: int, n_items: int) -> Iterator[slice]:
    size = max(64, BATCH_CELLS // max(n_items, 1))
    for start in range(0, n_queries, size):
        yield slice(start, min(n_queries, start + size))


def _exclude(scores: np.ndarray, task: Task, rows: slice) -> None:
    if task.exclude is None:
        return
    for offset, items in enumerate(task.exclude[rows]):
        scores[offset, items] = -np.inf


def _best_items(row: np.ndarray, k: int, tiebreak: np.ndarray) -> np.ndarray:
    pool = min(row.size, 4 * k)
    candidates = np.argpartition(-row, pool - 1)[:pool] if row.size > pool else np.arange(row.size)
    order = np.lexsort((candidates, -tiebreak[candidates], -row[candidates]))
    return candidates[order][:k]


def evaluate(
    scorer: Scorer,
    task: Task,
    single_target: bool,
    tiebreak: np.ndarray,
    *,
    with_lists: bool = True,
) -> Evaluation:
    """Metrics of one scoring function on one task (full ranking, pessimistic ties).

    `with_lists=False` skips the top-k lists behind coverage and repeat shares (tuning only
    needs the accuracy metrics)."""
    started = time.perf_counter()
    n_items = tiebreak.size
    if single_target:
        ranks_sum = RankAccumulator(ks=(5, 10, 20))
        all_target_ranks = []
        for rows in _batches(len(task), n_items):
            scores = np.array(scorer(task.queries[rows]), dtype=np.float64)
            _exclude(scores, task, rows)
            targets = np.array([t[0] for t in task.targets[rows]], dtype=np.int64)
            ranks = target_ranks(scores, targets, tiebreak)
            ranks_sum.add(ranks)
            all_target_ranks.append(ranks)
        joined = np.concatenate(all_target_ranks)
        per_query = {
            "ndcg@10": np.where(joined < 10, 1.0 / np.log2(joined + 2.0), 0.0),
            "hr@20": (joined < 20).astype(np.float64),
        }
        return Evaluation(
            ranks_sum.result(with_mrr=True),
            ranks_sum.curve(),
            time.perf_counter() - started,
            per_query,
        )
    assert task.bought_before is not None
    baskets = BasketAccumulator(n_items=n_items, ks=(10, 20))
    ndcg_of_query: list[np.ndarray] = []
    hit_of_query: list[np.ndarray] = []
    for rows in _batches(len(task), n_items):
        scores = np.array(scorer(task.queries[rows]), dtype=np.float64)
        _exclude(scores, task, rows)
        all_ranks = basket_ranks(scores, task.targets[rows], tiebreak)
        per_basket = baskets.add_many(all_ranks, task.bought_before[rows])
        ndcg_of_query.append(per_basket["ndcg@10"])
        hit_of_query.append(per_basket["hr@20"])
        if not with_lists:
            continue
        for offset, query in enumerate(task.queries[rows]):
            top = _best_items(scores[offset], max(baskets.ks), tiebreak)
            baskets.add_list(top)
            for k in baskets.ks:
                baskets.list_repeats(k, float(np.isin(top[:k], query.history).mean()))
    per_query = {"ndcg@10": np.concatenate(ndcg_of_query), "hr@20": np.concatenate(hit_of_query)}
    return Evaluation(baskets.result(), baskets.curve(), time.perf_counter() - started, per_query)


def paired_bootstrap(
    ours: np.ndarray, theirs: np.ndarray, *, resamples: int = 2000, seed: int = 0
) -> tuple[float, float, float]:
    """Mean difference ours - theirs over the same queries and its 95% bootstrap interval."""
    difference = ours - theirs
    rng = np.random.default_rng(seed)
    means = np.empty(resamples)
    for i in range(resamples):
        means[i] = difference[rng.integers(0, difference.size, difference.size)].mean()
    low, high = np.percentile(means, [2.5, 97.5])
    return float(difference.mean()), float(low), float(high)


def _better(a: dict[str, float], b: dict[str, float] | None) -> bool:
    if b is None:
        return True
    return (a[SELECTION_METRIC], a.get("hr@20", 0.0)) > (b[SELECTION_METRIC], b.get("hr@20", 0.0))


def _round(metrics: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 5) for k, v in metrics.items()}


def run_candidate(
    candidate: Candidate,
    split: Split,
    catalog: Catalog | None,
    tune_task: Task,
    log: Log,
    *,
    refit: bool = True,
) -> Result:
    """Tune on validation; then refit the chosen setting on the test split's training data
    (everything before each test item, validation items included) unless `refit` is off, in
    which case the validation model itself is tested (the published neural protocol: the
    validation item is only an input at test time, never a training example)."""
    best_metrics: dict[str, float] | None = None
    best_params: dict[str, Any] = {}
    best_model: Recommender | None = None
    tried = []
    for params in candidate.grid:
        model = candidate.build(**params)
        model.fit(split.validation.train, catalog)
        outcome = evaluate(
            model.score, tune_task, split.single_target, model.popularity, with_lists=False
        )
        tried.append({"params": params, "validation": _round(outcome.metrics)})
        log(
            f"  {candidate.name} {params}: validation {SELECTION_METRIC}="
            f"{outcome.metrics[SELECTION_METRIC]:.4f} hr@20={outcome.metrics['hr@20']:.4f} "
            f"(fit {model.report['seconds']:.1f}s, score {outcome.seconds:.1f}s)"
        )
        if _better(outcome.metrics, best_metrics):
            best_metrics, best_params, best_model = outcome.metrics, params, model
    assert best_metrics is not None
    assert best_model is not None
    test_model = best_model
    if refit:
        test_model = candidate.build(**best_params)
        test_model.fit(split.test.train, catalog)
    outcome = evaluate(test_model.score, split.test, split.single_target, test_model.popularity)
    log(
        f"  {candidate.name} test {SELECTION_METRIC}={outcome.metrics[SELECTION_METRIC]:.4f} "
        f"hr@20={outcome.metrics['hr@20']:.4f} (fit {test_model.report['seconds']:.1f}s, "
        f"score {outcome.seconds:.1f}s)"
    )
    return Result(
        name=candidate.name,
        family=candidate.family,
        description=candidate.description,
        params=best_params,
        validation=_round(best_metrics),
        test=_round(outcome.metrics),
        curve=outcome.curve,
        fit_seconds=float(test_model.report["seconds"]),
        test_seconds=outcome.seconds,
        tried=tried,
        per_query=outcome.per_query,
        validation_model=best_model,
        test_model=test_model,
    )


def _cached_scores(models: dict[str, Recommender], task: Task) -> dict[str, np.ndarray]:
    n_items = next(iter(models.values())).n_items
    cache = {key: np.zeros((len(task), n_items), dtype=np.float32) for key in models}
    for rows in _batches(len(task), n_items):
        queries = task.queries[rows]
        for key, model in models.items():
            cache[key][rows] = row_max_normalized(model.score(queries))
    return cache


def run_blend(
    blend: BlendCandidate,
    split: Split,
    results: dict[str, Result],
    tune_task: Task,
    log: Log,
) -> Result | None:
    available = {key: name for key, name in blend.components.items() if name in results}
    if len(available) < 2:
        return None
    validation_models = {key: results[name].validation_model for key, name in available.items()}
    models = {key: m for key, m in validation_models.items() if m is not None}
    cache = _cached_scores(models, tune_task)
    tiebreak = next(iter(models.values())).popularity

    def weighted_total(weights: dict[str, float]) -> np.ndarray:
        total = np.zeros((len(tune_task), tiebreak.size), dtype=np.float32)
        for rows in _batches(len(tune_task), tiebreak.size):
            for key, weight in weights.items():
                if weight:
                    total[rows] += np.float32(weight) * cache[key][rows]
        return total

    weights = {key: blend.start.get(key, 0.0) for key in available}
    anchor = next(iter(available))
    weights[anchor] = weights[anchor] or 1.0
    total = weighted_total(weights)

    def score_trial(key: str, change: float) -> dict[str, float]:
        """Validation metrics of the running total with one weight changed by `change`, built a
        batch at a time (whole-matrix temporaries would be page-faulted afresh every trial)."""
        position = {"row": 0}

        def scorer(queries: Sequence[Query]) -> np.ndarray:
            start = position["row"]
            end = start + len(queries)
            position["row"] = end
            block = total[start:end].astype(np.float64)
            if change:
                block += change * cache[key][start:end]
            return block

        return evaluate(scorer, tune_task, split.single_target, tiebreak, with_lists=False).metrics

    # coordinate ascent: each trial changes one weight, so it costs one scaled add of that
    # component to the running total instead of re-summing every component
    best = score_trial(anchor, 0.0)
    tried = [{"weights": dict(weights), "validation": _round(best)}]
    for _ in range(2):
        improved = False
        for key in available:
            if key == anchor:
                continue
            for value in WEIGHT_GRID:
                if value == weights[key]:
                    continue
                trial = {**weights, key: value}
                metrics = score_trial(key, value - weights[key])
                tried.append({"weights": dict(trial), "validation": _round(metrics)})
                if _better(metrics, best):
                    for rows in _batches(len(tune_task), tiebreak.size):
                        total[rows] += np.float32(value - weights[key]) * cache[key][rows]
                    best, weights, improved = metrics, trial, True
        if not improved:
            break
    total = np.zeros((0, 0), dtype=np.float32)  # free it before the test run
    cache.clear()  # free the cached scores before the test run
    log(
        f"  {blend.name} weights {weights}: validation {SELECTION_METRIC}="
        f"{best[SELECTION_METRIC]:.4f} hr@20={best['hr@20']:.4f}"
    )
    chosen = {key: w for key, w in weights.items() if w}
    test_components = {key: results[available[key]].test_model for key in chosen}
    test_blend = Blend.of_fitted(
        {k: m for k, m in test_components.items() if m is not None}, chosen, label=blend.name
    )
    outcome = evaluate(test_blend.score, split.test, split.single_target, test_blend.popularity)
    log(
        f"  {blend.name} test {SELECTION_METRIC}={outcome.metrics[SELECTION_METRIC]:.4f} "
        f"hr@20={outcome.metrics['hr@20']:.4f} (score {outcome.seconds:.1f}s)"
    )
    return Result(
        name=blend.name,
        family=blend.family,
        description=blend.description,
        params={"weights": chosen, "components": {k: available[k] for k in chosen}},
        validation=_round(best),
        test=_round(outcome.metrics),
        curve=outcome.curve,
        fit_seconds=float(test_blend.report["seconds"]),
        test_seconds=outcome.seconds,
        tried=tried,
        per_query=outcome.per_query,
        validation_model=None,
        test_model=test_blend,
    )


def tuning_task(split: Split, max_queries: int, seed: int = 0) -> Task:
    """The validation queries used for every choice (a fixed random subset when large)."""
    task = split.validation
    if max_queries <= 0 or len(task) <= max_queries:
        return task
    rng = np.random.default_rng(seed)
    return task.subset(np.sort(rng.choice(len(task), size=max_queries, replace=False)))


def best_of(results: Sequence[Result], family: str) -> Result | None:
    """The family's model with the best validation score (never chosen on test)."""
    chosen: Result | None = None
    for result in results:
        if result.family == family and (
            chosen is None or _better(result.validation, chosen.validation)
        ):
            chosen = result
    return chosen
