"""python -m personalization.evaluation --format F --path FILE --protocol P --models all --json OUT

Prints progress on stderr; on stdout the Markdown table, a timing line and, last, the RESULT line
comparing our best model with the best baseline (both chosen on validation, scored on test).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path
from typing import Any

from personalization.evaluation.loaders import FORMATS, DatasetError, load
from personalization.evaluation.protocols import PROTOCOLS, make_split
from personalization.evaluation.report import (
    markdown_table,
    plot_hit_rate,
    result_line,
    write_json,
)
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


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m personalization.evaluation",
        description="Offline evaluation of the recommendation engine against baselines.",
    )
    parser.add_argument("--format", required=True, choices=FORMATS)
    parser.add_argument("--path", required=True, type=Path)
    parser.add_argument("--protocol", required=True, choices=PROTOCOLS)
    parser.add_argument(
        "--models",
        default="all",
        help="all, baselines, ours, or a comma-separated list of model names",
    )
    parser.add_argument("--json", type=Path, help="write every number to this JSON file")
    parser.add_argument(
        "--plot",
        type=Path,
        help="HR@k plot (PNG); default artifacts/evaluation/<data>-<protocol>-hr.png",
    )
    parser.add_argument("--no-plot", action="store_true")
    parser.add_argument(
        "--attributes", type=Path, help="item attributes JSON for the sequential format"
    )
    parser.add_argument(
        "--popularity-convention",
        choices=("train", "whole-file"),
        default="train",
        help="most-popular counts training data only (default) or the whole file, test "
        "items included, as the S3-Rec repository's PopRec row does",
    )
    parser.add_argument(
        "--include-seen",
        action="store_true",
        help="loo-full: keep items already in the user's history in the ranking",
    )
    parser.add_argument("--test-days", type=float, default=60.0, help="temporal-basket window")
    parser.add_argument(
        "--test-fraction", type=float, default=0.1, help="session-next: share of the time span"
    )
    parser.add_argument("--max-queries", type=int, default=50_000, help="session-next cap")
    parser.add_argument(
        "--tune-queries",
        type=int,
        default=6000,
        help="validation queries used for every choice (0 = all)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return parser.parse_args(argv)


def _selected(name: str, family: str, wanted: set[str]) -> bool:
    if "all" in wanted:
        return True
    return (
        name in wanted
        or name.removeprefix("ours:") in wanted
        or (family == "baseline" and "baselines" in wanted)
        or (family == "ours" and "ours" in wanted)
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()

    def log(message: str) -> None:
        if not args.quiet:
            print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    try:
        dataset = load(args.format, args.path, args.attributes)
        log(f"loaded {dataset.summary()}")
        split = make_split(
            args.protocol,
            dataset,
            exclude_seen=not args.include_seen,
            test_days=args.test_days,
            test_fraction=args.test_fraction,
            max_queries=args.max_queries,
        )
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    log(
        f"{args.protocol}: {len(split.validation)} validation and {len(split.test)} test "
        f"queries; {split.settings}"
    )
    tune = tuning_task(split, args.tune_queries)
    wanted = {w.strip() for w in args.models.split(",") if w.strip()}
    whole_file = args.popularity_convention == "whole-file"
    singles: list[Candidate] = baselines(args.protocol, dataset, whole_file_popularity=whole_file)
    our_singles, blends = ours(args.protocol, dataset)
    singles += our_singles
    blend_needs = {
        name
        for blend in blends
        if _selected(blend.name, "ours", wanted)
        for name in blend.components.values()
    }
    results: dict[str, Result] = {}
    for candidate in singles:
        if not (
            _selected(candidate.name, candidate.family, wanted) or candidate.name in blend_needs
        ):
            continue
        log(f"{candidate.name}: tuning {len(candidate.grid)} setting(s)")
        results[candidate.name] = run_candidate(candidate, split, dataset.catalog, tune, log)
    for blend in blends:
        if not _selected(blend.name, blend.family, wanted):
            continue
        log(f"{blend.name}: tuning weights")
        outcome = run_blend(blend, split, results, tune, log)
        if outcome is not None:
            results[blend.name] = outcome
    shown = [
        r for r in results.values() if _selected(r.name, r.family, wanted) or r.family == "ours"
    ]
    if not shown:
        print("error: no model matched --models", file=sys.stderr)
        return 2
    best_ours = best_of(shown, "ours")
    best_baseline = best_of(shown, "baseline")
    elapsed = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    print(
        f"## {dataset.name} · {args.protocol} · test split "
        f"({len(split.test)} queries; chosen on {len(tune)} validation queries)\n"
    )
    print(markdown_table(shown, split.single_target))
    print()
    if best_ours is not None:
        print(
            f"ours best on validation: {best_ours.name} (trains in {best_ours.fit_seconds:.1f}s); "
            f"baseline best on validation: {best_baseline.name if best_baseline else 'none'}"
        )
    margins: dict[str, list[float]] = {}
    if best_ours is not None and best_baseline is not None:
        for metric in ("ndcg@10", "hr@20"):
            mean, low, high = paired_bootstrap(
                best_ours.per_query[metric], best_baseline.per_query[metric]
            )
            margins[metric] = [round(mean, 5), round(low, 5), round(high, 5)]
            print(
                f"{best_ours.name} - {best_baseline.name} on test {metric}: {mean:+.4f} "
                f"(95% paired bootstrap interval {low:+.4f} .. {high:+.4f})"
            )
    print(f"wall time {elapsed:.1f}s, peak memory {peak_mib:.0f} MiB")
    if not args.no_plot:
        plot_path = (
            args.plot or Path("artifacts/evaluation") / f"{dataset.name}-{args.protocol}-hr.png"
        )
        plot_hit_rate(shown, f"{dataset.name} · {args.protocol} · HR@k (test)", plot_path)
        log(f"plot written to {plot_path}")
    if args.json is not None:
        document: dict[str, Any] = {
            "dataset": dataset.summary(),
            "protocol": args.protocol,
            "settings": {
                **split.settings,
                "popularity_convention": args.popularity_convention,
                "validation_queries": len(split.validation),
                "tuning_queries": len(tune),
                "test_queries": len(split.test),
                "ties": "training popularity, then pessimistic",
                "selection": "validation ndcg@10 (hr@20 breaks ties)",
            },
            "results": [r.as_json() for r in shown],
            "best": {
                "ours": None if best_ours is None else best_ours.name,
                "baseline": None if best_baseline is None else best_baseline.name,
            },
            "wall_seconds": round(elapsed, 1),
            "peak_memory_mib": round(peak_mib, 1),
            "margin_ours_minus_baseline": margins,
            "result_line": result_line(best_ours, best_baseline),
        }
        write_json(args.json, document)
        log(f"JSON written to {args.json}")
    print(result_line(best_ours, best_baseline))
    return 0
