"""Webhooks: registering ours, receiving deliveries, and keeping them switched on.

**Registering.** One webhook per topic, pointing at `/woocommerce/webhooks/<store token>` (the
token names the store, so a delivery is verified with the right secret before anything else), with
our own alphanumeric secret (WooCommerce HTML-decodes secrets before signing). `webhooks_ensure`
creates what is missing and re-enables what the store disabled (after more than five failed
deliveries in a row WooCommerce sets `disabled`; `PUT {"status": "active"}` brings it back). It runs
after connecting and every 15 minutes; re-enabling anything starts a catch-up sync, since the
deliveries in between are lost.

**Receiving.** The view does what must happen before answering: the HMAC (base64 HMAC-SHA256 of
the raw body, compared as bytes: the body is `wp_json_encode`'s, slashes escaped, never
re-serialised), 401 when it is missing or wrong, except for the unsigned ping WooCommerce sends
when a webhook is created (form body `webhook_id=N`, no X-WC headers), answered 200; then one
insert under unique (shop, delivery id, body digest) and an enqueue after commit. The digest is
there because WooCommerce's delivery id is hash(webhook id . current second): two deliveries of
one webhook in the same second (a bulk edit) share it, and only a redelivery has the same body.

**Processing** maps the payload and calls the same `apply_*` functions the sync uses, guarded by
`date_modified_gmt` and tombstones; `*.deleted` payloads are only `{"id": N}`, so the resource is
read now (trashed, deleted for good, or restored since).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
from typing import Any, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations.woocommerce import sync
from integrations.woocommerce.client import WooClient, WooError
from integrations.woocommerce.models import (
    DeliveryStatus,
    TombstoneKind,
    WebhookDelivery,
    WebhookSubscription,
    WooStore,
)
from integrations.woocommerce.stores import client_for
from shopapp.shops.models import InstallState, Shop

logger = logging.getLogger(__name__)

TOPICS = (
    "product.created",
    "product.updated",
    "product.deleted",
    "product.restored",
    "order.created",
    "order.updated",
    "order.deleted",
    "order.restored",
    "customer.created",
    "customer.updated",
    "customer.deleted",
)
PING = re.compile(rb"^webhook_id=\d+$")


def delivery_url(store: WooStore) -> str:
    path = reverse("woocommerce:webhooks", kwargs={"token": store.webhook_token})
    return f"{str(settings.WOOCOMMERCE_APP_URL).rstrip('/')}{path}"


def signature_for(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


# Registering and keeping them on


def webhooks_ensure(shop: Shop, client: WooClient | None = None) -> dict[str, int]:
    """Every topic registered, active, pointing at us with our secret; returns what it did."""
    store = WooStore.objects.get(shop=shop)
    secret = str(shop.credentials.get("webhook_secret") or "")
    if not secret:
        raise ValueError(f"{shop.domain} has no webhook secret")
    url = delivery_url(store)
    our_path = url.split("://", 1)[-1].split("/", 1)[-1]
    owns_client = client is None
    client = client or client_for(shop)
    counts = {"created": 0, "reenabled": 0, "active": 0, "removed": 0}
    try:
        registered: dict[str, dict[str, Any]] = {}
        for listed in client.items("webhooks", {"status": "all"}):
            if not str(listed.get("delivery_url") or "").endswith(our_path):
                continue
            topic = str(listed.get("topic") or "")
            if topic in registered or topic not in TOPICS:
                client.delete(f"webhooks/{listed['id']}", {"force": True})
                counts["removed"] += 1
                continue
            registered[topic] = listed
        for topic in TOPICS:
            hook: dict[str, Any] | None = registered.get(topic)
            if hook is None:
                hook = client.post(
                    "webhooks",
                    {
                        "name": f"{settings.WOOCOMMERCE_APP_NAME}: {topic}",
                        "topic": topic,
                        "delivery_url": url,
                        "secret": secret,
                        "status": "active",
                    },
                )
                counts["created"] += 1
                reenabled = False
            elif hook.get("status") != "active" or hook.get("delivery_url") != url:
                hook = client.put(
                    f"webhooks/{hook['id']}",
                    {"status": "active", "delivery_url": url, "secret": secret},
                )
                counts["reenabled"] += 1
                reenabled = True
            else:
                counts["active"] += 1
                reenabled = False
            subscription, _created = WebhookSubscription.objects.update_or_create(
                shop=shop,
                topic=topic,
                defaults={
                    "woo_id": int(hook["id"]),
                    "status": str(hook.get("status") or "active"),
                    "delivery_url": url,
                    "checked_at": timezone.now(),
                    "last_error": "",
                },
            )
            if reenabled:
                WebhookSubscription.objects.filter(pk=subscription.pk).update(
                    reenabled_count=subscription.reenabled_count + 1
                )
    finally:
        if owns_client:
            client.close()
    WooStore.objects.filter(pk=store.pk).update(webhooks_checked_at=timezone.now())
    return counts


def webhooks_remove(shop: Shop, client: WooClient | None = None) -> int:
    """Delete our webhooks from the store (disconnecting); returns how many went."""
    removed = 0
    owns_client = client is None
    client = client or client_for(shop)
    try:
        for subscription in WebhookSubscription.objects.filter(shop=shop):
            try:
                client.delete(f"webhooks/{subscription.woo_id}", {"force": True})
                removed += 1
            except WooError as exc:
                logger.info("webhook %s not removed: %s", subscription.woo_id, exc)
    finally:
        if owns_client:
            client.close()
    WebhookSubscription.objects.filter(shop=shop).delete()
    return removed


# Receiving


def _is_ping(request: HttpRequest, body: bytes) -> bool:
    return not request.headers.get("X-WC-Webhook-Topic") and bool(PING.match(body.strip()))


@csrf_exempt
@require_POST
def webhook_receive(request: HttpRequest, token: str) -> HttpResponse:
    store = WooStore.objects.filter(webhook_token=token).first()
    if store is None:
        return HttpResponse("Unknown webhook address", status=404)
    body = request.body
    signature = request.headers.get("X-WC-Webhook-Signature", "")
    if not signature:
        if _is_ping(request, body):
            return HttpResponse("OK", status=200)
        return HttpResponse("Unauthorized", status=401)
    shop = Shop.objects.get(pk=store.shop_id)
    secret = str((shop.credentials or {}).get("webhook_secret") or "")
    if not secret or not hmac.compare_digest(signature_for(secret, body), signature.strip()):
        return HttpResponse("Unauthorized", status=401)
    topic = request.headers.get("X-WC-Webhook-Topic", "")
    delivery_id = request.headers.get("X-WC-Webhook-Delivery-ID", "")
    if not topic or not delivery_id:
        return HttpResponse("Missing X-WC-Webhook-Topic or -Delivery-ID", status=400)
    try:
        payload = json.loads(body)
    except ValueError:
        return HttpResponse("Body is not JSON", status=400)
    if not isinstance(payload, dict):
        return HttpResponse("Body is not a JSON object", status=400)
    delivery_record(
        shop=shop,
        topic=topic,
        delivery_id=delivery_id,
        body=body,
        webhook_id=request.headers.get("X-WC-Webhook-ID", ""),
        payload=payload,
    )
    return HttpResponse("OK", status=200)


def delivery_record(
    *,
    shop: Shop,
    topic: str,
    delivery_id: str,
    body: bytes,
    webhook_id: str,
    payload: dict[str, Any],
) -> WebhookDelivery | None:
    """Record a delivery and enqueue its processing after commit; None for a redelivery."""
    from integrations.woocommerce import tasks

    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                shop=shop,
                topic=topic[:64],
                delivery_id=delivery_id[:64],
                body_digest=hashlib.sha256(body).hexdigest(),
                webhook_id=webhook_id[:32],
                resource_id=str(payload.get("id") or "")[:64],
                payload=payload,
            )
    except IntegrityError:
        return None
    delivery_pk = delivery.pk
    transaction.on_commit(lambda: tasks.woocommerce_delivery_process.delay(delivery_pk))
    return delivery


# Processing


class _LazyClient:
    """The store's client, made on first use: most deliveries need no API call."""

    def __init__(self, shop: Shop) -> None:
        self.shop = shop
        self._client: WooClient | None = None

    def __getattr__(self, name: str) -> Any:
        if self._client is None:
            self._client = client_for(self.shop)
        return getattr(self._client, name)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


