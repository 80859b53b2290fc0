"""WooCommerce product reviews (`products/reviews`) into user-generated content.

The sync already keeps the store's approved reviews in `Review` (encrypted reviewer fields).
`reviews_import` turns them into UGC reviews keyed on the review id, so a re-run updates and a
review its creator asked to remove stays removed. `reviews_fetch_and_import` first reads the
store's reviews newer than `after` (the same request and fields as the sync), for a shop that
wants its highlights now rather than after the next sync.

Reviews published on the store were posted there under the store's terms: they come in approved
and with the right to show them; the moderation queue can still reject one.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape

from integrations.woocommerce.client import WooClient
from integrations.woocommerce.models import Review
from integrations.woocommerce.sync import REVIEW_FIELDS, apply_reviews
from personalization.ugc.imports import ImportResult
from personalization.ugc.models import Kind, Source, Status
from personalization.ugc.services import ContentFields, content_upsert
from shopapp.catalog.models import Product
from shopapp.shops.models import Shop


def reviews_import(*, shop: Shop) -> ImportResult:
    result = ImportResult(source=Source.WOOCOMMERCE)
    known = set(
        Product.objects.filter(shop=shop, deleted_at__isnull=True).values_list(
            "platform_id", flat=True
        )
    )
    for review in Review.objects.filter(shop=shop, status="approved").order_by("platform_id"):
        if review.product_platform_id not in known:
            result.skipped.append((0, f"review {review.platform_id}: unknown product"))
            continue
        if not review.body.strip():
            result.skipped.append((0, f"review {review.platform_id}: no text"))
            continue
        content, created = content_upsert(
            shop=shop,
            fields=ContentFields(
                kind=Kind.REVIEW,
                source=Source.WOOCOMMERCE,
                external_id=review.platform_id,
                body=_plain(review.body),
                rating=review.rating or None,
                creator_name=review.reviewer_name,
                creator_email=str((review.raw or {}).get("reviewer_email") or ""),
                is_verified_buyer=review.is_verified,
                has_rights=True,
                has_consent=True,
                status=Status.APPROVED,
                posted_at=review.platform_created_at,
                product_ids=[review.product_platform_id],
            ),
        )
        if content is None:
            result.skipped.append((0, f"review {review.platform_id}: removed by its creator"))
        elif created:
            result.created += 1
        else:
            result.updated += 1
    return result


def reviews_fetch_and_import(
    *, shop: Shop, client: WooClient, after: datetime | None = None
) -> ImportResult:
    params = {"after": after} if after else {}
    for page in client.pages("products/reviews", params, fields=REVIEW_FIELDS):
        apply_reviews(shop, page.items)
    return reviews_import(shop=shop)


def _plain(html: str) -> str:
    """WordPress stores review text as HTML paragraphs; the highlights show plain text."""
    return unescape(re.sub(r"<[^>]+>", " ", html)).strip()
