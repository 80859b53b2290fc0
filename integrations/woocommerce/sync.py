"""Syncing a WooCommerce store into the mirror: full, incremental, and the id sweep.

**Full** (`SyncKind.FULL`): products (each variable product's variations read with it),
customers, orders, reviews, then categories (their product lists come from what the products
phase saw), then a sweep. Pages of 100 in id order (a stable order while the store changes),
trimmed with `_fields`. A shop with no rows of a kind gets them with COPY (catalog.first_load),
otherwise the guarded upserts. The run keeps its phase and next page, so a worker that dies is
resumed by `woocommerce_sync_repair` where it stopped.

**Incremental**: products and orders `modified_after` the store's own clock at the last pass
(its Date header) minus five minutes, with `dates_are_gmt=true`; an item whose
(id, date_modified_gmt) we already hold is skipped, so the overlap costs nothing (and a variable
product we already have is not read again). A variation's own edit (price, stock) leaves its
parent's `date_modified` alone, so each variable product we hold is asked for its variations
`modified_after` the same mark, and re-read when one differs from what we hold. Customers have no date filter: new ones are found by
id (newest first, until a page holds ids we know); changes come by webhook and nightly. Reviews
only have `after` (created, in the site's local time): new reviews, with a window wide enough
for any time zone.

**Sweep**: every id (`_fields=id`) of products, orders, customers and reviews against ours.
Ours that the store no longer lists are read one by one (404: deleted for good; `trash`: with
its time) and soft-deleted; theirs that we lack (a page that shifted under a full sync, a missed
webhook) are read with `include=` and written. Hard deletes send no webhook: this is how they
are found.

Trash and restore: a trashed product or order is deleted here with a Tombstone holding its
`date_modified_gmt`; only a state modified after that (a restore) brings it back. See
`apply_products` and friends, which the webhooks share.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from integrations import syncruns
from integrations.woocommerce import mapping
from integrations.woocommerce.client import (
    WooAuthError,
    WooClient,
    WooNotFound,
    WooTransientError,
)
from integrations.woocommerce.models import (
    Review,
    SyncKind,
    SyncPhase,
    SyncRun,
    SyncStatus,
    Tombstone,
    TombstoneKind,
    WooStore,
)
from integrations.woocommerce.stores import client_for
from shopapp.catalog import first_load as first_loads
from shopapp.catalog import services as catalog
from shopapp.catalog.models import (
    Collection,
    CollectionMembership,
    Customer,
    Order,
    Product,
    Variant,
)
from shopapp.catalog.records import CollectionRecord, ProductRecord
from shopapp.shops.crypto import lookup_hash
from shopapp.shops.models import InstallState, Shop

logger = logging.getLogger(__name__)

PRODUCT_FIELDS = [
    "id",
    "name",
    "slug",
    "type",
    "status",
    "catalog_visibility",
    "description",
    "sku",
    "price",
    "regular_price",
    "on_sale",
    "manage_stock",
    "stock_quantity",
    "stock_status",
    "categories",
    "tags",
    "brands",
    "images",
    "parent_id",
    "date_created_gmt",
    "date_modified_gmt",
]
VARIATION_FIELDS = [
    "id",
    "sku",
    "price",
    "regular_price",
    "on_sale",
    "manage_stock",
    "stock_quantity",
    "stock_status",
    "status",
    "attributes",
    "menu_order",
    "date_modified_gmt",
]
CUSTOMER_FIELDS = [
    "id",
    "email",
    "first_name",
    "last_name",
    "billing",
    "shipping",
    "date_created_gmt",
    "date_modified_gmt",
]
ORDER_FIELDS = [
    "id",
    "number",
    "status",
    "currency",
    "total",
    "customer_id",
    "billing",
    "shipping",
    "line_items",
    "refunds",
    "date_created_gmt",
    "date_modified_gmt",
]
REVIEW_FIELDS = [
    "id",
    "product_id",
    "status",
    "reviewer",
    "reviewer_email",
    "review",
    "rating",
    "verified",
    "date_created_gmt",
]
CATEGORY_FIELDS = ["id", "name", "slug", "parent", "description", "menu_order"]
OVERLAP = timedelta(minutes=5)
# Reviews' `after` compares with the site's local time (no dates_are_gmt there): widen the window
# by the largest UTC offset there is; upserting a review twice changes nothing.
REVIEWS_OVERLAP = timedelta(hours=14, minutes=5)
# Past this many vanished ids, the sweep stops reading them one by one.
MAX_GONE_READS = 200
EPOCH = datetime(2000, 1, 1, tzinfo=timezone.get_fixed_timezone(0))
FULL_PHASES = (
    SyncPhase.PRODUCTS,
    SyncPhase.CUSTOMERS,
    SyncPhase.ORDERS,
    SyncPhase.REVIEWS,
    SyncPhase.COLLECTIONS,
    SyncPhase.SWEEP,
)


class SyncCancelled(Exception):
    """The run was cancelled (the store disconnected) while it ran."""


# Tombstones: trash, restore and deletes for good


def _tombstones(shop: Shop, kind: str, ids: Iterable[str]) -> dict[str, Tombstone]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    return {
        t.platform_id: t
        for t in Tombstone.objects.filter(shop=shop, kind=kind, platform_id__in=wanted)
    }


def _may_live(tombstone: Tombstone | None, modified: datetime | None, *, is_current: bool) -> bool:
    """May this state of a resource be mirrored, given what we know of its deletion?

    A state read now from the store (`is_current`) wins if it is not older than the trash; a
    webhook payload (built before we process it) only if it is newer."""
    if tombstone is None:
        return True
    if tombstone.modified_at is None or modified is None:
        return False
    return modified >= tombstone.modified_at if is_current else modified > tombstone.modified_at


MODELS: dict[str, type[Product | Customer | Order]] = {
    TombstoneKind.PRODUCT: Product,
    TombstoneKind.CUSTOMER: Customer,
    TombstoneKind.ORDER: Order,
}


def mark_gone(shop: Shop, kind: str, platform_ids: dict[str, datetime | None]) -> int:
    """Soft-delete resources the store no longer has: {id: trashed at, or None for good}."""
    if not platform_ids:
        return 0
    existing = _tombstones(shop, kind, platform_ids)
    for pid, modified in platform_ids.items():
        tombstone = existing.get(pid)
        if tombstone is None:
            Tombstone.objects.create(shop=shop, kind=kind, platform_id=pid, modified_at=modified)
        elif tombstone.modified_at is not None and (
            modified is None or modified > tombstone.modified_at
        ):
            Tombstone.objects.filter(pk=tombstone.pk).update(modified_at=modified)
    return catalog.mirrored_soft_delete(
        shop=shop, model=MODELS[kind], platform_ids=list(platform_ids)
    )


def _revive(shop: Shop, kind: str, platform_ids: Sequence[str]) -> None:
    if platform_ids:
        Tombstone.objects.filter(shop=shop, kind=kind, platform_id__in=list(platform_ids)).delete()
        catalog.mirrored_restore(shop=shop, model=MODELS[kind], platform_ids=list(platform_ids))


def _not_older(
    model: type[Product | Customer | Order], shop: Shop, items: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Drop payloads older than what we hold (a reordered webhook). The upsert's own guard would
    refuse them too; dropping them first also keeps their side effects (category memberships,
    reads of what they name) from acting on stale state."""
    held = dict(
        model.objects.filter(
            shop=shop, platform_id__in=[str(i.get("id")) for i in items]
        ).values_list("platform_id", "platform_updated_at")
    )
    fresh = []
    for item in items:
        ours = held.get(str(item.get("id")))
        theirs = mapping.gmt(item.get("date_modified_gmt"))
        if ours is None or theirs is None or theirs >= ours:
            fresh.append(item)
    return fresh


