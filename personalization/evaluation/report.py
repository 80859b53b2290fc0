"""The Markdown table, the RESULT line, the JSON document and the HR@k plot."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from personalization.evaluation.runner import Result

COLUMNS = {
    "single": [
        ("HR@5", "hr@5"),
        ("HR@10", "hr@10"),
        ("HR@20", "hr@20"),
        ("NDCG@5", "ndcg@5"),
        ("NDCG@10", "ndcg@10"),
        ("NDCG@20", "ndcg@20"),
        ("MRR@20", "mrr@20"),
    ],
    "basket": [
        ("Recall@10", "recall@10"),
        ("Recall@20", "recall@20"),
        ("NDCG@10", "ndcg@10"),
        ("NDCG@20", "ndcg@20"),
        ("HR@10", "hr@10"),
        ("HR@20", "hr@20"),
        ("Cov@20", "coverage@20"),
        ("Repeat@20", "repeat_share@20"),
        ("R-rep@20", "recall_repeat@20"),
        ("R-new@20", "recall_new@20"),
    ],
}


def markdown_table(results: Sequence[Result], single_target: bool) -> str:
    columns = COLUMNS["single" if single_target else "basket"]
    header = ["model", "family", *[c for c, _ in columns], "val NDCG@10", "fit s"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    ordered = sorted(results, key=lambda r: (r.family != "baseline", -r.test["ndcg@10"]))
    for result in ordered:
        cells = [result.name, result.family]
        cells += [f"{result.test.get(key, float('nan')):.4f}" for _, key in columns]
        cells += [f"{result.validation['ndcg@10']:.4f}", f"{result.fit_seconds:.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def result_line(ours: Result | None, baseline: Result | None) -> str:
    def part(label: str, result: Result | None) -> str:
        if result is None:
            return f"{label}=none ndcg@10=nan hr@20=nan"
        return (
            f"{label}={result.name} ndcg@10={result.test['ndcg@10']:.4f} "
            f"hr@20={result.test['hr@20']:.4f}"
        )

    return f"RESULT {part('ours', ours)} {part('baseline', baseline)}"


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")


def plot_hit_rate(results: Sequence[Result], title: str, path: Path) -> None:
    """HR@k for k = 1..50 on the test split, one line per model (baselines dashed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(10, 5.5))
    palette = plt.get_cmap("tab20")
    for index, result in enumerate(sorted(results, key=lambda r: -r.test["ndcg@10"])):
        ks = range(1, len(result.curve) + 1)
        axes.plot(
            ks,
            result.curve,
            color=palette(index % 20),
            linestyle="--" if result.family == "baseline" else "-",
            linewidth=1.2 if result.family == "baseline" else 1.8,
            label=result.name,
        )
    axes.set_xlabel("k (list length)")
    axes.set_ylabel("HR@k (test)")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
