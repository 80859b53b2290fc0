"""Reads that turn a shop's orders into the column arrays the engine works on."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import TypeVar

import numpy as np
from django.db.models import Count, Max, Sum

from personalization.engine.orders import OrderHistory
from personalization.events.models import Visitor
from shopapp.catalog.models import Customer, Order
from shopapp.shops.models import Shop

ROW_BATCH = 20_000
_demo_clock: dict[tuple[int, float], tuple[float, float]] = {}
_DEMO_CLOCK_SECONDS = 60.0


T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of up to `size` items (itertools.batched is Python 3.12+)."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def shop_now(shop: Shop) -> float:
    """The shop's 'now'. A demo shop replays a historical data set: its clock stops at its last
    order, so that its customers are not all lapsed by today's date (read once a minute)."""
    if not shop.is_demo:
        return time.time()
    # Keyed by creation time too: a recreated shop may reuse a primary key.
    key = (shop.pk, shop.created_at.timestamp() if shop.created_at else 0.0)
    cached = _demo_clock.get(key)
    if cached and time.monotonic() - cached[0] < _DEMO_CLOCK_SECONDS:
        return cached[1]
    latest = Order.objects.filter(shop=shop).aggregate(latest=Max("platform_created_at"))["latest"]
    now = latest.timestamp() + 3600 if latest else time.time()
    _demo_clock[key] = (time.monotonic(), now)
    return now


def shop_clock_forget(shop_id: int) -> None:
    """After an import: the demo clock moves to the new data's last order."""
    for key in [k for k in _demo_clock if k[0] == shop_id]:
        del _demo_clock[key]


@dataclass(frozen=True)
class ShopHistory:
    customer_pks: np.ndarray  # int64: row i of every per-customer array is this customer
    countries: list[str]
    history: OrderHistory
    sessions: np.ndarray  # int64 sessions per customer (stitched visitors)


def shop_history(*, shop: Shop) -> ShopHistory:
    customers = list(
        Customer.objects.filter(shop=shop, deleted_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "country")
    )
    pks = np.fromiter((pk for pk, _ in customers), dtype=np.int64, count=len(customers))
    position = {int(pk): i for i, pk in enumerate(pks.tolist())}
    # Streamed in batches straight into arrays: a 1M-order shop never holds a million row
    # tuples at once, only the columns (about 40 MB).
    orders = (
        Order.objects.filter(shop=shop, deleted_at__isnull=True, customer__isnull=False)
        .exclude(platform_created_at__isnull=True)
        .annotate(line_count=Count("lines"))
        .values_list("customer_id", "platform_created_at", "total", "kind", "line_count")
        .iterator(chunk_size=ROW_BATCH)
    )
    columns: list[tuple[np.ndarray, ...]] = []
    for batch in batched(orders, ROW_BATCH):
        rows = [r for r in batch if r[0] in position]
        count = len(rows)
        columns.append(
            (
                np.fromiter((position[r[0]] for r in rows), dtype=np.int64, count=count),
                np.fromiter((r[1].timestamp() for r in rows), dtype=np.float64, count=count),
                np.fromiter((float(r[2]) for r in rows), dtype=np.float64, count=count),
                np.fromiter((r[3] == "return" for r in rows), dtype=bool, count=count),
                np.fromiter((r[4] for r in rows), dtype=np.float64, count=count),
            )
        )
    dtypes = (np.int64, np.float64, np.float64, bool, np.float64)
    index, times, totals, returns, items = (
        np.concatenate([batch[k] for batch in columns]) if columns else np.zeros(0, dtype=dtype)
        for k, dtype in enumerate(dtypes)
    )
    history = OrderHistory.from_columns(
        index, times, totals, len(pks), is_return=returns, order_items=items
    )
    sessions = np.zeros(len(pks), dtype=np.int64)
    for customer_id, count in (
        Visitor.objects.filter(shop=shop, customer__isnull=False)
        .values("customer_id")
        .annotate(n=Sum("session_count"))
        .values_list("customer_id", "n")
    ):
        if customer_id in position:
            sessions[position[customer_id]] = count or 0
    return ShopHistory(pks, [c for _, c in customers], history, sessions)
