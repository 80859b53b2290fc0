"""Reads for the admin's "how good are my recommendations?": one shop's orders as an evaluation
`Dataset`, and the last report built for the shop."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.core.cache import cache
from django.utils import timezone

from personalization.engine.recs.interactions import Interactions
from personalization.evaluation.loaders import Dataset, DatasetError
from shopapp.catalog.models import OrderKind, OrderLine
from shopapp.shops.models import Shop

REPORT_CACHE_SECONDS = 30 * 24 * 3600
# past the task's time limit a "running" report will never finish (a lost worker): say so
RUNNING_STALE_AFTER = timedelta(minutes=20)


def report_key(shop: Shop) -> str:
    return f"evaluation:shop-report:{shop.pk}"


def shop_report_get(*, shop: Shop) -> dict[str, Any] | None:
    """The last report (status, times and the replay document), or None if never asked for."""
    report = cache.get(report_key(shop))
    if not isinstance(report, dict):
        return None
    if report.get("status") == "running":
        requested = datetime.fromisoformat(report["requested_at"])
        if timezone.now() - requested > RUNNING_STALE_AFTER:
            return {
                "status": "failed",
                "error": "The last measurement did not finish. Try again.",
                "requested_at": report["requested_at"],
            }
    return report


def shop_orders_dataset(*, shop: Shop) -> Dataset:
    """Every sale by a known customer, one basket per order, items as dense indices.

    Guest checkouts are left out: a guest's next basket cannot be followed. Raises
    `DatasetError` when there is nothing to replay."""
    rows = (
        OrderLine.objects.filter(
            shop=shop,
            order__kind=OrderKind.SALE,
            order__customer__isnull=False,
            order__cancelled_at__isnull=True,
            order__platform_created_at__isnull=False,
            product__isnull=False,
        )
        .values_list("order__customer_id", "product_id", "order_id", "order__platform_created_at")
        .iterator(chunk_size=50_000)
    )
    customers: dict[int, int] = {}
    products: dict[int, int] = {}
    orders: dict[int, int] = {}
    users, items, baskets, times = [], [], [], []
    for customer_id, product_id, order_id, created_at in rows:
        users.append(customers.setdefault(customer_id, len(customers)))
        items.append(products.setdefault(product_id, len(products)))
        baskets.append(orders.setdefault(order_id, len(orders)))
        times.append(created_at.timestamp())
    if not users:
        raise DatasetError("the shop has no orders from known customers yet")
    interactions = Interactions.from_arrays(
        np.asarray(users),
        np.asarray(items),
        np.asarray(times, dtype=np.float64),
        basket=np.asarray(baskets),
        n_users=len(customers),
        n_items=len(products),
    )
    return Dataset(
        name=f"shop-{shop.pk}",
        format="shop",
        interactions=interactions,
        user_ids=[str(c) for c in customers],
        item_ids=[str(p) for p in products],
        has_baskets=True,
    )
