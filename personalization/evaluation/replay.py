"""One evaluation run as a function: a dataset and a protocol in, a `Replay` out.

The CLI prints it; the admin's "how good are my recommendations?" can build a `Dataset` from one
shop's own orders and events (`Dataset(name=..., format="shop", interactions=..., ...)`) and call
`replay()` in a Celery task, then show `Replay.document()`.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from personalization.evaluation.loaders import Dataset
from personalization.evaluation.protocols import Split, make_split
from personalization.evaluation.report import result_line
from personalization.evaluation.runner import (
    Candidate,
    Result,
    best_of,
    paired_bootstrap,
    run_blend,
    run_candidate,
    tuning_task,
)
from personalization.evaluation.suite import baselines, ours

Log = Callable[[str], None]


@dataclass
class Options:
    models: str = "all"  # all, baselines, ours, or comma-separated names
    popularity_convention: str = "train"  # or "whole-file" (S3-Rec's PopRec)
    exclude_seen: bool = True
    test_days: float = 60.0
    test_fraction: float = 0.1
    max_queries: int = 50_000
    tune_queries: int = 6000
    refit: bool = True  # refit chosen settings on all data before the test items


@dataclass
class Replay:
    dataset: Dataset
    protocol: str
    split: Split
    tuning_queries: int
    options: Options
    results: list[Result]
    best_ours: Result | None
    best_baseline: Result | None
    margins: dict[str, list[float]] = field(default_factory=dict)
    wall_seconds: float = 0.0
    # user + system CPU of the process: unlike wall time, not inflated by other jobs on the host
    cpu_seconds: float = 0.0
    peak_memory_mib: float = 0.0

    @property
    def result_line(self) -> str:
        return result_line(self.best_ours, self.best_baseline)

    def document(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset.summary(),
            "protocol": self.protocol,
            "settings": {
                **self.split.settings,
                "popularity_convention": self.options.popularity_convention,
                "validation_queries": len(self.split.validation),
                "tuning_queries": self.tuning_queries,
                "test_queries": len(self.split.test),
                "ties": "training popularity, then pessimistic",
                "selection": "validation ndcg@10 (hr@20 breaks ties)",
                "refit_for_test": self.options.refit,
            },
            "results": [r.as_json() for r in self.results],
            "best": {
                "ours": None if self.best_ours is None else self.best_ours.name,
                "baseline": None if self.best_baseline is None else self.best_baseline.name,
            },
            "margin_ours_minus_baseline": self.margins,
            "wall_seconds": round(self.wall_seconds, 1),
            "cpu_seconds": round(self.cpu_seconds, 1),
            "peak_memory_mib": round(self.peak_memory_mib, 1),
            "result_line": self.result_line,
        }


def process_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return float(usage.ru_utime + usage.ru_stime)


def selected(name: str, family: str, wanted: set[str]) -> bool:
    if "all" in wanted:
        return True
    return (
        name in wanted
        or name.removeprefix("ours:") in wanted
        or (family == "baseline" and "baselines" in wanted)
        or (family == "ours" and "ours" in wanted)
    )


def replay(
    dataset: Dataset, protocol: str, options: Options | None = None, log: Log | None = None
) -> Replay:
    """Split, tune every selected model on validation, test the chosen ones, compare the best.

    Raises `DatasetError` when the data cannot support the protocol."""
    options = options or Options()
    say: Log = log or (lambda message: None)
    started = time.perf_counter()
    split = make_split(
        protocol,
        dataset,
        exclude_seen=options.exclude_seen,
        test_days=options.test_days,
        test_fraction=options.test_fraction,
        max_queries=options.max_queries,
    )
    say(
        f"{protocol}: {len(split.validation)} validation and {len(split.test)} test queries; "
        f"{split.settings}"
    )
    tune = tuning_task(split, options.tune_queries)
    wanted = {w.strip() for w in options.models.split(",") if w.strip()}
    singles: list[Candidate] = baselines(
        protocol, dataset, whole_file_popularity=options.popularity_convention == "whole-file"
    )
    our_singles, blends = ours(protocol, dataset)
    singles += our_singles
    chosen_blends = [b for b in blends if selected(b.name, b.family, wanted)]
    blend_needs = {name for blend in chosen_blends for name in blend.components.values()}
    results: dict[str, Result] = {}
    for candidate in singles:
        if selected(candidate.name, candidate.family, wanted) or candidate.name in blend_needs:
            say(f"{candidate.name}: tuning {len(candidate.grid)} setting(s)")
            results[candidate.name] = run_candidate(
                candidate, split, dataset.catalog, tune, say, refit=options.refit
            )
    for blend in chosen_blends:
        say(f"{blend.name}: tuning weights")
        outcome = run_blend(blend, split, results, tune, say)
        if outcome is not None:
            results[blend.name] = outcome
    # models computed only as blend components are ours and shown too
    shown = [
        r for r in results.values() if selected(r.name, r.family, wanted) or r.family == "ours"
    ]
    best_ours = best_of(shown, "ours")
    best_baseline = best_of(shown, "baseline")
    margins: dict[str, list[float]] = {}
    if best_ours is not None and best_baseline is not None:
        for metric in ("ndcg@10", "hr@20"):
            mean, low, high = paired_bootstrap(
                best_ours.per_query[metric], best_baseline.per_query[metric]
            )
            margins[metric] = [round(mean, 5), round(low, 5), round(high, 5)]
    return Replay(
        dataset=dataset,
        protocol=protocol,
        split=split,
        tuning_queries=len(tune),
        options=options,
        results=shown,
        best_ours=best_ours,
        best_baseline=best_baseline,
        margins=margins,
        wall_seconds=time.perf_counter() - started,
        cpu_seconds=process_cpu_seconds(),
        peak_memory_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    )
