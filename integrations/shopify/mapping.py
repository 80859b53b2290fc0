"""Shopify's shapes (Admin GraphQL nodes and REST webhook payloads) to the neutral records.

Ids become Shopify's numeric ids as text (`gid://shopify/Product/12` and REST `12` are both "12"):
what webhooks, Liquid's `product.id` and the web pixel carry, so every path meets on one key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from integrations.shopify.bulk import gid_id
from shopapp.catalog.records import (
    CollectionRecord,
    CustomerRecord,
    OrderLineRecord,
    OrderRecord,
    ProductRecord,
    VariantRecord,
)

FINANCIAL_STATUS = {
    "paid": "paid",
    "pending": "pending",
    "authorized": "pending",
    "partially_paid": "pending",
    "partially_refunded": "partially_refunded",
    "refunded": "refunded",
    "voided": "voided",
    "expired": "voided",
}


class PayloadError(ValueError):
    """A payload without a field we cannot do without; retrying will not help."""


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise PayloadError(f"not an ISO 8601 time: {value!r}") from None
    if parsed.tzinfo is None:
        raise PayloadError(f"time without an offset: {value!r}")
    return parsed


def _money(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise PayloadError(f"not an amount: {value!r}") from None


def _shop_money(money_set: Mapping[str, Any] | None) -> Decimal:
    amount = ((money_set or {}).get("shopMoney") or {}).get("amount")
    return _money(amount) or Decimal(0)


def _rest_tags(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(t) for t in value)
    return tuple(t.strip() for t in str(value or "").split(",") if t.strip())


def _id(value: Any, what: str) -> str:
    if value is None or value == "":
        raise PayloadError(f"{what}: no id")
    text = str(value)
    return gid_id(text) or text if text.startswith("gid://") else text


def _optional_id(value: Any) -> str | None:
    return None if value in (None, "") else _id(value, "reference")


# Products


def product_from_node(
    node: Mapping[str, Any], variants: Sequence[Mapping[str, Any]]
) -> ProductRecord:
    image = (((node.get("featuredMedia") or {}).get("preview") or {}).get("image")) or None
    return ProductRecord(
        platform_id=_id(node.get("id"), "product"),
        title=str(node.get("title") or ""),
        handle=str(node.get("handle") or ""),
        updated_at=_time(node.get("updatedAt")),
        created_at=_time(node.get("createdAt")),
        vendor=str(node.get("vendor") or ""),
        product_type=str(node.get("productType") or ""),
        tags=tuple(str(t) for t in node.get("tags") or ()),
        description=str(node.get("descriptionHtml") or ""),
        images=({"url": str(image["url"]), "alt": str(image.get("altText") or "")},)
        if image and image.get("url")
        else (),
        is_published=str(node.get("status") or "ACTIVE") == "ACTIVE",
        variants=tuple(
            VariantRecord(
                platform_id=_id(v.get("id"), "variant"),
                title=str(v.get("title") or ""),
                sku=str(v.get("sku") or ""),
                price=_money(v.get("price")),
                compare_at_price=_money(v.get("compareAtPrice")),
                in_stock=bool(v.get("availableForSale", True)),
                inventory_quantity=v.get("inventoryQuantity"),
                position=int(v.get("position") or 0),
            )
            for v in variants
        ),
    )


def product_from_connection_node(node: Mapping[str, Any]) -> ProductRecord:
    edges = ((node.get("variants") or {}).get("edges")) or []
    return product_from_node(node, [edge["node"] for edge in edges])


def _rest_in_stock(variant: Mapping[str, Any]) -> bool:
    if not variant.get("inventory_management"):
        return True
    if variant.get("inventory_policy") == "continue":
        return True
    return int(variant.get("inventory_quantity") or 0) > 0


def product_from_rest(payload: Mapping[str, Any]) -> ProductRecord:
    image = payload.get("image") or None
    return ProductRecord(
        platform_id=_id(payload.get("id"), "product"),
        title=str(payload.get("title") or ""),
        handle=str(payload.get("handle") or ""),
        updated_at=_time(payload.get("updated_at")),
        created_at=_time(payload.get("created_at")),
        vendor=str(payload.get("vendor") or ""),
        product_type=str(payload.get("product_type") or ""),
        tags=_rest_tags(payload.get("tags")),
        description=str(payload.get("body_html") or ""),
        images=({"url": str(image["src"]), "alt": str(image.get("alt") or "")},)
        if image and image.get("src")
        else (),
        is_published=str(payload.get("status") or "active") == "active",
        variants=tuple(
            VariantRecord(
                platform_id=_id(v.get("id"), "variant"),
                title=str(v.get("title") or ""),
                sku=str(v.get("sku") or ""),
                price=_money(v.get("price")),
                compare_at_price=_money(v.get("compare_at_price")),
                in_stock=_rest_in_stock(v),
                inventory_quantity=v.get("inventory_quantity"),
                position=int(v.get("position") or 0),
            )
            for v in payload.get("variants") or ()
        ),
    )


# Collections


def collection_from_node(
    node: Mapping[str, Any], product_ids: Sequence[str], position: int = 0
) -> CollectionRecord:
    return CollectionRecord(
        platform_id=_id(node.get("id"), "collection"),
        title=str(node.get("title") or ""),
        handle=str(node.get("handle") or ""),
        updated_at=_time(node.get("updatedAt")),
        description=str(node.get("descriptionHtml") or ""),
        position=position,
        product_ids=tuple(product_ids),
    )


# Customers


def _name(first: Any, last: Any) -> str:
    return " ".join(part for part in (str(first or "").strip(), str(last or "").strip()) if part)


def customer_from_node(node: Mapping[str, Any]) -> CustomerRecord:
    email = node.get("defaultEmailAddress") or {}
    return CustomerRecord(
        platform_id=_id(node.get("id"), "customer"),
        updated_at=_time(node.get("updatedAt")),
        created_at=_time(node.get("createdAt")),
        email=str(email.get("emailAddress") or ""),
        name=_name(node.get("firstName"), node.get("lastName")),
        accepts_marketing=email.get("marketingState") == "SUBSCRIBED",
        tags=tuple(str(t) for t in node.get("tags") or ()),
        country=str((node.get("defaultAddress") or {}).get("countryCodeV2") or ""),
    )


def customer_from_rest(payload: Mapping[str, Any]) -> CustomerRecord:
    consent = payload.get("email_marketing_consent") or {}
    return CustomerRecord(
        platform_id=_id(payload.get("id"), "customer"),
        updated_at=_time(payload.get("updated_at")),
        created_at=_time(payload.get("created_at")),
        email=str(payload.get("email") or ""),
        name=_name(payload.get("first_name"), payload.get("last_name")),
        accepts_marketing=consent.get("state") == "subscribed",
        tags=_rest_tags(payload.get("tags")),
        country=str((payload.get("default_address") or {}).get("country_code") or ""),
    )


# Orders


def order_from_node(node: Mapping[str, Any], lines: Sequence[Mapping[str, Any]]) -> OrderRecord:
    status = str(node.get("displayFinancialStatus") or "PAID").lower()
    return OrderRecord(
        platform_id=_id(node.get("id"), "order"),
        currency=str(node.get("currencyCode") or ""),
        updated_at=_time(node.get("updatedAt")),
        created_at=_time(node.get("createdAt")),
        name=str(node.get("name") or ""),
        customer_id=_optional_id((node.get("customer") or {}).get("id")),
        total=_shop_money(node.get("totalPriceSet")),
        subtotal=_shop_money(node.get("subtotalPriceSet")),
        refunded_total=_shop_money(node.get("totalRefundedSet")),
        financial_status=FINANCIAL_STATUS.get(status, "pending"),
        cancelled_at=_time(node.get("cancelledAt")),
        country=str((node.get("shippingAddress") or {}).get("countryCodeV2") or ""),
        lines=tuple(
            OrderLineRecord(
                platform_id=_id(line.get("id"), "line item"),
                quantity=int(line.get("quantity") or 0),
                unit_price=_shop_money(line.get("originalUnitPriceSet")),
                product_id=_optional_id((line.get("product") or {}).get("id")),
                variant_id=_optional_id((line.get("variant") or {}).get("id")),
                title=str(line.get("title") or ""),
                sku=str(line.get("sku") or ""),
            )
            for line in lines
        ),
    )


def order_from_connection_node(node: Mapping[str, Any]) -> OrderRecord:
    edges = ((node.get("lineItems") or {}).get("edges")) or []
    return order_from_node(node, [edge["node"] for edge in edges])


def _refunded(payload: Mapping[str, Any]) -> Decimal:
    total = Decimal(0)
    for refund in payload.get("refunds") or ():
        for transaction in refund.get("transactions") or ():
            if transaction.get("kind") == "refund" and transaction.get("status") == "success":
                total += _money(transaction.get("amount")) or Decimal(0)
    return total


def order_from_rest(payload: Mapping[str, Any]) -> OrderRecord:
    status = str(payload.get("financial_status") or "paid").lower()
    return OrderRecord(
        platform_id=_id(payload.get("id"), "order"),
        currency=str(payload.get("currency") or ""),
        updated_at=_time(payload.get("updated_at")),
        created_at=_time(payload.get("created_at")),
        name=str(payload.get("name") or ""),
        customer_id=_optional_id((payload.get("customer") or {}).get("id")),
        total=_money(payload.get("total_price")) or Decimal(0),
        subtotal=_money(payload.get("subtotal_price")) or Decimal(0),
        refunded_total=_refunded(payload),
        financial_status=FINANCIAL_STATUS.get(status, "pending"),
        cancelled_at=_time(payload.get("cancelled_at")),
        country=str((payload.get("shipping_address") or {}).get("country_code") or ""),
        lines=tuple(
            OrderLineRecord(
                platform_id=_id(line.get("id"), "line item"),
                quantity=int(line.get("quantity") or 0),
                unit_price=_money(line.get("price")) or Decimal(0),
                product_id=_optional_id(line.get("product_id")),
                variant_id=_optional_id(line.get("variant_id")),
                title=str(line.get("title") or ""),
                sku=str(line.get("sku") or ""),
            )
            for line in payload.get("line_items") or ()
        ),
    )
