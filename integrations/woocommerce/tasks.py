"""Background work for the WooCommerce integration: ids in, re-fetch, one service call."""

from __future__ import annotations

from celery import shared_task

QUEUE = "sync"


@shared_task(queue=QUEUE, time_limit=300, soft_time_limit=280)
def woocommerce_shop_connected(shop_id: int) -> None:
    """After a connection: register webhooks, then the first full sync."""
    return None
