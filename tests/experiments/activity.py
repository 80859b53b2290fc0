"""Stored storefront activity for the experiments' tests, written in bulk."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from personalization.events.models import Event, Session, Visitor
from shopapp.shops.models import Shop


class Activity:
    """Collects visitors and their events, then writes them in three bulk inserts."""

    def __init__(self, shop: Shop) -> None:
        self.shop = shop
        self.events: list[tuple[str, str, datetime, dict[str, Any]]] = []
        self.first_seen: dict[str, datetime] = {}

    def add(self, visitor_key: str, kind: str, at: datetime, **fields: Any) -> None:
        self.first_seen[visitor_key] = min(at, self.first_seen.get(visitor_key, at))
        self.events.append((visitor_key, kind, at, fields))

    def save(self) -> None:
        visitors = Visitor.objects.bulk_create(
            Visitor(shop=self.shop, visitor_key=key, first_seen_at=at, last_event_at=at)
            for key, at in self.first_seen.items()
        )
        by_key = {
            v.visitor_key: v
            for v in Visitor.objects.filter(
                shop=self.shop, visitor_key__in=[v.visitor_key for v in visitors]
            )
        }
        sessions = {
            key: Session(
                shop=self.shop,
                visitor=visitor,
                started_at=self.first_seen[key],
                last_event_at=self.first_seen[key],
            )
            for key, visitor in by_key.items()
        }
        Session.objects.bulk_create(sessions.values())
        start = Event.objects.count()
        Event.objects.bulk_create(
            Event(
                shop=self.shop,
                event_id=f"ev-{self.shop.pk}-{start + i:08d}",
                type=kind,
                visitor=by_key[key],
                session=sessions[key],
                occurred_at=at,
                received_at=at,
                **fields,
            )
            for i, (key, kind, at, fields) in enumerate(self.events)
        )
