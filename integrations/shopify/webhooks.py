"""Webhooks: verify the raw body, record the delivery, answer, and process it in Celery.

The receiving view does only what must happen before Shopify's 5 s are up: the HMAC over the raw
bytes (shopifyapp; a bad or missing one is 401), one insert under the unique (shop, webhook id)
(a redelivery stops there and is answered 200), and an enqueue after commit. Processing maps the
payload to the neutral records and calls the catalog's guarded upserts, so duplicates and
reordered deliveries change nothing. Compliance topics go to `privacy.py`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations.shopify import mapping, privacy
from integrations.shopify.auth import request_input, shopify_app
from integrations.shopify.bulk import gid_id
from integrations.shopify.client import AdminClient
from integrations.shopify.models import (
    ComplianceTopic,
    DeliveryStatus,
    SyncRun,
    SyncStatus,
    Tombstone,
    TombstoneKind,
    WebhookDelivery,
)
from shopapp.catalog import services as catalog
from shopapp.catalog.models import Collection, Customer, Order, Product
from shopapp.catalog.records import CollectionRecord
from shopapp.shops.models import InstallState, Platform, Shop
from shopapp.shops.services import shop_uninstall

logger = logging.getLogger(__name__)
# products_by_ids costs ~56 points a product (50 variants): ten stay well under 1,000 a query.
PRODUCTS_PER_READ = 10


def _header(request: HttpRequest, name: str) -> str:
    # Classic subscriptions send X-Shopify-*, the newer event subscriptions the same without X-.
    return request.headers.get(f"X-Shopify-{name}") or request.headers.get(f"Shopify-{name}") or ""


def _parse_time(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


@csrf_exempt
@require_POST
def webhook_receive(request: HttpRequest) -> HttpResponse:
    result = shopify_app().verify_webhook_req(request_input(request))
    if not result.ok:
        # shopifyapp answers a missing HMAC with 400; Shopify's review wants 401 for any bad one.
        status = 401 if result.response.status in (400, 401) else result.response.status
        return HttpResponse("Unauthorized" if status == 401 else "", status=status)
    topic = _header(request, "Topic")
    shop_domain = _header(request, "Shop-Domain").lower()
    webhook_id = _header(request, "Webhook-Id")
    if not topic or not shop_domain or not webhook_id:
        return HttpResponse("Missing Shopify headers", status=400)
    # The columns these land in are 64/255 wide: an overlong header is a 400, not a DataError.
    if len(topic) > 64:
        return HttpResponse("X-Shopify-Topic is too long", status=400)
    if len(shop_domain) > 255:
        return HttpResponse("X-Shopify-Shop-Domain is too long", status=400)
    try:
        payload = json.loads(request.body)
    except ValueError:
        return HttpResponse("Body is not JSON", status=400)
    if not isinstance(payload, dict):
        return HttpResponse("Body must be a JSON object", status=400)
    if topic in ComplianceTopic.values:
        try:
            privacy.compliance_receive(
                topic=topic, shop_domain=shop_domain, webhook_id=webhook_id, payload=payload
            )
        except privacy.CompliancePayloadInvalid as exc:
            return HttpResponse(str(exc), status=400)
        return HttpResponse(status=200)
    shop = Shop.objects.filter(platform=Platform.SHOPIFY, domain=shop_domain).first()
    if shop is None:
        logger.info("webhook %s for unknown shop %s ignored", topic, shop_domain)
        return HttpResponse(status=200)
    delivery_record(
        shop=shop,
        topic=topic,
        webhook_id=webhook_id,
        event_id=_header(request, "Event-Id"),
        api_version=_header(request, "API-Version"),
        triggered_at=_parse_time(_header(request, "Triggered-At")),
        payload=payload,
    )
    return HttpResponse(status=200)


def delivery_record(
    *,
    shop: Shop,
    topic: str,
    webhook_id: str,
    event_id: str,
    api_version: str,
    triggered_at: datetime | None,
    payload: Any,
) -> WebhookDelivery | None:
    """Record a delivery and enqueue its processing after commit; None for a duplicate."""
    from integrations.shopify import tasks

    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                shop=shop,
                topic=topic,
                webhook_id=webhook_id[:64],
                event_id=event_id[:64],
                api_version=api_version[:16],
                triggered_at=triggered_at,
                payload=payload,
            )
    except IntegrityError:
        return None
    delivery_id = delivery.pk
    transaction.on_commit(lambda: tasks.shopify_delivery_process.delay(delivery_id))
    return delivery


# Processing


Handler = Callable[[Shop, dict[str, Any], "Fetcher"], None]


class Fetcher:
    """Admin API reads a handler may need (built lazily: most deliveries need none)."""

    def __init__(self, shop: Shop, client: AdminClient | None = None) -> None:
        self.shop = shop
        self._client = client

    @property
    def client(self) -> AdminClient:
        if self._client is None:
            from integrations.shopify.sync import client_for

            self._client = client_for(self.shop)
        return self._client


def delivery_process(delivery: WebhookDelivery, *, client: AdminClient | None = None) -> str:
    """Apply one delivery to the mirror; returns its new status."""
    if delivery.status in (DeliveryStatus.PROCESSED, DeliveryStatus.IGNORED):
        return delivery.status
    shop = Shop.objects.get(pk=delivery.shop_id)
    handler = HANDLERS.get(delivery.topic)
    stopped = shop.install_state == InstallState.UNINSTALLED and delivery.topic != "app/uninstalled"
    status = DeliveryStatus.IGNORED if handler is None or stopped else DeliveryStatus.PROCESSED
    if status == DeliveryStatus.PROCESSED and handler is not None:
        handler(shop, delivery.payload, Fetcher(shop, client))
    delivery.status = status
    delivery.processed_at = timezone.now()
    delivery.attempts += 1
    # Done with it: the payload may hold personal data, and the row is enough to dedupe.
    delivery.payload = {}
    delivery.error = ""
    delivery.save(update_fields=["status", "processed_at", "attempts", "payload", "error"])
    return status


def delivery_failed(delivery: WebhookDelivery, error: str) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, attempts=delivery.attempts + 1, error=error[:1000]
    )


def _tombstoned(shop: Shop, kind: str, platform_ids: list[str]) -> set[str]:
    return set(
        Tombstone.objects.filter(shop=shop, kind=kind, platform_id__in=platform_ids).values_list(
            "platform_id", flat=True
        )
    )


def _delete(
    shop: Shop,
    kind: str,
    model: type[Product | Collection | Customer | Order],
    payload: dict[str, Any],
) -> None:
    platform_id = mapping._id(payload.get("id"), kind)
    Tombstone.objects.get_or_create(shop=shop, kind=kind, platform_id=platform_id)
    catalog.mirrored_soft_delete(shop=shop, model=model, platform_ids=[platform_id])


def products_upsert_by_ids(shop: Shop, fetcher: Fetcher, product_ids: list[str]) -> None:
    """Re-read products from the Admin API (inventory changes, lines naming unseen products)."""
    wanted = [
        pid
        for pid in product_ids
        if pid not in _tombstoned(shop, TombstoneKind.PRODUCT, product_ids)
    ]
    if not wanted:
        return
    for start in range(0, len(wanted), PRODUCTS_PER_READ):
        ids = [f"gid://shopify/Product/{pid}" for pid in wanted[start : start + PRODUCTS_PER_READ]]
        nodes = fetcher.client.execute("products_by_ids", {"ids": ids})["nodes"]
        records = [mapping.product_from_connection_node(n) for n in nodes if n]
        if records:
            catalog.products_upsert(shop=shop, products=records)


def _products_upsert(shop: Shop, payload: dict[str, Any], fetcher: Fetcher) -> None:
    record = mapping.product_from_rest(payload)
    if not _tombstoned(shop, TombstoneKind.PRODUCT, [record.platform_id]):
        catalog.products_upsert(shop=shop, products=[record])


def _inventory_update(shop: Shop, payload: dict[str, Any], fetcher: Fetcher) -> None:
    item = fetcher.client.execute(
        "inventory_item_product",
        {"id": f"gid://shopify/InventoryItem/{payload.get('inventory_item_id')}"},
    ).get("inventoryItem")
    edges = ((item or {}).get("variants") or {}).get("edges") or []
    product_ids = [gid_id(e["node"]["product"]["id"]) for e in edges if e["node"].get("product")]
    products_upsert_by_ids(shop, fetcher, [pid for pid in product_ids if pid])


def _collections_upsert(shop: Shop, payload: dict[str, Any], fetcher: Fetcher) -> None:
    """Collection webhooks do not list the products: read the collection as it is now."""
    platform_id = mapping._id(payload.get("id"), "collection")
    if _tombstoned(shop, TombstoneKind.COLLECTION, [platform_id]):
        return
    node: dict[str, Any] | None = None
    product_ids: list[str] = []
    after: str | None = None
    while True:
        page = fetcher.client.execute(
            "collection_products", {"id": f"gid://shopify/Collection/{platform_id}", "after": after}
        ).get("collection")
        if page is None:  # deleted since: its delete webhook will say so
            return
        node = page
        connection = page["products"]
        product_ids += [mapping._id(e["node"]["id"], "product") for e in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    missing = set(product_ids) - set(
        Product.objects.filter(shop=shop, platform_id__in=product_ids).values_list(
            "platform_id", flat=True
        )
    )
    if missing:
        products_upsert_by_ids(shop, fetcher, sorted(missing))
    record: CollectionRecord = mapping.collection_from_node(node, product_ids)
    catalog.collections_upsert(shop=shop, collections=[record])


def _customers_upsert(shop: Shop, payload: dict[str, Any], fetcher: Fetcher) -> None:
    record = mapping.customer_from_rest(payload)
    if not _tombstoned(shop, TombstoneKind.CUSTOMER, [record.platform_id]):
        catalog.customers_upsert(shop=shop, customers=[record])


def _orders_upsert(shop: Shop, payload: dict[str, Any], fetcher: Fetcher) -> None:
    record = mapping.order_from_rest(payload)
    if _tombstoned(shop, TombstoneKind.ORDER, [record.platform_id]):
        return
    # A reordered delivery can name a customer or product whose own webhook has not arrived:
    # read those first, so the order links to them now rather than never.
    if (
        record.customer_id
        and not Customer.objects.filter(shop=shop, platform_id=record.customer_id).exists()
        and not _tombstoned(shop, TombstoneKind.CUSTOMER, [record.customer_id])
    ):
        nodes = fetcher.client.execute(
            "customers_by_ids", {"ids": [f"gid://shopify/Customer/{record.customer_id}"]}
        )["nodes"]
        customers = [mapping.customer_from_node(n) for n in nodes if n]
        if customers:
            catalog.customers_upsert(shop=shop, customers=customers)
    line_products = sorted({ln.product_id for ln in record.lines if ln.product_id})
    known = set(
        Product.objects.filter(shop=shop, platform_id__in=line_products).values_list(
            "platform_id", flat=True
        )
    )
    if set(line_products) - known:
        products_upsert_by_ids(shop, fetcher, sorted(set(line_products) - known))
    catalog.orders_upsert(shop=shop, orders=[record])


def _app_uninstalled(shop: Shop, payload: dict[str, Any], fetcher: Fetcher) -> None:
    app_uninstalled(shop=shop)


def app_uninstalled(*, shop: Shop) -> Shop:
    """Revoke the credentials and stop the shop's jobs; the data stays until shop/redact."""
    with transaction.atomic():
        shop = shop_uninstall(shop=shop)
        SyncRun.objects.filter(shop=shop, status=SyncStatus.RUNNING).update(
            status=SyncStatus.CANCELLED, finished_at=timezone.now()
        )
        WebhookDelivery.objects.filter(
            shop=shop, status__in=[DeliveryStatus.RECEIVED, DeliveryStatus.FAILED]
        ).exclude(topic="app/uninstalled").update(status=DeliveryStatus.IGNORED, payload={})
    return shop


