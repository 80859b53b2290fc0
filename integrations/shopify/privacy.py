"""The mandatory privacy webhooks: customers/data_request, customers/redact, shop/redact.

Received like any webhook (HMAC first, 401 when bad), recorded once per (shop domain, webhook id)
as a ComplianceRequest that outlives the shop, and carried out in Celery by the privacy services
(`personalization.privacy.services`), which leave their own audit record. Besides what those erase,
this side drops what the integration itself holds about the person: queued webhook payloads that
name them, and (for orders Shopify lists without a customer we know) the orders' personal fields.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations.shopify.models import (
    ComplianceOutcome,
    ComplianceRequest,
    ComplianceTopic,
    DeliveryStatus,
    WebhookDelivery,
)
from personalization.privacy import services as privacy
from shopapp.catalog.models import Customer, Order
from shopapp.shops.crypto import lookup_hash
from shopapp.shops.models import Platform, Shop

logger = logging.getLogger(__name__)
SOURCE = "shopify"


def _subject_hash(customer_id: str) -> str:
    # The same keyed hash the privacy audit uses, so the two records can be matched.
    return lookup_hash(f"customer:{customer_id}") if customer_id else ""


class CompliancePayloadInvalid(ValueError):
    """A verified compliance webhook whose body does not have Shopify's shape (a 400)."""


def compliance_receive(
    *, topic: str, shop_domain: str, webhook_id: str, payload: dict[str, Any]
) -> ComplianceRequest | None:
    """Record a verified compliance webhook (None for a redelivery) and enqueue it."""
    from integrations.shopify import tasks

    customer = payload.get("customer") or {}
    data_request = payload.get("data_request") or {}
    orders = payload.get("orders_requested") or payload.get("orders_to_redact") or []
    for field, value, kind in (
        ("customer", customer, dict),
        ("data_request", data_request, dict),
        ("orders_requested/orders_to_redact", orders, list),
    ):
        if not isinstance(value, kind):
            raise CompliancePayloadInvalid(f"{field} has the wrong type")
    customer_id = str(customer.get("id") or "")
    try:
        with transaction.atomic():
            request = ComplianceRequest.objects.create(
                topic=topic,
                shop_domain=shop_domain,
                webhook_id=webhook_id[:64],
                data_request_id=str(data_request.get("id") or "")[:64],
                subject_hash=_subject_hash(customer_id),
                orders_count=len(orders),
                payload=payload,
            )
    except IntegrityError:
        return None
    request_id = request.pk
    transaction.on_commit(lambda: tasks.shopify_compliance_process.delay(request_id))
    return request


def compliance_process(request: ComplianceRequest) -> ComplianceRequest:
    if request.outcome != ComplianceOutcome.PENDING:
        return request
    shop = Shop.objects.filter(platform=Platform.SHOPIFY, domain=request.shop_domain).first()
    payload = request.payload
    if request.topic == ComplianceTopic.SHOP_REDACT:
        outcome = _shop_redact(request, shop)
    elif shop is None:
        outcome = ComplianceOutcome.NO_DATA
    elif request.topic == ComplianceTopic.DATA_REQUEST:
        outcome = _data_request(request, shop, payload)
    else:
        outcome = _customer_redact(request, shop, payload)
    request.outcome = outcome
    request.completed_at = timezone.now()
    request.payload = {}
    request.save(update_fields=["outcome", "completed_at", "payload", "privacy_request"])
    return request


def _customer(shop: Shop, payload: dict[str, Any]) -> Customer | None:
    data = payload.get("customer") or {}
    customer_id = str(data.get("id") or "")
    customer = (
        Customer.objects.filter(shop=shop, platform_id=customer_id).first() if customer_id else None
    )
    if customer is None and data.get("email"):
        customer = Customer.objects.filter(
            shop=shop, email_hash=lookup_hash(str(data["email"]))
        ).first()
    return customer


def _data_request(request: ComplianceRequest, shop: Shop, payload: dict[str, Any]) -> str:
    customer = _customer(shop, payload)
    if customer is None:
        return ComplianceOutcome.NO_DATA
    request.privacy_request = privacy.customer_export(
        shop=shop,
        customer=customer,
        source=SOURCE,
        source_request_id=request.data_request_id or request.webhook_id,
    )
    return ComplianceOutcome.EXPORTED


def _customer_redact(request: ComplianceRequest, shop: Shop, payload: dict[str, Any]) -> str:
    data = payload.get("customer") or {}
    order_ids = [str(o) for o in payload.get("orders_to_redact") or []]
    with transaction.atomic():
        _forget_queued_payloads(shop, [str(data.get("id") or ""), str(data.get("email") or "")])
        customer = _customer(shop, payload)
        if customer is None:
            # Nothing of the person but (perhaps) orders: drop their personal fields.
            Order.objects.filter(shop=shop, platform_id__in=order_ids).update(
                customer=None, country=""
            )
            return ComplianceOutcome.NO_DATA
        request.privacy_request = privacy.customer_erase(
            shop=shop,
            customer=customer,
            source=SOURCE,
            source_request_id=request.webhook_id,
            order_platform_ids=order_ids,
        )
    return ComplianceOutcome.ERASED


def _forget_queued_payloads(shop: Shop, needles: list[str]) -> int:
    """Webhook payloads not yet processed (or failed) that name the person: drop them, or a late
    customers/update would bring the erased customer back."""
    needles = [n for n in needles if n]
    dropped = 0
    queued = WebhookDelivery.objects.filter(
        shop=shop, status__in=[DeliveryStatus.RECEIVED, DeliveryStatus.FAILED]
    )
    for delivery in queued.iterator():
        text = str(delivery.payload)
        if any(needle in text for needle in needles):
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                payload={}, status=DeliveryStatus.IGNORED, error="dropped by customers/redact"
            )
            dropped += 1
    return dropped


def _shop_redact(request: ComplianceRequest, shop: Shop | None) -> str:
    if shop is None:
        return ComplianceOutcome.NO_DATA
    request.privacy_request = privacy.shop_erase(
        shop=shop, source=SOURCE, source_request_id=request.webhook_id
    )
    return ComplianceOutcome.ERASED
