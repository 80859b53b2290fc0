"""A Shopify bulk first load at scale: generated JSONL of 100,000 products and 1,000,000 orders
through the sync's own spool and writers into PostgreSQL.

    python bench/shopify_bulk_sync.py [--products N] [--orders N]

Writes the two bulk results (children out of order, as Shopify's ungrouped output) to temporary
files, then times what a sync does with a downloaded result: spool the lines, rebuild parents
with their children, COPY them in batches (integrations/shopify/sync.py `phase_write`). Runs on a
fresh `bench_shopify_bulk` database. Prints `RESULT seconds=<n> peak_rss_mib=<n>`; targets on the
2-core reference machine: <= 600 s and <= 1024 MiB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = "bench_shopify_bulk"


def _shuffled(lines: Iterator[tuple[bool, str]], rng: random.Random, path: Path) -> int:
    """Write lines, holding back a third of the children a while so some land before their
    parent's neighbours and far from it (bounded memory)."""
    held: list[str] = []
    count = 0
    with path.open("w") as out:
        for is_child, line in lines:
            if is_child and rng.random() < 0.33:
                held.append(line)
            else:
                out.write(line)
            if len(held) > 5_000:
                rng.shuffle(held)
                out.writelines(held[:2_500])
                del held[:2_500]
            count += 1
        out.writelines(held)
    return count


def products_jsonl(n: int, rng: random.Random) -> Iterator[tuple[bool, str]]:
    for i in range(1, n + 1):
        pid = f"gid://shopify/Product/{i}"
        yield (
            False,
            json.dumps(
                {
                    "id": pid,
                    "title": f"Product {i}",
                    "handle": f"product-{i}",
                    "vendor": "Acme",
                    "productType": "Mug",
                    "tags": ["gift", "mug"],
                    "descriptionHtml": f"<p>Product {i}</p>",
                    "status": "ACTIVE",
                    "createdAt": "2026-01-01T00:00:00Z",
                    "updatedAt": "2026-01-02T00:00:00Z",
                    "featuredMedia": {
                        "preview": {"image": {"url": f"https://cdn.example/{i}.jpg", "altText": ""}}
                    },
                }
            )
            + "\n",
        )
        for v in range(rng.randint(1, 3)):
            yield (
                True,
                json.dumps(
                    {
                        "id": f"gid://shopify/ProductVariant/{i * 10 + v}",
                        "title": f"V{v}",
                        "sku": f"SKU-{i}-{v}",
                        "price": f"{rng.randint(100, 5000) / 100:.2f}",
                        "compareAtPrice": None,
                        "inventoryQuantity": rng.randint(0, 40),
                        "availableForSale": True,
                        "position": v + 1,
                        "__parentId": pid,
                    }
                )
                + "\n",
            )


def orders_jsonl(n: int, products: int, rng: random.Random) -> Iterator[tuple[bool, str]]:
    for i in range(1, n + 1):
        oid = f"gid://shopify/Order/{i}"
        yield (
            False,
            json.dumps(
                {
                    "id": oid,
                    "name": f"#{i}",
                    "createdAt": "2026-02-01T00:00:00Z",
                    "updatedAt": "2026-02-01T00:00:00Z",
                    "cancelledAt": None,
                    "currencyCode": "GBP",
                    "displayFinancialStatus": "PAID",
                    "subtotalPriceSet": {"shopMoney": {"amount": "20.00"}},
                    "totalPriceSet": {"shopMoney": {"amount": "24.99"}},
                    "totalRefundedSet": {"shopMoney": {"amount": "0.00"}},
                    "customer": None,
                    "shippingAddress": {"countryCodeV2": "GB"},
                }
            )
            + "\n",
        )
        for j in range(rng.randint(1, 3)):
            product = rng.randint(1, products)
            yield (
                True,
                json.dumps(
                    {
                        "id": f"gid://shopify/LineItem/{i * 10 + j}",
                        "title": f"Product {product}",
                        "sku": f"SKU-{product}-0",
                        "quantity": rng.randint(1, 4),
                        "originalUnitPriceSet": {"shopMoney": {"amount": "10.00"}},
                        "product": {"id": f"gid://shopify/Product/{product}"},
                        "variant": {"id": f"gid://shopify/ProductVariant/{product * 10}"},
                        "__parentId": oid,
                    }
                )
                + "\n",
            )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
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
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from integrations.shopify.bulk import Spool
    from integrations.shopify.sync import phase_write
    from shopapp.catalog.models import Order, OrderLine, Product, Variant
    from shopapp.shops.services import shop_get_or_create

    shop, _ = shop_get_or_create(platform="shopify", domain="bench.myshopify.com")
    workdir = Path(tempfile.mkdtemp(prefix="bench-shopify-"))
    rng = random.Random(1)
    products_file, orders_file = workdir / "products.jsonl", workdir / "orders.jsonl"
    lines = _shuffled(products_jsonl(args.products, rng), rng, products_file)
    lines += _shuffled(orders_jsonl(args.orders, args.products, rng), rng, orders_file)
    print(f"bench: {lines:,} JSONL lines generated in {workdir}")

    def read(path: Path) -> Iterator[bytes]:
        with path.open("rb") as handle:
            yield from handle

    started = time.perf_counter()
    for phase, path in (("products", products_file), ("orders", orders_file)):
        phase_started = time.perf_counter()
        with Spool(directory=str(workdir)) as spool:
            spool.load(read(path))
            spooled = time.perf_counter()
            phase_write(shop, phase, spool)
        print(
            f"bench: {phase}: spool {spooled - phase_started:.1f} s, "
            f"write {time.perf_counter() - spooled:.1f} s"
        )
    seconds = time.perf_counter() - started
    counts = {
        "products": Product.objects.filter(shop=shop).count(),
        "variants": Variant.objects.filter(shop=shop).count(),
        "orders": Order.objects.filter(shop=shop).count(),
        "order_lines": OrderLine.objects.filter(shop=shop).count(),
    }
    print(f"bench: rows {counts}")
    assert counts["products"] == args.products
    assert counts["orders"] == args.orders
    for path in workdir.iterdir():
        path.unlink()
    workdir.rmdir()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"RESULT seconds={seconds:.1f} peak_rss_mib={peak_mib:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
