"""Syncing a shop's store into the mirror: the bulk first load, resumable, and the catch-up.

A full sync runs one bulk operation per phase (products, collections, customers, orders: each
later phase refers to rows of earlier ones). Each phase streams its JSONL into a spool, then writes
parents with their children in batches: with `COPY` (catalog/bulk.py) while the shop has no rows
of that kind, else through the guarded upserts, so a resumed phase (whose first batches were
committed before a crash) is simply upserted again. Progress (phase, rows, heartbeat, errors) lives
on the SyncRun; a run whose heartbeat stops is resumed by `shopify_sync_repair` from its first
unfinished phase, polling the phase's bulk operation instead of starting a new one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from integrations import syncruns
from integrations.shopify import mapping
from integrations.shopify.auth import access_token, shop_needs_reauth
from integrations.shopify.bulk import Spool, bulk_start, bulk_wait
from integrations.shopify.client import (
    AdminClient,
    ShopifyAuthError,
    ShopifyTransientError,
)
from integrations.shopify.models import (
    SyncKind,
    SyncPhase,
    SyncRun,
    SyncStatus,
    Tombstone,
    TombstoneKind,
)
from shopapp.catalog import first_load
from shopapp.catalog import services as catalog
from shopapp.catalog.models import (
    Collection,
    Customer,
    Mirrored,
    Order,
    Product,
    Variant,
)
from shopapp.catalog.records import CollectionRecord
from shopapp.shops.models import InstallState, Shop

logger = logging.getLogger(__name__)

BATCH = 2_000
UPSERT_BATCH = 500
MAX_PHASE_ATTEMPTS = 3


class SyncCancelled(Exception):
    """The run was cancelled (the shop uninstalled) while it ran."""


def client_for(shop: Shop, **options: Any) -> AdminClient:
    def token(force_refresh: bool) -> str:
        return access_token(shop, force_refresh=force_refresh)

    return AdminClient(shop_domain=shop.domain, token=token, **options)


# Writing one phase


@dataclass
class Progress:
    run_id: int
    rows: int = 0
    every: int = BATCH

    def add(self, rows: int) -> None:
        self.rows += rows
        now = timezone.now()
        updated = SyncRun.objects.filter(pk=self.run_id, status=SyncStatus.RUNNING).update(
            phase_rows_done=self.rows,
            rows_done=models.F("rows_done") + rows,
            heartbeat_at=now,
        )
        if not updated:
            raise SyncCancelled(f"sync run {self.run_id} is no longer running")


Batch = list[tuple[dict[str, Any], list[dict[str, Any]]]]


@dataclass(frozen=True)
class PhaseWriter:
    model: type[models.Model]
    to_records: Callable[[Batch], list[Any]]
    copy: Callable[[Shop, Sequence[Any]], None]
    upsert: Callable[[Shop, Sequence[Any]], int]


def _collections_records(batch: Batch) -> list[CollectionRecord]:
    return [
        mapping.collection_from_node(node, [mapping._id(c["id"], "product") for c in children])
        for node, children in batch
    ]


WRITERS: dict[str, PhaseWriter] = {
    SyncPhase.PRODUCTS: PhaseWriter(
        Product,
        lambda batch: [mapping.product_from_node(n, c) for n, c in batch],
        first_load.products_first_load,
        lambda shop, records: catalog.products_upsert(shop=shop, products=records),
    ),
    SyncPhase.COLLECTIONS: PhaseWriter(
        Collection,
        _collections_records,
        first_load.collections_first_load,
        lambda shop, records: catalog.collections_upsert(shop=shop, collections=records),
    ),
    SyncPhase.CUSTOMERS: PhaseWriter(
        Customer,
        lambda batch: [mapping.customer_from_node(n) for n, _c in batch],
        first_load.customers_first_load,
        lambda shop, records: catalog.customers_upsert(shop=shop, customers=records),
    ),
    SyncPhase.ORDERS: PhaseWriter(
        Order,
        lambda batch: [mapping.order_from_node(n, c) for n, c in batch],
        first_load.orders_first_load,
        lambda shop, records: catalog.orders_upsert(shop=shop, orders=records),
    ),
}
PHASES: tuple[tuple[str, str], ...] = (
    (SyncPhase.PRODUCTS, "bulk_products"),
    (SyncPhase.COLLECTIONS, "bulk_collections"),
    (SyncPhase.CUSTOMERS, "bulk_customers"),
    (SyncPhase.ORDERS, "bulk_orders"),
)


def phase_write(
    shop: Shop,
    phase: str,
    spool: Spool,
    *,
    progress: Progress | None = None,
    seen: Seen | None = None,
) -> int:
    """Write a spooled phase: COPY for a shop with no rows of this kind yet, else guarded upserts.
    Each batch commits on its own, so a crash loses at most one batch of work."""
    writer = WRITERS[phase]
    is_fresh = not writer.model._default_manager.filter(shop=shop).exists()
    written = 0
    for batch in spool.batches(BATCH if is_fresh else UPSERT_BATCH):
        records = writer.to_records(batch)
        if seen is not None:
            seen.add(records)
        with transaction.atomic():
            if is_fresh:
                writer.copy(shop, records)
            else:
                writer.upsert(shop, records)
        written += len(records)
        if progress is not None:
            progress.add(len(batch) + sum(len(children) for _node, children in batch))
    return written


# Vanished rows: a completed full sync soft-deletes what Shopify no longer lists

# Orders are left out: without read_all_orders Shopify lists only the last 60 days of them, so an
# order missing from the bulk result is not a deleted order.
VANISHING: dict[str, tuple[type[Product | Collection | Customer], str]] = {
    SyncPhase.PRODUCTS: (Product, TombstoneKind.PRODUCT),
    SyncPhase.COLLECTIONS: (Collection, TombstoneKind.COLLECTION),
    SyncPhase.CUSTOMERS: (Customer, TombstoneKind.CUSTOMER),
}


@dataclass
class Seen:
    """The platform ids one phase's bulk result listed (and, for products, their variants')."""

    ids: set[str] = field(default_factory=set)
    variant_ids: set[str] = field(default_factory=set)

    def add(self, records: Sequence[Any]) -> None:
        for record in records:
            self.ids.add(record.platform_id)
            for variant in getattr(record, "variants", ()):
                self.variant_ids.add(variant.platform_id)


@dataclass
class Vanished:
    """What one completed phase did not list, held until the whole run completes."""

    model: type[Product | Collection | Customer]
    kind: str
    ids: list[str]
    variant_ids: list[str]


def _live_ids_before(model: type[Mirrored], shop: Shop, cutoff: datetime) -> set[str]:
    # Rows we created after the bulk operation started (a create webhook racing the snapshot)
    # may be missing from its result without being deleted: they are spared.
    return set(
        model._default_manager.filter(
            shop=shop, deleted_at__isnull=True, created_at__lt=cutoff
        ).values_list("platform_id", flat=True)
    )


def phase_vanished(shop: Shop, phase: str, seen: Seen, *, cutoff: datetime) -> Vanished | None:
    """The rows of a phase's kind the completed bulk result did not list."""
    if phase not in VANISHING:
        return None
    model, kind = VANISHING[phase]
    ids = sorted(_live_ids_before(model, shop, cutoff) - seen.ids)
    variant_ids = (
        sorted(_live_ids_before(Variant, shop, cutoff) - seen.variant_ids)
        if model is Product
        else []
    )
    return Vanished(model, kind, ids, variant_ids)


