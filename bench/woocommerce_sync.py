"""A WooCommerce store's first full sync, an incremental pass and a sweep, against the fake store
over real TLS on loopback, into PostgreSQL.

    python bench/woocommerce_sync.py [--products N] [--orders N] [--changes N]

Defaults to the issue's store: 5,000 products (a third variable) and 20,000 orders. Runs on a
fresh `bench_woocommerce_sync` database. The fake (tests/fakes/woocommerce) shares this process,
so its own time (building JSON, TLS) is in the numbers: a real store answers slower, from another
machine. Prints `RESULT` lines: seconds, requests and rows per second for each pass, peak RSS.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = "bench_woocommerce_sync"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=5_000)
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--changes", type=int, default=500)
    args = parser.parse_args()
    try:
        import psycopg

        with psycopg.connect(
            PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True, connect_timeout=3
        ) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
            conn.execute(f"CREATE DATABASE {DB_NAME}")
    except Exception as exc:
        print(f"bench: PostgreSQL not available ({exc}); skipped")
        return 0
    os.environ["DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{DB_NAME}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopapp.settings")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from integrations.woocommerce import sync
    from integrations.woocommerce.client import KeyAuth, StoreLock, WooClient
    from integrations.woocommerce.models import SyncKind, SyncStatus, WooStore
    from integrations.woocommerce.stores import shop_domain_for
    from shopapp.catalog.models import Order, OrderLine, Product, Variant
    from shopapp.shops.models import InstallState, Platform
    from shopapp.shops.services import shop_get_or_create, shop_install
    from tests.fakes.woocommerce.server import FakeWooCommerce

    fake = FakeWooCommerce().start()
    try:
        started = time.perf_counter()
        fake.data.generate(products=args.products, orders=args.orders, seed=7)
        print(f"bench: store generated in {time.perf_counter() - started:.1f} s")
        key = fake.add_key()
        shop, _ = shop_get_or_create(
            platform=Platform.WOOCOMMERCE, domain=shop_domain_for(fake.home)
        )
        shop = shop_install(
            shop=shop,
            credentials={"consumer_key": key.consumer_key, "consumer_secret": key.consumer_secret},
            scopes=["read_write"],
        )
        assert shop.install_state == InstallState.INSTALLED
        WooStore.objects.create(shop=shop, store_url=fake.home, connected_at=timezone.now())
        # The bench's one exception to production: loopback is allowed, explicitly.
        client = WooClient(
            fake.home,
            KeyAuth(key.consumer_key, key.consumer_secret),
            allow_loopback=True,
            verify=fake.ca_path,
            lock=StoreLock(f"bench-{shop.pk}"),
        )

        def timed(kind: str) -> tuple[float, int]:
            before = client.requests_sent
            began = time.perf_counter()
            run = sync.sync_run_continue(sync.sync_run_start(shop=shop, kind=kind), client=client)
            assert run.status == SyncStatus.DONE, run.errors
            return time.perf_counter() - began, client.requests_sent - before

        seconds, requests_sent = timed(SyncKind.FULL)
        rows = {
            "products": Product.objects.filter(shop=shop).count(),
            "variants": Variant.objects.filter(shop=shop).count(),
            "orders": Order.objects.filter(shop=shop).count(),
            "order_lines": OrderLine.objects.filter(shop=shop).count(),
        }
        assert rows["products"] == args.products
        assert rows["orders"] == args.orders
        print(f"bench: rows {rows}")
        print(
            f"RESULT full_sync seconds={seconds:.1f} requests={requests_sent} "
            f"rows_per_second={sum(rows.values()) / seconds:.0f}"
        )
        rng = random.Random(8)
        for _ in range(args.changes):
            fake.data.change_random(rng)
        fake.data.fired.clear()
        seconds, requests_sent = timed(SyncKind.INCREMENTAL)
        print(
            f"RESULT incremental changes={args.changes} seconds={seconds:.1f} "
            f"requests={requests_sent}"
        )
        seconds, requests_sent = timed(SyncKind.SWEEP)
        print(f"RESULT sweep seconds={seconds:.1f} requests={requests_sent}")
    finally:
        fake.stop()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"RESULT peak_rss_mib={peak_mib:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