def _admit(
    shop: Shop, kind: str, items: Sequence[tuple[dict[str, Any], bool]]
) -> list[dict[str, Any]]:
    """The (payload, is_current) items that may be written; revives the tombstoned ones a newer
    state brings back."""
    tombstones = _tombstones(shop, kind, (str(i.get("id")) for i, _current in items))
    admitted, revived = [], []
    for item, is_current in items:
        pid = str(item.get("id"))
        tombstone = tombstones.get(pid)
        if _may_live(tombstone, mapping.gmt(item.get("date_modified_gmt")), is_current=is_current):
            admitted.append(item)
            if tombstone is not None:
                revived.append(pid)
    _revive(shop, kind, revived)
    return admitted


# Category memberships


def memberships_update(shop: Shop, product_categories: dict[str, list[dict[str, Any]]]) -> int:
    """Each product's categories as the store now lists them ({product id: [{id, name, slug}]}):
    the categories it joined or left get their product lists rewritten."""
    if not product_categories:
        return 0
    changed = set(product_categories)
    named = {str(c["id"]): c for cats in product_categories.values() for c in cats if c.get("id")}
    left = set(
        CollectionMembership.objects.filter(
            shop=shop, product__platform_id__in=list(changed)
        ).values_list("collection__platform_id", flat=True)
    )
    affected = left | set(named)
    if not affected:
        return 0
    members: dict[str, list[str]] = {cid: [] for cid in affected}
    for cid, pid in (
        CollectionMembership.objects.filter(shop=shop, collection__platform_id__in=list(affected))
        .order_by("position", "pk")
        .values_list("collection__platform_id", "product__platform_id")
    ):
        if pid not in changed:
            members[cid].append(pid)
    for pid, cats in product_categories.items():
        for category in cats:
            members[str(category["id"])].append(pid)
    known = {
        c.platform_id: c for c in Collection.objects.filter(shop=shop, platform_id__in=affected)
    }
    records = []
    for cid, pids in members.items():
        row = known.get(cid)
        payload = named.get(cid, {})
        records.append(
            CollectionRecord(
                platform_id=cid,
                title=row.title if row else str(payload.get("name") or ""),
                handle=row.handle if row else str(payload.get("slug") or ""),
                updated_at=None,
                kind="category",
                description=row.description if row else "",
                position=row.position if row else 0,
                product_ids=tuple(dict.fromkeys(pids)),
            )
        )
    return catalog.collections_upsert(shop=shop, collections=records)


