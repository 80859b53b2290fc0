"""`POST /wc/v3/coupons` on the fake, with WooCommerce's own refusals (a code already in use, a
discount type it does not know, an amount that is not a number)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

DISCOUNT_TYPES = ("percent", "fixed_cart", "fixed_product")


class CouponRefused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class FakeCoupons:
    coupons: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_id: int = 700

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        code = str(body.get("code") or "").strip().lower()  # WooCommerce lower-cases codes
        if not code:
            raise CouponRefused(
                "woocommerce_rest_empty_coupon_code", "The coupon code cannot be empty."
            )
        if any(c["code"] == code for c in self.coupons.values()):
            raise CouponRefused(
                "woocommerce_rest_coupon_code_already_exists", "The coupon code already exists"
            )
        discount_type = body.get("discount_type", "fixed_cart")
        if discount_type not in DISCOUNT_TYPES:
            raise CouponRefused(
                "rest_invalid_param",
                f"Invalid parameter(s): discount_type is not one of {', '.join(DISCOUNT_TYPES)}.",
            )
        try:
            amount = Decimal(str(body.get("amount", "0")))
        except InvalidOperation:
            raise CouponRefused("rest_invalid_param", "Invalid parameter(s): amount") from None
        self.next_id += 1
        coupon = {
            "id": self.next_id,
            "code": code,
            "amount": f"{amount:.2f}",
            "discount_type": discount_type,
            "individual_use": bool(body.get("individual_use", False)),
            "usage_limit": body.get("usage_limit"),
            "usage_limit_per_user": body.get("usage_limit_per_user"),
            "date_expires": body.get("date_expires"),
            "description": body.get("description", ""),
            "usage_count": 0,
        }
        self.coupons[self.next_id] = coupon
        return coupon
