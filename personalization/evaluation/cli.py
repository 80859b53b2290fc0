"""python -m personalization.evaluation --format F --path FILE --protocol P --models all --json OUT

Prints progress on stderr; on stdout the Markdown table, a timing line and, last, the RESULT line
comparing our best model with the best baseline (both chosen on validation, scored on test).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from personalization.evaluation.loaders import FORMATS, DatasetError, load
from personalization.evaluation.protocols import PROTOCOLS
from personalization.evaluation.replay import Options, process_cpu_seconds, replay
from personalization.evaluation.report import markdown_table, plot_hit_rate, write_json


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
    parser.add_argument(
        "--no-refit",
        action="store_true",
        help="test the models fitted for validation instead of refitting the chosen settings "
        "on everything before the test items",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()

    def log(message: str) -> None:
        if not args.quiet:
            print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    options = Options(
        models=args.models,
        popularity_convention=args.popularity_convention,
        exclude_seen=not args.include_seen,
        test_days=args.test_days,
        test_fraction=args.test_fraction,
        max_queries=args.max_queries,
        tune_queries=args.tune_queries,
        refit=not args.no_refit,
    )
    try:
        dataset = load(args.format, args.path, args.attributes)
        log(f"loaded {dataset.summary()}")
        run = replay(dataset, args.protocol, options, log)
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not run.results:
        print("error: no model matched --models", file=sys.stderr)
        return 2
    # the whole process, loading included
    run.wall_seconds = time.perf_counter() - started
    run.cpu_seconds = process_cpu_seconds()

    print(
        f"## {dataset.name} · {args.protocol} · test split ({len(run.split.test)} queries; "
        f"chosen on {run.tuning_queries} validation queries)\n"
    )
    print(markdown_table(run.results, run.split.single_target))
    print()
    if run.best_ours is not None:
        print(
            f"ours best on validation: {run.best_ours.name} (trains in "
            f"{run.best_ours.fit_seconds:.1f}s); baseline best on validation: "
            f"{run.best_baseline.name if run.best_baseline else 'none'}"
        )
    names = " - ".join(r.name for r in (run.best_ours, run.best_baseline) if r is not None)
    for metric, (mean, low, high) in run.margins.items():
        print(
            f"{names} on test {metric}: {mean:+.4f} "
            f"(95% paired bootstrap interval {low:+.4f} .. {high:+.4f})"
        )
    print(
        f"wall time {run.wall_seconds:.1f}s, CPU time {run.cpu_seconds:.1f}s, "
        f"peak memory {run.peak_memory_mib:.0f} MiB"
    )
    if not args.no_plot:
        plot_path = (
            args.plot or Path("artifacts/evaluation") / f"{dataset.name}-{args.protocol}-hr.png"
        )
        plot_hit_rate(run.results, f"{dataset.name} · {args.protocol} · HR@k (test)", plot_path)
        log(f"plot written to {plot_path}")
    if args.json is not None:
        write_json(args.json, run.document())
        log(f"JSON written to {args.json}")
    print(run.result_line)
    return 0