# Applying what the store says (full sync, incremental, sweep and webhooks share these)


def variations_of(client: WooClient, product_id: str) -> list[dict[str, Any]]:
    try:
        return list(client.items(f"products/{product_id}/variations", fields=VARIATION_FIELDS))
    except WooNotFound:
        return []


def product_records(
    client: WooClient, items: Sequence[dict[str, Any]]
) -> tuple[list[ProductRecord], int]:
    records, variations = [], 0
    for item in items:
        found = variations_of(client, str(item["id"])) if item.get("type") == "variable" else []
        variations += len(found)
        records.append(mapping.product_record(item, found))
    return records, variations


def apply_products(
    shop: Shop,
    client: WooClient,
    items: Sequence[dict[str, Any]],
    *,
    is_current: bool,
    first_load: bool = False,
    update_memberships: bool = True,
) -> dict[str, int]:
    """Write product payloads: a variation's payload re-reads its parent; trash deletes."""
    payloads: dict[str, tuple[dict[str, Any], bool]] = {
        str(i["id"]): (dict(i), is_current) for i in items if not mapping.is_variation(i)
    }
    for parent_id in sorted({str(i["parent_id"]) for i in items if mapping.is_variation(i)}):
        try:
            parent = client.get(f"products/{parent_id}", {"_fields": ",".join(PRODUCT_FIELDS)})
        except WooNotFound:
            mark_gone(shop, TombstoneKind.PRODUCT, {parent_id: None})
            continue
        payloads[parent_id] = (parent, True)
    trashed = {
        pid: mapping.gmt(p.get("date_modified_gmt"))
        for pid, (p, _current) in payloads.items()
        if p.get("status") == "trash"
    }
    mark_gone(shop, TombstoneKind.PRODUCT, trashed)
    admitted = _admit(
        shop, TombstoneKind.PRODUCT, [v for pid, v in payloads.items() if pid not in trashed]
    )
    if not first_load:
        admitted = _not_older(Product, shop, admitted)
    records, variations = product_records(client, admitted)
    if first_load:
        have = set(
            Product.objects.filter(
                shop=shop, platform_id__in=[r.platform_id for r in records]
            ).values_list("platform_id", flat=True)
        )
        fresh = [r for r in records if r.platform_id not in have]
        first_load_products(shop, fresh)
        written = len(fresh)
    else:
        written = catalog.products_upsert(shop=shop, products=records) if records else 0
        if update_memberships:
            memberships_update(
                shop, {str(p["id"]): list(p.get("categories") or ()) for p in admitted}
            )
    return {"products": written, "variations": variations, "deleted": len(trashed)}


def first_load_products(shop: Shop, records: Sequence[ProductRecord]) -> None:
    if records:
        with transaction.atomic():
            first_loads.products_first_load(shop, records)


