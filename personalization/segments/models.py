from __future__ import annotations

from django.db import models

from shopapp.languages.text import lazy_text as _lazy
from shopapp.shops.models import ShopOwned


class SegmentKind(models.TextChoices):
    BUILTIN = "builtin", _lazy("Built-in")
    RULE = "rule", _lazy("Rule")
    CLUSTER = "cluster", _lazy("Cluster (learned from behaviour)")


class Segment(ShopOwned):
    key = models.SlugField(max_length=64)
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=8, choices=SegmentKind.choices, default=SegmentKind.RULE)
    # The rule (engine.segment_rules AST) for built-in and rule segments; empty for clusters.
    rule = models.JSONField(default=dict, blank=True)
    cluster_key = models.CharField(max_length=32, blank=True)
    is_active = models.BooleanField(default=True)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "key"], name="segment_unique_key")]

    def __str__(self) -> str:
        return self.name


class SegmentMembership(ShopOwned):
    """Batch evaluation's result: who was in the segment at the last refresh."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="memberships")
    profile = models.ForeignKey(
        "profiles.Profile", on_delete=models.CASCADE, related_name="memberships"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop", "segment", "profile"], name="membership_unique")
        ]


class SegmentSize(ShopOwned):
    """Segment sizes over time, for the admin's trend lines."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="sizes")
    taken_at = models.DateTimeField()
    size = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["segment", "taken_at"], name="segmentsize_trend")]
