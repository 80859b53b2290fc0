"""A real Celery worker, a real broker, the real test database: the path product webhooks take.

Everything else in the suite runs tasks eagerly. Here a worker subprocess consumes the `default`
and `sync` queues, and the task travels through the broker as JSON, so serialization, routing
(settings.CELERY_TASK_ROUTES) and the worker's own database connection are all exercised.

Needs PostgreSQL (the worker must share the test database, which pytest-django creates) and Redis
(broker and results); scripts/test.sh sets TEST_CELERY_BROKER_URL when Redis answers, and
TEST_CELERY_AMQP_BROKER_URL when RabbitMQ does.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from celery import Celery
from celery.result import AsyncResult
from django.conf import settings
from django.db import connection
from kombu import Exchange, Queue

from shopapp.catalog.models import Product, Variant
from tests.factories import ShopFactory

pytestmark = [pytest.mark.slow, pytest.mark.services]

ROOT = Path(__file__).resolve().parent.parent
# The venv's own `celery` script (.venv/bin/celery); `python -m celery` where there is none.
_CELERY_SCRIPT = Path(sys.executable).with_name("celery")
CELERY = [str(_CELERY_SCRIPT)] if _CELERY_SCRIPT.exists() else [sys.executable, "-m", "celery"]
WORKER_QUEUES = ("default", "sync")
START_TIMEOUT = 60.0
RESULT_TIMEOUT = 60.0
BROKER_ENV = {"redis": "TEST_CELERY_BROKER_URL", "rabbitmq": "TEST_CELERY_AMQP_BROKER_URL"}


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log_path: Path
    client: Celery

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _test_database_url() -> str:
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{db['NAME']}"


@pytest.fixture(params=sorted(BROKER_ENV))
def broker_url(request: pytest.FixtureRequest) -> str:
    variable = BROKER_ENV[request.param]
    url = os.environ.get(variable, "")
    if not url:
        pytest.skip(f"no {request.param} broker: {variable} is unset (scripts/test.sh sets it)")
    return url


@pytest.fixture
def result_backend_url() -> str:
    url = os.environ.get("TEST_CELERY_BROKER_URL", "")
    if not url:
        pytest.skip("no Redis for task results: TEST_CELERY_BROKER_URL is unset")
    return url


@pytest.fixture
def worker(
    transactional_db: None, broker_url: str, result_backend_url: str, tmp_path: Path
) -> Iterator[Worker]:
    """A `celery worker` subprocess on the test database; always stopped, even on failure."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "the worker must share the test database: needs PostgreSQL (DATABASE_URL), "
            f"got {connection.vendor}"
        )
    client = Celery("worker-test", broker=broker_url, backend=result_backend_url)
    client.conf.update(
        task_queues=[Queue(name, Exchange(name), routing_key=name) for name in WORKER_QUEUES],
        task_default_queue="default",
        # The project's routing decides which queue the task lands on, as in production.
        task_routes=settings.CELERY_TASK_ROUTES,
        broker_connection_retry_on_startup=False,
    )
    # The broker is the tests' own; drop what an interrupted earlier run may have left queued.
    client.control.purge()

    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("CELERY_") and name != "DATABASE_URL"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="shopapp.settings",
        DATABASE_URL=_test_database_url(),
        CONN_MAX_AGE="0",
        CELERY_BROKER_URL=broker_url,
        CELERY_RESULT_BACKEND=result_backend_url,
        CELERY_TASK_ALWAYS_EAGER="0",
        # Same keys as this process, so the worker reads what the test wrote.
        SECRET_KEY=settings.SECRET_KEY,
        FIELD_ENCRYPTION_KEYS=",".join(settings.FIELD_ENCRYPTION_KEYS),
        LOOKUP_HASH_KEY=settings.LOOKUP_HASH_KEY,
        VAR_DIR=str(tmp_path / "var"),
        PYTHONUNBUFFERED="1",
    )
    log_path = tmp_path / "worker.log"
    hostname = f"test-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
    command = [
        *CELERY,
        "-A",
        "shopapp",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "-Q",
        ",".join(WORKER_QUEUES),
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=INFO",
        f"--hostname={hostname}",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
        )
    running = Worker(process=process, log_path=log_path, client=client)
    try:
        yield running
    finally:
        _stop(running, hostname)
        client.close()


def _stop(worker: Worker, hostname: str) -> None:
    """Warm shutdown (finish the current task, then exit), asked for in the most direct way first.

    The remote-control message is handled as soon as it arrives; a SIGTERM is noticed only at the
    next turn of the worker's event loop, which over AMQP with no heartbeats can be 10 s away.
    """
    process = worker.process
    if process.poll() is not None:
        return
    with contextlib.suppress(Exception):
        worker.client.control.shutdown(destination=[hostname])
    for stop in (
        lambda: None,
        lambda: process.send_signal(signal.SIGTERM),
        process.kill,
    ):
        stop()
        try:
            process.wait(timeout=15)
            return
        except subprocess.TimeoutExpired:
            continue


def _wait_for_result(worker: Worker, result: AsyncResult, timeout: float) -> Any:
    """The task's return value; fails early, with the worker's log, if the worker dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result.ready():
            return result.get(timeout=5)
        if worker.process.poll() is not None:
            pytest.fail(
                f"worker exited with code {worker.process.returncode}:\n{worker.log_tail()}"
            )
        time.sleep(0.2)
    pytest.fail(f"no result after {timeout:.0f}s; worker log:\n{worker.log_tail()}")


@pytest.mark.django_db(transaction=True)
def test_worker_upserts_products_sent_through_the_broker(worker: Worker):
    # given a committed shop, visible to the worker's own connection
    shop = ShopFactory(domain="worker.myshopify.com", currency="EUR")
    payload = {
        "platform_id": "7001",
        "title": "Linen apron",
        "handle": "linen-apron",
        "updated_at": "2024-06-01T08:15:00+00:00",
        "tags": ["kitchen"],
        "variants": [
            {"platform_id": "7101", "title": "Natural", "sku": "AP-N", "price": "18.50"},
            {"platform_id": "7102", "title": "Charcoal", "price": "21.00", "in_stock": False},
        ],
    }
    # when the task is sent through the broker, by name, as an integration's webhook handler does
    signature = worker.client.signature(
        "shopapp.catalog.tasks.catalog_products_upsert", args=(shop.pk, [payload])
    )
    result = signature.apply_async()
    written = _wait_for_result(worker, result, START_TIMEOUT + RESULT_TIMEOUT)
    # then the worker wrote the rows, and reported how many products it wrote
    assert written == 1
    product = Product.objects.get(shop=shop, platform_id="7001")
    assert (product.title, product.handle, product.tags) == (
        "Linen apron",
        "linen-apron",
        ["kitchen"],
    )
    assert (product.price_min, product.price_max, product.currency) == (
        Decimal("18.500"),
        Decimal("21.000"),
        "EUR",
    )
    variants = sorted(
        Variant.objects.filter(shop=shop).values_list("platform_id", "sku", "price", "in_stock")
    )
    assert variants == [
        ("7101", "AP-N", Decimal("18.500"), True),
        ("7102", "", Decimal("21.000"), False),
    ]
    # and it ran in the worker, on the sync queue the settings route it to
    assert "catalog_products_upsert" in worker.log_tail(200)
    assert worker.process.poll() is None