def _scopes_update(shop: Shop, payload: dict[str, Any], fetcher: Fetcher) -> None:
    current = payload.get("current")
    if isinstance(current, list):
        Shop.objects.filter(pk=shop.pk).update(granted_scopes=sorted({str(s) for s in current}))


def _shop_update(shop: Shop, payload: dict[str, Any], fetcher: Fetcher) -> None:
    changes: dict[str, Any] = {}
    if payload.get("name"):
        changes["name"] = str(payload["name"])[:255]
    if payload.get("currency"):
        changes["currency"] = str(payload["currency"])[:3]
    if payload.get("iana_timezone"):
        changes["timezone"] = str(payload["iana_timezone"])[:64]
    if changes:
        Shop.objects.filter(pk=shop.pk).update(**changes)


def _bulk_finished(shop: Shop, payload: dict[str, Any], fetcher: Fetcher) -> None:
    """A finished bulk operation wakes its sync run now rather than at its next poll."""
    from integrations.shopify import tasks

    operation_id = str(payload.get("admin_graphql_api_id") or "")
    run = SyncRun.objects.filter(
        shop=shop, status=SyncStatus.RUNNING, bulk_operation_id=operation_id
    ).first()
    if run is not None:
        run_id = run.pk
        transaction.on_commit(lambda: tasks.shopify_sync_continue.delay(run_id))


