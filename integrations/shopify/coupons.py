"""Unique single-use discount codes on Shopify: one `discountCodeBasicCreate` per code (usage
limit 1, once per customer), so a code shared on a coupon site is worth one order at most."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from integrations.shopify.client import AdminClient, ShopifyError
from integrations.shopify.sync import client_for
from personalization.campaigns.coupons import CouponPlatformError, DiscountSpec
from shopapp.shops.models import Shop


def discount_input(spec: DiscountSpec, code: str) -> dict[str, Any]:
    if spec.discount_type == "percentage":
        # Shopify takes a fraction: 10 % is 0.1.
        value: dict[str, Any] = {"percentage": float(spec.amount) / 100}
    else:
        value = {"discountAmount": {"amount": str(spec.amount), "appliesOnEachItem": False}}
    return {
        "title": f"{spec.title} {code}",
        "code": code,
        "startsAt": spec.starts_at.isoformat(),
        "endsAt": spec.ends_at.isoformat(),
        "usageLimit": 1,
        "appliesOncePerCustomer": True,
        "context": {"all": "ALL"},
        "customerGets": {"value": value, "items": {"all": True}},
    }


@dataclass
class ShopifyCoupons:
    client: AdminClient

    def create_code(self, spec: DiscountSpec, code: str) -> str:
        try:
            payload = self.client.mutate(
                "discount_code_basic_create",
                "discountCodeBasicCreate",
                {"basicCodeDiscount": discount_input(spec, code)},
            )
        except ShopifyError as exc:
            raise CouponPlatformError(f"Shopify: {exc}") from exc
        node = payload.get("codeDiscountNode") or {}
        if not node.get("id"):
            raise CouponPlatformError("Shopify returned no discount id")
        return str(node["id"])


def coupons_for(shop: Shop) -> ShopifyCoupons:
    return ShopifyCoupons(client_for(shop))
