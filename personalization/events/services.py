"""Writes for events: accept a validated batch into the buffer, persist buffered batches.

Accepting is the hot path of every storefront page, so it does no database work beyond what the
caller already did; persisting happens in Celery, in batches, inside one transaction per claim.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from personalization.events import identity
from personalization.events.buffer import BufferedEntry, EventBuffer, event_buffer
from personalization.events.counters import window_key
from personalization.events.models import Event, Session, Visitor
from personalization.events.products import product_pks
from personalization.events.schema import BatchIn
from personalization.events.tokens import customer_token_read
from personalization.privacy.selectors import events_may_store
from shopapp.catalog.bulk import bulk_append
from shopapp.catalog.models import Customer, Order
from shopapp.shops.models import Shop

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AcceptOutcome:
    queued: int
    rate_limited: bool = False
    drain_due: bool = False


def batch_accept(
    *,
    shop: Shop,
    batch: BatchIn,
    user_agent: str,
    buffer: EventBuffer | None = None,
    now: float | None = None,
) -> AcceptOutcome:
    """Queue a valid batch for persistence, within the visitor's and the shop's rate limits.

    Without consent nothing is queued: no identity, no stored events (the storefront keeps its
    session-only personalization in the browser). A batch that states no consent either way is
    stored only under the shop's opt-out consent mode.
    """
    consent = True if batch.has_consent else (None if batch.consent_unstated else False)
    if not events_may_store(shop_id=shop.pk, consent=consent):
        return AcceptOutcome(queued=0)
    now = time.time() if now is None else now
    payload = {
        "v": batch.visitor_id,
        "d": identity.device_class(user_agent),
        "c": batch.context,
        "r": now,
        "e": [event.as_json() for event in batch.events],
    }
    limits = settings.EVENTS_RATE_LIMITS
    pushed, first = (buffer or event_buffer()).push_within_limits(
        shop.pk,
        payload,
        [
            (
                window_key(f"v:{shop.pk}:{batch.visitor_id}", 60, now),
                120,
                limits["visitor_batches_per_minute"],
            ),
            (window_key(f"s:{shop.pk}", 10, now), 20, limits["shop_batches_per_10s"]),
        ],
        drain_key=f"pz:drain:{int(now)}",
    )
    if not pushed:
        return AcceptOutcome(queued=0, rate_limited=True)
    return AcceptOutcome(queued=len(batch.events), drain_due=first)


@dataclass
class PersistStats:
    batches: int = 0
    stored: int = 0
    duplicates: int = 0
    visitors_touched: set[int] = field(default_factory=set)


def _ts(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def buffer_drain_once(*, buffer: EventBuffer | None = None, max_batches: int = 500) -> PersistStats:
    """Claim up to `max_batches` buffered batches and persist them in one transaction."""
    buffer = buffer or event_buffer()
    with transaction.atomic(), buffer.claim(max_batches) as entries:
        return batches_persist(entries=entries)


def batches_persist(*, entries: Sequence[BufferedEntry]) -> PersistStats:
    stats = PersistStats(batches=len(entries))
    by_shop: dict[int, list[BufferedEntry]] = defaultdict(list)
    for entry in entries:
        by_shop[entry.shop_id].append(entry)
    for shop_id, shop_entries in by_shop.items():
        shop = Shop.objects.filter(pk=shop_id).first()
        if shop is None:
            continue  # the shop was erased while its events waited: drop them
        _persist_shop(shop, shop_entries, stats)
    return stats


@dataclass
class _Incoming:
    visitor_key: str
    device: str
    context: dict[str, str]
    customer_platform_id: str | None
    event: dict[str, Any]
    received_at: float


def _persist_shop(shop: Shop, entries: list[BufferedEntry], stats: PersistStats) -> None:
    incoming: list[_Incoming] = []
    for entry in entries:
        payload = entry.payload
        token = payload["c"].get("customer_token")
        customer_id = customer_token_read(shop_id=shop.pk, token=token) if token else None
        for event in payload["e"]:
            incoming.append(
                _Incoming(
                    payload["v"], payload["d"], payload["c"], customer_id, event, payload["r"]
                )
            )
    existing = set(
        Event.objects.filter(
            shop=shop, event_id__in=[i.event["event_id"] for i in incoming]
        ).values_list("event_id", flat=True)
    )
    fresh: list[_Incoming] = []
    seen: set[str] = set()
    for item in incoming:
        event_id = item.event["event_id"]
        if event_id in existing or event_id in seen:
            stats.duplicates += 1
            continue
        seen.add(event_id)
        fresh.append(item)
    if not fresh:
        return
    fresh.sort(key=lambda i: i.event["ts"])

    visitors = _visitors_for(shop, fresh)
    customers = _customers_for(shop, fresh)
    order_customers = _order_customers_for(shop, fresh)
    products = product_pks(
        shop.pk, {i.event["product_id"] for i in fresh if "product_id" in i.event}
    )
    shop_hosts = (shop.domain,)
    sessions = _open_sessions(shop, visitors.values(), min(i.event["ts"] for i in fresh))

    rows = []
    touched_sessions: dict[int, Session] = {}
    for item in fresh:
        visitor = visitors[item.visitor_key]
        ts = item.event["ts"]
        if item.customer_platform_id and item.customer_platform_id in customers:
            visitor.customer_id = customers[item.customer_platform_id]
        elif not visitor.customer_id and item.event.get("order_id") in order_customers:
            # A purchase names its order; once the order has synced, its customer is this visitor.
            visitor.customer_id = order_customers[item.event["order_id"]]
        session = sessions.get(visitor.pk)
        if session is None or identity.is_new_session(session.last_event_at.timestamp(), ts):
            source, detail = identity.traffic_source(
                url=item.context.get("url", ""),
                referrer=item.context.get("referrer", ""),
                shop_hosts=shop_hosts,
                utm={k: v for k, v in item.context.items() if k.startswith("utm_")},
            )
            session = Session.objects.create(
                shop=shop,
                visitor=visitor,
                started_at=_ts(ts),
                last_event_at=_ts(ts),
                traffic_source=source,
                source_detail=detail[:64],
                utm_campaign=item.context.get("utm_campaign", "")[:200],
                landing_url=item.context.get("url", "")[:2048],
                device=item.device,
            )
            sessions[visitor.pk] = session
            visitor.session_count += 1
        session.event_count += 1
        if ts > session.last_event_at.timestamp():
            session.last_event_at = _ts(ts)
        touched_sessions[session.pk] = session
        if ts > visitor.last_event_at.timestamp():
            visitor.last_event_at = _ts(ts)
        event = item.event
        data = {k: v for k, v in event.items() if k not in _COLUMNS}
        rows.append(
            (
                shop.pk,
                event["event_id"],
                event["type"],
                visitor.pk,
                session.pk,
                visitor.customer_id,
                products.get(event.get("product_id", "")),
                _ts(ts),
                _ts(item.received_at),
                event.get("placement", ""),
                event.get("model_version", ""),
                data,
            )
        )
    try:
        with transaction.atomic():
            bulk_append(Event, EVENT_COLUMNS, rows)
    except IntegrityError:
        # Another worker stored some of these meanwhile (a re-claim race): skip what exists.
        Event.objects.bulk_create([_event_from_row(row) for row in rows], ignore_conflicts=True)
    Session.objects.bulk_update(touched_sessions.values(), ["event_count", "last_event_at"])
    Visitor.objects.bulk_update(
        visitors.values(), ["last_event_at", "session_count", "customer_id"]
    )
    stats.stored += len(rows)
    stats.visitors_touched.update(v.pk for v in visitors.values())
    _after_persist(shop, visitors.values(), fresh)


_COLUMNS = frozenset({"event_id", "type", "ts", "placement", "model_version"})
EVENT_COLUMNS = (
    "shop_id",
    "event_id",
    "type",
    "visitor_id",
    "session_id",
    "customer_id",
    "product_id",
    "occurred_at",
    "received_at",
    "placement",
    "model_version",
    "data",
)


def _event_from_row(row: tuple[Any, ...]) -> Event:
    return Event(**dict(zip(EVENT_COLUMNS, row, strict=True)))


def _visitors_for(shop: Shop, items: list[_Incoming]) -> dict[str, Visitor]:
    first_seen: dict[str, _Incoming] = {}
    for item in items:
        first_seen.setdefault(item.visitor_key, item)
    visitors = {
        v.visitor_key: v for v in Visitor.objects.filter(shop=shop, visitor_key__in=first_seen)
    }
    missing = [key for key in first_seen if key not in visitors]
    if missing:
        Visitor.objects.bulk_create(
            [
                Visitor(
                    shop=shop,
                    visitor_key=key,
                    device=first_seen[key].device,
                    first_seen_at=_ts(first_seen[key].event["ts"]),
                    last_event_at=_ts(first_seen[key].event["ts"]),
                )
                for key in missing
            ],
            ignore_conflicts=True,
        )
        visitors.update(
            {v.visitor_key: v for v in Visitor.objects.filter(shop=shop, visitor_key__in=missing)}
        )
    return visitors


def _customers_for(shop: Shop, items: list[_Incoming]) -> dict[str, int]:
    wanted = {i.customer_platform_id for i in items if i.customer_platform_id}
    if not wanted:
        return {}
    return dict(
        Customer.objects.filter(
            shop=shop, platform_id__in=wanted, deleted_at__isnull=True
        ).values_list("platform_id", "pk")
    )


def _order_customers_for(shop: Shop, items: list[_Incoming]) -> dict[str, int]:
    """Customer of each purchased order the mirror already has (order platform id -> pk)."""
    wanted = {
        str(i.event["order_id"])
        for i in items
        if i.event.get("type") == "purchase" and i.event.get("order_id")
    }
    if not wanted:
        return {}
    return dict(
        Order.objects.filter(shop=shop, platform_id__in=wanted, customer__isnull=False).values_list(
            "platform_id", "customer_id"
        )
    )


def _open_sessions(shop: Shop, visitors: Any, earliest: float) -> dict[int, Session]:
    """Each visitor's latest session that could still be open for these events."""
    since = _ts(earliest - identity.SESSION_GAP_SECONDS)
    latest: dict[int, Session] = {}
    for session in Session.objects.filter(
        shop=shop, visitor__in=[v.pk for v in visitors], last_event_at__gte=since
    ).order_by("started_at"):
        latest[session.visitor_id] = session
    return latest


def _after_persist(shop: Shop, visitors: Any, items: list[_Incoming]) -> None:
    """Hook for the profile layer: apply the new events to live profiles."""
    from personalization.profiles.services import profiles_apply_events

    profiles_apply_events(
        shop=shop,
        visitors=list(visitors),
        events=[(i.visitor_key, i.event) for i in items],
    )


def new_event_id() -> str:
    return str(uuid.uuid4())