def delivery_process(delivery: WebhookDelivery, *, client: WooClient | None = None) -> str:
    """Apply one delivery to the mirror; returns its new status."""
    if delivery.status in (DeliveryStatus.PROCESSED, DeliveryStatus.IGNORED):
        return delivery.status
    shop = Shop.objects.get(pk=delivery.shop_id)
    resource, _, event = delivery.topic.partition(".")
    payload = delivery.payload
    status: str = DeliveryStatus.PROCESSED
    lazy = _LazyClient(shop)
    reader = client or cast(WooClient, lazy)
    try:
        if shop.install_state != InstallState.INSTALLED:
            status = DeliveryStatus.IGNORED
        elif resource == "customer" and event == "deleted":
            # delete_user: gone for good (WordPress never reuses user ids).
            sync.mark_gone(shop, TombstoneKind.CUSTOMER, {delivery.resource_id: None})
        elif event == "deleted" and resource in ("product", "order"):
            sync.resource_gone(shop, reader, resource, delivery.resource_id)
        elif resource == "product":
            sync.apply_products(shop, reader, [payload], is_current=False)
        elif resource == "order":
            sync.apply_orders(shop, reader, [payload], is_current=False)
        elif resource == "customer":
            sync.apply_customers(shop, [payload], is_current=False)
        else:
            status = DeliveryStatus.IGNORED
    finally:
        lazy.close()
    delivery.status = status
    delivery.processed_at = timezone.now()
    delivery.attempts += 1
    # Done with it: the payload holds personal data, and the row is enough to dedupe.
    delivery.payload = {}
    delivery.error = ""
    delivery.save(update_fields=["status", "processed_at", "attempts", "payload", "error"])
    return status


def delivery_failed(delivery: WebhookDelivery, error: str) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, attempts=delivery.attempts + 1, error=error[:1000]
    )