def apply_customers(
    shop: Shop, items: Sequence[dict[str, Any]], *, is_current: bool, first_load: bool = False
) -> int:
    admitted = _admit(shop, TombstoneKind.CUSTOMER, [(i, is_current) for i in items])
    if not first_load:
        admitted = _not_older(Customer, shop, admitted)
    records = [mapping.customer_record(c) for c in admitted]
    if not records:
        return 0
    if first_load:
        have = set(
            Customer.objects.filter(
                shop=shop, platform_id__in=[r.platform_id for r in records]
            ).values_list("platform_id", flat=True)
        )
        fresh = [r for r in records if r.platform_id not in have]
        with transaction.atomic():
            first_loads.customers_first_load(shop, fresh)
        return len(fresh)
    return catalog.customers_upsert(shop=shop, customers=records)


def _missing(model: type[Product | Customer], shop: Shop, ids: set[str], kind: str) -> list[str]:
    if not ids:
        return []
    have = set(
        model.objects.filter(shop=shop, platform_id__in=list(ids)).values_list(
            "platform_id", flat=True
        )
    )
    gone = set(_tombstones(shop, kind, ids))
    return sorted(ids - have - gone, key=int)


def _read_by_ids(
    client: WooClient, path: str, ids: Sequence[str], fields: list[str], **params: Any
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for start in range(0, len(ids), 100):
        chunk = list(ids[start : start + 100])
        found += list(client.items(path, {"include": chunk, **params}, fields=fields))
    return found


def apply_orders(
    shop: Shop,
    client: WooClient | None,
    items: Sequence[dict[str, Any]],
    *,
    is_current: bool,
    first_load: bool = False,
) -> dict[str, int]:
    """Write order payloads. Customers and products an order names that we have never seen (a
    reordered webhook, a page that shifted) are read first, so the order links to them."""
    gone = {
        str(o["id"]): mapping.gmt(o.get("date_modified_gmt"))
        for o in items
        if o.get("status") in mapping.NOT_ORDERS
    }
    mark_gone(shop, TombstoneKind.ORDER, gone)
    live = [(o, is_current) for o in items if str(o["id"]) not in gone]
    admitted = _admit(shop, TombstoneKind.ORDER, live)
    if not first_load:
        admitted = _not_older(Order, shop, admitted)
    if client is not None and not first_load:
        customer_ids = {str(o["customer_id"]) for o in admitted if o.get("customer_id")}
        unknown = _missing(Customer, shop, customer_ids, TombstoneKind.CUSTOMER)
        if unknown:
            found = _read_by_ids(client, "customers", unknown, CUSTOMER_FIELDS, role="all")
            apply_customers(shop, found, is_current=True)
        product_ids = {
            str(line["product_id"])
            for o in admitted
            for line in o.get("line_items") or ()
            if line.get("product_id")
        }
        unknown = _missing(Product, shop, product_ids, TombstoneKind.PRODUCT)
        if unknown:
            found = _read_by_ids(client, "products", unknown, PRODUCT_FIELDS, status="any")
            apply_products(shop, client, found, is_current=True)
    records = [mapping.order_record(o) for o in admitted]
    if not records:
        return {"orders": 0, "deleted": len(gone)}
    if first_load:
        have = set(
            Order.objects.filter(
                shop=shop, platform_id__in=[r.platform_id for r in records]
            ).values_list("platform_id", flat=True)
        )
        fresh = [r for r in records if r.platform_id not in have]
        with transaction.atomic():
            first_loads.orders_first_load(shop, fresh)
        return {"orders": len(fresh), "deleted": len(gone)}
    return {"orders": catalog.orders_upsert(shop=shop, orders=records), "deleted": len(gone)}


def apply_reviews(shop: Shop, items: Sequence[dict[str, Any]]) -> int:
    rows = []
    for item in items:
        fields = mapping.review_fields(item)
        email = fields.pop("reviewer_email")
        if fields["status"] != "approved":
            continue
        rows.append(
            Review(
                shop=shop,
                email_hash=lookup_hash(email) if email else "",
                raw=dict(item),
                **fields,
            )
        )
    if not rows:
        return 0
    Review.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["shop", "platform_id"],
        update_fields=[
            "product_platform_id",
            "status",
            "rating",
            "is_verified",
            "reviewer_name",
            "email_hash",
            "body",
            "platform_created_at",
            "raw",
            "updated_at",
        ],
    )
    return len(rows)


