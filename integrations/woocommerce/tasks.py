"""Background work for the WooCommerce integration: ids in, re-fetch, one service call.

Every task returns early when its row is gone or its state has moved on (a processed delivery, a
finished run, a disconnected store). Only network trouble, 429/5xx (WooTransientError, which
includes a busy store lock) and transient database errors are retried.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from integrations import syncruns
from integrations.woocommerce import auth, sync, ugc_reviews, webhooks
from integrations.woocommerce.client import WooAuthError, WooError, WooTransientError
from integrations.woocommerce.models import (
    AttemptStatus,
    ConnectAttempt,
    DeliveryStatus,
    SyncKind,
    SyncRun,
    SyncStatus,
    WebhookDelivery,
    WebhookSubscription,
)
from personalization.ugc import services as ugc_services
from personalization.ugc.models import ImportRun, Source
from shopapp.shops.models import InstallState, Platform, Shop

logger = logging.getLogger(__name__)

QUEUE = "sync"
TRANSIENT = (WooTransientError, OperationalError, InterfaceError)
STALLED_AFTER = syncruns.STALLED_AFTER
UNVERIFIED_AFTER = timedelta(minutes=2)


def _installed(shop_id: int) -> Shop | None:
    shop = Shop.objects.filter(pk=shop_id, platform=Platform.WOOCOMMERCE).first()
    return shop if shop is not None and shop.install_state == InstallState.INSTALLED else None


def _installed_ids() -> list[int]:
    return list(
        Shop.objects.filter(
            platform=Platform.WOOCOMMERCE, install_state=InstallState.INSTALLED
        ).values_list("pk", flat=True)
    )


@shared_task(
    queue=QUEUE,
    time_limit=300,
    soft_time_limit=280,
    autoretry_for=TRANSIENT,
    retry_backoff=30,
    max_retries=6,
)
def woocommerce_shop_connected(shop_id: int) -> int | None:
    """After a connection: our webhooks, then the first full sync."""
    shop = _installed(shop_id)
    if shop is None:
        return None
    try:
        webhooks.webhooks_ensure(shop)
    except WooTransientError:
        raise
    except WooError as exc:
        # The sync must not wait for webhooks (a firewall may refuse the POST): the periodic
        # check tries again, and the hourly catch-up covers the gap meanwhile.
        logger.warning("webhooks for shop %s not registered: %s", shop_id, exc)
    run = sync.sync_run_start(shop=shop, kind=SyncKind.FULL)
    run_id = run.pk
    transaction.on_commit(lambda: woocommerce_sync_continue.delay(run_id))
    return run_id


@shared_task(
    queue=QUEUE,
    # A big store's full sync runs long; a worker killed past this is resumed by the repair.
    autoretry_for=TRANSIENT,
    **syncruns.CONTINUE_TASK_OPTIONS,
)
def woocommerce_sync_continue(run_id: int) -> str:
    run = SyncRun.objects.filter(pk=run_id).first()
    if run is None or run.status != SyncStatus.RUNNING:
        return "not running"
    status = sync.sync_run_continue(run).status
    if status == SyncStatus.DONE:
        # The sync has just read the store's reviews: bring the new ones into UGC.
        woocommerce_reviews_import_queue(run.shop_id, is_fetch=False)
    return status


def woocommerce_reviews_import_queue(shop_id: int, *, is_fetch: bool) -> int | None:
    """Queue a reviews import (or return the one already queued); the task runs after commit."""
    shop = _installed(shop_id)
    if shop is None:
        return None
    import_run, is_new = ugc_services.import_run_queue(
        shop=shop, source=Source.WOOCOMMERCE, is_fetch=is_fetch
    )
    if is_new:
        run_id = import_run.pk
        transaction.on_commit(lambda: woocommerce_reviews_import.delay(run_id))
    return int(import_run.pk)


@shared_task(
    queue=QUEUE,
    time_limit=900,
    soft_time_limit=880,
    autoretry_for=TRANSIENT,
    retry_backoff=30,
    max_retries=5,
)
def woocommerce_reviews_import(import_run_id: int) -> str:
    import_run = ImportRun.objects.filter(pk=import_run_id, source=Source.WOOCOMMERCE).first()
    if import_run is None or not import_run.is_active:
        return "not active"
    if _installed(import_run.shop_id) is None:
        ugc_services.import_run_finish(run=import_run, error="The store is not connected.")
        return import_run.status
    return ugc_reviews.reviews_import_run(run=import_run).status


@shared_task(queue=QUEUE, time_limit=120, soft_time_limit=100)
def woocommerce_sync_repair() -> list[int]:
    """Resume runs whose worker died (no heartbeat for STALLED_AFTER)."""
    return syncruns.runs_resume_stalled(
        SyncRun, woocommerce_sync_continue.delay, older_than=STALLED_AFTER
    )


def _start(shop_id: int, kind: str) -> int | None:
    shop = _installed(shop_id)
    if shop is None:
        return None
    run = sync.sync_run_start(shop=shop, kind=kind)
    run_id = run.pk
    transaction.on_commit(lambda: woocommerce_sync_continue.delay(run_id))
    return run_id


@shared_task(queue=QUEUE, time_limit=120, soft_time_limit=100)
def woocommerce_catch_up(shop_id: int) -> int | None:
    """Incremental: what changed since the last pass (webhooks may have been lost)."""
    return _start(shop_id, SyncKind.INCREMENTAL)


@shared_task(queue=QUEUE, time_limit=120, soft_time_limit=100)
def woocommerce_catch_up_all() -> list[int]:
    return [run for run in (woocommerce_catch_up(pk) for pk in _installed_ids()) if run]


@shared_task(queue=QUEUE, time_limit=120, soft_time_limit=100)
def woocommerce_sweep(shop_id: int) -> int | None:
    """Ids against the store's: hard deletes (which send no webhook) and anything missed."""
    return _start(shop_id, SyncKind.SWEEP)


