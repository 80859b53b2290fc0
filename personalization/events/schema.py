"""Strict validation of a storefront event batch. Pure Python: no Django, no I/O.

A batch is all or nothing: the first problem rejects it with a message naming the field
(`events[3].ts: ...`), and nothing from it is stored.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

EVENT_TYPES = frozenset(
    {
        "page_view",
        "product_view",
        "collection_view",
        "search",
        "add_to_cart",
        "remove_from_cart",
        "checkout_started",
        "purchase",
        "impression",
        "click",
    }
)
MAX_BODY_BYTES = 64 * 1024
MAX_EVENTS = 50
MAX_RESULT_IDS = 100
# Events may be queued offline for a while, but not for days, and never come from the future.
MAX_AGE_SECONDS = 24 * 3600
MAX_FUTURE_SECONDS = 5 * 60

_ID = re.compile(r"^[A-Za-z0-9_\-:.]{1,64}$")
_EVENT_ID = re.compile(r"^[A-Za-z0-9\-]{8,64}$")
_TEXT_LIMITS = {
    "query": 200,
    "url": 2048,
    "referrer": 2048,
    "placement": 64,
    "model_version": 64,
    "currency": 3,
    "order_id": 64,
    "reason": 200,
}
_ID_FIELDS = ("product_id", "variant_id", "collection_id")
_INT_FIELDS = {"quantity": (0, 10_000), "position": (0, 10_000)}
_NUMBER_FIELDS = {"price": (0, 10_000_000), "value": (0, 100_000_000)}
_CONTEXT_TEXT = {
    "url": 2048,
    "referrer": 2048,
    "utm_source": 100,
    "utm_medium": 100,
    "utm_campaign": 200,
    "utm_content": 200,
    "utm_term": 200,
    "customer_token": 512,
}
_ALLOWED_EVENT_KEYS = frozenset(
    {"id", "type", "ts", *_TEXT_LIMITS, *_ID_FIELDS, *_INT_FIELDS, *_NUMBER_FIELDS, "result_ids"}
)
_ALLOWED_BATCH_KEYS = frozenset({"visitor_id", "consent", "context", "events"})


class BatchError(ValueError):
    """The batch is invalid; `field` says where, `reason` is a short code for metrics."""

    def __init__(self, field_path: str, message: str, reason: str = "invalid") -> None:
        super().__init__(f"{field_path}: {message}")
        self.field = field_path
        self.reason = reason


@dataclass(frozen=True, slots=True)
class EventIn:
    event_id: str
    type: str
    ts: float
    product_id: str | None = None
    variant_id: str | None = None
    collection_id: str | None = None
    query: str | None = None
    result_ids: tuple[str, ...] = ()
    placement: str | None = None
    model_version: str | None = None
    position: int | None = None
    quantity: int | None = None
    price: float | None = None
    value: float | None = None
    currency: str | None = None
    order_id: str | None = None
    url: str | None = None
    referrer: str | None = None
    reason: str | None = None

    def as_json(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in self.__slots__ if getattr(self, k) not in (None, ())}
        if self.result_ids:
            data["result_ids"] = list(self.result_ids)
        return data


@dataclass(frozen=True, slots=True)
class BatchIn:
    visitor_id: str
    has_consent: bool
    events: tuple[EventIn, ...]
    context: dict[str, str] = field(default_factory=dict)
    # No `consent` key at all: the shop's consent mode decides (privacy.selectors.events_may_store).
    consent_unstated: bool = False

    @property
    def productless_clicks(self) -> dict[str, str]:
        """{field path: placement} of clicks without a product: a campaign's call to action,
        valid only when the placement names one of the shop's campaigns (the API checks, as it
        checks product ids, since that needs the shop)."""
        return {
            f"events[{i}].product_id": str(event.placement)
            for i, event in enumerate(self.events)
            if event.type == "click" and not event.product_id
        }

    @property
    def product_ids(self) -> set[str]:
        ids: set[str] = set()
        for event in self.events:
            if event.product_id:
                ids.add(event.product_id)
        return ids


def parse_batch(data: Any, *, now: float) -> BatchIn:
    """Validate decoded JSON into a BatchIn, or raise BatchError naming the field."""
    if not isinstance(data, dict):
        raise BatchError("body", "must be a JSON object")
    unknown = set(data) - _ALLOWED_BATCH_KEYS
    if unknown:
        raise BatchError(sorted(unknown)[0], "unknown field")
    visitor_id = data.get("visitor_id")
    if not isinstance(visitor_id, str) or not _EVENT_ID.match(visitor_id):
        raise BatchError("visitor_id", "must be 8-64 letters, digits or dashes")
    consent = data.get("consent")
    if consent is not None and not isinstance(consent, bool):
        raise BatchError("consent", "must be true or false")
    context = _parse_context(data.get("context", {}))
    raw_events = data.get("events")
    if not isinstance(raw_events, list) or not raw_events:
        raise BatchError("events", "must be a non-empty list")
    if len(raw_events) > MAX_EVENTS:
        raise BatchError(
            "events",
            f"at most {MAX_EVENTS} events per batch, got {len(raw_events)}",
            reason="too_many_events",
        )
    events = tuple(_parse_event(raw, f"events[{i}]", now) for i, raw in enumerate(raw_events))
    seen: set[str] = set()
    for i, event in enumerate(events):
        if event.event_id in seen:
            raise BatchError(f"events[{i}].id", "repeats an earlier event's id")
        seen.add(event.event_id)
    return BatchIn(
        visitor_id=visitor_id,
        has_consent=consent is True,
        events=events,
        context=context,
        consent_unstated=consent is None,
    )


def _parse_context(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise BatchError("context", "must be an object")
    context: dict[str, str] = {}
    for key, value in raw.items():
        limit = _CONTEXT_TEXT.get(key)
        if limit is None:
            raise BatchError(f"context.{key}", "unknown field")
        if not isinstance(value, str) or len(value) > limit:
            raise BatchError(f"context.{key}", f"must be text of at most {limit} characters")
        context[key] = value
    return context


def _parse_event(raw: Any, path: str, now: float) -> EventIn:
    if not isinstance(raw, dict):
        raise BatchError(path, "must be an object")
    unknown = set(raw) - _ALLOWED_EVENT_KEYS
    if unknown:
        raise BatchError(f"{path}.{sorted(unknown)[0]}", "unknown field")
    event_id = raw.get("id")
    if not isinstance(event_id, str) or not _EVENT_ID.match(event_id):
        raise BatchError(f"{path}.id", "must be 8-64 letters, digits or dashes (a UUID)")
    event_type = raw.get("type")
    if event_type not in EVENT_TYPES:
        raise BatchError(f"{path}.type", f"must be one of {', '.join(sorted(EVENT_TYPES))}")
    ts = raw.get("ts")
    if isinstance(ts, bool) or not isinstance(ts, int | float) or not math.isfinite(ts):
        raise BatchError(f"{path}.ts", "must be a number of milliseconds since the epoch")
    seconds = ts / 1000.0
    if seconds > now + MAX_FUTURE_SECONDS:
        raise BatchError(
            f"{path}.ts", "is in the future (check the device clock)", reason="clock_skew"
        )
    if seconds < now - MAX_AGE_SECONDS:
        raise BatchError(f"{path}.ts", "is more than 24 hours old", reason="clock_skew")
    values: dict[str, Any] = {}
    for name, limit in _TEXT_LIMITS.items():
        value = raw.get(name)
        if value is None:
            continue
        if not isinstance(value, str) or len(value) > limit:
            raise BatchError(f"{path}.{name}", f"must be text of at most {limit} characters")
        values[name] = value
    for name in _ID_FIELDS:
        value = raw.get(name)
        if value is None:
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not _ID.match(value):
            raise BatchError(f"{path}.{name}", "must be a platform id")
        values[name] = value
    for name, (low, high) in _INT_FIELDS.items():
        value = raw.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise BatchError(f"{path}.{name}", f"must be a whole number from {low} to {high}")
        values[name] = value
    for name, (low, high) in _NUMBER_FIELDS.items():
        value = raw.get(name)
        if value is None:
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not low <= value <= high
        ):
            raise BatchError(f"{path}.{name}", f"must be a number from {low} to {high}")
        values[name] = float(value)
    result_ids = raw.get("result_ids")
    if result_ids is not None:
        if not isinstance(result_ids, list) or len(result_ids) > MAX_RESULT_IDS:
            raise BatchError(
                f"{path}.result_ids", f"must be a list of at most {MAX_RESULT_IDS} ids"
            )
        ids = tuple(
            str(v) for v in result_ids if isinstance(v, str | int) and not isinstance(v, bool)
        )
        if len(ids) != len(result_ids) or not all(_ID.match(v) for v in ids):
            raise BatchError(f"{path}.result_ids", "must hold platform ids only")
        values["result_ids"] = ids
    _require_fields(event_type, values, path)
    return EventIn(event_id=event_id, type=event_type, ts=seconds, **values)


_REQUIRED = {
    "product_view": ("product_id",),
    "add_to_cart": ("product_id",),
    "remove_from_cart": ("product_id",),
    "collection_view": ("collection_id",),
    "search": ("query",),
    "impression": ("placement",),
    # A click without a product is a campaign's call to action: see BatchIn.productless_clicks.
    "click": ("placement",),
}


def _require_fields(event_type: str, values: dict[str, Any], path: str) -> None:
    for name in _REQUIRED.get(event_type, ()):
        if name not in values:
            raise BatchError(f"{path}.{name}", f"is required for {event_type} events")
