"""Training every recommendation model for the full UCI store, as the nightly task does.

    python bench/train.py [--db postgresql|sqlite] [--reuse] [--path FILE]

Loads the full UCI file with the demo importer into a fresh database (timed apart), computes the
profiles and segments the per-segment trending lists need, then runs
`recommendations.services.models_train` in a fresh process, so its peak memory is the training's
own (plus Django), not the import's. Prints each model's seconds and coverage, then
`RESULT train_s=<n> peak_rss_mib=<n>`. Targets on the 2-core reference machine: <= 60 s, <= 2 GiB.
`--reuse` keeps a database a previous run loaded (PostgreSQL only).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# the shared folder sits beside the main checkout; a worktree is one level deeper
DATA = next(
    (
        found
        for base in ROOT.parents
        if (
            found := base / "shared/datasets/uci_online_retail/online_retail_2010_2011.csv.gz"
        ).is_file()
    ),
    ROOT.parent / "shared/datasets/uci_online_retail/online_retail_2010_2011.csv.gz",
)
PG_ADMIN = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DB = "bench_train"
DOMAIN = "uci-train.myshopify.com"


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopapp.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _database(db: str, reuse: bool) -> tuple[str, bool]:
    """The database URL, and whether it already holds the store."""
    if db == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp(prefix='bench-train-')}/bench.sqlite3", False
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DB,)).fetchone()
        if not (reuse and exists):
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_DB}")
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{PG_DB}", bool(reuse and exists)


def load(database_url: str, path: Path) -> None:
    _setup(database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from personalization.profiles.recompute import profiles_recompute
    from personalization.segments.services import segments_refresh
    from shopapp.demo.services import retail_file_import
    from shopapp.shops.models import Platform
    from shopapp.shops.services import shop_get_or_create

    shop, _ = shop_get_or_create(
        platform=Platform.SHOPIFY, domain=DOMAIN, currency="GBP", is_demo=True
    )
    started = time.perf_counter()
    retail_file_import(shop=shop, path=path)
    print(f"import: {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    profiles_recompute(shop=shop, retrain=False)
    segments_refresh(shop=shop)
    print(
        f"profiles and segments (input to trending per segment): "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )


def train(database_url: str) -> int:
    _setup(database_url)
    from personalization.recommendations.services import models_train
    from shopapp.shops.models import Shop

    shop = Shop.objects.get(domain=DOMAIN)
    started = time.perf_counter()
    report = models_train(shop=shop)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"data: {report['items']:,} items, {report['orders']:,} orders, "
        f"{report['customers']:,} customers, {report['purchase_lines']:,} lines "
        f"(read in {report['load_seconds']:.1f} s)"
    )
    for kind in ("related", "bought_together", "cross_sell", "trending", "buy_again", "for_you"):
        part = report.get(kind)
        if part:
            print(
                f"  {kind:<16}{part['seconds']:>7.1f} s  rows {part['rows_with_items']:,}"
                f"/{part['rows']:,}  v{part['version']}  {part.get('engine_version', '')}"
            )
    print(json.dumps({k: v for k, v in report.items() if not isinstance(v, dict)}))
    print(f"RESULT train_s={seconds:.1f} peak_rss_mib={peak:.0f}")
    return 0 if seconds <= 60 and peak <= 2048 else 1


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--path", type=Path, default=DATA)
    parser.add_argument("--load-only", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    parser.add_argument("--train-only", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.train_only:
        return train(args.train_only)
    if args.load_only:
        load(args.load_only, args.path)
        return 0
    if not args.path.is_file():
        print(f"--path: {args.path} not found", file=sys.stderr)
        return 2
    database_url, loaded = _database(args.db, args.reuse)
    if not loaded:
        # a child process: the import's memory must not count as the training's peak
        status = subprocess.call(
            [sys.executable, __file__, "--load-only", database_url, "--path", str(args.path)],
            cwd=ROOT,
        )
        if status:
            return status
    return subprocess.call([sys.executable, __file__, "--train-only", database_url], cwd=ROOT)


if __name__ == "__main__":
    raise SystemExit(main())
