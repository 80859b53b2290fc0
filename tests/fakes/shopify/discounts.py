"""`discountCodeBasicCreate` on the fake: Shopify's input rules as userErrors (a code is unique
per shop, a percentage is a fraction from 0 to 1, the required fields on create)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FakeDiscounts:
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail_with: str = ""

    def _error(self, path: list[str], message: str, code: str) -> dict[str, Any]:
        return {
            "__typename": "DiscountCodeBasicCreatePayload",
            "codeDiscountNode": None,
            "userErrors": [
                {
                    "__typename": "DiscountUserError",
                    "field": ["basicCodeDiscount", *path],
                    "message": message,
                    "code": code,
                }
            ],
        }

    def create(self, args: dict[str, Any]) -> dict[str, Any]:
        data = args["basicCodeDiscount"]
        if self.fail_with:
            return self._error(["code"], self.fail_with, "INVALID")
        for required in ("code", "title", "startsAt", "customerGets", "context"):
            if not data.get(required):
                return self._error([required], f"{required} can't be blank", "BLANK")
        code = str(data["code"])
        if code.upper() in self.codes:
            return self._error(
                ["code"], "Code must be unique. Please try a different code.", "TAKEN"
            )
        value = data["customerGets"].get("value") or {}
        percentage = value.get("percentage")
        if percentage is not None and not 0 <= float(percentage) <= 1:
            return self._error(
                ["customerGets", "value", "percentage"],
                "Value must be between 0.0 and 1.0",
                "VALUE_OUTSIDE_RANGE",
            )
        number = len(self.codes) + 1
        self.codes[code.upper()] = {**data, "id": number}
        return {
            "__typename": "DiscountCodeBasicCreatePayload",
            "codeDiscountNode": {
                "__typename": "DiscountCodeNode",
                "id": f"gid://shopify/DiscountCodeNode/{number}",
            },
            "userErrors": [],
        }