def resource_gone(shop: Shop, client: WooClient, kind: str, platform_id: str) -> str:
    """A `*.deleted` webhook, or an id the sweep no longer finds: read the resource now and do
    what its state says (404: deleted for good; trash: deleted as of then; live: write it)."""
    path = {"product": "products", "order": "orders", "customer": "customers"}[kind]
    try:
        current = client.get(f"{path}/{platform_id}")
    except WooNotFound:
        mark_gone(shop, kind, {platform_id: None})
        return "deleted"
    if not isinstance(current, dict):
        return "ignored"
    status = current.get("status")
    if (kind == "product" and status == "trash") or (
        kind == "order" and status in mapping.NOT_ORDERS
    ):
        mark_gone(shop, kind, {platform_id: mapping.gmt(current.get("date_modified_gmt"))})
        return "trashed"
    if kind == "product":
        apply_products(shop, client, [current], is_current=True)
    elif kind == "order":
        apply_orders(shop, client, [current], is_current=True)
    else:
        apply_customers(shop, [current], is_current=True)
    return "live"


# Runs and progress


@dataclass
class Progress:
    run_id: int

    def add(self, rows: int, *, next_page: int | None = None, **extra: Any) -> None:
        now = timezone.now()
        changes: dict[str, Any] = {
            "phase_rows_done": models.F("phase_rows_done") + rows,
            "rows_done": models.F("rows_done") + rows,
            "heartbeat_at": now,
            **extra,
        }
        if next_page is not None:
            changes["next_page"] = next_page
        if not SyncRun.objects.filter(pk=self.run_id, status=SyncStatus.RUNNING).update(**changes):
            raise SyncCancelled(f"sync run {self.run_id} is no longer running")


def sync_run_start(*, shop: Shop, kind: str = SyncKind.FULL) -> SyncRun:
    """The shop's running sync, or a new one."""
    return syncruns.run_start(SyncRun, shop=shop, kind=kind)


_record_error = syncruns.record_error
_finish = syncruns.finish


def _count(run: SyncRun, **counts: int) -> None:
    fresh = SyncRun.objects.get(pk=run.pk)
    totals = dict(fresh.counts)
    for key, value in counts.items():
        totals[key] = int(totals.get(key, 0)) + value
    SyncRun.objects.filter(pk=run.pk).update(counts=totals)


def _phase(run: SyncRun, phase: str) -> None:
    run.refresh_from_db()
    if run.phase != phase:
        run.phase = phase
        run.next_page = 1
        run.phase_rows_done = 0
        run.phase_rows_total = None
        run.phase_started_at = timezone.now()
    elif run.phase_started_at is None:
        run.phase_started_at = timezone.now()
    run.heartbeat_at = timezone.now()
    run.save()


def _phase_done(run: SyncRun, phase: str) -> None:
    run.refresh_from_db()
    run.phases_done = [*run.phases_done, phase]
    run.next_page = 1
    run.save(update_fields=["phases_done", "next_page"])


def _store_clock(run: SyncRun, moment: datetime | None) -> None:
    if run.store_started_at is None:
        run.store_started_at = moment or timezone.now()
        SyncRun.objects.filter(pk=run.pk).update(store_started_at=run.store_started_at)


def _pages(
    run: SyncRun, client: WooClient, path: str, params: dict[str, Any], fields: list[str]
) -> Iterable[tuple[list[dict[str, Any]], int]]:
    """A phase's pages from where the run stopped, recording the total as the store says it."""
    for page in client.pages(path, params, fields=fields, start_page=run.next_page):
        _store_clock(run, page.response.store_time)
        if page.total is not None:
            SyncRun.objects.filter(pk=run.pk).update(phase_rows_total=page.total)
        yield page.items, page.number + 1


def _is_fresh(model: type[models.Model], shop: Shop) -> bool:
    manager: Any = model._default_manager
    return not manager.filter(shop=shop).exists()


def phase_products(run: SyncRun, shop: Shop, client: WooClient) -> None:
    fresh = _is_fresh(Product, shop)
    progress = Progress(run.pk)
    categories: dict[str, list[str]] = dict(run.scratch.get("category_products") or {})
    for items, next_page in _pages(run, client, "products", {"status": "any"}, PRODUCT_FIELDS):
        counts = apply_products(
            shop, client, items, is_current=True, first_load=fresh, update_memberships=False
        )
        for item in items:
            if item.get("status") != "trash":
                for cid in mapping.category_ids(item):
                    categories.setdefault(cid, []).append(str(item["id"]))
        scratch = {**run.scratch, "category_products": categories}
        run.scratch = scratch
        progress.add(len(items), next_page=next_page, scratch=scratch)
        _count(run, **counts)


def phase_customers(run: SyncRun, shop: Shop, client: WooClient) -> None:
    fresh = _is_fresh(Customer, shop)
    progress = Progress(run.pk)
    for items, next_page in _pages(run, client, "customers", {"role": "all"}, CUSTOMER_FIELDS):
        _count(run, customers=apply_customers(shop, items, is_current=True, first_load=fresh))
        progress.add(len(items), next_page=next_page)


