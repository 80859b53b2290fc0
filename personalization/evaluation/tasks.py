from __future__ import annotations

from typing import Any

from celery import shared_task

from shopapp.shops.models import InstallState, Shop


@shared_task(
    name="personalization.evaluation.tasks.shop_report_build",
    queue="training",
    time_limit=900,
    soft_time_limit=840,
)
def shop_report_build(shop_id: int) -> str:
    from personalization.evaluation.services import shop_report_build as build

    shop = Shop.objects.filter(pk=shop_id, install_state=InstallState.INSTALLED).first()
    if shop is None:
        return "gone"
    report: dict[str, Any] = build(shop=shop)
    return str(report["status"])
