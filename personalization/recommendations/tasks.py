from __future__ import annotations

from typing import Any

from celery import shared_task

from shopapp.shops.models import InstallState, Shop


@shared_task(
    name="personalization.recommendations.tasks.models_train_shop",
    queue="training",
    time_limit=1800,
    soft_time_limit=1700,
)
def models_train_shop(shop_id: int) -> dict[str, Any]:
    from personalization.recommendations.services import models_train

    shop = Shop.objects.filter(pk=shop_id, install_state=InstallState.INSTALLED).first()
    if shop is None:
        return {}
    return models_train(shop=shop)
