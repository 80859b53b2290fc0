"""Training a shop's item-to-item models and swapping them in atomically."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from personalization.engine.cooccurrence import neighbours
from personalization.events.models import Event
from personalization.recommendations.models import TrainedModel
from shopapp.catalog.models import OrderLine, Product
from shopapp.shops.models import Shop

KEEP_VERSIONS = 3


def _store(
    shop: Shop, kind: str, artifact: bytes, item_ids: list[str], report: dict[str, Any]
) -> TrainedModel:
    with transaction.atomic():
        latest = (
            TrainedModel.objects.select_for_update()
            .filter(shop=shop, kind=kind)
            .order_by("-version")
            .first()
        )
        model = TrainedModel.objects.create(
            shop=shop,
            kind=kind,
            version=(latest.version + 1) if latest else 1,
            artifact=artifact,
            item_ids=item_ids,
            report=report,
            trained_at=timezone.now(),
            is_current=False,
        )
        TrainedModel.objects.filter(shop=shop, kind=kind, is_current=True).update(is_current=False)
        TrainedModel.objects.filter(pk=model.pk).update(is_current=True)
        stale = TrainedModel.objects.filter(shop=shop, kind=kind).order_by("-version")[
            KEEP_VERSIONS:
        ]
        TrainedModel.objects.filter(pk__in=[m.pk for m in stale]).delete()
    model.is_current = True
    return model


def _train(
    shop: Shop, kind: str, pairs: list[tuple[int, int]], item_ids: list[str]
) -> dict[str, Any]:
    started = time.perf_counter()
    groups = np.fromiter((g for g, _ in pairs), dtype=np.int64, count=len(pairs))
    items = np.fromiter((i for _, i in pairs), dtype=np.int64, count=len(pairs))
    model = neighbours(groups, items, len(item_ids))
    covered = int((model.indices[:, 0] >= 0).sum())
    report = {
        "pairs": len(pairs),
        "items": len(item_ids),
        "items_with_neighbours": covered,
        "seconds": round(time.perf_counter() - started, 2),
    }
    stored = _store(shop, kind, model.to_bytes(), item_ids, report)
    return {**report, "version": stored.version}


def models_train(*, shop: Shop) -> dict[str, Any]:
    """Co-purchase (orders) and co-view (sessions) neighbours for every product of the shop."""
    item_ids = list(
        Product.objects.filter(shop=shop, deleted_at__isnull=True)
        .order_by("pk")
        .values_list("platform_id", flat=True)
    )
    pk_index = {
        pk: i
        for i, pk in enumerate(
            Product.objects.filter(shop=shop, deleted_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    }
    report: dict[str, Any] = {}
    baskets = [
        (order_id, pk_index[product_id])
        for order_id, product_id in OrderLine.objects.filter(
            shop=shop, order__kind="sale", product__isnull=False
        )
        .values_list("order_id", "product_id")
        .iterator(chunk_size=50_000)
        if product_id in pk_index
    ]
    if baskets:
        report["copurchase"] = _train(shop, "copurchase", baskets, item_ids)
    views = [
        (session_id, pk_index[product_id])
        for session_id, product_id in Event.objects.filter(
            shop=shop, type__in=("product_view", "add_to_cart"), product__isnull=False
        )
        .values_list("session_id", "product_id")
        .iterator(chunk_size=50_000)
        if product_id in pk_index
    ]
    if views:
        report["coview"] = _train(shop, "coview", views, item_ids)
    return report