def vanished_soft_delete(shop: Shop, vanished: Sequence[Vanished]) -> dict[str, int]:
    """Delete what a completed full sync did not see, as the delete webhooks do: a tombstone
    (Shopify never reuses ids, so nothing late revives it) and the soft delete."""
    counts: dict[str, int] = {}
    with transaction.atomic():
        for gone in vanished:
            Tombstone.objects.bulk_create(
                [Tombstone(shop=shop, kind=gone.kind, platform_id=pid) for pid in gone.ids],
                ignore_conflicts=True,
            )
            counts[gone.kind] = catalog.mirrored_soft_delete(
                shop=shop, model=gone.model, platform_ids=gone.ids
            )
            if gone.variant_ids:
                counts["variant"] = catalog.mirrored_soft_delete(
                    shop=shop, model=Variant, platform_ids=gone.variant_ids
                )
    if any(counts.values()):
        logger.info("shop %s: full sync soft-deleted vanished rows %s", shop.pk, counts)
    return counts


# Running a full sync


def sync_run_start(*, shop: Shop, kind: str = SyncKind.FULL) -> SyncRun:
    """The shop's running sync, or a new one (an incremental one reads changes since the last
    finished run)."""

    def fields() -> dict[str, Any]:
        if kind != SyncKind.INCREMENTAL:
            return {}
        last = (
            SyncRun.objects.filter(shop=shop, status=SyncStatus.DONE)
            .order_by("-started_at")
            .first()
        )
        return {"since": last.started_at if last else None}

    return syncruns.run_start(SyncRun, shop=shop, kind=kind, fields=fields)


