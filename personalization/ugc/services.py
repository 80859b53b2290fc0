"""Writes for user-generated content: uploads, imports' upserts, moderation, tags, removal."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from personalization.engine import ugc_flags, ugc_rank
from personalization.ugc import media, storage
from personalization.ugc.models import (
    Content,
    ImportRun,
    ImportRunStatus,
    Kind,
    PhashBand,
    ProductTag,
    RemovalRequest,
    RemovalStatus,
    Source,
    Status,
    TagSource,
)
from shopapp.catalog.models import Customer, Order, OrderLine, Product
from shopapp.shops.crypto import lookup_hash
from shopapp.shops.models import Shop

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[A-Za-z]{2,}$")
HANDLE = re.compile(r"^@?[A-Za-z0-9._]{1,30}$")
MAX_TEXT = 2000
MAX_NAME = 80


class UgcInputInvalid(ValueError):
    """Bad input: `field` names it, `str()` says what is wrong, for a 400 answer."""

    def __init__(self, field: str, message: str, *, reason: str = "invalid") -> None:
        super().__init__(message)
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Upload:
    data: bytes
    size: int
    declared_type: str
    filename: str


@dataclass
class ContentFields:
    """One piece of content as an import or the upload maps it, before flags and storage."""

    kind: str
    source: str
    external_id: str = ""
    body: str = ""
    title: str = ""
    rating: int | None = None
    creator_name: str = ""
    creator_handle: str = ""
    creator_email: str = ""
    is_verified_buyer: bool = False
    has_rights: bool = False
    has_consent: bool = False
    status: str = Status.PENDING
    source_url: str = ""
    posted_at: datetime | None = None
    product_ids: list[str] = field(default_factory=list)


def _clean_text(value: str, *, field_name: str, limit: int) -> str:
    text = (value or "").replace("\x00", "").strip()
    if len(text) > limit:
        raise UgcInputInvalid(field_name, f"{field_name} is at most {limit} characters.")
    return text


def _buyer(shop: Shop, email: str) -> tuple[Customer | None, bool]:
    """The customer with this email, and whether they have an order: the verified-buyer badge."""
    if not email:
        return None, False
    customer = Customer.objects.filter(
        shop=shop, email_hash=lookup_hash(email), deleted_at__isnull=True
    ).first()
    if customer is None:
        return None, False
    has_order = Order.objects.filter(shop=shop, customer=customer, kind="sale").exists()
    return customer, has_order


def tag_suggestions_for(shop: Shop, customer: Customer | None, limit: int = 8) -> list[str]:
    """Products from the uploader's orders, newest first: what the photo most likely shows."""
    if customer is None:
        return []
    rows = (
        OrderLine.objects.filter(shop=shop, order__customer=customer, product__isnull=False)
        .order_by("-order__platform_created_at")
        .values_list("product__platform_id", flat=True)
    )
    seen: list[str] = []
    for pid in rows[:200]:
        if pid not in seen:
            seen.append(pid)
        if len(seen) == limit:
            break
    return seen


def duplicate_candidates(
    *, shop: Shop, phash: str, exclude_id: int | None = None
) -> list[tuple[int, str]]:
    """(id, hash) of the shop's pictures sharing at least one hash band with `phash`: every near
    duplicate is among them (see `ugc_flags.hash_bands`), read through the band index."""
    return list(
        PhashBand.objects.filter(shop=shop, key__in=ugc_flags.band_keys(phash))
        .exclude(content_id=exclude_id)
        .exclude(content__phash="")
        .values_list("content_id", "content__phash")
        .distinct()
    )


def _bands_save(content: Content) -> None:
    PhashBand.objects.filter(shop_id=content.shop_id, content=content).delete()
    if content.phash:
        PhashBand.objects.bulk_create(
            PhashBand(shop_id=content.shop_id, content=content, key=key)
            for key in ugc_flags.band_keys(content.phash)
        )


def _flags(shop: Shop, text: str, phash: str, exclude_id: int | None = None) -> list[str]:
    flags = ugc_flags.text_flags(text)
    if phash:
        known = duplicate_candidates(shop=shop, phash=phash, exclude_id=exclude_id)
        if ugc_flags.near_duplicates(phash, known):
            flags.append("duplicate")
    return sorted(flags)


