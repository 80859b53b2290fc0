"""Writes for the admin's "how good are my recommendations?": ask for a report, and build it.

The report replays the shop's own orders through the same `temporal-basket` protocol as the
public evaluation (docs/evaluation.md): train on everything before a cutoff, predict each
customer's next basket. It is a recomputable artifact, so it lives in the cache, not a table.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from personalization.evaluation.loaders import DatasetError
from personalization.evaluation.replay import Options, replay
from personalization.evaluation.selectors import (
    REPORT_CACHE_SECONDS,
    report_key,
    shop_orders_dataset,
    shop_report_get,
)
from shopapp.shops.models import Shop

logger = logging.getLogger(__name__)

# a shop's data is small next to the public sets; these cover ours and the baselines that matter
# for baskets while keeping the run to seconds on a worker
SHOP_MODELS = "most-popular,top-frequency,item-knn,sknn,buy-again,co-purchase,for-you,next-basket"
# a short window keeps enough customers with a basket on both sides of the cutoff
SHOP_TEST_DAYS = 30.0


def _save(shop: Shop, report: dict[str, Any]) -> dict[str, Any]:
    cache.set(report_key(shop), report, REPORT_CACHE_SECONDS)
    return report


def shop_report_request(*, shop: Shop) -> dict[str, Any]:
    """Mark a report as running and enqueue its build after commit; a running one is kept."""
    current = shop_report_get(shop=shop)
    if current is not None and current.get("status") == "running":
        return current
    report = _save(shop, {"status": "running", "requested_at": timezone.now().isoformat()})
    from personalization.evaluation.tasks import shop_report_build

    transaction.on_commit(lambda: shop_report_build.delay(shop.pk))
    return report


def shop_report_build(*, shop: Shop) -> dict[str, Any]:
    """Replay the shop's orders and store the result (or the reason it could not run)."""
    started = timezone.now()
    try:
        dataset = shop_orders_dataset(shop=shop)
        run = replay(
            dataset, "temporal-basket", Options(models=SHOP_MODELS, test_days=SHOP_TEST_DAYS)
        )
    except DatasetError as exc:
        return _save(
            shop,
            {
                "status": "failed",
                "error": f"Not enough order history to measure yet: {exc}.",
                "finished_at": timezone.now().isoformat(),
            },
        )
    except Exception:
        logger.exception("shop report failed for shop %s", shop.pk)
        _save(
            shop,
            {
                "status": "failed",
                "error": "The report could not be built. Try again later.",
                "finished_at": timezone.now().isoformat(),
            },
        )
        raise
    return _save(
        shop,
        {
            "status": "done",
            "requested_at": started.isoformat(),
            "finished_at": timezone.now().isoformat(),
            "document": run.document(),
        },
    )