def phase_orders(run: SyncRun, shop: Shop, client: WooClient) -> None:
    fresh = _is_fresh(Order, shop)
    progress = Progress(run.pk)
    for items, next_page in _pages(run, client, "orders", {"status": "any"}, ORDER_FIELDS):
        _count(run, **apply_orders(shop, client, items, is_current=True, first_load=fresh))
        progress.add(len(items), next_page=next_page)


def phase_reviews(run: SyncRun, shop: Shop, client: WooClient) -> None:
    progress = Progress(run.pk)
    for items, next_page in _pages(run, client, "products/reviews", {}, REVIEW_FIELDS):
        _count(run, reviews=apply_reviews(shop, items))
        progress.add(len(items), next_page=next_page)


def phase_collections(run: SyncRun, shop: Shop, client: WooClient) -> None:
    members: dict[str, list[str]] = run.scratch.get("category_products") or {}
    records = []
    progress = Progress(run.pk)
    for items, _next in _pages(run, client, "products/categories", {}, CATEGORY_FIELDS):
        records += [
            mapping.category_record(c, sorted(members.get(str(c["id"]), []), key=int))
            for c in items
        ]
        progress.add(len(items))
    if records:
        if _is_fresh(Collection, shop):
            with transaction.atomic():
                first_loads.collections_first_load(shop, records)
        else:
            catalog.collections_upsert(shop=shop, collections=records)
    _count(run, categories=len(records))


def phase_sweep(run: SyncRun, shop: Shop, client: WooClient) -> None:
    counts = sweep(shop, client, progress=Progress(run.pk))
    _count(run, **{f"sweep_{k}": v for k, v in counts.items()})


PHASE_WORK = {
    SyncPhase.PRODUCTS: phase_products,
    SyncPhase.CUSTOMERS: phase_customers,
    SyncPhase.ORDERS: phase_orders,
    SyncPhase.REVIEWS: phase_reviews,
    SyncPhase.COLLECTIONS: phase_collections,
    SyncPhase.SWEEP: phase_sweep,
}


def sync_run_continue(run: SyncRun, *, client: WooClient | None = None) -> SyncRun:
    """Run (or resume) a sync to the end. Transient trouble is recorded and re-raised for the task
    to retry; refused credentials stop the run and mark the shop for re-authorization."""
    shop = Shop.objects.get(pk=run.shop_id)
    if run.status != SyncStatus.RUNNING:
        return run
    if shop.install_state != InstallState.INSTALLED:
        _record_error(run, f"shop is {shop.install_state}")
        return _finish(run, SyncStatus.CANCELLED)
    owns_client = client is None
    client = client or client_for(shop)
    run.attempts += 1
    run.heartbeat_at = timezone.now()
    run.save(update_fields=["attempts", "heartbeat_at"])
    try:
        if run.kind == SyncKind.FULL:
            for phase in FULL_PHASES:
                if phase not in run.phases_done:
                    _phase(run, phase)
                    PHASE_WORK[phase](run, shop, client)
                    _phase_done(run, phase)
        elif run.kind == SyncKind.INCREMENTAL:
            _phase(run, SyncPhase.PRODUCTS)
            _count(run, **sync_since(shop, client, run))
        else:
            _phase(run, SyncPhase.SWEEP)
            phase_sweep(run, shop, client)
    except SyncCancelled:
        run.refresh_from_db()
        return run
    except WooAuthError as exc:
        Shop.objects.filter(pk=shop.pk).update(install_state=InstallState.NEEDS_REAUTH)
        run.refresh_from_db()
        _record_error(run, f"the store refused our credentials: {exc}")
        return _finish(run, SyncStatus.FAILED)
    except WooTransientError as exc:
        run.refresh_from_db()
        _record_error(run, f"transient: {exc}")
        run.save(update_fields=["errors"])
        raise
    except Exception as exc:
        run.refresh_from_db()
        _record_error(run, f"{type(exc).__name__}: {exc}")
        _finish(run, SyncStatus.FAILED)
        raise
    finally:
        if owns_client:
            client.close()
    run.refresh_from_db()
    _advance_watermarks(shop, run)
    return _finish(run, SyncStatus.DONE)


