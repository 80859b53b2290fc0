"""What the WooCommerce integration keeps of its own.

- `WooStore`: the connected store beyond the Shop row (its URL, how its REST API is reached,
  the per-store webhook path, the incremental-sync watermarks). Secrets (consumer key/secret or
  application password, our webhook secret, the plugin's secret) live in `Shop.credentials`,
  encrypted, and only once verified.
- `ConnectAttempt`: one run of the connect flow, bound to the opaque `user_id` we hand to
  `wc-auth`; it holds the keys the store posted (encrypted) until they are verified.
- `WebhookSubscription`, `WebhookDelivery`: what we registered, and each delivery received
  (unique per shop, delivery id and body digest: see `webhooks.py` for why the digest).
- `Tombstone`: a trashed or deleted resource, so a late delivery cannot bring it back.
- `SyncRun`: one sync with the progress the admin shows (same field names as Shopify's).
- `Review`: product reviews, kept raw for the UGC work to come.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone

from integrations.syncruns import SyncRunBase
from integrations.syncruns import SyncStatus as SyncStatus
from shopapp.languages.text import lazy_text as _lazy
from shopapp.shops.fields import EncryptedJSONField, EncryptedTextField
from shopapp.shops.models import Shop, ShopOwned


def new_webhook_token() -> str:
    return secrets.token_urlsafe(18)


class AuthMethod(models.TextChoices):
    WC_KEYS = "wc_keys", _lazy("WooCommerce REST API keys (wc-auth)")
    APP_PASSWORD = "app_password", _lazy("WordPress application password")


class WooStore(ShopOwned):
    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="+")
    store_url = models.URLField(max_length=512, help_text="home URL, https, no trailing slash")
    # Plain-permalink sites have no /wp-json/: their REST API answers at /?rest_route=/...
    has_pretty_permalinks = models.BooleanField(default=True)
    auth_method = models.CharField(
        max_length=16, choices=AuthMethod.choices, default=AuthMethod.WC_KEYS
    )
    # The host terminates TLS in front of WordPress without telling it (is_ssl() is false), so
    # WooCommerce ignores Basic auth: we sign with OAuth 1.0a as if the URL were http://.
    signs_with_oauth = models.BooleanField(default=False)
    webhook_token = models.CharField(max_length=32, unique=True, default=new_webhook_token)
    connected_at = models.DateTimeField(null=True, blank=True)
    webhooks_checked_at = models.DateTimeField(null=True, blank=True)
    # Incremental sync: the store's own clock (its Date header) when the last pass started.
    products_synced_to = models.DateTimeField(null=True, blank=True)
    orders_synced_to = models.DateTimeField(null=True, blank=True)
    reviews_synced_to = models.DateTimeField(null=True, blank=True)
    swept_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.store_url


class AttemptStatus(models.TextChoices):
    STARTED = "started", _lazy("Sent to the store")
    KEYS_RECEIVED = "keys_received", _lazy("Keys received, not yet verified")
    CONNECTED = "connected", _lazy("Connected")
    DENIED = "denied", _lazy("Denied by the merchant")
    FAILED = "failed", _lazy("Failed")


class ConnectAttempt(ShopOwned):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+", db_index=False)
    method = models.CharField(max_length=16, choices=AuthMethod.choices)
    store_url = models.URLField(max_length=512)
    has_pretty_permalinks = models.BooleanField(default=True)
    # The random half of the signed user_id: the signature binds it to this row.
    nonce = models.CharField(max_length=64)
    status = models.CharField(
        max_length=16, choices=AttemptStatus.choices, default=AttemptStatus.STARTED
    )
    # What the merchant is told: plain words, never a stack trace.
    message = models.TextField(blank=True)
    key_id = models.BigIntegerField(null=True, blank=True)
    # The keys the store posted, until verification moves them to Shop.credentials.
    credentials = EncryptedJSONField(blank=True, default=dict)
    # Where the WordPress plugin wants the merchant back, and the state it will check.
    plugin_return_url = models.URLField(max_length=1024, blank=True)
    plugin_state = models.CharField(max_length=64, blank=True)
    # A one-time code the plugin exchanges (server to server) for its settings.
    claim_code_hash = models.CharField(max_length=64, blank=True)
    claim_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["status", "updated_at"], name="woo_attempt_status")]

    def __str__(self) -> str:
        return f"{self.store_url} ({self.status})"


class WebhookSubscription(ShopOwned):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+", db_index=False)
    topic = models.CharField(max_length=64)
    woo_id = models.BigIntegerField()
    status = models.CharField(max_length=16, default="active", help_text="as the store last said")
    delivery_url = models.URLField(max_length=1024)
    created_at = models.DateTimeField(default=timezone.now)
    checked_at = models.DateTimeField(null=True, blank=True)
    reenabled_count = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop", "topic"], name="woo_subscription_unique")
        ]

    def __str__(self) -> str:
        return f"{self.topic} #{self.woo_id} ({self.status})"


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", _lazy("Received")
    PROCESSED = "processed", _lazy("Processed")
    IGNORED = "ignored", _lazy("Ignored")
    FAILED = "failed", _lazy("Failed")


class WebhookDelivery(ShopOwned):
    """One verified delivery, recorded before it is answered; a redelivery stops at the
    constraint. The payload is encrypted and dropped once processed."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+", db_index=False)
    delivery_id = models.CharField(max_length=64, help_text="X-WC-Webhook-Delivery-ID")
    body_digest = models.CharField(max_length=64, help_text="sha256 of the raw body")
    webhook_id = models.CharField(max_length=32, blank=True, help_text="X-WC-Webhook-ID")
    topic = models.CharField(max_length=64)
    resource_id = models.CharField(max_length=64, blank=True)
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
            models.UniqueConstraint(
                fields=["shop", "delivery_id", "body_digest"], name="woo_delivery_unique"
            )
        ]
        indexes = [models.Index(fields=["shop", "status"], name="woo_delivery_status")]

    def __str__(self) -> str:
        return f"{self.topic} {self.delivery_id} ({self.status})"


