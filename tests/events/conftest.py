from __future__ import annotations

import time
import uuid

import pytest
from django.conf import settings

from personalization.events import products as product_cache
from shopapp.shops import auth
from tests.factories import ProductFactory


@pytest.fixture(autouse=True)
def clean_event_state():
    """Per-process caches and the Redis stream start empty for every test."""
    product_cache.forget()
    auth._shops_by_key.clear()
    if settings.REDIS_URL:
        from personalization.events.buffer import STREAM, redis_client

        client = redis_client()
        client.delete(STREAM)
        for key in client.scan_iter("pz:rl:*"):
            client.delete(key)
    else:
        from django.core.cache import cache

        cache.clear()


@pytest.fixture
def catalog(shop):
    return {
        "mug": ProductFactory(
            shop=shop,
            platform_id="101",
            title="Spotty Mug",
            product_type="Kitchen & Dining",
            vendor="Hearth",
            price_min=4,
        ),
        "candle": ProductFactory(
            shop=shop,
            platform_id="102",
            title="Rose Candle",
            product_type="Candles & Lights",
            vendor="Glow",
            price_min=12,
        ),
        "lamp": ProductFactory(
            shop=shop,
            platform_id="103",
            title="Brass Lamp",
            product_type="Candles & Lights",
            vendor="Glow",
            price_min=60,
        ),
    }


def event(kind: str, *, ts: float | None = None, **fields):
    return {"id": str(uuid.uuid4()), "type": kind, "ts": int((ts or time.time()) * 1000), **fields}


def batch(*events, visitor_id: str | None = None, consent: bool = True, **extra):
    return {
        "visitor_id": visitor_id or str(uuid.uuid4()),
        "consent": consent,
        "events": list(events),
        **extra,
    }
