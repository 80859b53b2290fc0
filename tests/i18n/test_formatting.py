from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from shopapp.languages.formatting import format_money

NBSP = "\u00a0"
NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("language", "currency", "expected"),
    [
        ("en", "GBP", "£1,234.50"),
        ("id", "IDR", "Rp1.234,50"),
        ("nl", "EUR", f"€{NBSP}1.234,50"),
        ("fr", "EUR", f"1{NNBSP}234,50{NBSP}€"),
        ("da", "DKK", f"1.234,50{NBSP}kr."),
        ("hu", "HUF", f"1{NBSP}234,50{NBSP}Ft"),
    ],
)
def test_prices_follow_the_language_and_the_shop_currency(language, currency, expected):
    # when 1234.5 is formatted in the shop's currency under each language
    # then symbol position, grouping and decimal separator are the language's (CLDR)
    assert format_money(Decimal("1234.5"), currency, language) == expected


def test_money_filter_uses_the_active_language():
    # given the template filter the admin and the demo use
    template = Template("{% load shop_format %}{{ amount|money:'EUR' }}")
    # when rendered under Dutch and under English
    with translation.override("nl"):
        dutch = template.render(Context({"amount": Decimal("9.5")}))
    with translation.override("en"):
        english = template.render(Context({"amount": Decimal("9.5")}))
    # then each uses its own conventions
    assert dutch == f"€{NBSP}9,50"
    assert english == "€9.50"


@pytest.mark.parametrize(
    ("language", "expected_date", "expected_number"),
    [
        ("en", "March 7, 2026", "12,345"),
        ("nl", "7 maart 2026", "12.345"),
        ("fr", "7 mars 2026", f"12{NBSP}345"),
        ("da", "7. marts 2026", "12.345"),
        ("hu", "2026. március 7.", f"12{NBSP}345"),
        ("id", "7 Maret 2026", "12.345"),
    ],
)
def test_dates_and_numbers_follow_the_language(language, expected_date, expected_number):
    # given Django's localized formats with humanize's intcomma
    template = Template('{% load humanize %}{{ day|date:"DATE_FORMAT" }}|{{ n|intcomma }}')
    # when rendered in each language
    with translation.override(language):
        rendered = template.render(Context({"day": date(2026, 3, 7), "n": 12345}))
    # then month names, order and grouping are the language's
    assert rendered == f"{expected_date}|{expected_number}"
