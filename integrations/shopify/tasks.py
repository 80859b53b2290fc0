"""Background work for the Shopify integration: ids in, re-fetch, one service call.

Every task returns early when its row is gone or its state has moved on (a processed delivery, a
finished run, an uninstalled shop). Only network trouble and 5xx (ShopifyTransientError) and
transient database errors are retried.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from integrations import syncruns
from integrations.shopify import privacy, storefront, sync, webhooks
from integrations.shopify.client import ShopifyAuthError, ShopifyTransientError
from integrations.shopify.models import (
    ComplianceRequest,
    DeliveryStatus,
    SyncKind,
    SyncRun,
    SyncStatus,
    WebhookDelivery,
)
from shopapp.shops.models import InstallState, Shop

logger = logging.getLogger(__name__)

QUEUE = "sync"
TRANSIENT = (ShopifyTransientError, OperationalError, InterfaceError)
STALLED_AFTER = syncruns.STALLED_AFTER


@shared_task(
    queue=QUEUE,
    time_limit=120,
    soft_time_limit=100,
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def shopify_delivery_process(delivery_id: int) -> str:
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        return "gone"
    try:
        return webhooks.delivery_process(delivery)
    except ShopifyAuthError as exc:
        webhooks.delivery_failed(delivery, f"token refused: {exc}")
        from integrations.shopify.auth import shop_needs_reauth

        shop_needs_reauth(Shop.objects.get(pk=delivery.shop_id))
        return DeliveryStatus.FAILED
    except TRANSIENT:
        raise
    except Exception as exc:
        # A payload we cannot map fails the same way every time: record it, do not retry.
        logger.exception("webhook delivery %s failed", delivery_id)
        webhooks.delivery_failed(delivery, f"{type(exc).__name__}: {exc}")
        return DeliveryStatus.FAILED


@shared_task(
    queue=QUEUE,
    time_limit=600,
    soft_time_limit=540,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=10,
    max_retries=8,
)
def shopify_compliance_process(request_id: int) -> str:
    request = ComplianceRequest.objects.filter(pk=request_id).first()
    if request is None:
        return "gone"
    return privacy.compliance_process(request).outcome


@shared_task(queue=QUEUE, time_limit=120, soft_time_limit=100)
def shopify_shop_installed(shop_id: int) -> int | None:
    """After install: the first full sync."""
    shop = Shop.objects.filter(pk=shop_id).first()
    if shop is None or shop.install_state != InstallState.INSTALLED:
        return None
    run = sync.sync_run_start(shop=shop, kind=SyncKind.FULL)
    run_id = run.pk
    shopify_storefront_connect.delay(shop.pk)
    shopify_sync_continue.delay(run_id)
    return run_id


@shared_task(
    queue=QUEUE,
    time_limit=120,
    soft_time_limit=100,
    autoretry_for=TRANSIENT,
    retry_backoff=30,
    max_retries=8,
)
def shopify_storefront_connect(shop_id: int) -> bool:
    """After install: the theme embed's metafields and the web pixel, so nothing is pasted."""
    shop = Shop.objects.filter(pk=shop_id, install_state=InstallState.INSTALLED).first()
    if shop is None:
        return False
    storefront.storefront_connect(shop=shop)
    return True


@shared_task(
    queue=QUEUE,
    # A big shop's phase can run long; a worker killed past this is resumed by the repair task.
    autoretry_for=TRANSIENT,
    **syncruns.CONTINUE_TASK_OPTIONS,
)
def shopify_sync_continue(run_id: int) -> str:
    run = SyncRun.objects.filter(pk=run_id).first()
    if run is None or run.status != SyncStatus.RUNNING:
        return "not running"
    return sync.sync_run_continue(run).status


@shared_task(queue=QUEUE, time_limit=120, soft_time_limit=100)
def shopify_catch_up(shop_id: int) -> int | None:
    """Incremental sync: what changed since the last finished run (webhooks may have been lost)."""
    shop = Shop.objects.filter(pk=shop_id).first()
    if shop is None or shop.install_state != InstallState.INSTALLED:
        return None
    run = sync.sync_run_start(shop=shop, kind=SyncKind.INCREMENTAL)
    run_id = run.pk
    shopify_sync_continue.delay(run_id)
    return run_id


@shared_task(queue=QUEUE, time_limit=120, soft_time_limit=100)
def shopify_sync_repair() -> list[int]:
    """Resume runs whose worker died (no heartbeat for STALLED_AFTER)."""
    return syncruns.runs_resume_stalled(
        SyncRun, shopify_sync_continue.delay, older_than=STALLED_AFTER
    )