def _ignore(shop: Shop, payload: dict[str, Any], fetcher: Fetcher) -> None:
    return None


HANDLERS: dict[str, Handler] = {
    "products/create": _products_upsert,
    "products/update": _products_upsert,
    "products/delete": lambda shop, payload, f: _delete(
        shop, TombstoneKind.PRODUCT, Product, payload
    ),
    "inventory_levels/update": _inventory_update,
    "collections/create": _collections_upsert,
    "collections/update": _collections_upsert,
    "collections/delete": lambda shop, payload, f: _delete(
        shop, TombstoneKind.COLLECTION, Collection, payload
    ),
    "customers/create": _customers_upsert,
    "customers/update": _customers_upsert,
    "customers/delete": lambda shop, payload, f: _delete(
        shop, TombstoneKind.CUSTOMER, Customer, payload
    ),
    "orders/create": _orders_upsert,
    "orders/updated": _orders_upsert,
    "orders/paid": _orders_upsert,
    "orders/cancelled": _orders_upsert,
    "orders/fulfilled": _orders_upsert,
    "orders/delete": lambda shop, payload, f: _delete(shop, TombstoneKind.ORDER, Order, payload),
    "app/uninstalled": _app_uninstalled,
    "app/scopes_update": _scopes_update,
    "shop/update": _shop_update,
    "bulk_operations/finish": _bulk_finished,
    # Recorded; the storefront script needs nothing when the theme changes.
    "themes/publish": _ignore,
}
