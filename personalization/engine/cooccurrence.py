"""Item-to-item neighbours from co-occurrence in baskets (orders) or sessions (views).

Pure NumPy/SciPy. Scores are cosine similarities with shrinkage, c_ij / (sqrt(n_i n_j) + shrink):
lift-like (a pair is scored against how common each item is on its own) but stable for rare items,
whose one chance co-occurrence would otherwise top every list. Pairs seen fewer than `min_support`
times are dropped. Used for "frequently bought together" (baskets) and "related" (sessions).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

MODEL_VERSION = 1


@dataclass(frozen=True)
class Neighbours:
    """Top-k neighbours per item: row i lists item i's neighbours, best first (-1 pads)."""

    indices: np.ndarray  # (n_items, k) int32
    scores: np.ndarray  # (n_items, k) float32
    support: np.ndarray  # (n_items, k) int32: baskets holding both
    version: int = MODEL_VERSION

    def of(self, item: int, k: int) -> list[tuple[int, float]]:
        row = self.indices[item]
        keep = row >= 0
        return list(zip(row[keep][:k].tolist(), self.scores[item][keep][:k].tolist(), strict=True))

    def to_bytes(self, *, compress: bool = True) -> bytes:
        """An .npz archive; uncompressed is several times faster to write and read, for tables
        whose size does not matter."""
        buffer = io.BytesIO()
        (np.savez_compressed if compress else np.savez)(
            buffer,
            indices=self.indices,
            scores=self.scores,
            support=self.support,
            version=np.array([self.version]),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Neighbours:
        with np.load(io.BytesIO(data)) as arrays:
            version = int(arrays["version"][0])
            if version != MODEL_VERSION:
                raise ValueError(f"unsupported neighbours version {version}")
            return cls(arrays["indices"], arrays["scores"], arrays["support"], version)


def neighbours(
    group: npt.ArrayLike,
    item: npt.ArrayLike,
    n_items: int,
    *,
    k: int = 20,
    min_support: int = 2,
    shrink: float = 5.0,
) -> Neighbours:
    """Neighbours from (group, item) pairs: a group is a basket or a session; repeats count once."""
    groups = np.asarray(group, dtype=np.int64)
    items = np.asarray(item, dtype=np.int64)
    if groups.shape != items.shape:
        raise ValueError("group and item must align")
    if items.size and (items.min() < 0 or items.max() >= n_items):
        raise ValueError(f"item must lie in 0..{n_items - 1}")
    n_groups = int(groups.max()) + 1 if groups.size else 0
    incidence = sparse.csr_matrix(
        (np.ones(items.size, dtype=np.float32), (groups, items)), shape=(n_groups, n_items)
    )
    incidence.data[:] = 1.0  # duplicates were summed: a basket holds an item or not
    counts = np.asarray(incidence.sum(axis=0)).ravel()
    co = (incidence.T @ incidence).tocsr()
    co.setdiag(0)
    co.eliminate_zeros()
    indices = np.full((n_items, k), -1, dtype=np.int32)
    scores = np.zeros((n_items, k), dtype=np.float32)
    support = np.zeros((n_items, k), dtype=np.int32)
    norms = np.sqrt(counts)
    for i in range(n_items):
        start, end = co.indptr[i], co.indptr[i + 1]
        if start == end:
            continue
        cols = co.indices[start:end]
        together = co.data[start:end]
        ok = together >= min_support
        if not ok.any():
            continue
        cols, together = cols[ok], together[ok]
        score = together / (norms[i] * norms[cols] + shrink)
        top = np.argsort(-score, kind="stable")[:k]
        indices[i, : top.size] = cols[top]
        scores[i, : top.size] = score[top]
        support[i, : top.size] = together[top]
    return Neighbours(indices, scores, support)
