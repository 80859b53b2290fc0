"""Privacy per shop: the merchant's consent mode and retention, and the audit trail of privacy
requests (what was asked, when, and when it was done)."""

from __future__ import annotations

from django.db import models

from shopapp.shops.models import Shop, ShopOwned


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
    """What the merchant chose on the privacy page; enforced by the events API (consent) and the
    nightly retention task. A shop without a row has the defaults."""

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
            models.UniqueConstraint(fields=["shop"], name="privacy_settings_one_per_shop")
        ]

    def __str__(self) -> str:
        return f"privacy settings of shop {self.shop_id}"


class PrivacyAction(models.TextChoices):
    EXPORT = "export", "Customer data export"
    ERASE = "erase", "Customer erasure"
    SHOP_ERASE = "shop_erase", "Shop erasure"
    RETENTION = "retention", "Retention clean-up"
    SETTINGS = "settings", "Privacy settings changed"


class PrivacyStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class PrivacyRequest(models.Model):
    """Kept after the data is gone (so no cascade from Shop): it proves the request was honoured.

    It names the subject only by a keyed hash, never by email or name."""

    shop_id_ref = models.BigIntegerField(help_text="the shop's id, kept after the shop is erased")
    shop_domain = models.CharField(max_length=255)
    action = models.CharField(max_length=16, choices=PrivacyAction.choices)
    subject_hash = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=32, help_text="shopify webhook, woocommerce, admin…")
    source_request_id = models.CharField(max_length=128, blank=True)
    status = models.CharField(
        max_length=8, choices=PrivacyStatus.choices, default=PrivacyStatus.PENDING
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Row counts per table for erasures; the export itself for exports (downloadable by the admin).
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["shop_id_ref", "-requested_at"], name="privacy_shop_recent")
        ]

    def __str__(self) -> str:
        return f"{self.action} for {self.shop_domain} ({self.status})"

    def shop(self) -> Shop | None:
        return Shop.objects.filter(pk=self.shop_id_ref).first()
