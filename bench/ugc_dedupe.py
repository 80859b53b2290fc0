"""Duplicate-photo lookup: the hash-band index against a scan of every stored hash.

    python bench/ugc_dedupe.py [--sizes 10000,100000] [--probes 40]

Stores random 64-bit hashes (with their bands) for one shop, then times the duplicate check for
`--probes` new pictures, half of them near copies (6 bits away) of stored ones: the indexed
lookup (`services.duplicate_candidates` + Hamming distance) and the linear scan (every hash of
the shop + Hamming distance, as before the index). Both must find the same duplicates. Runs on a
fresh `bench_ugc_dedupe` PostgreSQL database, or a SQLite file when PostgreSQL is not there.
Prints `RESULT` lines: median milliseconds per lookup and the ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = "bench_ugc_dedupe"


def _database_url() -> str:
    try:
        import psycopg

        with psycopg.connect(
            PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True, connect_timeout=3
        ) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
            conn.execute(f"CREATE DATABASE {DB_NAME}")
        return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{DB_NAME}"
    except Exception as exc:
        path = Path(tempfile.mkdtemp()) / "ugc_dedupe.sqlite3"
        print(f"bench: PostgreSQL not available ({exc}); SQLite at {path}")
        return f"sqlite:///{path}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--probes", type=int, default=40)
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    os.environ["DATABASE_URL"] = _database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopapp.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from personalization.engine import ugc_flags
    from personalization.ugc import services
    from personalization.ugc.models import Content, PhashBand
    from shopapp.shops.models import Platform
    from shopapp.shops.services import shop_get_or_create

    shop, _ = shop_get_or_create(platform=Platform.SHOPIFY, domain="bench-dedupe.myshopify.com")
    rng = random.Random(11)
    stored: list[int] = []

    def store(count: int) -> None:
        for start in range(0, count, 5000):
            hashes = [rng.getrandbits(64) for _ in range(min(5000, count - start))]
            rows = Content.objects.bulk_create(
                Content(shop=shop, kind="photo", source="upload", phash=f"{h:016x}") for h in hashes
            )
            PhashBand.objects.bulk_create(
                PhashBand(shop=shop, content=row, key=key)
                for row in rows
                for key in ugc_flags.band_keys(row.phash)
            )
            stored.extend(hashes)

    def probes() -> list[str]:
        out = []
        for i in range(args.probes):
            if i % 2:
                value = rng.choice(stored)
                for bit in rng.sample(range(64), 6):
                    value ^= 1 << bit
            else:
                value = rng.getrandbits(64)
            out.append(f"{value:016x}")
        return out

    def linear(phash: str) -> list[int]:
        known = list(Content.objects.filter(shop=shop).exclude(phash="").values_list("pk", "phash"))
        return ugc_flags.near_duplicates(phash, known)

    def indexed(phash: str) -> list[int]:
        return ugc_flags.near_duplicates(
            phash, services.duplicate_candidates(shop=shop, phash=phash)
        )

    def timed(lookup, phashes: list[str]) -> tuple[float, list[list[int]]]:  # type: ignore[no-untyped-def]
        times, found = [], []
        for phash in phashes:
            started = time.perf_counter()
            found.append(lookup(phash))
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times), found

    engine = django.db.connection.vendor
    for size in sizes:
        started = time.perf_counter()
        store(size - len(stored))
        with django.db.connection.cursor() as cursor:  # fresh tables: give the planner stats
            cursor.execute("ANALYZE")
        print(f"bench: {size} hashes stored in {time.perf_counter() - started:.1f} s ({engine})")
        phashes = probes()
        linear_ms, linear_found = timed(linear, phashes)
        indexed_ms, indexed_found = timed(indexed, phashes)
        assert indexed_found == linear_found, "the index missed a duplicate the scan found"
        hits = sum(1 for found in indexed_found if found)
        print(
            f"RESULT ugc_dedupe db={engine} stored={size} probes={len(phashes)} "
            f"duplicates_found={hits} linear_ms={linear_ms:.2f} indexed_ms={indexed_ms:.2f} "
            f"ratio={linear_ms / indexed_ms:.1f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
