"""The last import's reconciliation as table rows: imported and skipped-by-reason add up to the file.

Pure functions over the report dict that `shopapp.demo` stores on an ImportRun, so the admin page
renders a table without knowing how the importer counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from shopapp.languages.text import lazy_text as _lazy

SECTIONS = ("lines", "quantity", "value")
KIND_LABELS = {"sale": _lazy("Sales"), "return": _lazy("Returns")}


@dataclass(frozen=True)
class ReconciliationRow:
    label: str
    lines: int
    quantity: int
    value: Decimal
    kind: str  # "imported", "imported-part", "skipped" or "total": how the row is styled


@dataclass(frozen=True)
class ReconciliationTable:
    rows: list[ReconciliationRow]
    total: ReconciliationRow
    is_balanced: bool


def _number(raw: Any) -> Decimal:
    try:
        return Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def _row(report: dict[str, Any], label: str, kind: str, pick: Any) -> ReconciliationRow:
    lines, quantity, value = (_number(pick(report.get(section) or {})) for section in SECTIONS)
    return ReconciliationRow(label, int(lines), int(quantity), value, kind)


def _humanize(reason: str) -> str:
    return reason.replace("_", " ").replace("-", " ").capitalize()


def reconciliation_table(report: dict[str, Any] | None) -> ReconciliationTable | None:
    """Rows for imported (with a sale/return split when the report has one), one per skip reason,
    and the file's total; None when there is no usable report."""
    if not report or not all(isinstance(report.get(section), dict) for section in SECTIONS):
        return None
    rows = [_row(report, "Imported", "imported", lambda section: section.get("imported", 0))]
    kinds = report["lines"].get("imported_by_kind") or {}
    # PostgreSQL's jsonb does not keep key order: sort, sales before returns, reasons by name.
    for kind in sorted(
        kinds, key=lambda k: (list(KIND_LABELS).index(k) if k in KIND_LABELS else 99, k)
    ):
        rows.append(
            _row(
                report,
                KIND_LABELS.get(kind, _humanize(kind)),
                "imported-part",
                lambda section, kind=kind: (section.get("imported_by_kind") or {}).get(kind, 0),
            )
        )
    skipped: dict[str, Any] = report["lines"].get("skipped") or {}
    for reason in sorted(skipped):
        rows.append(
            _row(
                report,
                f"Skipped: {_humanize(reason)}",
                "skipped",
                lambda section, reason=reason: (section.get("skipped") or {}).get(reason, 0),
            )
        )
    total = _row(report, "Total in file", "total", lambda section: section.get("total", 0))
    counted = [row for row in rows if row.kind in ("imported", "skipped")]
    is_balanced = (
        sum(row.lines for row in counted) == total.lines
        and sum(row.quantity for row in counted) == total.quantity
        and sum((row.value for row in counted), Decimal(0)) == total.value
    )
    return ReconciliationTable(rows=rows, total=total, is_balanced=is_balanced)