def _advance_watermarks(shop: Shop, run: SyncRun) -> None:
    changes: dict[str, Any] = {}
    if run.kind in (SyncKind.FULL, SyncKind.INCREMENTAL) and run.store_started_at:
        changes.update(
            products_synced_to=run.store_started_at,
            orders_synced_to=run.store_started_at,
            reviews_synced_to=run.store_started_at,
        )
    if run.kind in (SyncKind.FULL, SyncKind.SWEEP):
        changes["swept_at"] = timezone.now()
    if changes:
        WooStore.objects.filter(shop=shop).update(**changes)


# Incremental


def _unchanged(
    model: type[Product | Order], shop: Shop, items: Sequence[dict[str, Any]]
) -> set[str]:
    """Ids whose (id, date_modified_gmt) we already hold, live: the overlap's repeats."""
    stamps = dict(
        model.objects.filter(
            shop=shop,
            platform_id__in=[str(i["id"]) for i in items],
            deleted_at__isnull=True,
        ).values_list("platform_id", "platform_updated_at")
    )
    return {
        str(i["id"])
        for i in items
        if stamps.get(str(i["id"])) is not None
        and stamps[str(i["id"])] == mapping.gmt(i.get("date_modified_gmt"))
    }


def sync_since(
    shop: Shop,
    client: WooClient,
    run: SyncRun | None = None,
    *,
    since_override: datetime | None = None,
) -> dict[str, int]:
    """What changed since the last pass (or `since_override`; see the module docstring)."""
    store = WooStore.objects.get(shop=shop)
    if since_override is not None:
        store.products_synced_to = store.orders_synced_to = since_override
        store.reviews_synced_to = since_override
    counts = {"products": 0, "orders": 0, "customers": 0, "reviews": 0, "skipped": 0}

    def since(moment: datetime | None) -> datetime:
        return (moment or EPOCH) - OVERLAP

    first_response_time: datetime | None = None
    read_again: set[str] = set()
    for page in client.pages(
        "products",
        {"status": "any", "modified_after": since(store.products_synced_to), "dates_are_gmt": True},
        fields=PRODUCT_FIELDS,
    ):
        first_response_time = first_response_time or page.response.store_time
        if run is not None:
            _store_clock(run, page.response.store_time)
        same = _unchanged(Product, shop, page.items)
        counts["skipped"] += len(same)
        changed = [i for i in page.items if str(i["id"]) not in same]
        counts["products"] += apply_products(shop, client, changed, is_current=True)["products"]
        read_again.update(str(i["id"]) for i in changed)
    counts["variations_changed"] = variations_changed(
        shop, client, since(store.products_synced_to), skip=read_again
    )
    for page in client.pages(
        "orders",
        {"status": "any", "modified_after": since(store.orders_synced_to), "dates_are_gmt": True},
        fields=ORDER_FIELDS,
    ):
        same = _unchanged(Order, shop, page.items)
        counts["skipped"] += len(same)
        changed = [i for i in page.items if str(i["id"]) not in same]
        counts["orders"] += apply_orders(shop, client, changed, is_current=True)["orders"]
    counts["customers"] = customers_new(shop, client)
    reviews_after = (store.reviews_synced_to or EPOCH) - REVIEWS_OVERLAP
    for page in client.pages("products/reviews", {"after": reviews_after}, fields=REVIEW_FIELDS):
        counts["reviews"] += apply_reviews(shop, page.items)
    if run is None and first_response_time is not None:
        WooStore.objects.filter(pk=store.pk).update(
            products_synced_to=first_response_time,
            orders_synced_to=first_response_time,
            reviews_synced_to=first_response_time,
        )
    return counts


_VARIANT_STATE = ("title", "sku", "price", "compare_at_price", "in_stock", "inventory_quantity")