def _quality(content: Content) -> float:
    return ugc_rank.quality_score(
        rating=content.rating,
        text_length=len(content.body),
        pixels=(content.width or 0) * (content.height or 0),
        is_verified=content.is_verified_buyer,
        flags=len(content.flags),
    )


def upload_submit(
    *,
    shop: Shop,
    upload: Upload | None,
    email: str,
    name: str,
    handle: str = "",
    caption: str = "",
    has_consent: bool,
    has_rights: bool,
    product_id: str = "",
) -> Content:
    """A shopper's photo or video from the storefront block. Everything is checked before
    anything is written; a refused upload leaves no file and no row."""
    if not has_consent:
        raise UgcInputInvalid("consent", "Please agree to the terms to share your photo.")
    if not has_rights:
        raise UgcInputInvalid(
            "rights", "Please confirm you took the photo and allow us to show it."
        )
    email = (email or "").strip()
    if not EMAIL.match(email):
        raise UgcInputInvalid("email", "Enter a valid email address.")
    name = _clean_text(name, field_name="name", limit=MAX_NAME)
    if not name:
        raise UgcInputInvalid("name", "Tell us the name to show with your photo.")
    handle = (handle or "").strip()
    if handle and not HANDLE.match(handle):
        raise UgcInputInvalid("handle", "A handle is letters, digits, dots and underscores.")
    caption = _clean_text(caption, field_name="caption", limit=MAX_TEXT)
    if upload is None:
        raise UgcInputInvalid("file", "Choose a photo or video to upload.")
    if upload.size > media.MAX_VIDEO_BYTES or len(upload.data) > media.MAX_VIDEO_BYTES:
        raise UgcInputInvalid(
            "file",
            f"The file is larger than {media.MAX_VIDEO_BYTES // 2**20} MB.",
            reason="too_large",
        )
    try:
        clean = media.clean(
            upload.data, declared_type=upload.declared_type, filename=upload.filename
        )
    except media.MediaRejected as exc:
        raise UgcInputInvalid("file", str(exc), reason=exc.reason) from None
    product = None
    if product_id:
        product = Product.objects.filter(
            shop=shop, platform_id=product_id, deleted_at__isnull=True
        ).first()
        if product is None:
            raise UgcInputInvalid("product_id", f"Unknown product {product_id[:64]}.")
    customer, is_buyer = _buyer(shop, email)
    suggestions = tag_suggestions_for(shop, customer)
    if product is not None:
        suggestions = [product.platform_id] + [p for p in suggestions if p != product.platform_id]
    names: list[str] = []
    try:
        names.append(storage.file_save(shop_id=shop.pk, data=clean.data, extension=clean.extension))
        if clean.thumbnail:
            names.append(
                storage.file_save(
                    shop_id=shop.pk, data=clean.thumbnail, extension="jpg", suffix="-thumb"
                )
            )
        with transaction.atomic():
            content = Content(
                shop=shop,
                kind=Kind.VIDEO if clean.kind == "video" else Kind.PHOTO,
                source=Source.UPLOAD,
                has_rights=True,
                has_consent=True,
                creator_name=name,
                creator_handle=handle.lstrip("@"),
                creator_email_hash=lookup_hash(email),
                customer=customer,
                is_verified_buyer=is_buyer,
                body=caption,
                media_name=names[0],
                thumbnail_name=names[1] if len(names) > 1 else "",
                media_type=clean.media_type,
                media_sha256=clean.sha256,
                phash=clean.phash,
                width=clean.width,
                height=clean.height,
                tag_suggestions=suggestions,
            )
            content.flags = _flags(shop, caption, clean.phash)
            content.quality = _quality(content)
            content.save()
            _bands_save(content)
    except BaseException:
        for stored in names:
            storage.file_delete(stored)
        raise
    return content


