"""Server time of every admin page with the full UCI store loaded.

    python bench/admin.py [--db auto|postgresql|sqlite] [--path FILE] [--sessions-per-day N]
                          [--requests N]

Loads the full UCI Online Retail file into a fresh database, recomputes profiles and refreshes the
segments (as the nightly job does), adds 30 days of segment-size history and 90 days of storefront
activity (visitors, sessions, page views, impressions, clicks, adds to cart and orders naming their
placement; the UCI file has orders only), then requests each admin page and partial through the
Django test client with a signed-in admin session, `--requests` times each (30 by default), and
prints a table and `RESULT p95_ms=<n>` (the worst page's p95). Target: <= 100 ms.

The first request of each page is reported apart ("cold"): it fills the per-shop caches that the
page is designed around (the dashboard's one-minute cache, the live count's facts). The dashboard is
also timed with its cache cleared before every request ("dashboard, uncached"), so the cost the
cache hides stays visible.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = (
    ROOT.parent / "shared" / "datasets" / "uci_online_retail" / "online_retail_2010_2011.csv.gz"
)
PG_ADMIN = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DB = "bench_admin"
PLACEMENTS = ("home-recommended", "home-hero", "product-related", "cart-cross-sell", "search")


def postgresql_answers() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return True
    except Exception:  # any failure means "use SQLite"
        return False


def database_url(db: str) -> str:
    if db == "auto":
        db = "postgresql" if postgresql_answers() else "sqlite"
        print(f"database: {db} (--db auto)")
    if db == "postgresql":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_DB}")
        return PG_ADMIN.rsplit("/", 1)[0] + f"/{PG_DB}"
    return f"sqlite:///{tempfile.mkdtemp(prefix='bench-admin-')}/bench.sqlite3"


def activity_synthesize(
    shop: Any, *, days: int = 90, sessions_per_day: int = 1000, seed: int = 8, now: datetime
) -> dict[str, int]:
    """Storefront traffic for the dashboard: every session views pages and products; a share sees
    personalized blocks, clicks, adds to cart and orders, each event naming its placement."""
    from personalization.events.models import Event, Session, Visitor
    from shopapp.catalog.models import Product

    rng = random.Random(seed)
    product_ids = list(
        Product.objects.filter(shop=shop).order_by("pk").values_list("pk", flat=True)[:2000]
    )
    visitors = [
        Visitor(
            shop=shop,
            visitor_key=f"bench-visitor-{i:07d}",
            first_seen_at=now - timedelta(days=days),
            last_event_at=now,
            device=rng.choice(("desktop", "mobile", "tablet")),
        )
        for i in range(max(1, sessions_per_day * days // 3))
    ]
    Visitor.objects.bulk_create(visitors, batch_size=5000)
    visitor_pks = list(Visitor.objects.filter(shop=shop).values_list("pk", flat=True))
    sessions = []
    for day in range(days):
        for _ in range(sessions_per_day):
            started = now - timedelta(days=day, seconds=rng.randint(0, 86_000))
            sessions.append(
                Session(
                    shop=shop,
                    visitor_id=rng.choice(visitor_pks),
                    started_at=started,
                    last_event_at=started + timedelta(minutes=rng.randint(1, 25)),
                    traffic_source=rng.choice(("direct", "search", "social", "email")),
                    device="desktop",
                )
            )
    Session.objects.bulk_create(sessions, batch_size=5000)
    events: list[Event] = []
    counter = 0

    def add(session: Session, kind: str, at: datetime, **fields: Any) -> None:
        nonlocal counter
        counter += 1
        events.append(
            Event(
                shop=shop,
                event_id=f"bench-{counter:09d}",
                type=kind,
                visitor_id=session.visitor_id,
                session_id=session.pk,
                occurred_at=at,
                received_at=at,
                **fields,
            )
        )

    stored = 0
    for session in Session.objects.filter(shop=shop).order_by("pk").iterator(chunk_size=5000):
        at = session.started_at
        for _ in range(rng.randint(1, 4)):
            add(session, "page_view", at)
            add(session, "product_view", at, product_id=rng.choice(product_ids))
        if rng.random() < 0.6:  # saw personalized blocks
            for placement in rng.sample(PLACEMENTS, 2):
                shown = rng.choice(product_ids[:300])
                add(session, "impression", at, placement=placement, product_id=shown)
                if rng.random() < 0.12:
                    add(session, "click", at, placement=placement, product_id=shown)
                    if rng.random() < 0.35:
                        add(session, "add_to_cart", at, placement=placement, product_id=shown)
                        if rng.random() < 0.4:
                            value = round(rng.uniform(8, 160), 2)
                            add(session, "purchase", at, placement=placement, data={"value": value})
        if len(events) >= 20_000:
            Event.objects.bulk_create(events, batch_size=5000)
            stored += len(events)
            events.clear()
    Event.objects.bulk_create(events, batch_size=5000)
    stored += len(events)
    return {"visitors": len(visitors), "sessions": len(sessions), "events": stored}


def size_history_synthesize(shop: Any, *, days: int = 30, seed: int = 8) -> int:
    """Earlier daily sizes for every segment (a store that has run the nightly job for a month)."""
    from django.utils import timezone

    from personalization.segments.models import Segment, SegmentSize

    rng = random.Random(seed)
    rows = []
    for segment in Segment.objects.filter(shop=shop, is_active=True):
        size = segment.size
        for day in range(1, days + 1):
            size = max(0, int(size * rng.uniform(0.97, 1.02)))
            taken_at = timezone.now() - timedelta(days=day)
            rows.append(SegmentSize(shop=shop, segment=segment, taken_at=taken_at, size=size))
    SegmentSize.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def time_requests(
    call: Callable[[], Any], requests: int, before: Callable[[], None] | None = None
) -> tuple[float, list[float]]:
    started = time.perf_counter()
    response = call()
    cold = (time.perf_counter() - started) * 1000
    status = getattr(response, "status_code", 200)
    if status >= 400:
        raise SystemExit(f"bench: request failed with {status}: {response.content[:300]!r}")
    timings = []
    for _ in range(requests):
        if before is not None:
            before()
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return cold, timings


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["auto", "sqlite", "postgresql"], default="auto")
    parser.add_argument("--path", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--sessions-per-day", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=30)
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
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    call_command("migrate", verbosity=0)
    setup_test_environment()  # the test client's hosts; nothing else changes
    from personalization.profiles.recompute import profiles_recompute
    from personalization.segments.models import Segment
    from personalization.segments.services import segment_save, segments_refresh
    from shopapp.demo.services import retail_file_import
    from shopapp.shops.auth import ADMIN_SESSION_KEY
    from shopapp.shops.models import Platform
    from shopapp.shops.services import shop_get_or_create

    # A historical data set: a demo shop, so its clock stops at its last order (see shop_now).
    shop, _ = shop_get_or_create(
        platform=Platform.SHOPIFY,
        domain="bench-uci.myshopify.com",
        name="UCI full store",
        currency="GBP",
        timezone_name="Europe/London",
        is_demo=True,
    )
    shop.mark_installed()
    shop.save()
    started = time.perf_counter()
    run, _ = retail_file_import(shop=shop, path=args.path)
    counts = run.report.get("counts", {})
    print(f"loaded {args.path.name} in {time.perf_counter() - started:.1f}s: {counts}")
    started = time.perf_counter()
    report = profiles_recompute(shop=shop)
    sizes = segments_refresh(shop=shop)
    print(
        f"profiles_recompute + segments_refresh in {time.perf_counter() - started:.1f}s: "
        f"{report.customers} customers, {len(sizes)} segments"
    )
    segment_save(
        shop=shop,
        name="Big spenders abroad",
        rule={
            "all": [
                {"field": "monetary", "op": "gte", "value": 1000},
                {"not": {"field": "country", "op": "eq", "value": "United Kingdom"}},
            ]
        },
    )
    history = size_history_synthesize(shop)
    started = time.perf_counter()
    from django.utils import timezone

    activity = activity_synthesize(shop, sessions_per_day=args.sessions_per_day, now=timezone.now())
    print(
        f"storefront activity in {time.perf_counter() - started:.1f}s: {activity}, "
        f"{history} segment-size rows"
    )

    # Search merchandising: a synonym group and rules on the store's own bestsellers.
    from personalization.merchandising.services import (
        QueryRuleInput,
        query_rule_save,
        synonym_group_save,
    )
    from shopapp.catalog.models import Product

    hearts = list(
        Product.objects.filter(shop=shop, title__icontains="heart")
        .order_by("platform_id")
        .values_list("handle", flat=True)[:3]
    )
    synonym_group_save(shop=shop, terms="heart, love")
    query_rule_save(
        shop=shop, data=QueryRuleInput(phrase="heart", action="pin", products=hearts[-1:])
    )
    query_rule_save(
        shop=shop, data=QueryRuleInput(phrase="love", action="bury", products=hearts[:1])
    )

    # What autovacuum does after a bulk load: fresh statistics for the planner.
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    client = Client()
    session = client.session
    session[ADMIN_SESSION_KEY] = shop.pk
    session.save()
    builtin = Segment.objects.get(shop=shop, key="loyal")
    rule_segment = Segment.objects.get(shop=shop, key="big-spenders-abroad")
    count_form = {
        "match": "all",
        "row-0-field": "orders",
        "row-0-op": "gte",
        "row-0-value": "3",
        "row-1-field": "country",
        "row-1-op": "ne",
        "row-1-value": "United Kingdom",
    }
    hx = {"HTTP_HX_REQUEST": "true"}

    def forget_dashboard() -> None:
        # the dashboard's own cache; incremental revenue keeps its cache (keyed by the latest
        # purchase, so a new order is counted at once)
        cache.delete_many([f"adminui:{shop.pk}:dashboard:{days}" for days in (7, 30, 90)])

    pages: list[tuple[str, Callable[[], Any], Callable[[], None] | None]] = [
        ("home", lambda: client.get("/app/"), None),
        ("setup (onboarding)", lambda: client.get("/app/onboarding/"), None),
        (
            "setup: sync progress partial",
            lambda: client.get("/app/onboarding/progress/", **hx),
            None,
        ),
        ("dashboard", lambda: client.get("/app/dashboard/"), None),
        ("dashboard, uncached", lambda: client.get("/app/dashboard/"), forget_dashboard),
        ("dashboard, all caches cleared", lambda: client.get("/app/dashboard/"), cache.clear),
        (
            "dashboard 90 days (htmx)",
            lambda: client.get("/app/dashboard/?days=90", HTTP_HX_TARGET="dashboard", **hx),
            None,
        ),
        ("segments", lambda: client.get("/app/segments/"), None),
        ("segment: built-in", lambda: client.get(f"/app/segments/{builtin.pk}/"), None),
        ("segment: builder", lambda: client.get(f"/app/segments/{rule_segment.pk}/"), None),
        (
            "segment: live count",
            lambda: client.post("/app/segments/builder/count/", count_form, **hx),
            None,
        ),
        ("placements", lambda: client.get("/app/placements/"), None),
        (
            "placement: home-recommended",
            lambda: client.get("/app/placements/home-recommended/"),
            None,
        ),
        (
            "placement: preview",
            lambda: client.get(
                "/app/placements/home-recommended/preview/?persona=loyal_customer", **hx
            ),
            None,
        ),
        ("privacy", lambda: client.get("/app/privacy/"), None),
        ("experiments", lambda: client.get("/app/experiments/"), None),
        ("campaigns", lambda: client.get("/app/campaigns/"), None),
        ("ugc", lambda: client.get("/app/ugc/"), None),
        ("quiz", lambda: client.get("/app/quiz/"), None),
        ("shoppers", lambda: client.get("/app/shoppers/"), None),
        ("audiences", lambda: client.get("/app/audiences/"), None),
        ("quality", lambda: client.get("/app/quality/"), None),
        (
            "placement: buy-again preview",
            lambda: client.get("/app/placements/buy-again/preview/?persona=loyal_customer", **hx),
            None,
        ),
        ("search and navigation", lambda: client.get("/app/merchandising/"), None),
        (
            "search: test a query",
            lambda: client.get("/app/merchandising/preview/?q=love&persona=loyal_customer", **hx),
            None,
        ),
    ]
    print()
    print(f"{'page':<32} {'cold ms':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    worst = 0.0
    for name, call, before in pages:
        cold, timings = time_requests(call, args.requests, before)
        p95 = percentile(timings, 0.95)
        print(
            f"{name:<32} {cold:>8.1f} {statistics.median(timings):>8.1f} {p95:>8.1f} {max(timings):>8.1f}"
        )
        if before is None:
            worst = max(worst, p95)
    print()
    print(f"RESULT p95_ms={worst:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
