"""Profiles for every customer of the full UCI store, through the database, as the nightly job runs.

    python bench/profiles_uci.py [--db sqlite|postgresql] [--path FILE]

Loads the full file into a fresh database (timed separately), then times the nightly recompute:
RFM, lifecycle, purchase affinities, purchase propensity and churn risk (trained with a held-out
report), behaviour clusters, and the refresh of every segment. Prints the tables and
`RESULT customers=<n> seconds=<n> propensity_auc=<x> recency_baseline_auc=<y> churn_auc=<z> ...`
with the held-out calibration tables; the AUCs equal bench/customers_uci.py's (same clock, model).
Target on the 2-core reference machine: lifecycle and RFM for all 4,372 customers in <= 30 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = (
    ROOT.parent / "shared" / "datasets" / "uci_online_retail" / "online_retail_2010_2011.csv.gz"
)
PG_ADMIN = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DB = "bench_profiles_uci"


def database_url(db: str) -> str:
    if db == "postgresql":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_DB}")
        return PG_ADMIN.rsplit("/", 1)[0] + f"/{PG_DB}"
    return f"sqlite:///{tempfile.mkdtemp(prefix='bench-profiles-')}/bench.sqlite3"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--path", type=Path, default=DEFAULT_PATH)
    args = parser.parse_args()
    if not args.path.is_file():
        print(f"--path: {args.path} not found", file=sys.stderr)
        return 2
    os.environ["DATABASE_URL"] = database_url(args.db)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopapp.settings")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from personalization.profiles.models import ScoreModel
    from personalization.profiles.recompute import profiles_recompute
    from personalization.segments.models import Segment
    from personalization.segments.services import segments_refresh
    from shopapp.demo.services import retail_file_import
    from shopapp.shops.models import Platform
    from shopapp.shops.services import shop_get_or_create

    # A demo shop: its clock is the data's last day, so "lapsed" means lapsed as of Dec 2011.
    shop, _ = shop_get_or_create(
        platform=Platform.SHOPIFY, domain="uci-full.example.com", currency="GBP", is_demo=True
    )
    started = time.perf_counter()
    retail_file_import(shop=shop, path=args.path)
    print(f"import: {time.perf_counter() - started:.1f} s (not part of the result)")

    started = time.perf_counter()
    report = profiles_recompute(shop=shop, retrain=True)
    recompute_seconds = time.perf_counter() - started
    sizes = segments_refresh(shop=shop)
    seconds = time.perf_counter() - started

    print(
        f"\nprofiles: {report.customers:,} customers ({report.with_orders:,} with a sale), "
        f"recompute {recompute_seconds:.1f} s, segments {seconds - recompute_seconds:.1f} s, "
        f"VIP bar £{report.vip_bar:,.2f}"
    )
    print("\n| lifecycle stage | customers |\n|---|---:|")
    for stage, count in report.stages.items():
        print(f"| {stage} | {count:,} |")
    names = dict(Segment.objects.filter(shop=shop).values_list("key", "name"))
    print("\n| segment | members |\n|---|---:|")
    for key, size in sizes.items():
        print(f"| {names.get(key, key)} | {size:,} |")
    # The held-out reports as stored with the current models: what the admin shows.
    held_out = {
        row.kind: row.report
        for row in ScoreModel.objects.filter(
            shop=shop, kind__in=["purchase_30d", "churn_90d"], is_current=True
        )
    }
    print("\n| model | customers | positive rate | held-out AUC | recency-only AUC | Brier |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind, name in (
        ("purchase_30d", "purchase within 30 days"),
        ("churn_90d", "churn within 90 days"),
    ):
        stored = held_out.get(kind)
        if not stored:
            print(f"| {name} | {report.models.get(kind)} | | | | |")
            continue
        print(
            f"| {name} | {stored['customers']:,} | {stored['positive_rate']:.3f} | "
            f"{stored['auc']:.4f} | {stored['baseline_recency_auc']:.4f} | {stored['brier']:.4f} |"
        )
    for kind in ("purchase_30d", "churn_90d"):
        if kind not in held_out:
            continue
        stored = held_out[kind]
        print(f"\ncalibration, {kind} (held-out window):")
        print("| predicted | customers | mean predicted | observed |\n|---|---:|---:|---:|")
        for b in stored["calibration"]:
            if b["count"]:
                print(
                    f"| {b['lower']:.1f}-{b['upper']:.1f} | {b['count']:,} | "
                    f"{b['mean_predicted']:.3f} | {b['observed_rate']:.3f} |"
                )
    purchase = held_out.get("purchase_30d", {})
    churn = held_out.get("churn_90d", {})
    nan = float("nan")
    print(
        f"\nRESULT customers={report.customers} seconds={seconds:.1f} "
        f"recompute_seconds={recompute_seconds:.1f} "
        f"propensity_auc={purchase.get('auc', nan):.4f} "
        f"recency_baseline_auc={purchase.get('baseline_recency_auc', nan):.4f} "
        f"propensity_brier={purchase.get('brier', nan):.4f} "
        f"churn_auc={churn.get('auc', nan):.4f} "
        f"churn_recency_baseline_auc={churn.get('baseline_recency_auc', nan):.4f} "
        f"churn_brier={churn.get('brier', nan):.4f} db={args.db}"
    )
    return 0 if report.customers == 4372 or args.path != DEFAULT_PATH else 1


if __name__ == "__main__":
    raise SystemExit(main())
