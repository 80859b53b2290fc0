"""One live profile per person: a customer, or an anonymous visitor until they are identified."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from shopapp.catalog.models import Customer
from shopapp.languages.text import lazy_text as _lazy
from shopapp.shops.models import Shop, ShopOwned


class Lifecycle(models.TextChoices):
    NEW_VISITOR = "new_visitor", _lazy("New visitor")
    RETURNING_VISITOR = "returning_visitor", _lazy("Returning visitor")
    FIRST_TIME_CUSTOMER = "first_time_customer", _lazy("First-time customer")
    REPEAT_CUSTOMER = "repeat_customer", _lazy("Repeat customer")
    LAPSED = "lapsed", _lazy("Lapsed")
    VIP = "vip", _lazy("VIP")


class Profile(ShopOwned):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+", db_index=False)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="profiles"
    )
    visitor = models.ForeignKey(
        "events.Visitor", null=True, blank=True, on_delete=models.CASCADE, related_name="profiles"
    )
    lifecycle = models.CharField(
        max_length=20, choices=Lifecycle.choices, default=Lifecycle.NEW_VISITOR
    )
    is_vip = models.BooleanField(default=False)
    orders_count = models.PositiveIntegerField(default=0)
    monetary = models.FloatField(default=0.0)
    first_order_at = models.DateTimeField(null=True, blank=True)
    last_order_at = models.DateTimeField(null=True, blank=True)
    rfm_r = models.PositiveSmallIntegerField(default=0)
    rfm_f = models.PositiveSmallIntegerField(default=0)
    rfm_m = models.PositiveSmallIntegerField(default=0)
    rfm_class = models.CharField(max_length=24, blank=True)
    sessions_count = models.PositiveIntegerField(default=0)
    first_seen_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    traffic_source = models.CharField(max_length=8, blank=True)
    device = models.CharField(max_length=8, blank=True)
    country = models.CharField(max_length=64, blank=True)
    # {"category" | "brand" | "price_band": {"as_of": epoch seconds, "raw": {name: decayed total}}}
    affinities = models.JSONField(default=dict, blank=True)
    recently_viewed = models.JSONField(
        default=list, blank=True, help_text="product pks, newest first"
    )
    # {"items": {product pk: quantity}, "value": float, "at": epoch seconds}
    cart = models.JSONField(default=dict, blank=True)
    # {event type: [epoch seconds, newest last]}, bounded: what event-window rules read.
    recent_events = models.JSONField(default=dict, blank=True)
    has_consent = models.BooleanField(default=False)
    propensity = models.FloatField(null=True, blank=True)
    churn_risk = models.FloatField(null=True, blank=True)
    cluster_key = models.CharField(max_length=32, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "customer"],
                condition=Q(customer__isnull=False),
                name="profile_unique_customer",
            ),
            models.UniqueConstraint(
                fields=["shop", "visitor"],
                condition=Q(visitor__isnull=False),
                name="profile_unique_visitor",
            ),
            models.CheckConstraint(
                condition=Q(customer__isnull=False) | Q(visitor__isnull=False),
                name="profile_has_a_person",
            ),
        ]
        indexes = [models.Index(fields=["shop", "lifecycle"], name="profile_shop_lifecycle")]


class ScoreModel(ShopOwned):
    """A trained per-shop model (propensity, churn risk) with its held-out report."""

    kind = models.CharField(max_length=24)
    version = models.PositiveIntegerField()
    params = models.JSONField()
    report = models.JSONField(default=dict)
    trained_at = models.DateTimeField()
    is_current = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "kind", "version"], name="scoremodel_unique_version"
            )
        ]


class ProfileSettings(models.Model):
    """Per-shop knobs for profiles, and what the nightly recompute learned for the live path."""

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="profile_settings")
    # Overrides of engine.lifecycle.LifecycleThresholds, e.g. {"lapsed_after_days": 90}.
    lifecycle_overrides = models.JSONField(default=dict, blank=True)
    # The monetary bar for VIP found by the last recompute (top share of repeat customers).
    vip_bar = models.FloatField(null=True, blank=True)
    recomputed_at = models.DateTimeField(null=True, blank=True)
    last_report = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"profile settings of shop {self.shop_id}"
