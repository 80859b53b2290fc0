"""User-generated content: reviews, customer photos and videos, social posts.

- `Content`: one piece of content from any source, with its creator's attribution, the rights
  the creator granted, the moderation status and the automatic flags. Media files live in the
  `ugc` storage (see `personalization/ugc/storage.py`); the row keeps their storage names.
- `ProductTag`: a product shown in a piece of content (shoppable galleries).
- `RemovalRequest`: a creator asked for their content to be taken down.
- `PhashBand`: a photo's perceptual hash cut into bands, indexed, so the duplicate check reads
  only the photos sharing a band instead of every photo of the shop.
- `ImportRun`: one background import (WooCommerce reviews), its progress and result.

Only `approved` content with `has_rights` is ever shown (`Content.objects.showable()`).
"""

from __future__ import annotations

from typing import Any, Self

from django.db import models
from django.db.models import Q
from django.utils import timezone

from shopapp.catalog.models import Customer, Product
from shopapp.shops.fields import EncryptedTextField
from shopapp.shops.models import Shop, ShopOwned, ShopOwnedQuerySet


class Kind(models.TextChoices):
    REVIEW = "review", "Review"
    PHOTO = "photo", "Photo"
    VIDEO = "video", "Video"
    SOCIAL = "social", "Social post"


class Source(models.TextChoices):
    UPLOAD = "upload", "Storefront upload"
    WOOCOMMERCE = "woocommerce", "WooCommerce review"
    JUDGEME = "judgeme", "Judge.me export"
    YOTPO = "yotpo", "Yotpo export"
    LOOX = "loox", "Loox export"
    REVIEWS_CSV = "reviews_csv", "Reviews CSV"
    SOCIAL_URL = "social_url", "Social post by URL"
    SOCIAL_CSV = "social_csv", "Social posts CSV"


class Status(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    REMOVED = "removed", "Removed at the creator's request"


class ContentQuerySet(ShopOwnedQuerySet):
    def showable(self) -> Self:
        return self.filter(status=Status.APPROVED, has_rights=True)


class ContentManager(models.Manager.from_queryset(ContentQuerySet)):  # type: ignore[misc]
    pass


class Content(ShopOwned):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    source = models.CharField(max_length=16, choices=Source.choices)
    # The source's own id (review id, post URL): re-importing updates instead of duplicating.
    external_id = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # The creator granted the shop the right to show it (storefront checkbox, or the source's
    # terms for platform reviews); never shown without it.
    has_rights = models.BooleanField(default=False)
    has_consent = models.BooleanField(default=False)
    creator_name = EncryptedTextField(blank=True)
    creator_handle = models.CharField(max_length=64, blank=True, help_text="@handle on social")
    creator_email_hash = models.CharField(max_length=64, blank=True, db_index=True)
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_verified_buyer = models.BooleanField(default=False)
    title = models.CharField(max_length=255, blank=True)
    body = models.TextField(blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    source_url = models.URLField(max_length=1024, blank=True)
    media_name = models.CharField(max_length=255, blank=True, help_text="name in the ugc storage")
    thumbnail_name = models.CharField(max_length=255, blank=True)
    media_type = models.CharField(max_length=32, blank=True)
    media_sha256 = models.CharField(max_length=64, blank=True)
    phash = models.CharField(max_length=16, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    flags = models.JSONField(default=list, blank=True)
    quality = models.FloatField(default=0.0)
    # Products suggested for tagging (the uploader's orders), platform ids.
    tag_suggestions = models.JSONField(default=list, blank=True)
    posted_at = models.DateTimeField(default=timezone.now, help_text="when the creator posted it")
    created_at = models.DateTimeField(auto_now_add=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderation_note = models.CharField(max_length=255, blank=True)

    objects = ContentManager()  # type: ignore[misc]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "source", "external_id"],
                condition=~Q(external_id=""),
                name="ugc_content_unique_external",
            )
        ]
        indexes = [models.Index(fields=["shop", "status", "kind"], name="ugc_content_status")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def attribution(self) -> str:
        if self.creator_handle:
            return f"@{self.creator_handle}"
        return self.creator_name.split(" ")[0] if self.creator_name else "A customer"

    @property
    def is_showable(self) -> bool:
        return self.status == Status.APPROVED and self.has_rights

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.pk, "kind": self.kind, "status": self.status}


class TagSource(models.TextChoices):
    CREATOR = "creator", "The creator"
    MERCHANT = "merchant", "The merchant"
    IMPORT = "import", "The import"


class ProductTag(ShopOwned):
    content = models.ForeignKey(Content, on_delete=models.CASCADE, related_name="tags")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=8, choices=TagSource.choices, default=TagSource.MERCHANT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "content", "product"], name="ugc_tag_unique_product"
            )
        ]


class RemovalStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Removed"


class RemovalRequest(ShopOwned):
    """A creator asked for removal. Kept after the content is gone, as the shop's record."""

    content = models.ForeignKey(
        Content, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_ref = models.PositiveBigIntegerField(help_text="the content id, kept after deletion")
    requester_email_hash = models.CharField(max_length=64)
    reason = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=8, choices=RemovalStatus.choices, default="open")
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)


class PhashBand(ShopOwned):
    """One 8-bit band of a picture's 64-bit hash (see `engine/ugc_flags.hash_bands`), as one
    integer key `band << 8 | value`, so a lookup is a single `IN` on one index."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+", db_index=False)
    content = models.ForeignKey(Content, on_delete=models.CASCADE, related_name="phash_bands")
    key = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["shop", "key"], name="ugc_phash_band")]


class ImportRunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ImportRun(ShopOwned):
    """A background import: the admin shows its progress and result, and the next incremental
    import starts from the last successful one's `started_at`."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+", db_index=False)
    source = models.CharField(max_length=16, choices=Source.choices)
    status = models.CharField(
        max_length=8, choices=ImportRunStatus.choices, default=ImportRunStatus.QUEUED
    )
    is_fetch = models.BooleanField(default=False, help_text="reads the store first")
    fetched_after = models.DateTimeField(null=True, blank=True)
    # The store's own clock when the fetch began (its reviews' `after` compares with its time).
    store_started_at = models.DateTimeField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["shop", "source", "-created_at"], name="ugc_import_run_recent")
        ]

    @property
    def is_active(self) -> bool:
        return self.status in (ImportRunStatus.QUEUED, ImportRunStatus.RUNNING)
