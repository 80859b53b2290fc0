"""python manage.py demo: migrate, load the demo shop, print the URLs and serve it.

`make demo` runs this. Loading is idempotent (a second run changes nothing and says so), and
`--no-serve` stops before the server so tests and CI can run the whole preparation.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _port_from(value: str | int, *, source: str) -> int:
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise CommandError(f"{source}: {value!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise CommandError(f"{source}: {port} is not between 1 and 65535")
    return port


class Command(BaseCommand):
    help = "Migrate, load the demo shop (UCI sample) and serve the storefront and admin locally."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", help=f"port on {HOST} (default: $PORT, else {DEFAULT_PORT})")
        parser.add_argument(
            "--no-serve", action="store_true", help="prepare everything, then exit (tests, CI)"
        )
        parser.add_argument(
            "--data", type=Path, help="a UCI Online Retail CSV to load instead of the sample"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["port"] is not None:
            port = _port_from(options["port"], source="--port")
        else:
            port = _port_from(os.environ.get("PORT") or DEFAULT_PORT, source="PORT")

        self.stdout.write("Applying migrations…")
        call_command("migrate", interactive=False, verbosity=0)
        # The .mo files are built, not committed (docs/i18n.md): a fresh checkout needs them.
        call_command("messages", compile=True, verbosity=0)

        # Imported here, not at module level: the command must load (and say what is missing)
        # even in a checkout where the importer is absent or broken.
        try:
            services = importlib.import_module("shopapp.demo.services")
        except ImportError as error:
            raise CommandError(f"The demo importer is not available: {error}") from error
        data_path: Path | None = options["data"]
        if data_path is not None and not data_path.is_file():
            raise CommandError(f"--data: {data_path} is not a file")
        result = services.demo_shop_load(path=data_path, progress=not options["no_progress"])

        self.stdout.write(self._summary(result.shop, result.report, changed=result.changed))
        base = f"http://{HOST}:{port}"
        self.stdout.write(f"\n  Storefront  {base}/demo/\n  Admin       {base}/app/\n")
        if options["no_serve"]:
            return
        self.stdout.write(f"Serving on {base} (Ctrl+C to stop)…")
        call_command("runserver", f"{HOST}:{port}", use_reloader=False)

    def _summary(self, shop: Any, report: dict[str, Any] | None, *, changed: bool) -> str:
        name = shop.name or shop.domain
        if not changed:
            return self.style.SUCCESS(f"{name} is already loaded, nothing changed.")
        counts = (report or {}).get("counts", {})
        loaded = ", ".join(
            f"{counts[key]:,} {key}"
            for key in ("products", "collections", "customers", "orders", "returns")
            if key in counts
        )
        return self.style.SUCCESS(f"Loaded {name}: {loaded or 'no report'}.")