_record_error = syncruns.record_error
_finish = syncruns.finish


def sync_run_continue(
    run: SyncRun,
    *,
    client: AdminClient | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SyncRun:
    """Run (or resume) a sync to the end. Transient Shopify trouble is recorded and re-raised for
    the task to retry; a refused token stops the run and marks the shop for re-authorization."""
    shop = Shop.objects.get(pk=run.shop_id)
    if run.status != SyncStatus.RUNNING:
        return run
    if shop.install_state != InstallState.INSTALLED:
        _record_error(run, f"shop is {shop.install_state}")
        return _finish(run, SyncStatus.CANCELLED)
    client = client or client_for(shop, sleep=sleep)
    run.attempts += 1
    run.heartbeat_at = timezone.now()
    run.save(update_fields=["attempts", "heartbeat_at"])
    # Phases completed by this attempt; a phase an earlier attempt completed (before a crash) has
    # lost its ids with its spool, so its vanished rows wait for the next full sync.
    vanished: list[Vanished] = []
    try:
        if run.kind == SyncKind.INCREMENTAL:
            sync_since(shop=shop, since=run.since, client=client, progress=Progress(run.pk))
        else:
            for phase, document_name in PHASES:
                if phase not in run.phases_done:
                    gone = _run_phase(run, shop, phase, document_name, client, sleep)
                    if gone is not None:
                        vanished.append(gone)
    except SyncCancelled:
        run.refresh_from_db()
        return run
    except ShopifyAuthError as exc:
        shop_needs_reauth(shop)
        run.refresh_from_db()
        _record_error(run, f"token refused: {exc}")
        return _finish(run, SyncStatus.FAILED)
    except ShopifyTransientError as exc:
        run.refresh_from_db()
        _record_error(run, f"transient: {exc}")
        run.save(update_fields=["errors"])
        raise
    except Exception as exc:
        run.refresh_from_db()
        _record_error(run, f"{type(exc).__name__}: {exc}")
        _finish(run, SyncStatus.FAILED)
        raise
    run.refresh_from_db()
    if run.status != SyncStatus.RUNNING:
        return run
    # Only now, with every phase complete: a failed or partial run never deletes anything.
    vanished_soft_delete(shop, vanished)
    return _finish(run, SyncStatus.DONE)


def _run_phase(
    run: SyncRun,
    shop: Shop,
    phase: str,
    document_name: str,
    client: AdminClient,
    sleep: Callable[[float], None],
) -> Vanished | None:
    for attempt in range(1, MAX_PHASE_ATTEMPTS + 1):
        if run.phase != phase or not run.phase_started_at:
            run.phase = phase
            run.phase_started_at = timezone.now()
            run.phase_rows_done = 0
            run.phase_rows_total = None
        if not run.bulk_operation_id:
            run.bulk_operation_id = bulk_start(client, document_name)
        run.heartbeat_at = timezone.now()
        run.save()

        def heartbeat(_result: Any) -> None:
            if not SyncRun.objects.filter(pk=run.pk, status=SyncStatus.RUNNING).update(
                heartbeat_at=timezone.now()
            ):
                raise SyncCancelled(f"sync run {run.pk} is no longer running")

        # Set before the bulk operation started (a resumed phase keeps its own).
        cutoff = run.phase_started_at or timezone.now()
        result = bulk_wait(client, run.bulk_operation_id, on_poll=heartbeat, sleep=sleep)
        if result.status == "COMPLETED":
            seen = Seen()
            if result.url:
                with Spool() as spool:
                    spool.load(client.stream_lines(result.url))
                    SyncRun.objects.filter(pk=run.pk).update(
                        phase_rows_total=spool.parent_count + spool.child_count
                    )
                    phase_write(shop, phase, spool, progress=Progress(run.pk), seen=seen)
            gone = phase_vanished(shop, phase, seen, cutoff=cutoff)
            run.refresh_from_db()
            run.phases_done = [*run.phases_done, phase]
            run.bulk_operation_id = ""
            run.phase_started_at = None
            run.save()
            return gone
        _record_error(run, f"bulk operation {result.status} ({result.error_code}), try {attempt}")
        run.bulk_operation_id = ""
        run.save()
    raise ShopifyTransientError(f"{phase}: bulk operation failed {MAX_PHASE_ATTEMPTS} times")


# Incremental catch-up


def _pages(
    client: AdminClient, document_name: str, root: str, query: str
) -> Iterable[list[dict[str, Any]]]:
    after: str | None = None
    while True:
        connection = client.execute(document_name, {"query": query, "after": after})[root]
        yield [edge["node"] for edge in connection["edges"]]
        page = connection["pageInfo"]
        if not page["hasNextPage"]:
            return
        after = page["endCursor"]


def sync_since(
    *,
    shop: Shop,
    since: datetime | None,
    client: AdminClient,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Upsert products, customers and orders changed since `since` (a minute of overlap, since
    clocks and commits are not instantaneous); the guard makes the overlap free."""
    start = (since or timezone.now() - timedelta(days=3650)) - timedelta(minutes=1)
    query = f"updated_at:>'{start.isoformat()}'"
    counts = {"products": 0, "customers": 0, "orders": 0}
    for nodes in _pages(client, "products_updated_since", "products", query):
        records = [mapping.product_from_connection_node(n) for n in nodes]
        counts["products"] += catalog.products_upsert(shop=shop, products=records)
        if progress:
            progress.add(len(nodes))
    for nodes in _pages(client, "customers_updated_since", "customers", query):
        counts["customers"] += catalog.customers_upsert(
            shop=shop, customers=[mapping.customer_from_node(n) for n in nodes]
        )
        if progress:
            progress.add(len(nodes))
    for nodes in _pages(client, "orders_updated_since", "orders", query):
        counts["orders"] += catalog.orders_upsert(
            shop=shop, orders=[mapping.order_from_connection_node(n) for n in nodes]
        )
        if progress:
            progress.add(len(nodes))
    return counts


def sync_runs_cancel(*, shop: Shop, reason: str) -> int:
    """Stop the shop's running syncs (uninstall): each checks its status between batches."""
    return SyncRun.objects.filter(shop=shop, status=SyncStatus.RUNNING).update(
        status=SyncStatus.CANCELLED, finished_at=timezone.now(), phase=models.F("phase")
    )


def sync_runs_stalled(*, older_than: timedelta) -> list[int]:
    return syncruns.runs_stalled(SyncRun, older_than=older_than)
