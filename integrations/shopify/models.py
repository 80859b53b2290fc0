"""What the Shopify integration keeps of its own: webhook deliveries, sync runs, tombstones and
the compliance (privacy) webhooks it has honoured."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from integrations.syncruns import SyncRunBase
from integrations.syncruns import SyncStatus as SyncStatus
from shopapp.languages.text import lazy_text as _lazy
from shopapp.shops.fields import EncryptedJSONField
from shopapp.shops.models import Shop, ShopOwned


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", _lazy("Received")
    PROCESSED = "processed", _lazy("Processed")
    IGNORED = "ignored", _lazy("Ignored")
    FAILED = "failed", _lazy("Failed")


class WebhookDelivery(ShopOwned):
    """One webhook delivery, recorded before it is answered; a redelivery stops at the constraint.

    The payload is encrypted (orders and customers carry personal data) and dropped once processed:
    what stays is the fact of the delivery, enough to dedupe and to audit.
    """

    # The unique constraint leads with shop and serves every shop-scoped scan.
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+", db_index=False)
    webhook_id = models.CharField(max_length=64, help_text="X-Shopify-Webhook-Id: per delivery")
    event_id = models.CharField(
        max_length=64, blank=True, help_text="X-Shopify-Event-Id: per merchant action"
    )
    topic = models.CharField(max_length=64)
    api_version = models.CharField(max_length=16, blank=True)
    triggered_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    payload = EncryptedJSONField(blank=True, default=dict)
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.RECEIVED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop", "webhook_id"], name="shopify_delivery_unique")
        ]
        indexes = [models.Index(fields=["shop", "status"], name="shopify_delivery_status")]

    def __str__(self) -> str:
        return f"{self.topic} {self.webhook_id} ({self.status})"


class TombstoneKind(models.TextChoices):
    PRODUCT = "product", _lazy("Product")
    COLLECTION = "collection", _lazy("Collection")
    CUSTOMER = "customer", _lazy("Customer")
    ORDER = "order", _lazy("Order")


class Tombstone(ShopOwned):
    """A delete webhook that arrived before the row it deletes (deliveries are reordered):
    Shopify never reuses ids, so a later create or update for it must not bring it to life."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=12, choices=TombstoneKind.choices)
    platform_id = models.CharField(max_length=64)
    deleted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "kind", "platform_id"], name="shopify_tombstone_unique"
            )
        ]


class SyncKind(models.TextChoices):
    FULL = "full", _lazy("Full (bulk operations)")
    INCREMENTAL = "incremental", _lazy("Incremental (changed since)")


class SyncPhase(models.TextChoices):
    QUEUED = "queued", _lazy("Queued")
    PRODUCTS = "products", _lazy("Products")
    COLLECTIONS = "collections", _lazy("Collections")
    CUSTOMERS = "customers", _lazy("Customers")
    ORDERS = "orders", _lazy("Orders")
    DONE = "done", _lazy("Done")


class SyncRun(SyncRunBase):
    """One sync of a shop, with the progress the admin shows and what a resume needs."""

    kind = models.CharField(max_length=12, choices=SyncKind.choices, default=SyncKind.FULL)
    phase = models.CharField(max_length=12, choices=SyncPhase.choices, default=SyncPhase.QUEUED)
    # The current phase's bulk operation: a resumed run polls it instead of starting another.
    bulk_operation_id = models.CharField(max_length=128, blank=True)
    since = models.DateTimeField(null=True, blank=True, help_text="incremental: changes after")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop"],
                condition=Q(status="running"),
                name="shopify_syncrun_one_running",
            )
        ]
        indexes = [models.Index(fields=["shop", "-started_at"], name="shopify_syncrun_recent")]


class ComplianceTopic(models.TextChoices):
    DATA_REQUEST = "customers/data_request", _lazy("Customer data request")
    CUSTOMER_REDACT = "customers/redact", _lazy("Customer redaction")
    SHOP_REDACT = "shop/redact", _lazy("Shop redaction")


class ComplianceOutcome(models.TextChoices):
    PENDING = "pending", _lazy("Pending")
    EXPORTED = "exported", _lazy("Exported")
    ERASED = "erased", _lazy("Erased")
    NO_DATA = "no_data", _lazy("Nothing held")
    FAILED = "failed", _lazy("Failed")


class ComplianceRequest(models.Model):
    """A mandatory privacy webhook and what we did about it.

    Deliberately not ShopOwned: it must outlive the shop it names (shop/redact erases the shop, and
    this row is the proof). It names the customer only by a keyed hash; the payload (which holds
    the customer's email and phone) is encrypted and dropped once the request is done. The export
    itself lives on the privacy audit record it links to.
    """

    topic = models.CharField(max_length=32, choices=ComplianceTopic.choices)
    shop_domain = models.CharField(max_length=255)
    webhook_id = models.CharField(max_length=64)
    data_request_id = models.CharField(max_length=64, blank=True)
    subject_hash = models.CharField(max_length=64, blank=True)
    orders_count = models.PositiveIntegerField(default=0)
    payload = EncryptedJSONField(blank=True, default=dict)
    outcome = models.CharField(
        max_length=10, choices=ComplianceOutcome.choices, default=ComplianceOutcome.PENDING
    )
    privacy_request = models.ForeignKey(
        "privacy.PrivacyRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop_domain", "webhook_id"], name="shopify_compliance_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic} for {self.shop_domain} ({self.outcome})"
