"""Column-wise order rows (one row per order) and their validation, shared by the engine."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

SECONDS_PER_DAY = 86400.0


def order_columns(
    customer_index: npt.ArrayLike,
    order_time: npt.ArrayLike,
    order_value: npt.ArrayLike,
    n_customers: int,
    is_return: npt.ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Checked (customer_index int64, time float64, value float64, is_return bool) columns.

    A row is a return when `is_return` says so, or by default when its value is negative; a
    zero-value order (a 100% discount) is still a sale.
    """
    index = np.asarray(customer_index)
    times = np.asarray(order_time, dtype=np.float64)
    values = np.asarray(order_value, dtype=np.float64)
    if index.ndim != 1 or times.shape != index.shape or values.shape != index.shape:
        raise ValueError("customer_index, order_time and order_value must be 1-D of equal length")
    if index.size and not np.issubdtype(index.dtype, np.integer):
        raise ValueError("customer_index must hold integers")
    index = index.astype(np.int64, copy=False)
    if n_customers < 0:
        raise ValueError("n_customers must be >= 0")
    if index.size and (index.min() < 0 or index.max() >= n_customers):
        raise ValueError(f"customer_index must lie in 0..{n_customers - 1}")
    if not (np.isfinite(times).all() and np.isfinite(values).all()):
        raise ValueError("order_time and order_value must be finite")
    if is_return is None:
        returns = values < 0
    else:
        returns = np.asarray(is_return, dtype=bool)
        if returns.shape != index.shape:
            raise ValueError("is_return must have the same length as the other columns")
    return index, times, values, returns


@dataclass(frozen=True)
class OrderHistory:
    """A shop's orders, one row per order, column-wise and validated.

    `order_items` (line items per order) is optional: shops that send it get a basket-size feature.
    """

    customer_index: np.ndarray  # int64, 0..n_customers-1
    order_time: np.ndarray  # float64 epoch seconds
    order_value: np.ndarray  # float64; returns negative or flagged in is_return
    is_return: np.ndarray  # bool
    n_customers: int
    order_items: np.ndarray | None = None  # float64 line items per order

    @classmethod
    def from_columns(
        cls,
        customer_index: npt.ArrayLike,
        order_time: npt.ArrayLike,
        order_value: npt.ArrayLike,
        n_customers: int,
        *,
        is_return: npt.ArrayLike | None = None,
        order_items: npt.ArrayLike | None = None,
    ) -> OrderHistory:
        index, times, values, returns = order_columns(
            customer_index, order_time, order_value, n_customers, is_return
        )
        items = None
        if order_items is not None:
            items = np.asarray(order_items, dtype=np.float64)
            if items.shape != index.shape or not np.isfinite(items).all():
                raise ValueError("order_items must be finite and align with the other columns")
        return cls(index, times, values, returns, n_customers, items)

    def signed_value(self) -> np.ndarray:
        """Sales positive, returns negative, whichever sign convention the caller used."""
        return np.where(self.is_return, -np.abs(self.order_value), self.order_value)
