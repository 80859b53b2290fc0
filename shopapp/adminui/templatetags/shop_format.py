"""Display formatting shared by the admin pages and the demo storefront."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

CURRENCY_SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€", "AUD": "A$", "CAD": "CA$", "JPY": "¥"}
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW"})


def format_money(amount: Decimal | int | float | str | None, currency: str) -> str:
    """'£1,234.50'; amounts are rounded half up to the currency's minor unit, not truncated."""
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return ""
    places = Decimal(1) if currency in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")
    value = value.quantize(places, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    digits = f"{abs(value):,.{0 if places == 1 else 2}f}"
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{digits} {currency}".strip()


@register.filter
def money(amount: Decimal | int | float | str | None, currency: str = "") -> str:
    return format_money(amount, currency)
