"""The harness against a published table: PopRec on Amazon Beauty (S3-Rec repository, all_rank).

Reads the shared dataset in place (never copied into the repository); skipped where it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from personalization.evaluation.loaders import Dataset, load
from personalization.evaluation.replay import Options, replay

# HR@5, HR@10, HR@20, NDCG@5, NDCG@10, NDCG@20 of PopRec on Beauty, full ranking
PUBLISHED_POPREC = {
    "hr@5": 0.0080,
    "hr@10": 0.0152,
    "hr@20": 0.0217,
    "ndcg@5": 0.0044,
    "ndcg@10": 0.0068,
    "ndcg@20": 0.0084,
}


def shared_datasets() -> Path | None:
    """EVAL_DATASETS, else the nearest `shared/datasets` beside the checkout or an ancestor
    (the main checkout and the worktrees sit at different depths)."""
    if os.environ.get("EVAL_DATASETS"):
        return Path(os.environ["EVAL_DATASETS"])
    for folder in Path(__file__).resolve().parents:
        candidate = folder / "shared" / "datasets"
        if candidate.is_dir():
            return candidate
    return None


@pytest.fixture(scope="module")
def beauty() -> Dataset:
    root = shared_datasets()
    path = None if root is None else root / "amazon_beauty" / "Beauty.txt"
    if path is None or not path.exists():
        pytest.skip("Amazon Beauty is not on this machine (set EVAL_DATASETS)")
    return load("sequential", path)


def _test_row(dataset: Dataset, convention: str) -> dict[str, float]:
    run = replay(
        dataset,
        "loo-full",
        Options(models="most-popular", popularity_convention=convention, tune_queries=500),
    )
    (result,) = run.results
    return {k: round(result.test[k], 4) for k in PUBLISHED_POPREC}


def test_poprec_reproduces_the_published_beauty_row_with_whole_file_counts(
    beauty: Dataset,
) -> None:
    # given popularity counted over the whole file, test items included, ties against the target
    # when the harness ranks every item for each user's last item
    row = _test_row(beauty, "whole-file")
    # then it is S3-Rec's PopRec row to the fourth decimal
    assert row == PUBLISHED_POPREC


def test_poprec_with_training_counts_only_is_lower(beauty: Dataset) -> None:
    # given the honest default: the test items are not counted
    row = _test_row(beauty, "train")
    # then HR@10 and NDCG@10 drop (the test targets no longer lift their own popularity)
    assert row["hr@10"] == 0.0130
    assert row["ndcg@10"] == 0.0059
    assert row["hr@20"] == PUBLISHED_POPREC["hr@20"]
