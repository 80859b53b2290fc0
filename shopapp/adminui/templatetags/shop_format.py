"""Display formatting shared by the admin pages and the demo storefront."""

from __future__ import annotations

from decimal import Decimal

from django import template

from shopapp.languages.formatting import format_money

register = template.Library()

__all__ = ["format_money", "money"]


@register.filter
def money(amount: Decimal | int | float | str | None, currency: str = "") -> str:
    """The amount in the shop's currency, written the active language's way (CLDR)."""
    return format_money(amount, currency)
