"""Visitors, their sessions, and the events they produced (stored only with consent)."""

from __future__ import annotations

from django.db import models

from shopapp.catalog.models import Customer, Product
from shopapp.languages.text import lazy_text as _lazy
from shopapp.shops.models import Shop, ShopOwned


class DeviceClass(models.TextChoices):
    DESKTOP = "desktop", _lazy("Desktop")
    MOBILE = "mobile", _lazy("Mobile")
    TABLET = "tablet", _lazy("Tablet")
    BOT = "bot", _lazy("Bot")
    UNKNOWN = "unknown", _lazy("Unknown")


class TrafficSource(models.TextChoices):
    DIRECT = "direct", _lazy("Direct")
    SEARCH = "search", _lazy("Search")
    SOCIAL = "social", _lazy("Social")
    EMAIL = "email", _lazy("Email")
    PAID = "paid", _lazy("Paid")
    REFERRAL = "referral", _lazy("Referral")
    INTERNAL = "internal", _lazy("Internal")


class Visitor(ShopOwned):
    """A browser that consented to a first-party anonymous id; stitched to a customer on login."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+", db_index=False)
    visitor_key = models.CharField(max_length=64)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="visitors"
    )
    first_seen_at = models.DateTimeField()
    last_event_at = models.DateTimeField()
    device = models.CharField(
        max_length=8, choices=DeviceClass.choices, default=DeviceClass.UNKNOWN
    )
    session_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop", "visitor_key"], name="visitor_unique_key")
        ]


class Session(ShopOwned):
    """Consecutive events of one visitor with no gap over 30 minutes."""

    visitor = models.ForeignKey(Visitor, on_delete=models.CASCADE, related_name="sessions")
    started_at = models.DateTimeField()
    last_event_at = models.DateTimeField()
    traffic_source = models.CharField(
        max_length=8, choices=TrafficSource.choices, default=TrafficSource.DIRECT
    )
    # The network or engine behind the source: "facebook", "google", "newsletter"...
    source_detail = models.CharField(max_length=64, blank=True)
    utm_campaign = models.CharField(max_length=200, blank=True)
    landing_url = models.CharField(max_length=2048, blank=True)
    device = models.CharField(
        max_length=8, choices=DeviceClass.choices, default=DeviceClass.UNKNOWN
    )
    event_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["visitor", "started_at"], name="session_visitor_started")]


class Event(ShopOwned):
    # Unique (shop, event_id) leads with shop: no separate shop index on the busiest table.
    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    event_id = models.CharField(max_length=64, help_text="client-made id; the dedupe key")
    type = models.CharField(max_length=20)
    visitor = models.ForeignKey(Visitor, on_delete=models.CASCADE, related_name="events")
    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,
        db_constraint=False,
    )
    customer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        db_index=False,
        db_constraint=False,
    )
    product = models.ForeignKey(
        Product,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        db_index=False,
        db_constraint=False,
    )
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField()
    placement = models.CharField(max_length=64, blank=True)
    model_version = models.CharField(max_length=64, blank=True)
    # The rest of the validated event (query, result ids, quantity, price, url...).
    data = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "event_id"], name="event_unique_id")]
        indexes = [models.Index(fields=["shop", "occurred_at"], name="event_shop_time")]


class BufferedBatch(ShopOwned):
    """The database buffer, used when no Redis stream is configured: accepted, not yet persisted."""

    payload = models.JSONField()
    received_at = models.DateTimeField()
