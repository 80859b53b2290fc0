"""The training data every recommendation model takes: column-wise interactions and an item catalog.

Users and items are dense indices (0..n-1); the Django layer keeps the mapping to product ids.
Rows are kept sorted by (user, timestamp) with ties in input order, so "a user's sequence" is
well defined even when timestamps only have day resolution.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp


def _int_column(values: npt.ArrayLike, name: str, size: int | None = None) -> np.ndarray:
    column = np.asarray(values)
    if column.ndim != 1:
        raise ValueError(f"{name} must be 1-D")
    if size is not None and column.size != size:
        raise ValueError(f"{name} must have one value per interaction")
    if column.size and not np.issubdtype(column.dtype, np.integer):
        raise ValueError(f"{name} must hold integers")
    return column.astype(np.int64, copy=False)


@dataclass(frozen=True)
class Interactions:
    """One row per event: who, what, when, how much it counts, and optionally which session/basket.

    `session` groups browsing events (a visit); `basket` groups the lines of one order. Both are
    global indices (not per user); -1 means "none" for a row.
    """

    user: np.ndarray  # int64
    item: np.ndarray  # int64
    timestamp: np.ndarray  # float64 epoch seconds (or positions when only the order is known)
    weight: np.ndarray  # float64
    n_users: int
    n_items: int
    session: np.ndarray | None = None  # int64
    basket: np.ndarray | None = None  # int64

    @classmethod
    def from_arrays(
        cls,
        user: npt.ArrayLike,
        item: npt.ArrayLike,
        timestamp: npt.ArrayLike | None = None,
        *,
        weight: npt.ArrayLike | None = None,
        session: npt.ArrayLike | None = None,
        basket: npt.ArrayLike | None = None,
        n_users: int | None = None,
        n_items: int | None = None,
    ) -> Interactions:
        """Validate and sort by (user, timestamp); a missing timestamp means "in input order"."""
        users = _int_column(user, "user")
        size = users.size
        items = _int_column(item, "item", size)
        times = (
            np.arange(size, dtype=np.float64)
            if timestamp is None
            else np.asarray(timestamp, dtype=np.float64)
        )
        if times.shape != (size,):
            raise ValueError("timestamp must have one value per interaction")
        weights = (
            np.ones(size, dtype=np.float64) if weight is None else np.asarray(weight, np.float64)
        )
        if weights.shape != (size,):
            raise ValueError("weight must have one value per interaction")
        if not (np.isfinite(times).all() and np.isfinite(weights).all()):
            raise ValueError("timestamp and weight must be finite")
        sessions = None if session is None else _int_column(session, "session", size)
        baskets = None if basket is None else _int_column(basket, "basket", size)
        n_users = int(users.max()) + 1 if n_users is None and size else (n_users or 0)
        n_items = int(items.max()) + 1 if n_items is None and size else (n_items or 0)
        if size and (users.min() < 0 or users.max() >= n_users):
            raise ValueError(f"user must lie in 0..{n_users - 1}")
        if size and (items.min() < 0 or items.max() >= n_items):
            raise ValueError(f"item must lie in 0..{n_items - 1}")
        order = np.lexsort((np.arange(size), times, users))
        return cls(
            user=users[order],
            item=items[order],
            timestamp=times[order],
            weight=weights[order],
            n_users=n_users,
            n_items=n_items,
            session=None if sessions is None else sessions[order],
            basket=None if baskets is None else baskets[order],
        )

    def __len__(self) -> int:
        return int(self.user.size)

    def select(self, mask: npt.ArrayLike) -> Interactions:
        """The rows where `mask` is true, same index spaces (already sorted, so order is kept)."""
        keep = np.asarray(mask, dtype=bool)
        return Interactions(
            user=self.user[keep],
            item=self.item[keep],
            timestamp=self.timestamp[keep],
            weight=self.weight[keep],
            n_users=self.n_users,
            n_items=self.n_items,
            session=None if self.session is None else self.session[keep],
            basket=None if self.basket is None else self.basket[keep],
        )

    @property
    def latest(self) -> float:
        return float(self.timestamp.max()) if len(self) else 0.0

    def user_item_matrix(self, *, binary: bool = True) -> sp.csr_matrix:
        """users x items: 1 where the user interacted (binary) or the summed event weights."""
        values = self.weight if not binary else np.ones(len(self))
        matrix = sp.csr_matrix(
            (values, (self.user, self.item)), shape=(self.n_users, self.n_items), dtype=np.float64
        )
        matrix.sum_duplicates()
        if binary:
            matrix.data[:] = 1.0
        return matrix

    def sequences(self, by: str = "auto") -> Sequences:
        """Item sequences in time order, one per group: "user", "session", "basket" or "auto"
        (sessions when the data has them, otherwise users)."""
        if by == "auto":
            by = "session" if self.session is not None and (self.session >= 0).any() else "user"
        if by == "user":
            keys = self.user
            owner_of_row = self.user
        elif by == "session" and self.session is not None:
            keys = self.session
            owner_of_row = self.user
        elif by == "basket" and self.basket is not None:
            keys = self.basket
            owner_of_row = self.user
        else:
            raise ValueError(f"the interactions have no {by} column")
        rows = np.flatnonzero(keys >= 0)
        # Rows are sorted by (user, time); grouping must keep that order inside each group.
        order = rows[np.lexsort((rows, keys[rows]))]
        group_keys = keys[order]
        starts: np.ndarray = np.flatnonzero(np.r_[True, group_keys[1:] != group_keys[:-1]])
        if not order.size:
            starts = np.zeros(0, np.int64)
        indptr = np.r_[starts, order.size].astype(np.int64)
        return Sequences(
            indptr=indptr,
            items=self.item[order],
            times=self.timestamp[order],
            weights=self.weight[order],
            owner=owner_of_row[order][indptr[:-1]] if order.size else np.zeros(0, np.int64),
        )


@dataclass(frozen=True)
class Sequences:
    """Groups of items in time order, CSR-style: group g is items[indptr[g]:indptr[g + 1]]."""

    indptr: np.ndarray
    items: np.ndarray
    times: np.ndarray
    weights: np.ndarray
    owner: np.ndarray  # the user of each group

    def __len__(self) -> int:
        return int(self.indptr.size - 1)

    def lengths(self) -> np.ndarray:
        return np.diff(self.indptr)

    def group_of_position(self) -> np.ndarray:
        return np.repeat(np.arange(len(self)), self.lengths())

    def position_in_group(self) -> np.ndarray:
        return np.arange(self.items.size) - np.repeat(self.indptr[:-1], self.lengths())

    def __getitem__(self, group: int) -> np.ndarray:
        return self.items[self.indptr[group] : self.indptr[group + 1]]

    def group_item_matrix(self, n_items: int) -> sp.csr_matrix:
        """groups x items, 1 where the item occurs in the group."""
        matrix = sp.csr_matrix(
            (np.ones(self.items.size), (self.group_of_position(), self.items)),
            shape=(len(self), n_items),
        )
        matrix.sum_duplicates()
        matrix.data[:] = 1.0
        return matrix


@dataclass(frozen=True)
class Catalog:
    """Item texts aligned with item indices, for content similarity and substitute detection.

    `tags` holds tokens that are matched whole (merchant tags, attribute ids, brand).
    """

    n_items: int
    title: Sequence[str] = ()
    description: Sequence[str] = ()
    tags: Sequence[Sequence[str]] = ()
    category: Sequence[str] = ()

    def __post_init__(self) -> None:
        for name in ("title", "description", "tags", "category"):
            column = getattr(self, name)
            if len(column) not in (0, self.n_items):
                raise ValueError(f"catalog {name} must be empty or have one entry per item")

    def category_index(self) -> tuple[np.ndarray, list[str]]:
        """Per item, the index of its category in the returned names (-1 when it has none)."""
        if not self.category:
            return np.full(self.n_items, -1, dtype=np.int64), []
        names = sorted({c for c in self.category if c})
        lookup = {name: i for i, name in enumerate(names)}
        return np.array([lookup.get(c, -1) for c in self.category], dtype=np.int64), names
