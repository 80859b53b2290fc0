"""The interface every recommendation model shares, and its byte format.

A model is fitted on `Interactions` (plus an optional `Catalog`), then answers `Query`s:
`score(queries)` gives one row of scores over all items per query (higher is better, 0 means "no
evidence"), and `rank(...)` is the storefront's call: the top k items of that same row after
exclusions, ties broken by item index. The offline evaluation ranks the same rows, so what it
measures is what the storefront serves.

`to_bytes()` writes an `.npz` archive (arrays only, no pickle) with a JSON header holding the class,
the hyper-parameters, the version and the training report; `load_model(data)` gives the model back.
The version is a digest of all of that, so two fits on the same data with the same parameters
get the same version and any change gives a new one: the Django layer stores the bytes under
the version and swaps the pointer atomically.
"""

from __future__ import annotations

import abc
import hashlib
import io
import json
import time
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from personalization.engine.recs.interactions import Catalog, Interactions

FORMAT_VERSION = 1
_EMPTY = np.zeros(0, dtype=np.int64)


def _items(values: npt.ArrayLike | None) -> np.ndarray:
    if values is None:
        return _EMPTY
    array = np.asarray(values)
    if array.size == 0:
        return _EMPTY
    return array.astype(np.int64, copy=False).ravel()


@dataclass(frozen=True)
class Query:
    """Who is asking and what we know: past items (oldest first), the current session's items
    (oldest first), the time of the request and, when known, the time of each history item."""

    user: int | None = None
    history: np.ndarray = field(default_factory=lambda: _EMPTY)
    session: np.ndarray = field(default_factory=lambda: _EMPTY)
    time: float | None = None
    history_times: np.ndarray | None = None

    @classmethod
    def of(
        cls,
        *,
        user: int | None = None,
        history: npt.ArrayLike | None = None,
        session: npt.ArrayLike | None = None,
        time: float | None = None,
        history_times: npt.ArrayLike | None = None,
    ) -> Query:
        items = _items(history)
        times = None if history_times is None else np.asarray(history_times, dtype=np.float64)
        if times is not None and times.shape != items.shape:
            raise ValueError("history_times must align with history")
        return cls(
            user=user, history=items, session=_items(session), time=time, history_times=times
        )

    @property
    def context(self) -> np.ndarray:
        """Everything seen so far, most recent last: the history, then the current session."""
        if not self.session.size:
            return self.history
        if not self.history.size:
            return self.session
        return np.concatenate([self.history, self.session])


def recency_query_matrix(
    queries: Sequence[Query], n_items: int, *, length: int, decay: float
) -> sp.csr_matrix:
    """queries x items: the last `length` context items, the latest weighted 1, then decay**age.

    An item seen twice keeps its most recent (largest) weight.
    """
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    for row, query in enumerate(queries):
        recent = query.context[-length:][::-1] if length > 0 else _EMPTY
        if not recent.size:
            continue
        # keep the first (most recent) occurrence of each item
        unique, first = np.unique(recent, return_index=True)
        rows.append(np.full(unique.size, row))
        cols.append(unique)
        vals.append(decay ** first.astype(np.float64))
    if not rows:
        return sp.csr_matrix((len(queries), n_items))
    return sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(len(queries), n_items),
    )


