"""Precomputed top-k lists: what a model would rank for every item or every customer, ahead of time.

Scoring a recommendation model per request costs milliseconds (sparse products over the whole
catalog); the storefront's budget for a whole page is a few. So training asks the model for every
row it will be asked about (each item as a one-item session, each known customer) in blocks, keeps
the k best items of each row, scaled so each row's best is 1, and serving becomes a row lookup.
Pure NumPy; the result is the same `Neighbours` table the co-occurrence model stores.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from personalization.engine.cooccurrence import Neighbours

ScoreBlock = Callable[[int, int], np.ndarray]  # rows [start, end) -> (end - start) x n_items
DetailBlock = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (rows, items) -> int per pair


def top_lists(
    score_block: ScoreBlock,
    n_rows: int,
    *,
    k: int,
    block: int = 256,
    exclude_self: bool = False,
    detail: DetailBlock | None = None,
) -> Neighbours:
    """The k best positive-scored items of each row, best first, -1 padded; ties go to the lower
    item index. `exclude_self` drops item i from row i (item-to-item tables). `detail` gives an
    integer per kept (row, item) pair (a pair count, a repurchase interval in days)."""
    indices = np.full((n_rows, k), -1, dtype=np.int32)
    scores = np.zeros((n_rows, k), dtype=np.float32)
    details = np.zeros((n_rows, k), dtype=np.int32)
    for start in range(0, n_rows, block):
        end = min(start + block, n_rows)
        rows = np.asarray(score_block(start, end), dtype=np.float64)
        if exclude_self:
            own = np.arange(start, end)
            valid = own < rows.shape[1]
            rows[np.flatnonzero(valid), own[valid]] = 0.0
        rows[~np.isfinite(rows)] = 0.0
        width = min(k, rows.shape[1])
        if width == 0:
            continue
        # exactly `width` items per row: everything above the row's width-th best score, then
        # the lowest indices among those equal to it (argpartition alone picks ties at random)
        kth = -np.partition(-rows, width - 1, axis=1)[:, width - 1 : width]
        above = rows > kth
        tied = rows == kth
        room = width - above.sum(axis=1, keepdims=True)
        chosen = above | (tied & (np.cumsum(tied, axis=1) <= room))
        part = np.nonzero(chosen)[1].reshape(end - start, width)
        part_scores = np.take_along_axis(rows, part, axis=1)
        order = np.lexsort((part, -part_scores), axis=1)
        best = np.take_along_axis(part, order, axis=1)
        best_scores = np.take_along_axis(part_scores, order, axis=1)
        positive = best_scores > 0
        peak = np.where(best_scores[:, :1] > 0, best_scores[:, :1], 1.0)
        indices[start:end, :width] = np.where(positive, best, -1)
        scores[start:end, :width] = np.where(positive, best_scores / peak, 0.0)
        if detail is not None:
            row_of = np.repeat(np.arange(start, end), width).reshape(end - start, width)
            kept = np.flatnonzero(positive.ravel())
            values = np.zeros((end - start) * width, dtype=np.int64)
            if kept.size:
                values[kept] = detail(row_of.ravel()[kept], best.ravel()[kept])
            details[start:end, :width] = values.reshape(end - start, width)
    return Neighbours(indices, scores, details)
