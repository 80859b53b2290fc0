"""Unique single-use coupons on WooCommerce: `POST /wp-json/wc/v3/coupons`, one per code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from integrations.woocommerce.client import WooClient, WooError
from integrations.woocommerce.stores import client_for
from personalization.campaigns.coupons import CouponPlatformError, DiscountSpec
from shopapp.shops.models import Shop


def coupon_body(spec: DiscountSpec, code: str) -> dict[str, Any]:
    return {
        "code": code,
        # WooCommerce's names: "percent" off the cart, or a "fixed_cart" amount.
        "discount_type": "percent" if spec.discount_type == "percentage" else "fixed_cart",
        "amount": str(spec.amount),
        "individual_use": True,
        "usage_limit": 1,
        "usage_limit_per_user": 1,
        # The store's local time, as WooCommerce reads `date_expires` without an offset.
        "date_expires": spec.ends_at.strftime("%Y-%m-%dT%H:%M:%S"),
        "description": spec.title,
    }


@dataclass
class WooCoupons:
    client: WooClient

    def create_code(self, spec: DiscountSpec, code: str) -> str:
        try:
            response = self.client.request("POST", "coupons", json_body=coupon_body(spec, code))
        except WooError as exc:
            raise CouponPlatformError(f"WooCommerce: {exc}") from exc
        body = response.body if isinstance(response.body, dict) else {}
        if not body.get("id"):
            raise CouponPlatformError("WooCommerce returned no coupon id")
        return str(body["id"])


def coupons_for(shop: Shop) -> WooCoupons:
    return WooCoupons(client_for(shop))
