"""Prices and numbers in the active language's conventions (CLDR data through Babel).

`12.5` in EUR reads `€12.50` in English, `€ 12,50` in Dutch, `12,50 €` in French and `12,50 €`
in Danish; HUF and IDR keep their own symbols and grouping. Django's own formats cover dates and
plain numbers (`date`, `intcomma` with the active language).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_decimal, get_currency_precision
from django.utils import translation


def babel_locale(language: str | None = None) -> Locale:
    code = (language or translation.get_language() or "en").replace("-", "_")
    try:
        return Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


def format_money(
    amount: Decimal | int | float | str | None, currency: str, language: str | None = None
) -> str:
    """Rounded half up to the currency's minor unit (CLDR), not truncated; '' for no amount."""
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return ""
    if not value.is_finite():
        return ""
    code = (currency or "").upper()
    locale = babel_locale(language)
    if len(code) != 3 or not code.isalpha():
        return format_decimal(value, locale=locale)
    places = get_currency_precision(code)
    value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return format_currency(value, code, locale=locale, currency_digits=True)


def format_number(value: Decimal | int | float, places: int | None = None) -> str:
    locale = babel_locale()
    if places is None:
        return format_decimal(value, locale=locale)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(value, format=pattern, locale=locale)
