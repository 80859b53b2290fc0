"""Event ingestion under load, with a worker killed mid-run: nothing lost, nothing twice.

    python bench/ingest.py [--seconds 20] [--rate 6000] [--connections 24]

Starts the production stack on loopback against the local PostgreSQL and Redis: gunicorn
(2 workers, gthread) serving the app with DEBUG off, and a Celery worker on the `events` queue.
An open-loop load generator sends batches of 10-20 events (as the storefront script does) at
`--rate` events per second over keep-alive connections. Part-way through it SIGKILLs the worker
and starts a new one. Afterwards it waits for the buffer to drain and compares what was accepted
(202) with what is in the database.

Prints `RESULT events_per_s=<n> p99_ms=<n> lost=<n> duplicated=<n>`. Targets on the 2-core
reference machine: >= 5,000 events/s accepted, p99 <= 20 ms per batch request, lost = duplicated = 0.
`duplicated` counts every effect applied twice: stored rows beyond the distinct ids accepted, and
session event counts beyond the stored events (a replay that re-applied profile effects).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_ADMIN = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_NAME = "bench_ingest"
REDIS_BASE = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def services_up() -> str | None:
    try:
        import psycopg
        import redis

        psycopg.connect(PG_ADMIN, connect_timeout=3).close()
        redis.Redis.from_url(REDIS_BASE, socket_timeout=3).ping()
    except Exception as exc:
        return str(exc)
    return None


def stack_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": PG_ADMIN.rsplit("/", 1)[0] + f"/{DB_NAME}",
            "REDIS_URL": f"{REDIS_BASE}/5",
            "CELERY_BROKER_URL": f"{REDIS_BASE}/6",
            "CELERY_RESULT_BACKEND": f"{REDIS_BASE}/6",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "DEBUG": "0",
            "SECRET_KEY": "bench-secret-key",
            "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(b"b" * 32).decode(),
            "LOOKUP_HASH_KEY": "bench-lookup-key",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "shopapp.settings",
            "EVENTS_VISITOR_BATCHES_PER_MINUTE": "100000",
            "EVENTS_SHOP_BATCHES_PER_10S": "1000000",
        }
    )
    return env


def prepare(env: dict[str, str], products: int) -> tuple[str, list[str]]:
    """Fresh database and Redis; one shop with `products` products. Returns (key, product ids)."""
    import psycopg
    import redis

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    for db in (5, 6):
        redis.Redis.from_url(f"{REDIS_BASE}/{db}").flushdb()
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from shopapp.catalog.models import Product
    from shopapp.shops.models import Platform
    from shopapp.shops.services import shop_get_or_create

    shop, _ = shop_get_or_create(
        platform=Platform.SHOPIFY, domain="bench.myshopify.com", currency="GBP"
    )
    Product.objects.bulk_create(
        Product(
            shop=shop,
            platform_id=str(10_000 + i),
            title=f"Product {i}",
            handle=f"p-{i}",
            product_type=f"Category {i % 12}",
            vendor=f"Brand {i % 7}",
            price_min=1 + i % 50,
        )
        for i in range(products)
    )
    return shop.storefront_key, [str(10_000 + i) for i in range(products)]


def start_gunicorn(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "shopapp.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "-k",
            "gthread",
            "--threads",
            "6",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )


def start_worker(env: dict[str, str], name: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "shopapp",
            "worker",
            "-Q",
            "events",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{name}@%h",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
    )


def wait_http(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(
                    b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                )
                if b"200 OK" in sock.recv(200):
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not come up")


class Load:
    def __init__(
        self,
        port: int,
        key: str,
        product_ids: list[str],
        rate: float,
        seconds: float,
        connections: int,
        warmup: float,
    ) -> None:
        self.port, self.key, self.product_ids = port, key, product_ids
        self.rate, self.seconds, self.connections = rate, seconds, connections
        self.latencies: list[float] = []
        self.samples: list[tuple[float, float]] = []
        self.measured_events = 0
        self.warmup = warmup
        self.accepted_events = 0
        self.rejected = 0
        self.errors = 0
        self.visitors = [str(uuid.uuid4()) for _ in range(2_000)]

    def body(self) -> tuple[bytes, int]:
        now_ms = int(time.time() * 1000)
        count = random.randint(10, 20)
        events = []
        for i in range(count):
            kind = random.choice(
                ("page_view", "product_view", "product_view", "impression", "add_to_cart", "click")
            )
            event: dict[str, object] = {
                "id": str(uuid.uuid4()),
                "type": kind,
                "ts": now_ms - (count - i) * 50,
            }
            if kind in ("product_view", "add_to_cart", "click"):
                event["product_id"] = random.choice(self.product_ids)
            if kind in ("impression", "click"):
                event["placement"] = "home-for-you"
            events.append(event)
        payload = {
            "visitor_id": random.choice(self.visitors),
            "consent": True,
            "events": events,
            "context": {"url": "https://bench.myshopify.com/", "referrer": ""},
        }
        return json.dumps(payload, separators=(",", ":")).encode(), count

    async def connection(self, index: int, start: float, batches_per_second: float) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        interval = self.connections / batches_per_second
        next_at = start + index * interval / self.connections
        end = start + self.seconds
        while next_at < end:
            delay = next_at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            body, count = self.body()
            request = (
                f"POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"X-Storefront-Key: {self.key}\r\nUser-Agent: bench\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode() + body
            sent = time.perf_counter()
            try:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
            except (OSError, asyncio.IncompleteReadError):
                self.errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                next_at += interval
                continue
            latency = time.perf_counter() - sent
            is_accepted = head.startswith(b"HTTP/1.1 202")
            if is_accepted:
                self.accepted_events += count
            if sent - start >= self.warmup:
                # Measured window only: a fresh server's first requests open connections and
                # fill per-process caches, which a warm production server has done long ago.
                self.latencies.append(latency)
                self.samples.append((sent - start, latency))
                self.measured_events += count if is_accepted else 0
            if not is_accepted:
                self.rejected += 1
            next_at += interval
        writer.close()

    async def run(self, on_tick: object) -> float:
        batches_per_second = self.rate / 15.0
        start = time.perf_counter() + 0.2
        tasks = [
            asyncio.create_task(self.connection(i, start, batches_per_second))
            for i in range(self.connections)
        ]
        ticker = asyncio.create_task(on_tick(start))  # type: ignore[operator]
        await asyncio.gather(*tasks)
        ticker.cancel()
        return time.perf_counter() - start


def pending_in_stream() -> int:
    """Batches claimed by a consumer and not yet acknowledged."""
    from personalization.events.buffer import GROUP, STREAM, redis_client

    summary = redis_client().xpending(STREAM, GROUP)
    return int(summary["pending"])


def stored_counts() -> tuple[int, int, int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT event_id) FROM events_event")
        rows, distinct = cursor.fetchone()
        cursor.execute("SELECT coalesce(sum(event_count), 0) FROM events_session")
        (session_events,) = cursor.fetchone()
    from personalization.events.buffer import event_buffer

    return int(rows), int(distinct), int(session_events), event_buffer().backlog()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rate", type=float, default=6000.0, help="events per second offered")
    parser.add_argument("--connections", type=int, default=24)
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--kill-at", type=float, default=8.0, help="seconds into the run")
    parser.add_argument("--restart-after", type=float, default=2.0)
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds sent but not measured")
    args = parser.parse_args()

    problem = services_up()
    if problem:
        print(f"SKIP: bench/ingest.py needs PostgreSQL and Redis on 127.0.0.1 ({problem})")
        return 0
    env = stack_env()
    key, product_ids = prepare(env, args.products)
    port = free_port()
    server = start_gunicorn(env, port)
    workers = [start_worker(env, "bench1")]
    try:
        wait_http(port)
        load = Load(
            port,
            key,
            product_ids,
            args.rate,
            args.seconds + args.warmup,
            args.connections,
            args.warmup,
        )
        kill_log: list[str] = []

        async def tick(start: float) -> None:
            await asyncio.sleep(max(0.0, start + args.warmup + args.kill_at - time.perf_counter()))
            workers[0].send_signal(signal.SIGKILL)
            workers[0].wait()
            held = pending_in_stream()
            kill_log.append(
                f"worker killed at {time.perf_counter() - start:.1f}s holding "
                f"{held} claimed, unacknowledged batches (mid-batch: {held > 0})"
            )
            await asyncio.sleep(args.restart_after)
            workers.append(start_worker(env, "bench2"))
            kill_log.append(f"worker restarted at {time.perf_counter() - start:.1f}s")

        elapsed = asyncio.run(load.run(tick))
        # Let the new worker finish, including what the killed one held (re-claimed after idle).
        from shopapp.celery import app

        deadline = time.monotonic() + 120
        rows = distinct = session_events = backlog = -1
        while time.monotonic() < deadline:
            app.send_task("personalization.events.tasks.events_drain", queue="events")
            time.sleep(3)
            rows, distinct, session_events, backlog = stored_counts()
            if backlog == 0 and distinct >= load.accepted_events:
                break
    finally:
        for proc in [server, *workers]:
            if proc.poll() is None:
                proc.terminate()
        for proc in [server, *workers]:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()

    latencies = sorted(load.latencies)
    p50 = latencies[len(latencies) // 2] * 1000 if latencies else float("nan")
    p99 = (
        latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
        if latencies
        else float("nan")
    )
    lost = max(0, load.accepted_events - distinct)
    duplicated = (rows - distinct) + max(0, session_events - rows)
    print(f"{'requests':<22}{len(latencies):>10,}")
    print(f"{'events accepted':<22}{load.accepted_events:>10,}")
    print(f"{'rejected / errors':<22}{load.rejected:>5} / {load.errors}")
    print(f"{'elapsed s (warm-up)':<22}{elapsed:>10.1f} ({args.warmup:.0f})")
    print(f"{'p50 / p99 ms':<22}{p50:>6.1f} / {p99:.1f}")
    print(f"{'stored rows / distinct':<22}{rows:>7,} / {distinct:,}")
    print(f"{'session event sum':<22}{session_events:>10,}")
    print(f"{'backlog left':<22}{backlog:>10,}")
    for line in kill_log:
        print(line)
    slow = sorted(load.samples, key=lambda s: -s[1])[:40]
    print("slowest (t, ms):", " ".join(f"{t:.1f}:{ms * 1000:.0f}" for t, ms in sorted(slow)))
    print(
        f"RESULT events_per_s={load.measured_events / (elapsed - args.warmup):.0f} p99_ms={p99:.1f} "
        f"lost={lost} duplicated={duplicated}"
    )
    return 0 if lost == 0 and duplicated == 0 and not load.errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
