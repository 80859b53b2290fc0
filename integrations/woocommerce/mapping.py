"""WooCommerce's REST shapes (wc/v3) to the neutral records.

Ids are WordPress's numeric ids as text: what the plugin prints as `data-pz-product-id` (the
post id) and what webhooks carry, so every path meets on one key. A simple product is its own
single variant (its id as the variant id: variations are posts too, so the ids never collide),
which is also what an order line with `variation_id: 0` names.

Dates: `*_gmt` fields are UTC without an offset; the others are in the site's time zone and are
never used. Parsers ignore keys they do not know: stores answer with more than the examples.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from shopapp.catalog.records import (
    CollectionRecord,
    CustomerRecord,
    OrderLineRecord,
    OrderRecord,
    ProductRecord,
    VariantRecord,
)

# WooCommerce order status → our financial status.
FINANCIAL_STATUS = {
    "pending": "pending",
    "on-hold": "pending",
    "processing": "paid",
    "completed": "paid",
    "cancelled": "voided",
    "refunded": "refunded",
    "failed": "voided",
}
# Statuses that are not (or no longer) orders in the store's own lists.
NOT_ORDERS = frozenset({"trash", "checkout-draft", "auto-draft", "draft"})
MILLI = Decimal("0.001")


class PayloadError(ValueError):
    """A payload without something we cannot do without; retrying will not help."""


def gmt(value: Any) -> datetime | None:
    if value in (None, "", "0000-00-00T00:00:00"):
        return None
    text = str(value).replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise PayloadError(f"not an ISO 8601 time: {value!r}") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def money(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise PayloadError(f"not an amount: {value!r}") from None


def platform_id(value: Any, what: str) -> str:
    if value in (None, "", 0, "0"):
        raise PayloadError(f"{what}: no id")
    return str(int(value)) if isinstance(value, int | float) else str(value)


def _optional_id(value: Any) -> str | None:
    return None if value in (None, "", 0, "0") else str(value)


def _in_stock(item: Mapping[str, Any]) -> bool:
    return str(item.get("stock_status") or "instock") != "outofstock"


def _quantity(item: Mapping[str, Any]) -> int | None:
    if not item.get("manage_stock"):
        return None
    value = item.get("stock_quantity")
    return int(value) if value is not None else None


def _compare_at(item: Mapping[str, Any]) -> Decimal | None:
    return money(item.get("regular_price")) if item.get("on_sale") else None


def is_variation(payload: Mapping[str, Any]) -> bool:
    """`GET products/<id>` of a variation (and so a webhook about one) shows it as a product."""
    return payload.get("type") == "variation" or bool(payload.get("parent_id"))


def category_ids(product: Mapping[str, Any]) -> list[str]:
    return [str(c["id"]) for c in product.get("categories") or () if c.get("id")]


def variant_from_variation(variation: Mapping[str, Any], position: int) -> VariantRecord:
    options = [str(a.get("option") or "") for a in variation.get("attributes") or ()]
    return VariantRecord(
        platform_id=platform_id(variation.get("id"), "variation"),
        title=" / ".join(o for o in options if o),
        sku=str(variation.get("sku") or ""),
        price=money(variation.get("price")),
        compare_at_price=_compare_at(variation),
        in_stock=_in_stock(variation) and variation.get("status", "publish") != "private",
        inventory_quantity=_quantity(variation),
        position=int(variation.get("menu_order") or position),
    )


def product_record(
    product: Mapping[str, Any], variations: Sequence[Mapping[str, Any]] = ()
) -> ProductRecord:
    pid = platform_id(product.get("id"), "product")
    kind = str(product.get("type") or "simple")
    if kind == "variable":
        variants = tuple(variant_from_variation(v, i) for i, v in enumerate(variations))
    elif kind == "grouped":
        variants = ()
    else:
        variants = (
            VariantRecord(
                platform_id=pid,
                sku=str(product.get("sku") or ""),
                price=money(product.get("price")),
                compare_at_price=_compare_at(product),
                in_stock=_in_stock(product),
                inventory_quantity=_quantity(product),
            ),
        )
    categories = [c for c in product.get("categories") or () if c.get("name")]
    brands = [b for b in product.get("brands") or () if b.get("name")]
    return ProductRecord(
        platform_id=pid,
        title=str(product.get("name") or ""),
        handle=str(product.get("slug") or ""),
        updated_at=gmt(product.get("date_modified_gmt")),
        created_at=gmt(product.get("date_created_gmt")),
        vendor=str(brands[0]["name"]) if brands else "",
        product_type=str(categories[0]["name"]) if categories else "",
        tags=tuple(str(t.get("name") or "") for t in product.get("tags") or () if t.get("name")),
        description=str(product.get("description") or ""),
        images=tuple(
            {"url": str(image["src"]), "alt": str(image.get("alt") or "")}
            for image in (product.get("images") or ())[:10]
            if image and image.get("src")
        ),
        is_published=str(product.get("status") or "publish") == "publish"
        and product.get("catalog_visibility", "visible") != "hidden",
        variants=variants,
    )


def category_record(category: Mapping[str, Any], product_ids: Sequence[str]) -> CollectionRecord:
    return CollectionRecord(
        platform_id=platform_id(category.get("id"), "category"),
        title=str(category.get("name") or ""),
        handle=str(category.get("slug") or ""),
        updated_at=None,  # terms have no modified date
        kind="category",
        description=str(category.get("description") or ""),
        position=int(category.get("menu_order") or 0),
        product_ids=tuple(dict.fromkeys(product_ids)),
    )


def _name(first: Any, last: Any) -> str:
    return " ".join(p for p in (str(first or "").strip(), str(last or "").strip()) if p)


def customer_record(customer: Mapping[str, Any]) -> CustomerRecord:
    billing = customer.get("billing") or {}
    shipping = customer.get("shipping") or {}
    name = _name(customer.get("first_name"), customer.get("last_name")) or _name(
        billing.get("first_name"), billing.get("last_name")
    )
    return CustomerRecord(
        platform_id=platform_id(customer.get("id"), "customer"),
        updated_at=gmt(customer.get("date_modified_gmt")),
        created_at=gmt(customer.get("date_created_gmt")),
        email=str(customer.get("email") or billing.get("email") or ""),
        name=name,
        country=str(billing.get("country") or shipping.get("country") or ""),
    )


def _unit_price(line: Mapping[str, Any]) -> Decimal:
    quantity = int(line.get("quantity") or 0)
    subtotal = money(line.get("subtotal"))
    if subtotal is not None and quantity:
        return (subtotal / quantity).quantize(MILLI, rounding=ROUND_HALF_UP)
    return (money(line.get("price")) or Decimal(0)).quantize(MILLI, rounding=ROUND_HALF_UP)


def order_record(order: Mapping[str, Any]) -> OrderRecord:
    status = str(order.get("status") or "pending")
    refunded = -sum(
        (money(r.get("total")) or Decimal(0) for r in order.get("refunds") or ()), Decimal(0)
    )
    financial = FINANCIAL_STATUS.get(status, "pending")
    if refunded > 0 and financial == "paid":
        financial = "partially_refunded"
    lines = []
    for line in order.get("line_items") or ():
        product = _optional_id(line.get("product_id"))
        variation = _optional_id(line.get("variation_id"))
        lines.append(
            OrderLineRecord(
                platform_id=platform_id(line.get("id"), "line item"),
                quantity=int(line.get("quantity") or 0),
                unit_price=_unit_price(line),
                product_id=product,
                # A simple product's line names no variation: the product is its own variant.
                variant_id=variation or product,
                title=str(line.get("name") or ""),
                sku=str(line.get("sku") or ""),
            )
        )
    subtotal = sum(
        (money(ln.get("subtotal")) or Decimal(0) for ln in order.get("line_items") or ()),
        Decimal(0),
    )
    shipping = order.get("shipping") or {}
    billing = order.get("billing") or {}
    modified = gmt(order.get("date_modified_gmt"))
    return OrderRecord(
        platform_id=platform_id(order.get("id"), "order"),
        currency=str(order.get("currency") or ""),
        updated_at=modified,
        created_at=gmt(order.get("date_created_gmt")),
        name=f"#{order.get('number') or order.get('id')}",
        customer_id=_optional_id(order.get("customer_id")),
        total=money(order.get("total")) or Decimal(0),
        subtotal=subtotal,
        refunded_total=refunded,
        financial_status=financial,
        # WooCommerce keeps no cancellation time: the last change is the best we have.
        cancelled_at=modified if status == "cancelled" else None,
        country=str(shipping.get("country") or billing.get("country") or ""),
        lines=tuple(lines),
    )


def review_fields(review: Mapping[str, Any]) -> dict[str, Any]:
    """A review as the Review model's columns (the caller hashes the email)."""
    return {
        "platform_id": platform_id(review.get("id"), "review"),
        "product_platform_id": platform_id(review.get("product_id"), "review product"),
        "status": str(review.get("status") or "approved")[:16],
        "rating": max(0, min(int(review.get("rating") or 0), 5)),
        "is_verified": bool(review.get("verified")),
        "reviewer_name": str(review.get("reviewer") or ""),
        "reviewer_email": str(review.get("reviewer_email") or ""),
        "body": str(review.get("review") or ""),
        "platform_created_at": gmt(review.get("date_created_gmt")),
    }
