"""Where accepted batches wait until a Celery worker persists them.

A Redis stream when REDIS_URL is set (a consumer group; an entry is acknowledged only after the
database commit, and entries a dead worker held are re-claimed after a timeout), the database
otherwise (rows deleted in the same transaction that stores their events). Either way a worker
killed mid-batch loses nothing; the (shop, event_id) key makes a replay store nothing twice.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, transaction

STREAM = "pz:events"
GROUP = "persist"
# A worker that has held entries this long without acknowledging them is presumed dead.
RECLAIM_IDLE_MS = 15_000


@dataclass(frozen=True, slots=True)
class BufferedEntry:
    entry_id: str
    shop_id: int
    payload: dict[str, Any]


Limit = tuple[str, int, int]  # (counter key, window ttl seconds, maximum)


class EventBuffer(Protocol):
    def push(self, shop_id: int, payload: dict[str, Any]) -> None: ...

    def push_within_limits(
        self, shop_id: int, payload: dict[str, Any], limits: Sequence[Limit], drain_key: str
    ) -> tuple[bool, bool]:
        """Count the rate-limit windows and push if none is exceeded. Returns (pushed, first):
        `first` is true for the first push under `drain_key`, which should schedule a drain."""
        ...

    def claim(self, count: int) -> Any:
        """Context manager yielding up to `count` entries, inside the caller's transaction; they
        are acknowledged only when that transaction commits."""
        ...

    def backlog(self) -> int: ...


@lru_cache(maxsize=1)
def redis_client() -> Any:
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=2)


def consumer_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


ACCEPT_SCRIPT = """
local limits = #KEYS - 2
for i = 1, limits do
  local count = redis.call('INCR', KEYS[i])
  if count == 1 then redis.call('EXPIRE', KEYS[i], ARGV[2 * i - 1]) end
  if count > tonumber(ARGV[2 * i]) then return {0, 0} end
end
redis.call('XADD', KEYS[limits + 1], '*', 's', ARGV[2 * limits + 1], 'p', ARGV[2 * limits + 2])
local drains = redis.call('INCR', KEYS[limits + 2])
if drains == 1 then redis.call('EXPIRE', KEYS[limits + 2], 5) end
return {1, drains}
"""


class RedisStreamBuffer:
    def __init__(self, client: Any | None = None) -> None:
        self.client = client or redis_client()
        self._group_ready = False

    def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            self.client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except Exception as exc:  # BUSYGROUP: it exists already
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    def push(self, shop_id: int, payload: dict[str, Any]) -> None:
        self.client.xadd(STREAM, {"s": shop_id, "p": json.dumps(payload, separators=(",", ":"))})

    def push_within_limits(
        self, shop_id: int, payload: dict[str, Any], limits: Sequence[Limit], drain_key: str
    ) -> tuple[bool, bool]:
        # One round trip for the whole hot path: counters, the push and the drain flag.
        keys = [key for key, _ttl, _max in limits] + [STREAM, drain_key]
        args: list[Any] = []
        for _key, ttl, maximum in limits:
            args += [ttl, maximum]
        args += [shop_id, json.dumps(payload, separators=(",", ":"))]
        pushed, drain_count = self._accept_script()(keys=keys, args=args)
        return bool(pushed), int(drain_count) == 1

    def _accept_script(self) -> Any:
        script = getattr(self, "_script", None)
        if script is None:
            script = self._script = self.client.register_script(ACCEPT_SCRIPT)
        return script

    @contextmanager
    def claim(self, count: int) -> Iterator[list[BufferedEntry]]:
        _require_transaction()
        self._ensure_group()
        try:
            raw = self._read(count)
        except Exception as exc:  # NOGROUP: the stream was flushed under us; recreate it once
            if "NOGROUP" not in str(exc):
                raise
            self._group_ready = False
            self._ensure_group()
            raw = self._read(count)
        entries = [
            BufferedEntry(entry_id.decode(), int(fields[b"s"]), json.loads(fields[b"p"]))
            for entry_id, fields in raw
            if fields  # an entry deleted after a claim comes back empty
        ]
        yield entries
        ids = [entry_id for entry_id, _ in raw]
        if ids:
            # Acknowledge only once the events are committed: if the commit fails or the worker
            # dies first, the entries stay pending and are re-claimed.
            transaction.on_commit(lambda: self._ack(ids))

    def _read(self, count: int) -> list[Any]:
        consumer = consumer_name()
        # First what dead workers left behind, then new entries.
        _next, reclaimed, *_ = self.client.xautoclaim(
            STREAM, GROUP, consumer, min_idle_time=RECLAIM_IDLE_MS, start_id="0-0", count=count
        )
        raw = list(reclaimed)
        if len(raw) < count:
            for _stream, messages in (
                self.client.xreadgroup(GROUP, consumer, {STREAM: ">"}, count=count - len(raw)) or []
            ):
                raw.extend(messages)
        return raw

    def _ack(self, ids: list[Any]) -> None:
        pipe = self.client.pipeline()
        pipe.xack(STREAM, GROUP, *ids)
        pipe.xdel(STREAM, *ids)
        pipe.execute()

    def backlog(self) -> int:
        self._ensure_group()
        groups = self.client.xinfo_groups(STREAM)
        group = next((g for g in groups if g["name"] in (GROUP, GROUP.encode())), None)
        if group is None:
            return 0
        lag = group.get("lag") or 0
        return int(lag) + int(group.get("pending") or 0)


class DatabaseBuffer:
    def push(self, shop_id: int, payload: dict[str, Any]) -> None:
        from personalization.events.models import BufferedBatch

        BufferedBatch.objects.create(shop_id=shop_id, payload=payload, received_at=_now())

    def push_within_limits(
        self, shop_id: int, payload: dict[str, Any], limits: Sequence[Limit], drain_key: str
    ) -> tuple[bool, bool]:
        from personalization.events.counters import incr_many

        counts = incr_many([(key, ttl) for key, ttl, _max in limits])
        if any(count > maximum for count, (_k, _t, maximum) in zip(counts, limits, strict=True)):
            return False, False
        self.push(shop_id, payload)
        return True, True

    @contextmanager
    def claim(self, count: int) -> Iterator[list[BufferedEntry]]:
        from personalization.events.models import BufferedBatch

        # The caller's transaction covers the claim, the inserts and this delete: all or nothing.
        _require_transaction()
        rows = BufferedBatch.objects.order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        claimed = list(rows[:count])
        yield [BufferedEntry(str(row.pk), row.shop_id, row.payload) for row in claimed]
        BufferedBatch.objects.filter(pk__in=[row.pk for row in claimed]).delete()

    def backlog(self) -> int:
        from personalization.events.models import BufferedBatch

        return BufferedBatch.objects.count()


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("claim() must run inside the transaction that stores the events")


def _now() -> datetime:
    from django.utils import timezone

    return timezone.now()


def event_buffer() -> EventBuffer:
    if settings.REDIS_URL:
        return _redis_buffer()
    return DatabaseBuffer()


@lru_cache(maxsize=1)
def _redis_buffer() -> RedisStreamBuffer:
    return RedisStreamBuffer()
