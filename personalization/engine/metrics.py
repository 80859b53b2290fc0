"""Evaluation statistics for binary predictions: rank AUC, Brier score, calibration table."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


def mid_ranks(values: npt.ArrayLike) -> np.ndarray:
    """1-based ranks where tied values share the mean of the ranks they span."""
    data = np.asarray(values, dtype=np.float64)
    order = np.argsort(data, kind="mergesort")
    ordered = data[order]
    # Start of each run of equal values in sorted order.
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], ordered.size]
    run_rank = (starts + ends + 1) / 2.0  # mean of ranks starts+1 .. ends
    ranks = np.empty(data.size, dtype=np.float64)
    ranks[order] = np.repeat(run_rank, ends - starts)
    return ranks


def roc_auc(y_true: npt.ArrayLike, score: npt.ArrayLike) -> float:
    """P(score of a random positive > score of a random negative), ties counting one half."""
    labels = np.asarray(y_true, dtype=bool)
    scores = np.asarray(score, dtype=np.float64)
    if labels.shape != scores.shape:
        raise ValueError("y_true and score must have the same shape")
    positives = int(labels.sum())
    negatives = labels.size - positives
    if positives == 0 or negatives == 0:
        raise ValueError("AUC needs both positive and negative examples")
    rank_sum = float(mid_ranks(scores)[labels].sum())
    return (rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives)


def brier_score(y_true: npt.ArrayLike, probability: npt.ArrayLike) -> float:
    labels = np.asarray(y_true, dtype=np.float64)
    predicted = np.asarray(probability, dtype=np.float64)
    return float(np.mean((predicted - labels) ** 2))


@dataclass(frozen=True)
class CalibrationBin:
    lower: float
    upper: float
    count: int
    mean_predicted: float  # NaN for an empty bin
    observed_rate: float  # NaN for an empty bin


def calibration_table(
    y_true: npt.ArrayLike, probability: npt.ArrayLike, n_bins: int = 10
) -> list[CalibrationBin]:
    """Equal-width probability bins [0, 0.1), ..., [0.9, 1.0]: mean predicted vs observed rate."""
    labels = np.asarray(y_true, dtype=np.float64)
    predicted = np.clip(np.asarray(probability, dtype=np.float64), 0.0, 1.0)
    bin_of = np.minimum((predicted * n_bins).astype(np.int64), n_bins - 1)
    counts = np.bincount(bin_of, minlength=n_bins)
    predicted_sum = np.bincount(bin_of, weights=predicted, minlength=n_bins)
    observed_sum = np.bincount(bin_of, weights=labels, minlength=n_bins)
    table = []
    for i in range(n_bins):
        count = int(counts[i])
        table.append(
            CalibrationBin(
                lower=i / n_bins,
                upper=(i + 1) / n_bins,
                count=count,
                mean_predicted=float(predicted_sum[i] / count) if count else float("nan"),
                observed_rate=float(observed_sum[i] / count) if count else float("nan"),
            )
        )
    return table
