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
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from integrations.shopify import mapping
from integrations.shopify.auth import access_token, shop_needs_reauth
from integrations.shopify.bulk import Spool, bulk_start, bulk_wait
from integrations.shopify.client import (
    AdminClient,
    ShopifyAuthError,
    ShopifyTransientError,
)
from integrations.shopify.models import SyncKind, SyncPhase, SyncRun, SyncStatus
from shopapp.catalog import services as catalog
from shopapp.catalog.bulk import bulk_append
from shopapp.catalog.models import (
    Collection,
    CollectionMembership,
    Customer,
    Order,
    OrderLine,
    Product,
    Variant,
)
from shopapp.catalog.records import CollectionRecord, CustomerRecord, OrderRecord, ProductRecord
from shopapp.shops.crypto import lookup_hash
from shopapp.shops.models import InstallState, Shop

logger = logging.getLogger(__name__)

BATCH = 2_000
UPSERT_BATCH = 500
MAX_ERRORS_KEPT = 20
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


def _now_columns() -> dict[str, datetime]:
    now = timezone.now()
    return {"created_at": now, "updated_at": now}


def _copy(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    bulk_append(model, columns, (tuple(row[c] for c in columns) for row in rows))


def _pks(
    model: type[models.Model], shop: Shop, platform_ids: Iterable[str | None]
) -> dict[str, int]:
    wanted = {pid for pid in platform_ids if pid}
    if not wanted:
        return {}
    return dict(
        model._default_manager.filter(shop=shop, platform_id__in=wanted).values_list(
            "platform_id", "pk"
        )
    )


def copy_products(shop: Shop, products: Sequence[ProductRecord]) -> None:
    stamp = _now_columns()
    _copy(
        Product,
        [
            {
                "shop_id": shop.pk,
                "platform_id": p.platform_id,
                "title": p.title,
                "handle": p.handle,
                "vendor": p.vendor,
                "product_type": p.product_type,
                "tags": list(p.tags),
                "description": p.description,
                "price_min": p.price_range[0],
                "price_max": p.price_range[1],
                "currency": p.currency or shop.currency,
                "images": list(p.images),
                "is_published": p.is_published,
                "in_stock": p.in_stock,
                "platform_created_at": p.created_at,
                "platform_updated_at": p.updated_at,
                **stamp,
            }
            for p in products
        ],
    )
    pks = _pks(Product, shop, (p.platform_id for p in products))
    _copy(
        Variant,
        [
            {
                "shop_id": shop.pk,
                "platform_id": v.platform_id,
                "product_id": pks[p.platform_id],
                "title": v.title,
                "sku": v.sku,
                "price": v.price,
                "compare_at_price": v.compare_at_price,
                "in_stock": v.in_stock,
                "inventory_quantity": v.inventory_quantity,
                "position": v.position,
                "platform_updated_at": p.updated_at,
                **stamp,
            }
            for p in products
            for v in p.variants
        ],
    )


def copy_collections(shop: Shop, collections: Sequence[CollectionRecord]) -> None:
    stamp = _now_columns()
    _copy(
        Collection,
        [
            {
                "shop_id": shop.pk,
                "platform_id": c.platform_id,
                "title": c.title,
                "handle": c.handle,
                "description": c.description,
                "kind": c.kind,
                "rules": list(c.rules),
                "sort_order": "",
                "position": c.position,
                "image_url": "",
                "is_published": c.is_published,
                "platform_updated_at": c.updated_at,
                **stamp,
            }
            for c in collections
        ],
    )
    collection_pks = _pks(Collection, shop, (c.platform_id for c in collections))
    product_pks = _pks(Product, shop, (pid for c in collections for pid in c.product_ids))
    _copy(
        CollectionMembership,
        [
            {
                "shop_id": shop.pk,
                "collection_id": collection_pks[c.platform_id],
                "product_id": product_pks[pid],
                "position": position,
            }
            for c in collections
            for position, pid in enumerate(dict.fromkeys(c.product_ids))
            if pid in product_pks
        ],
    )


def copy_customers(shop: Shop, customers: Sequence[CustomerRecord]) -> None:
    stamp = _now_columns()
    email_field = Customer._meta.get_field("email")
    name_field = Customer._meta.get_field("name")
    _copy(
        Customer,
        [
            {
                "shop_id": shop.pk,
                "platform_id": c.platform_id,
                "email_hash": lookup_hash(c.email) if c.email else "",
                # COPY bypasses the field: encrypt here as the field would.
                "email": email_field.get_prep_value(c.email),
                "name": name_field.get_prep_value(c.name),
                "accepts_marketing": c.accepts_marketing,
                "tags": list(c.tags),
                "country": c.country,
                "platform_created_at": c.created_at,
                "platform_updated_at": c.updated_at,
                **stamp,
            }
            for c in customers
        ],
    )


def copy_orders(shop: Shop, orders: Sequence[OrderRecord]) -> None:
    stamp = _now_columns()
    customer_pks = _pks(Customer, shop, (o.customer_id for o in orders))
    _copy(
        Order,
        [
            {
                "shop_id": shop.pk,
                "platform_id": o.platform_id,
                "name": o.name,
                "customer_id": customer_pks.get(o.customer_id or ""),
                "kind": o.kind,
                "currency": o.currency,
                "subtotal": o.subtotal,
                "total": o.total,
                "refunded_total": o.refunded_total,
                "financial_status": o.financial_status,
                "cancelled_at": o.cancelled_at,
                "country": o.country,
                "platform_created_at": o.created_at,
                "platform_updated_at": o.updated_at,
                **stamp,
            }
            for o in orders
        ],
    )
    order_pks = _pks(Order, shop, (o.platform_id for o in orders))
    product_pks = _pks(Product, shop, (ln.product_id for o in orders for ln in o.lines))
    variant_pks = _pks(Variant, shop, (ln.variant_id for o in orders for ln in o.lines))
    _copy(
        OrderLine,
        [
            {
                "shop_id": shop.pk,
                "order_id": order_pks[o.platform_id],
                "platform_id": ln.platform_id,
                "product_id": product_pks.get(ln.product_id or ""),
                "variant_id": variant_pks.get(ln.variant_id or ""),
                "title": ln.title,
                "sku": ln.sku,
                "quantity": ln.quantity,
                "unit_price": ln.unit_price,
            }
            for o in orders
            for ln in o.lines
        ],
    )


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
        copy_products,
        lambda shop, records: catalog.products_upsert(shop=shop, products=records),
    ),
    SyncPhase.COLLECTIONS: PhaseWriter(
        Collection,
        _collections_records,
        copy_collections,
        lambda shop, records: catalog.collections_upsert(shop=shop, collections=records),
    ),
    SyncPhase.CUSTOMERS: PhaseWriter(
        Customer,
        lambda batch: [mapping.customer_from_node(n) for n, _c in batch],
        copy_customers,
        lambda shop, records: catalog.customers_upsert(shop=shop, customers=records),
    ),
    SyncPhase.ORDERS: PhaseWriter(
        Order,
        lambda batch: [mapping.order_from_node(n, c) for n, c in batch],
        copy_orders,
        lambda shop, records: catalog.orders_upsert(shop=shop, orders=records),
    ),
}
PHASES: tuple[tuple[str, str], ...] = (
    (SyncPhase.PRODUCTS, "bulk_products"),
    (SyncPhase.COLLECTIONS, "bulk_collections"),
    (SyncPhase.CUSTOMERS, "bulk_customers"),
    (SyncPhase.ORDERS, "bulk_orders"),
)


