"""Nightly: recompute every installed shop's profiles, then refresh its segments."""

from __future__ import annotations

from celery import shared_task

from shopapp.shops.models import InstallState, Shop


@shared_task(name="personalization.profiles.tasks.profiles_recompute_all", queue="training")
def profiles_recompute_all() -> int:
    shop_ids = list(
        Shop.objects.filter(install_state=InstallState.INSTALLED).values_list("pk", flat=True)
    )
    for shop_id in shop_ids:
        profiles_recompute_shop.delay(shop_id)
    return len(shop_ids)


@shared_task(
    name="personalization.profiles.tasks.profiles_recompute_shop",
    queue="training",
    time_limit=1800,
    soft_time_limit=1700,
)
def profiles_recompute_shop(shop_id: int, retrain: bool = False) -> dict[str, int]:
    from personalization.profiles.recompute import profiles_recompute
    from personalization.recommendations.services import models_train
    from personalization.segments.services import segments_refresh

    shop = Shop.objects.filter(pk=shop_id, install_state=InstallState.INSTALLED).first()
    if shop is None:
        return {}
    profiles_recompute(shop=shop, retrain=retrain)
    # Item-to-item neighbours learn from the same night's orders and sessions.
    models_train(shop=shop)
    return segments_refresh(shop=shop)
