"""Load the full UCI Online Retail file through the demo importer and report speed and memory.

    python bench/import_uci.py [--db sqlite|postgresql|all] [--path FILE]

Each database runs in its own process (so peak RSS is that run's own), on a fresh database:
a temporary SQLite file, or a `bench_import_uci` database on the local PostgreSQL. Prints the
reconciliation table and, last, `RESULT lines_per_s=<n> peak_rss_mib=<n> db=<sqlite|postgresql>`.
Targets on the 2-core reference machine: >= 50,000 lines/s and <= 500 MiB on both databases.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = (
    ROOT.parent / "shared" / "datasets" / "uci_online_retail" / "online_retail_2010_2011.csv.gz"
)
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "bench_import_uci"


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(
            PG_ADMIN_URL.replace("postgres://", "postgresql://"), connect_timeout=3
        ):
            return True
    except Exception:
        return False


def run_one(db: str, path: Path) -> int:
    """Prepare a fresh database, then import in this process and print the RESULT line."""
    env_db: str
    if db == "postgresql":
        import psycopg

        with psycopg.connect(
            PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True
        ) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            conn.execute(f"CREATE DATABASE {PG_DB}")
        env_db = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_DB}"
    else:
        env_db = f"sqlite:///{tempfile.mkdtemp(prefix='bench-import-')}/bench.sqlite3"
    os.environ["DATABASE_URL"] = env_db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopapp.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from shopapp.demo.management.commands.import_uci import format_report
    from shopapp.demo.services import retail_file_import
    from shopapp.shops.models import Platform
    from shopapp.shops.services import shop_get_or_create

    shop, _ = shop_get_or_create(
        platform=Platform.SHOPIFY, domain="bench.example.com", currency="GBP"
    )
    started = time.perf_counter()
    run, _changed = retail_file_import(shop=shop, path=path, progress=sys.stderr.isatty())
    seconds = time.perf_counter() - started
    report = run.report
    lines = int(report["lines"]["total"])
    peak_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(format_report(report))
    print(
        f"seconds={seconds:.2f} quantity_total={report['quantity']['total']} "
        f"value_total={report['value']['total']}"
    )
    ok = report["quantity"]["total"] == 5176450 and report["value"]["total"] == "9747747.93"
    if path == DEFAULT_PATH and not ok:
        print("reconciliation does NOT match the published totals", file=sys.stderr)
        return 1
    print(f"RESULT lines_per_s={lines / seconds:.0f} peak_rss_mib={peak_rss_mib:.0f} db={db}")
    if db == "postgresql":
        from django.db import connections

        connections.close_all()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql", "all"], default="all")
    parser.add_argument("--path", type=Path, default=DEFAULT_PATH)
    args = parser.parse_args()
    if not args.path.is_file():
        print(f"--path: {args.path} not found", file=sys.stderr)
        return 2
    if args.db != "all":
        return run_one(args.db, args.path)
    databases = ["sqlite"] + (["postgresql"] if postgres_available() else [])
    if "postgresql" not in databases:
        print("PostgreSQL is not reachable on 127.0.0.1:5432: measuring SQLite only")
    status = 0
    for db in databases:
        print(f"== {db} ==", flush=True)
        status |= subprocess.call([sys.executable, __file__, "--db", db, "--path", str(args.path)])
    return status


if __name__ == "__main__":
    raise SystemExit(main())