def phase_write(shop: Shop, phase: str, spool: Spool, *, progress: Progress | None = None) -> int:
    """Write a spooled phase: COPY for a shop with no rows of this kind yet, else guarded upserts.
    Each batch commits on its own, so a crash loses at most one batch of work."""
    writer = WRITERS[phase]
    is_fresh = not writer.model._default_manager.filter(shop=shop).exists()
    written = 0
    for batch in spool.batches(BATCH if is_fresh else UPSERT_BATCH):
        records = writer.to_records(batch)
        with transaction.atomic():
            if is_fresh:
                writer.copy(shop, records)
            else:
                writer.upsert(shop, records)
        written += len(records)
        if progress is not None:
            progress.add(len(batch) + sum(len(children) for _node, children in batch))
    return written


# Running a full sync


def sync_run_start(*, shop: Shop, kind: str = SyncKind.FULL) -> SyncRun:
    """The shop's running sync, or a new one."""
    with transaction.atomic():
        Shop.objects.select_for_update().filter(pk=shop.pk).first()
        running = SyncRun.objects.filter(shop=shop, status=SyncStatus.RUNNING).first()
        if running is not None:
            return running
        since = None
        if kind == SyncKind.INCREMENTAL:
            last = (
                SyncRun.objects.filter(shop=shop, status=SyncStatus.DONE)
                .order_by("-started_at")
                .first()
            )
            since = last.started_at if last else None
        return SyncRun.objects.create(shop=shop, kind=kind, since=since)


def _record_error(run: SyncRun, message: str) -> None:
    run.errors = [
        *run.errors,
        {"at": timezone.now().isoformat(), "phase": run.phase, "message": message[:500]},
    ][-MAX_ERRORS_KEPT:]


def _finish(run: SyncRun, status: str) -> SyncRun:
    run.status = status
    run.finished_at = timezone.now()
    if status == SyncStatus.DONE:
        run.phase = SyncPhase.DONE
    run.save()
    return run


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
    try:
        if run.kind == SyncKind.INCREMENTAL:
            sync_since(shop=shop, since=run.since, client=client, progress=Progress(run.pk))
        else:
            for phase, document_name in PHASES:
                if phase not in run.phases_done:
                    _run_phase(run, shop, phase, document_name, client, sleep)
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
    return _finish(run, SyncStatus.DONE)


def _run_phase(
    run: SyncRun,
    shop: Shop,
    phase: str,
    document_name: str,
    client: AdminClient,
    sleep: Callable[[float], None],
) -> None:
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

        result = bulk_wait(client, run.bulk_operation_id, on_poll=heartbeat, sleep=sleep)
        if result.status == "COMPLETED":
            if result.url:
                with Spool() as spool:
                    spool.load(client.stream_lines(result.url))
                    SyncRun.objects.filter(pk=run.pk).update(
                        phase_rows_total=spool.parent_count + spool.child_count
                    )
                    phase_write(shop, phase, spool, progress=Progress(run.pk))
            run.refresh_from_db()
            run.phases_done = [*run.phases_done, phase]
            run.bulk_operation_id = ""
            run.phase_started_at = None
            run.save()
            return
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
    cutoff = timezone.now() - older_than
    return list(
        SyncRun.objects.filter(status=SyncStatus.RUNNING, heartbeat_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