def content_upsert(*, shop: Shop, fields: ContentFields) -> tuple[Content | None, bool]:
    """An imported review or post, keyed on (shop, source, external_id). Returns (content,
    created); content removed at the creator's request is never brought back (None)."""
    existing = None
    if fields.external_id:
        existing = Content.objects.filter(
            shop=shop, source=fields.source, external_id=fields.external_id
        ).first()
    if existing is not None and existing.status == Status.REMOVED:
        return None, False
    customer, is_buyer = _buyer(shop, fields.creator_email)
    content = existing or Content(shop=shop, source=fields.source, external_id=fields.external_id)
    content.kind = fields.kind
    content.body = fields.body[: MAX_TEXT * 5]
    content.title = fields.title[:255]
    content.rating = fields.rating
    content.creator_name = fields.creator_name[:MAX_NAME]
    content.creator_handle = fields.creator_handle.lstrip("@")[:64]
    content.creator_email_hash = lookup_hash(fields.creator_email) if fields.creator_email else ""
    content.customer = customer
    content.is_verified_buyer = fields.is_verified_buyer or is_buyer
    content.has_rights = fields.has_rights
    content.has_consent = fields.has_consent
    content.source_url = fields.source_url[:1024]
    if fields.posted_at:
        content.posted_at = fields.posted_at
    if existing is None:
        content.status = fields.status
    content.flags = _flags(shop, f"{fields.title}\n{fields.body}", "", exclude_id=content.pk)
    content.quality = _quality(content)
    with transaction.atomic():
        content.save()
        if fields.product_ids:
            products = Product.objects.filter(shop=shop, platform_id__in=fields.product_ids)
            for product in products:
                ProductTag.objects.get_or_create(
                    shop=shop,
                    content=content,
                    product=product,
                    defaults={"source": TagSource.IMPORT},
                )
    return content, existing is None


def content_moderate(*, shop: Shop, content_ids: Sequence[int], action: str, note: str = "") -> int:
    """Approve or reject several items at once; returns how many changed."""
    if action not in ("approve", "reject"):
        raise UgcInputInvalid("action", "The action is approve or reject.")
    if not content_ids:
        raise UgcInputInvalid("ids", "Select at least one item.")
    status = Status.APPROVED if action == "approve" else Status.REJECTED
    return (
        Content.objects.filter(shop=shop, pk__in=list(content_ids))
        .exclude(status=Status.REMOVED)
        .update(status=status, moderated_at=timezone.now(), moderation_note=note[:255])
    )


def content_tag(*, shop: Shop, content: Content, product_platform_id: str) -> ProductTag:
    if content.shop_id != shop.pk:
        raise UgcInputInvalid("content", "No such content.")
    product = Product.objects.filter(
        shop=shop, platform_id=product_platform_id.strip(), deleted_at__isnull=True
    ).first()
    if product is None:
        raise UgcInputInvalid("product", f"Unknown product {product_platform_id[:64]!r}.")
    tag, _created = ProductTag.objects.get_or_create(
        shop=shop, content=content, product=product, defaults={"source": TagSource.MERCHANT}
    )
    return tag


def content_untag(*, shop: Shop, content: Content, product_platform_id: str) -> int:
    return ProductTag.objects.filter(
        shop=shop, content=content, product__platform_id=product_platform_id
    ).delete()[0]


def _files_forget(contents: Iterable[Content]) -> None:
    names = [n for c in contents for n in (c.media_name, c.thumbnail_name) if n]

    # After commit: a rolled-back erasure must not have lost the files.
    def delete() -> None:
        for name in names:
            storage.file_delete(name)

    transaction.on_commit(delete)


def content_remove(*, shop: Shop, content: Content, note: str = "") -> Content:
    """Take content down for good: files deleted, text and creator cleared, the row kept as a
    tombstone so a re-import of the same review or post does not bring it back."""
    _files_forget([content])
    ProductTag.objects.filter(shop=shop, content=content).delete()
    content.status = Status.REMOVED
    content.body = content.title = content.creator_name = content.creator_handle = ""
    content.creator_email_hash = content.media_name = content.thumbnail_name = ""
    content.phash = content.media_sha256 = content.source_url = ""
    content.customer = None
    content.has_rights = False
    content.moderated_at = timezone.now()
    content.moderation_note = note[:255]
    content.save()
    _bands_save(content)
    return content


