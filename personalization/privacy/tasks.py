"""Nightly retention: each shop's old storefront data deleted under its own window."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from shopapp.shops.models import Shop


@shared_task(name="personalization.privacy.tasks.privacy_retention_all")
def privacy_retention_all() -> int:
    """Every shop, installed or not: a retention window is an obligation while we hold data."""
    shop_ids = list(Shop.objects.order_by("pk").values_list("pk", flat=True))
    for shop_id in shop_ids:
        privacy_retention_shop.delay(shop_id)
    return len(shop_ids)


@shared_task(
    name="personalization.privacy.tasks.privacy_retention_shop",
    time_limit=1800,
    soft_time_limit=1700,
)
def privacy_retention_shop(shop_id: int) -> dict[str, Any]:
    from personalization.privacy.services import retention_apply

    shop = Shop.objects.filter(pk=shop_id).first()
    if shop is None:  # erased since the schedule fired
        return {}
    return dict(retention_apply(shop=shop).result)
