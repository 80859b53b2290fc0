"""Feeds are regenerated on a schedule, so an ad platform's daily fetch sees today's picks."""

from __future__ import annotations

from celery import shared_task

from personalization.audiences.models import ProductFeed
from shopapp.shops.models import InstallState


@shared_task(
    name="personalization.audiences.tasks.feed_regenerate", time_limit=120, soft_time_limit=110
)
def feed_regenerate(feed_id: int) -> int:
    from personalization.audiences.services import feed_generate

    feed = (
        ProductFeed.objects.filter(
            pk=feed_id, is_active=True, shop__install_state=InstallState.INSTALLED
        )
        .select_related("shop", "segment")
        .first()
    )
    if feed is None:
        return 0
    return len(feed_generate(shop=feed.shop, feed=feed).rows)


@shared_task(
    name="personalization.audiences.tasks.feeds_regenerate_all", time_limit=300, soft_time_limit=280
)
def feeds_regenerate_all() -> int:
    feed_ids = list(
        ProductFeed.objects.filter(
            is_active=True, shop__install_state=InstallState.INSTALLED
        ).values_list("pk", flat=True)
    )
    for feed_id in feed_ids:
        feed_regenerate.delay(feed_id)
    return len(feed_ids)