@transaction.atomic
def removal_request_submit(
    *, shop: Shop, content_id: int, email: str, reason: str = ""
) -> RemovalRequest:
    """A creator asks for removal. When the email is the creator's, the content goes at once;
    otherwise the request waits for the merchant. The answer is the same either way, so the
    form tells nobody whose content is whose."""
    email = (email or "").strip()
    if not EMAIL.match(email):
        raise UgcInputInvalid("email", "Enter the email address you shared the content with.")
    reason = _clean_text(reason, field_name="reason", limit=500)
    content = Content.objects.filter(shop=shop, pk=content_id).first()
    if content is None:
        raise UgcInputInvalid("content_id", "No such content.")
    email_hash = lookup_hash(email)
    request = RemovalRequest.objects.create(
        shop=shop,
        content=content,
        content_ref=content.pk,
        requester_email_hash=email_hash,
        reason=reason,
    )
    if content.creator_email_hash and content.creator_email_hash == email_hash:
        content_remove(shop=shop, content=content, note="creator's request")
        request.status = RemovalStatus.DONE
        request.done_at = timezone.now()
        request.save(update_fields=["status", "done_at"])
    return request


@transaction.atomic
def removal_request_fulfil(*, shop: Shop, request: RemovalRequest) -> RemovalRequest:
    if request.content is not None and request.content.shop_id == shop.pk:
        content_remove(shop=shop, content=request.content, note="removal request")
    request.status = RemovalStatus.DONE
    request.done_at = timezone.now()
    request.save(update_fields=["status", "done_at"])
    return request


def content_data(content: Content) -> dict[str, Any]:
    """One item as JSON for a customer export."""
    return {
        "id": content.pk,
        "kind": content.kind,
        "source": content.source,
        "status": content.status,
        "title": content.title,
        "body": content.body,
        "rating": content.rating,
        "creator_name": content.creator_name,
        "creator_handle": content.creator_handle,
        "has_rights": content.has_rights,
        "media_url": storage.file_url(content.media_name),
        "posted_at": content.posted_at.isoformat(),
        "tagged_products": [t.product.platform_id for t in content.tags.select_related("product")],
    }


def import_run_queue(*, shop: Shop, source: str, is_fetch: bool) -> tuple[ImportRun, bool]:
    """A background import to run: (run, queued now). While one is queued or running for this
    source, it is returned instead, so a double click or a sync right after starts nothing."""
    with transaction.atomic():
        Shop.objects.select_for_update().filter(pk=shop.pk).first()
        active = (
            ImportRun.objects.filter(
                shop=shop,
                source=source,
                status__in=[ImportRunStatus.QUEUED, ImportRunStatus.RUNNING],
            )
            .order_by("-created_at")
            .first()
        )
        if active is not None:
            return active, False
        return ImportRun.objects.create(shop=shop, source=source, is_fetch=is_fetch), True


def import_run_begin(*, run: ImportRun, fetched_after: datetime | None) -> ImportRun:
    run.status = ImportRunStatus.RUNNING
    run.started_at = timezone.now()
    run.fetched_after = fetched_after
    run.save(update_fields=["status", "started_at", "fetched_after"])
    return run


def import_run_progress(
    *, run: ImportRun, message: str, store_time: datetime | None = None
) -> None:
    changes: dict[str, Any] = {"message": message[:500]}
    if store_time is not None and run.store_started_at is None:
        run.store_started_at = changes["store_started_at"] = store_time
    ImportRun.objects.filter(pk=run.pk).update(**changes)


def import_run_finish(
    *, run: ImportRun, created: int = 0, updated: int = 0, skipped: int = 0, error: str = ""
) -> ImportRun:
    run.status = ImportRunStatus.FAILED if error else ImportRunStatus.DONE
    run.created, run.updated, run.skipped = created, updated, skipped
    run.message = error[:500]
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "created", "updated", "skipped", "message", "finished_at"])
    return run
