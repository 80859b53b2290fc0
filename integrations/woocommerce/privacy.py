"""Privacy requests the WordPress plugin forwards (WordPress's exporter and eraser, Tools →
Export/Erase Personal Data), carried out by `personalization.privacy.services`.

The plugin signs each request with the secret it received when the store was connected:
`X-PZ-Shop` (the storefront key: which shop), `X-PZ-Timestamp` (unix seconds, within five
minutes) and `X-PZ-Signature`, hex HMAC-SHA256 of "timestamp.body". The person is named by email
address; besides the mirror and the personalization data, the reviews we keep for them and any
queued webhook payload naming them go too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations.woocommerce.models import DeliveryStatus, Review, WebhookDelivery
from personalization.privacy import services as privacy
from shopapp.catalog.models import Customer
from shopapp.shops.crypto import lookup_hash
from shopapp.shops.models import Platform, Shop

MAX_SKEW_SECONDS = 300
SOURCE = "woocommerce"


def plugin_signature(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def plugin_shop(request: HttpRequest, *, now: float | None = None) -> Shop | None:
    """The shop whose plugin signed this request, or None."""
    key = request.headers.get("X-PZ-Shop", "")
    timestamp = request.headers.get("X-PZ-Timestamp", "")
    signature = request.headers.get("X-PZ-Signature", "")
    if not key or not timestamp.isdigit() or not signature or len(key) > 64:
        return None
    if abs(int(timestamp) - (now if now is not None else time.time())) > MAX_SKEW_SECONDS:
        return None
    shop = Shop.objects.filter(platform=Platform.WOOCOMMERCE, storefront_key=key).first()
    secret = str(((shop.credentials or {}) if shop else {}).get("plugin_secret") or "")
    if shop is None or not secret:
        return None
    expected = plugin_signature(secret, timestamp, request.body)
    return shop if hmac.compare_digest(expected, signature) else None


def _email(request: HttpRequest) -> str | None:
    try:
        body = json.loads(request.body)
    except ValueError:
        return None
    email = str(body.get("email") or "").strip() if isinstance(body, dict) else ""
    return email if "@" in email and len(email) <= 254 else None


def _refused() -> JsonResponse:
    return JsonResponse(
        {"error": "unauthorized", "message": "Bad or missing signature."}, status=401
    )


def _no_email() -> JsonResponse:
    return JsonResponse({"error": "invalid", "message": "email: not an email address"}, status=400)


def export_groups(shop: Shop, email: str) -> dict[str, Any]:
    """What we hold about the address, grouped for WordPress's export file."""
    digest = lookup_hash(email)
    groups: dict[str, Any] = {}
    customer = Customer.objects.filter(shop=shop, email_hash=digest).first()
    if customer is not None:
        result = privacy.customer_export(shop=shop, customer=customer, source=SOURCE).result
        groups["customer"] = {"label": "Personalization: customer", "items": [result["customer"]]}
        if result.get("profile"):
            groups["profile"] = {
                "label": "Personalization: profile",
                "items": [{**result["profile"], "segments": result.get("segments", [])}],
            }
        if result.get("visitors"):
            groups["visitors"] = {"label": "Personalization: browsers", "items": result["visitors"]}
        if result.get("sessions"):
            groups["sessions"] = {"label": "Personalization: visits", "items": result["sessions"]}
        if result.get("events"):
            groups["events"] = {"label": "Personalization: activity", "items": result["events"]}
        if result.get("orders"):
            groups["orders"] = {"label": "Personalization: orders", "items": result["orders"]}
    reviews = [
        {
            "product": r.product_platform_id,
            "rating": r.rating,
            "review": r.body,
            "date": r.platform_created_at.isoformat() if r.platform_created_at else "",
        }
        for r in Review.objects.filter(shop=shop, email_hash=digest).order_by("platform_created_at")
    ]
    if reviews:
        groups["reviews"] = {"label": "Personalization: reviews", "items": reviews}
    return groups


@transaction.atomic
def erase(shop: Shop, email: str) -> dict[str, int]:
    digest = lookup_hash(email)
    counts = {"customers": 0, "reviews": 0, "queued_webhooks": 0}
    customer = Customer.objects.filter(shop=shop, email_hash=digest).first()
    customer_id = customer.platform_id if customer is not None else None
    if customer is not None:
        result = privacy.customer_erase(shop=shop, customer=customer, source=SOURCE).result
        counts["customers"] = int(result.get("customers", 0))
    counts["reviews"] = Review.objects.filter(shop=shop, email_hash=digest).delete()[0]
    # A late customer.updated still queued would bring the person back: drop it, and any other
    # queued payload naming the address (orders carry it in their billing details).
    for delivery in WebhookDelivery.objects.filter(
        shop=shop, status__in=[DeliveryStatus.RECEIVED, DeliveryStatus.FAILED]
    ).iterator():
        about_them = delivery.topic.startswith("customer.") and delivery.resource_id == customer_id
        if about_them or email.lower() in json.dumps(delivery.payload).lower():
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                payload={}, status=DeliveryStatus.IGNORED, error="dropped by a privacy erasure"
            )
            counts["queued_webhooks"] += 1
    return counts


@csrf_exempt
@require_POST
def privacy_export(request: HttpRequest) -> JsonResponse:
    shop = plugin_shop(request)
    if shop is None:
        return _refused()
    email = _email(request)
    if email is None:
        return _no_email()
    groups = export_groups(shop, email)
    return JsonResponse({"found": bool(groups), "groups": groups})


@csrf_exempt
@require_POST
def privacy_erase(request: HttpRequest) -> JsonResponse:
    shop = plugin_shop(request)
    if shop is None:
        return _refused()
    email = _email(request)
    if email is None:
        return _no_email()
    counts = erase(shop, email)
    return JsonResponse({"removed": any(counts.values()), "counts": counts})