def top_k(
    scores: np.ndarray,
    k: int,
    exclude: npt.ArrayLike | None = None,
    tiebreak: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The k best items with a positive score, best first; equal scores go to the higher
    `tiebreak` (training popularity), then the lower index; excluded items never appear."""
    row = np.array(scores, dtype=np.float64, copy=True)
    banned = _items(exclude)
    banned = banned[(banned >= 0) & (banned < row.size)]
    row[banned] = -np.inf
    candidates = np.flatnonzero(row > 0)
    if k <= 0 or not candidates.size:
        return _EMPTY, np.zeros(0)
    if candidates.size > k:
        # everything at or above the k-th best score; ties at the boundary are settled below
        threshold = np.partition(row[candidates], candidates.size - k)[candidates.size - k]
        candidates = candidates[row[candidates] >= threshold]
    second = np.zeros(candidates.size) if tiebreak is None else tiebreak[candidates]
    order = np.lexsort((candidates, -second, -row[candidates]))[:k]
    chosen = candidates[order]
    return chosen, row[chosen]


def pack_sparse(prefix: str, matrix: sp.spmatrix) -> dict[str, np.ndarray]:
    csr = sp.csr_matrix(matrix)
    return {
        f"{prefix}.data": csr.data,
        f"{prefix}.indices": csr.indices,
        f"{prefix}.indptr": csr.indptr,
        f"{prefix}.shape": np.asarray(csr.shape, dtype=np.int64),
    }


def unpack_sparse(state: dict[str, np.ndarray], prefix: str) -> sp.csr_matrix:
    shape = tuple(int(x) for x in state[f"{prefix}.shape"])
    return sp.csr_matrix(
        (state[f"{prefix}.data"], state[f"{prefix}.indices"], state[f"{prefix}.indptr"]),
        shape=shape,
    )


MODEL_CLASSES: dict[str, type[Recommender]] = {}


class Recommender(abc.ABC):
    """Fit on interactions, score queries, rank for the storefront, round-trip through bytes."""

    name: ClassVar[str]
    # Models whose scores for a query depend on the catalog say so, so callers pass one.
    uses_catalog: ClassVar[bool] = False

    def __init__(self, **params: Any) -> None:
        self.params: dict[str, Any] = params
        self.version = "unfitted"
        self.n_items = 0
        self.report: dict[str, Any] = {}
        # training popularity: settles equal scores in rank() and in the evaluation
        self.popularity: np.ndarray = np.zeros(0)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:
            MODEL_CLASSES[cls.name] = cls

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{type(self).__name__}({shown})"

    # -- training ------------------------------------------------------------------------------

    def fit(self, interactions: Interactions, catalog: Catalog | None = None) -> Self:
        started = time.perf_counter()
        self.n_items = interactions.n_items
        self.popularity = np.bincount(interactions.item, minlength=self.n_items).astype(np.float64)
        self._fit(interactions, catalog)
        self.report = {
            "model": self.name,
            "params": self.params,
            "interactions": len(interactions),
            "users": interactions.n_users,
            "items": interactions.n_items,
            "trained_until": interactions.latest,
            "seconds": round(time.perf_counter() - started, 3),
        }
        self.version = self._digest()
        return self

    @abc.abstractmethod
    def _fit(self, interactions: Interactions, catalog: Catalog | None) -> None: ...

    # -- answering -----------------------------------------------------------------------------

    def score(self, queries: Sequence[Query]) -> np.ndarray:
        """len(queries) x n_items float64 scores, higher is better, 0 for "no evidence"."""
        if self.version == "unfitted":
            raise RuntimeError(f"{self.name} is not fitted")
        if not queries:
            return np.zeros((0, self.n_items))
        scores = np.asarray(self._score(queries), dtype=np.float64)
        return scores.reshape(len(queries), self.n_items)

    @abc.abstractmethod
    def _score(self, queries: Sequence[Query]) -> np.ndarray: ...

    def rank(
        self,
        *,
        user: int | None = None,
        history: npt.ArrayLike | None = None,
        session: npt.ArrayLike | None = None,
        k: int = 10,
        exclude: npt.ArrayLike | None = None,
        time: float | None = None,
        history_times: npt.ArrayLike | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(item indices, scores) of the best k items with evidence, excluding `exclude`."""
        query = Query.of(
            user=user, history=history, session=session, time=time, history_times=history_times
        )
        return top_k(self.score([query])[0], k, exclude, self.popularity)

    # -- storage -------------------------------------------------------------------------------

    @abc.abstractmethod
    def _state(self) -> dict[str, np.ndarray]: ...

    @abc.abstractmethod
    def _restore(self, state: dict[str, np.ndarray]) -> None: ...

    def _full_state(self) -> dict[str, np.ndarray]:
        return {"__popularity__": self.popularity, **self._state()}

    def _header(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "model": self.name,
            "params": self.params,
            "n_items": self.n_items,
            "report": self.report,
        }

    def _digest(self) -> str:
        digest = hashlib.sha256()
        header = self._header()
        header.pop("report")  # the wall time must not change the version
        header["report_data"] = {k: v for k, v in self.report.items() if k != "seconds"}
        digest.update(json.dumps(header, sort_keys=True, default=str).encode())
        for key, array in sorted(self._full_state().items()):
            digest.update(key.encode())
            digest.update(np.ascontiguousarray(array).tobytes())
        return f"{self.name}-{digest.hexdigest()[:12]}"

    def to_bytes(self) -> bytes:
        if self.version == "unfitted":
            raise RuntimeError(f"{self.name} is not fitted")
        header = {**self._header(), "version": self.version}
        buffer = io.BytesIO()
        arrays = {
            "__header__": np.frombuffer(json.dumps(header, default=str).encode(), dtype=np.uint8),
            **self._full_state(),
        }
        np.savez(buffer, **arrays)  # type: ignore[arg-type]
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Recommender:
        return load_model(data)


def load_model(data: bytes) -> Recommender:
    """A fitted model back from `to_bytes()`; refuses unknown classes and formats."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            state = {key: archive[key] for key in archive.files}
        header = json.loads(state.pop("__header__").tobytes().decode())
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise ValueError(f"not a model archive: {exc}") from exc
    if header.get("format") != FORMAT_VERSION:
        raise ValueError(f"unsupported model format {header.get('format')!r}")
    model_class = MODEL_CLASSES.get(header["model"])
    if model_class is None:
        raise ValueError(f"unknown model {header['model']!r}")
    model = model_class(**header["params"])
    model.n_items = int(header["n_items"])
    model.report = header["report"]
    model.popularity = state.pop("__popularity__")
    model._restore(state)
    model.version = header["version"]
    return model


def row_max_normalized(scores: np.ndarray) -> np.ndarray:
    """Each row divided by its largest value (rows without a positive value left as they are)."""
    peak = scores.max(axis=1, keepdims=True) if scores.size else np.ones((scores.shape[0], 1))
    peak = np.where(peak > 0, peak, 1.0)
    return scores / peak


def as_queries(
    histories: Iterable[npt.ArrayLike], users: Iterable[int] | None = None
) -> list[Query]:
    """Queries from plain histories (tests and the evaluation)."""
    if users is None:
        return [Query.of(history=h) for h in histories]
    return [Query.of(user=u, history=h) for h, u in zip(histories, users, strict=True)]