@shared_task(queue=QUEUE, time_limit=120, soft_time_limit=100)
def woocommerce_sweep_all() -> list[int]:
    return [run for run in (woocommerce_sweep(pk) for pk in _installed_ids()) if run]


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
def woocommerce_delivery_process(delivery_id: int) -> str:
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        return "gone"
    try:
        return webhooks.delivery_process(delivery)
    except WooAuthError as exc:
        webhooks.delivery_failed(delivery, f"credentials refused: {exc}")
        Shop.objects.filter(pk=delivery.shop_id).update(install_state=InstallState.NEEDS_REAUTH)
        return DeliveryStatus.FAILED
    except TRANSIENT:
        raise
    except Exception as exc:
        # A payload we cannot map fails the same way every time: record it, do not retry.
        logger.exception("webhook delivery %s failed", delivery_id)
        webhooks.delivery_failed(delivery, f"{type(exc).__name__}: {exc}")
        return DeliveryStatus.FAILED


@shared_task(
    queue=QUEUE, time_limit=120, soft_time_limit=100, autoretry_for=TRANSIENT, max_retries=3
)
def woocommerce_webhooks_check(shop_id: int) -> dict[str, int] | None:
    """Re-enable what the store disabled (and register what is missing); a catch-up follows if
    anything had to be switched back on, since deliveries in between were lost."""
    shop = _installed(shop_id)
    if shop is None:
        return None
    try:
        counts = webhooks.webhooks_ensure(shop)
    except WooAuthError:
        Shop.objects.filter(pk=shop.pk).update(install_state=InstallState.NEEDS_REAUTH)
        return None
    except WooError as exc:
        if isinstance(exc, WooTransientError):
            raise
        WebhookSubscription.objects.filter(shop=shop).update(last_error=str(exc)[:1000])
        return None
    if counts["reenabled"] or counts["created"]:
        transaction.on_commit(lambda: woocommerce_catch_up.delay(shop_id))
    return counts


@shared_task(queue=QUEUE, time_limit=120, soft_time_limit=100)
def woocommerce_webhooks_check_all() -> int:
    shop_ids = _installed_ids()
    for shop_id in shop_ids:
        woocommerce_webhooks_check.delay(shop_id)
    return len(shop_ids)


@shared_task(queue=QUEUE, time_limit=300, soft_time_limit=280)
def woocommerce_connections_verify_pending() -> list[int]:
    """Keys that arrived but whose merchant never came back to the return page."""
    cutoff = timezone.now() - UNVERIFIED_AFTER
    verified = []
    for attempt in ConnectAttempt.objects.filter(
        status=AttemptStatus.KEYS_RECEIVED, updated_at__lt=cutoff
    ):
        verified.append(auth.connection_verify(attempt).pk)
    return verified