class TombstoneKind(models.TextChoices):
    PRODUCT = "product", _lazy("Product")
    CUSTOMER = "customer", _lazy("Customer")
    ORDER = "order", _lazy("Order")


class Tombstone(ShopOwned):
    """A resource we know to be gone. `modified_at` is the store's `date_modified_gmt` when it
    went to the trash: only a state modified later (a restore) brings it back. Null means
    deleted for good (WordPress never reuses ids)."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=12, choices=TombstoneKind.choices)
    platform_id = models.CharField(max_length=64)
    modified_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "kind", "platform_id"], name="woo_tombstone_unique"
            )
        ]


class SyncKind(models.TextChoices):
    FULL = "full", _lazy("Full")
    INCREMENTAL = "incremental", _lazy("Incremental (modified since)")
    SWEEP = "sweep", _lazy("Id sweep (deletes and gaps)")


class SyncPhase(models.TextChoices):
    QUEUED = "queued", _lazy("Queued")
    COLLECTIONS = "collections", _lazy("Categories")
    PRODUCTS = "products", _lazy("Products")
    CUSTOMERS = "customers", _lazy("Customers")
    ORDERS = "orders", _lazy("Orders")
    REVIEWS = "reviews", _lazy("Reviews")
    SWEEP = "sweep", _lazy("Checking for deletes")
    DONE = "done", _lazy("Done")


class SyncRun(SyncRunBase):
    """One sync of a store. Field names match the Shopify integration's SyncRun (both build on
    `SyncRunBase`), so the admin can show either the same way."""

    kind = models.CharField(max_length=12, choices=SyncKind.choices, default=SyncKind.FULL)
    phase = models.CharField(max_length=12, choices=SyncPhase.choices, default=SyncPhase.QUEUED)
    # The next page of the current phase: a resumed run starts there.
    next_page = models.PositiveIntegerField(default=1)
    # What each phase wrote: {"products": 5000, "variations": 3100, ...}
    counts = models.JSONField(default=dict, blank=True)
    # State a resumed phase needs: category → product ids seen by the products phase.
    scratch = models.JSONField(default=dict, blank=True)
    # The store's clock (Date header) when the run started: the next incremental starts there.
    store_started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop"], condition=Q(status="running"), name="woo_syncrun_one_running"
            )
        ]
        indexes = [models.Index(fields=["shop", "-started_at"], name="woo_syncrun_recent")]


class Review(ShopOwned):
    """A product review as the store returned it (approved ones), for user-generated content.
    The reviewer's name, email and the raw payload (avatar URLs hash the email) are encrypted;
    `email_hash` finds them for a privacy request."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+", db_index=False)
    platform_id = models.CharField(max_length=64)
    product_platform_id = models.CharField(max_length=64)
    status = models.CharField(max_length=16, default="approved")
    rating = models.PositiveSmallIntegerField(default=0)
    is_verified = models.BooleanField(default=False)
    reviewer_name = EncryptedTextField(blank=True)
    email_hash = models.CharField(max_length=64, blank=True, db_index=True)
    body = models.TextField(blank=True)
    platform_created_at = models.DateTimeField(null=True, blank=True)
    raw = EncryptedJSONField(blank=True, default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop", "platform_id"], name="woo_review_unique")
        ]
        indexes = [models.Index(fields=["shop", "product_platform_id"], name="woo_review_product")]
