"""The buffer loses nothing and duplicates nothing when a worker dies mid-batch."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.db import transaction

from personalization.events import buffer as buffer_module
from personalization.events.buffer import DatabaseBuffer, RedisStreamBuffer
from personalization.events.models import BufferedBatch, Event
from personalization.events.schema import parse_batch
from personalization.events.services import batch_accept, batches_persist, buffer_drain_once
from tests.events.conftest import batch, event

needs_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)")


def accept(shop, buffer, n_batches=3):
    for i in range(n_batches):
        body = batch(
            event("product_view", product_id="101"),
            event("page_view"),
            visitor_id=f"visitor-{i:04d}",
        )
        batch_accept(
            shop=shop, batch=parse_batch(body, now=time.time()), user_agent="", buffer=buffer
        )


class WorkerDied(Exception):
    pass


def crash_while_persisting(buffer, monkeypatch, *, after_commit: bool):
    """Claim, persist, then die either before the commit or after it (before the ack)."""
    with monkeypatch.context() as patch:
        # The process dies before any acknowledgement leaves it.
        patch.setattr(type(buffer), "_ack", lambda self, ids: None, raising=False)
        try:
            with transaction.atomic(), buffer.claim(100) as entries:
                batches_persist(entries=entries)
                if not after_commit:
                    raise WorkerDied
        except WorkerDied:
            pass


@needs_redis
@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("after_commit", [False, True])
def test_redis_stream_replays_a_dead_workers_batches_exactly_once(
    shop, catalog, monkeypatch, after_commit
):
    buffer = RedisStreamBuffer()
    accept(shop, buffer)
    crash_while_persisting(buffer, monkeypatch, after_commit=after_commit)
    assert Event.objects.filter(shop=shop).count() == (6 if after_commit else 0)
    # a new worker reclaims what the dead one held (no idle wait in the test)
    monkeypatch.setattr(buffer_module, "RECLAIM_IDLE_MS", 0)
    monkeypatch.setattr(buffer_module, "consumer_name", lambda: "replacement-worker")
    stats = buffer_drain_once(buffer=buffer)
    assert stats.batches == 3
    assert stats.duplicates == (6 if after_commit else 0)
    assert Event.objects.filter(shop=shop).count() == 6
    assert buffer.backlog() == 0
    assert buffer_drain_once(buffer=buffer).batches == 0


@pytest.mark.django_db(transaction=True)
def test_database_buffer_keeps_a_batch_until_its_events_commit(shop, catalog, monkeypatch):
    buffer = DatabaseBuffer()
    accept(shop, buffer)
    crash_while_persisting(buffer, monkeypatch, after_commit=False)
    assert BufferedBatch.objects.count() == 3
    assert Event.objects.count() == 0
    stats = buffer_drain_once(buffer=buffer)
    assert (stats.batches, stats.stored) == (3, 6)
    assert BufferedBatch.objects.count() == 0
    assert buffer.backlog() == 0


def test_claim_refuses_to_run_outside_a_transaction(transactional_db):
    with pytest.raises(RuntimeError, match="inside the transaction"), DatabaseBuffer().claim(1):
        pass
