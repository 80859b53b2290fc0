"""Fixed-window counters for rate limits and ingestion metrics: Redis when configured, the cache
otherwise. One round trip per request on Redis (a pipeline of INCR + EXPIRE)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from django.conf import settings
from django.core.cache import cache

from personalization.events.buffer import redis_client

METRIC_PREFIX = "pz:metric:"
METRICS_TTL_SECONDS = 8 * 24 * 3600


def incr_many(keys: Sequence[tuple[str, int]]) -> list[int]:
    """Increment each key (with its TTL in seconds, set on first use); return the new values."""
    if settings.REDIS_URL:
        pipe = redis_client().pipeline(transaction=False)
        for key, ttl in keys:
            pipe.incr(key)
            pipe.expire(key, ttl, nx=True)
        results = pipe.execute()
        return [int(v) for v in results[::2]]
    values = []
    for key, ttl in keys:
        cache.add(key, 0, ttl)
        try:
            values.append(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.set(key, 1, ttl)
            values.append(1)
    return values


def window_key(name: str, window_seconds: int, now: float | None = None) -> str:
    bucket = int((now if now is not None else time.time()) // window_seconds)
    return f"pz:rl:{name}:{window_seconds}:{bucket}"


def metric_incr(name: str, *, shop_id: int | None = None) -> None:
    day = time.strftime("%Y%m%d", time.gmtime())
    keys = [(f"{METRIC_PREFIX}{day}:{name}", METRICS_TTL_SECONDS)]
    if shop_id is not None:
        keys.append((f"{METRIC_PREFIX}{day}:{name}:shop{shop_id}", METRICS_TTL_SECONDS))
    incr_many(keys)


def metric_value(name: str, *, shop_id: int | None = None, day: str | None = None) -> int:
    day = day or time.strftime("%Y%m%d", time.gmtime())
    key = f"{METRIC_PREFIX}{day}:{name}" + (f":shop{shop_id}" if shop_id is not None else "")
    if settings.REDIS_URL:
        value = redis_client().get(key)
        return int(value) if value else 0
    return int(cache.get(key, 0))
