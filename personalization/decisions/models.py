from __future__ import annotations

from django.db import models

from shopapp.shops.models import ShopOwned


class PlacementConfig(ShopOwned):
    """The merchant's settings for one placement (a slot name, or "navigation", "search").

    `rules`: {"pinned": [platform ids], "boosted": [...], "buried": [...], "excluded": [...],
    "max_per_category": n, "exclude_purchased": bool}; product ids are platform ids.
    """

    placement = models.CharField(max_length=64)
    is_enabled = models.BooleanField(default=True)
    strategy = models.CharField(max_length=32, blank=True)
    title = models.CharField(max_length=120, blank=True)
    rules = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop", "placement"], name="placement_unique")
        ]

    def __str__(self) -> str:
        return f"{self.placement} ({'on' if self.is_enabled else 'off'})"
