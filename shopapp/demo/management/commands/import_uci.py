"""python manage.py import_uci FILE --shop DOMAIN: load a UCI Online Retail CSV into a shop."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shopapp.demo.categories import DEFAULT_RULES, rules_from_json
from shopapp.demo.services import retail_file_import
from shopapp.demo.uci import UciFormatError
from shopapp.shops.models import Platform
from shopapp.shops.services import shop_get_or_create


class Command(BaseCommand):
    help = "Import a UCI Online Retail CSV (plain or gzip) into a shop, all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--shop", required=True, help="shop domain (created if missing)")
        parser.add_argument("--currency", default="GBP")
        parser.add_argument("--categories", type=Path, help="JSON keyword rules for categories")
        parser.add_argument("--force", action="store_true", help="re-import an unchanged file")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"path: {path} is not a file")
        try:
            rules = (
                rules_from_json(options["categories"]) if options["categories"] else DEFAULT_RULES
            )
        except (OSError, ValueError) as exc:
            raise CommandError(f"--categories: {exc}") from exc
        shop, _ = shop_get_or_create(
            platform=Platform.SHOPIFY,
            domain=options["shop"],
            name=options["shop"],
            currency=options["currency"],
        )
        try:
            run, changed = retail_file_import(
                shop=shop,
                path=path,
                rules=rules,
                progress=not options["no_progress"],
                force=options["force"],
            )
        except UciFormatError as exc:
            raise CommandError(f"{path.name}: {exc}; nothing was imported") from exc
        if options["json"]:
            self.stdout.write(json.dumps(run.report, indent=2))
            return
        if not changed:
            self.stdout.write(
                f"{path.name} is already imported into {shop.domain}; nothing changed."
            )
        self.stdout.write(format_report(run.report))


def format_report(report: dict[str, Any]) -> str:
    """The reconciliation as a table: imported and skipped-by-reason add up to the file's totals."""
    rows: list[tuple[str, ...]] = [("", "lines", "quantity", "value")]
    sections = ("lines", "quantity", "value")
    for kind in report["lines"]["imported_by_kind"]:
        rows.append(
            (f"imported: {kind}", *(str(report[s]["imported_by_kind"][kind]) for s in sections))
        )
    for reason in report["lines"]["skipped"]:
        rows.append((f"skipped: {reason}", *(str(report[s]["skipped"][reason]) for s in sections)))
    rows.append(("total in file", *(str(report[s]["total"]) for s in sections)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [
        "  ".join(
            cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(r)
        )
        for r in rows
    ]
    counts = report.get("counts", {})
    lines.append(", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in counts.items()))
    return "\n".join(lines)
