"""Background work on the store mirror.

Tasks take ids and JSON-safe payloads, re-fetch what they need, and hand over to one service.
Product webhooks from every platform end here once the integration has mapped them to the neutral
dict shape below (the JSON form of `shopapp.catalog.records.ProductRecord`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError

from shopapp.catalog.records import ProductRecord, VariantRecord
from shopapp.catalog.services import products_upsert
from shopapp.shops.models import InstallState, Shop

logger = logging.getLogger(__name__)

QUEUE = "sync"


class ProductPayloadError(ValueError):
    """A product payload does not have the neutral shape; retrying cannot fix it."""


@shared_task(
    queue=QUEUE,
    time_limit=120,
    soft_time_limit=100,
    # Only transient database failures (connection lost, deadlock, serialization) are worth a
    # retry; a bad payload fails the same way every time.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=5,
)
def catalog_products_upsert(shop_id: int, products: list[dict[str, Any]]) -> int:
    """Upsert products (with variants) for one shop; returns how many products were written.

    Returns 0 without touching anything when the shop is gone or uninstalled.
    """
    # Credentials stay encrypted and unread: syncing the mirror never needs them.
    shop = Shop.objects.filter(pk=shop_id).defer("credentials").first()
    if shop is None or shop.install_state == InstallState.UNINSTALLED:
        logger.info("catalog_products_upsert: shop %s is gone or uninstalled; skipped", shop_id)
        return 0
    return products_upsert(shop=shop, products=products_from_payload(products))


def products_from_payload(products: list[dict[str, Any]]) -> list[ProductRecord]:
    """Map JSON-safe product dicts to records; raises ProductPayloadError naming the bad field."""
    if not isinstance(products, list):
        raise ProductPayloadError(f"products: expected a list, got {type(products).__name__}")
    return [_product(item, f"products[{i}]") for i, item in enumerate(products)]


def _product(item: Any, where: str) -> ProductRecord:
    data = _mapping(item, where)
    variants = data.get("variants", [])
    if not isinstance(variants, list):
        raise ProductPayloadError(f"{where}.variants: expected a list")
    return ProductRecord(
        platform_id=_text(data, "platform_id", where, required=True),
        title=_text(data, "title", where, required=True),
        handle=_text(data, "handle", where, required=True),
        updated_at=_datetime(data, "updated_at", where),
        created_at=_datetime(data, "created_at", where),
        vendor=_text(data, "vendor", where),
        product_type=_text(data, "product_type", where),
        tags=tuple(_strings(data, "tags", where)),
        description=_text(data, "description", where),
        currency=_text(data, "currency", where),
        images=tuple(_images(data, where)),
        is_published=_bool(data, "is_published", where, default=True),
        variants=tuple(_variant(v, f"{where}.variants[{j}]") for j, v in enumerate(variants)),
    )


def _variant(item: Any, where: str) -> VariantRecord:
    data = _mapping(item, where)
    return VariantRecord(
        platform_id=_text(data, "platform_id", where, required=True),
        title=_text(data, "title", where),
        sku=_text(data, "sku", where),
        price=_decimal(data, "price", where),
        compare_at_price=_decimal(data, "compare_at_price", where),
        in_stock=_bool(data, "in_stock", where, default=True),
        inventory_quantity=_int(data, "inventory_quantity", where, default=None),
        position=_int(data, "position", where, default=0) or 0,
    )


def _mapping(item: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(item, Mapping):
        raise ProductPayloadError(f"{where}: expected an object, got {type(item).__name__}")
    return item


def _text(data: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise ProductPayloadError(f"{where}.{key}: required")
        return ""
    # Platforms send numeric ids (Shopify REST) as numbers; the mirror keys on their text.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ProductPayloadError(f"{where}.{key}: expected text, got {type(value).__name__}")
    return value


def _datetime(data: Mapping[str, Any], key: str, where: str) -> datetime | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ProductPayloadError(f"{where}.{key}: expected an ISO 8601 string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ProductPayloadError(f"{where}.{key}: {value!r} is not an ISO 8601 datetime") from None
    # The upsert guard compares instants: a time without an offset is ambiguous.
    if parsed.tzinfo is None:
        raise ProductPayloadError(f"{where}.{key}: {value!r} has no UTC offset")
    return parsed


def _decimal(data: Mapping[str, Any], key: str, where: str) -> Decimal | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ProductPayloadError(f"{where}.{key}: expected a decimal string")
    try:
        # str() first, so a float 19.99 becomes Decimal("19.99"), not its binary expansion.
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ProductPayloadError(f"{where}.{key}: {value!r} is not a decimal amount") from None
    if not amount.is_finite():
        raise ProductPayloadError(f"{where}.{key}: {value!r} is not a finite amount")
    return amount


def _bool(data: Mapping[str, Any], key: str, where: str, *, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise ProductPayloadError(f"{where}.{key}: expected true or false")
    return value


def _int(data: Mapping[str, Any], key: str, where: str, *, default: int | None) -> int | None:
    value = data.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProductPayloadError(f"{where}.{key}: expected an integer")
    return value


def _strings(data: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProductPayloadError(f"{where}.{key}: expected a list of strings")
    return value


def _images(data: Mapping[str, Any], where: str) -> list[dict[str, str]]:
    value = data.get("images") or []
    if not isinstance(value, list):
        raise ProductPayloadError(f"{where}.images: expected a list")
    images = []
    for k, image in enumerate(value):
        image_data = _mapping(image, f"{where}.images[{k}]")
        url = image_data.get("url")
        if not isinstance(url, str) or not url:
            raise ProductPayloadError(f"{where}.images[{k}].url: required")
        images.append({"url": url, "alt": str(image_data.get("alt") or "")})
    return images
