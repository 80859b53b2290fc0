"""The admin's own per-shop settings: what the merchant chose on the privacy page.

Consent mode and retention are stored here until the privacy domain enforces them; moving the
table to `personalization/privacy` then is a plain model move (the admin layer may import the
domain, never the reverse).
"""

from __future__ import annotations

from django.db import models

from shopapp.shops.models import ShopOwned


class ConsentMode(models.TextChoices):
    # Nothing stored and no visitor id until the shopper agrees (GDPR-style opt-in). The default.
    OPT_IN = "opt_in", "Ask first (opt-in)"
    # Follow the platform's signal (Shopify's Customer Privacy API, a WordPress consent plugin).
    PLATFORM = "platform", "Follow the store's consent banner"
    # Store unless the shopper declines (opt-out regions only).
    OPT_OUT = "opt_out", "Unless declined (opt-out)"


EVENT_RETENTION_DAYS = (30, 90, 180, 365, 730)
PROFILE_RETENTION_DAYS = (30, 90, 180, 365)


class PrivacySettings(ShopOwned):
    consent_mode = models.CharField(
        max_length=10, choices=ConsentMode.choices, default=ConsentMode.OPT_IN
    )
    # Storefront events older than this are deleted; orders stay (they are the store's records).
    event_retention_days = models.PositiveSmallIntegerField(default=365)
    # Anonymous visitors' profiles unseen for this long are deleted.
    anonymous_profile_retention_days = models.PositiveSmallIntegerField(default=90)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop"], name="adminui_privacysettings_one_per_shop")
        ]

    def __str__(self) -> str:
        return f"privacy settings of shop {self.shop_id}"
