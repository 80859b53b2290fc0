"""Per-segment product feeds, served at a secret URL that the merchant can revoke."""

from __future__ import annotations

import secrets

from django.db import models

from personalization.segments.models import Segment
from shopapp.shops.models import ShopOwned


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class ProductFeed(ShopOwned):
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="+")
    # The secret in the URL: long, random, unique; revoking clears is_active, regenerating the
    # token gives a new URL.
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    is_active = models.BooleanField(default=True)
    size = models.PositiveSmallIntegerField(default=50)
    # The generated rows (Google Merchant attribute -> value), rebuilt on a schedule.
    rows = models.JSONField(default=list, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop", "segment"], name="productfeed_unique_segment")
        ]