def _variant_state(values: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(values)


def variable_products_held(shop: Shop) -> dict[str, dict[str, tuple[Any, ...]]]:
    """Our live variable products with their variants' state: {product id: {variation id:
    state}}. A simple product's one variant carries the product's own id, so it is left out."""
    held: dict[str, dict[str, tuple[Any, ...]]] = {}
    for product_id, variant_id, *state in (
        Variant.objects.filter(shop=shop, deleted_at__isnull=True, product__deleted_at__isnull=True)
        .exclude(platform_id=models.F("product__platform_id"))
        .values_list("product__platform_id", "platform_id", *_VARIANT_STATE)
    ):
        held.setdefault(product_id, {})[variant_id] = _variant_state(state)
    return held


def variations_changed(
    shop: Shop, client: WooClient, after: datetime, *, skip: AbstractSet[str] = frozenset()
) -> int:
    """Re-read variable products whose variations changed after `after`. Editing a variation's
    price or stock leaves its parent's `date_modified` alone, so `products?modified_after` misses
    it; each parent's `variations?modified_after` lists it. That is one request per variable
    product we hold (usually an empty page); a listed variation whose state we already hold (the
    overlap's repeats) costs nothing more."""
    parents = []
    for pid, variants in sorted(variable_products_held(shop).items(), key=lambda kv: int(kv[0])):
        if pid in skip:
            continue
        try:
            listed = list(
                client.items(
                    f"products/{pid}/variations",
                    {"modified_after": after, "dates_are_gmt": True},
                    fields=VARIATION_FIELDS,
                )
            )
        except WooNotFound:
            # The parent is gone for good: the sweep (or its delete webhook) settles it.
            continue
        for item in listed:
            record = mapping.variant_from_variation(item, 0)
            state = _variant_state([getattr(record, name) for name in _VARIANT_STATE])
            if variants.get(record.platform_id) != state:
                parents.append(pid)
                break
    if not parents:
        return 0
    found = _read_by_ids(client, "products", parents, PRODUCT_FIELDS, status="any")
    return apply_products(shop, client, found, is_current=True)["products"]


def customers_new(shop: Shop, client: WooClient) -> int:
    """Customers registered since we last looked: newest first, until we reach ids we know."""
    known_max = max(
        (
            int(pid)
            for pid in Customer.objects.filter(shop=shop).values_list("platform_id", flat=True)
            if pid.isdigit()
        ),
        default=0,
    )
    written = 0
    for page in client.pages(
        "customers", {"role": "all", "orderby": "id", "order": "desc"}, fields=CUSTOMER_FIELDS
    ):
        new = [c for c in page.items if int(c["id"]) > known_max]
        written += apply_customers(shop, new, is_current=True)
        if len(new) < len(page.items):
            break
    return written


# The sweep


def _ids(client: WooClient, path: str, **params: Any) -> set[str]:
    return {str(i["id"]) for i in client.items(path, params, fields=["id"])}


def sweep(shop: Shop, client: WooClient, progress: Progress | None = None) -> dict[str, int]:
    """Compare every id with the store's; see the module docstring."""
    counts: dict[str, int] = {}
    for kind, path, params, model, fields in (
        (TombstoneKind.PRODUCT, "products", {"status": "any"}, Product, PRODUCT_FIELDS),
        (TombstoneKind.CUSTOMER, "customers", {"role": "all"}, Customer, CUSTOMER_FIELDS),
        (TombstoneKind.ORDER, "orders", {"status": "any"}, Order, ORDER_FIELDS),
    ):
        theirs = _ids(client, path, **params)
        ours = set(
            model.objects.filter(shop=shop, deleted_at__isnull=True).values_list(
                "platform_id", flat=True
            )
        )
        vanished = sorted(ours - theirs, key=int)
        if len(vanished) > MAX_GONE_READS:
            mark_gone(shop, kind, dict.fromkeys(vanished))
        else:
            for pid in vanished:
                resource_gone(shop, client, kind, pid)
        # Never seen, missed, or (tombstoned ones listed again) restored: read them as they are.
        lacking = sorted(theirs - ours, key=int)
        found = _read_by_ids(client, path, lacking, fields, **params) if lacking else []
        if kind == TombstoneKind.PRODUCT:
            apply_products(shop, client, found, is_current=True)
        elif kind == TombstoneKind.CUSTOMER:
            apply_customers(shop, found, is_current=True)
        else:
            apply_orders(shop, client, found, is_current=True)
        counts[f"{kind}s_gone"] = len(vanished)
        counts[f"{kind}s_found"] = len(found)
        if progress is not None:
            progress.add(len(theirs))
    theirs_reviews = _ids(client, "products/reviews")
    stale = Review.objects.filter(shop=shop).exclude(platform_id__in=list(theirs_reviews))
    counts["reviews_gone"] = stale.count()
    stale.delete()
    missing_reviews = sorted(
        theirs_reviews
        - set(Review.objects.filter(shop=shop).values_list("platform_id", flat=True)),
        key=int,
    )
    if missing_reviews:
        apply_reviews(
            shop, _read_by_ids(client, "products/reviews", missing_reviews, REVIEW_FIELDS)
        )
    return counts


def sync_runs_stalled(*, older_than: timedelta) -> list[int]:
    return syncruns.runs_stalled(SyncRun, older_than=older_than)
