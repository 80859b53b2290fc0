from __future__ import annotations

from decimal import Decimal

import pytest

from shopapp.adminui.reconciliation import reconciliation_table
from shopapp.adminui.templatetags.shop_format import format_money


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (Decimal("1234.5"), "GBP", "£1,234.50"),
        (Decimal("0.165"), "GBP", "£0.17"),
        (Decimal("-10"), "GBP", "-£10.00"),
        ("2.5", "USD", "$2.50"),
        (Decimal("1200"), "JPY", "¥1,200"),
        (Decimal("12"), "CHF", "CHF12.00"),
        (None, "GBP", ""),
        ("not a number", "GBP", ""),
    ],
)
def test_format_money(amount, currency, expected):
    # when an amount is formatted
    formatted = format_money(amount, currency)
    # then it has the symbol, thousands separators and the currency's minor unit
    assert formatted == expected


def test_reconciliation_without_a_report_is_none():
    # when there is no report, or one without the three sections
    # then there is no table
    assert reconciliation_table(None) is None
    assert reconciliation_table({"lines": {}}) is None


def test_reconciliation_without_a_kind_split():
    # given a report without imported_by_kind
    report = {
        section: {"total": 3, "imported": 2, "skipped": {"bad_row": 1}}
        for section in ("lines", "quantity", "value")
    }
    # when it is turned into a table
    table = reconciliation_table(report)
    # then it has imported and skipped rows that add up
    assert table is not None
    assert [(row.label, row.lines) for row in table.rows] == [
        ("Imported", 2),
        ("Skipped: Bad row", 1),
    ]
    assert table.total.lines == 3
    assert table.is_balanced is True
