"""The audit trail of privacy requests: what was asked, when, and when it was done."""

from __future__ import annotations

from django.db import models

from shopapp.shops.models import Shop


class PrivacyAction(models.TextChoices):
    EXPORT = "export", "Customer data export"
    ERASE = "erase", "Customer erasure"
    SHOP_ERASE = "shop_erase", "Shop erasure"


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
