"""Writes and exports for off-site audiences: hashed customer lists and per-segment feeds.

Customer lists follow each platform's documented normalization (see engine/audience_ids.py for
the rules and their sources). Feeds use Google Merchant Center's attribute names and formats
(`price` as "12.50 GBP", `availability` as in_stock/out_of_stock) and list what the decision
engine would show the segment on the home page's "recommended" block, with its reason in
`custom_label_0`.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from personalization.audiences.models import ProductFeed, new_feed_token
from personalization.audiences.selectors import audience_contacts, segment_context
from personalization.decisions.services import PageRequest, page_decide
from personalization.engine.audience_ids import hashed_email, hashed_phone
from personalization.segments.models import Segment
from shopapp.catalog.models import Product
from shopapp.shops.models import Shop

PLATFORMS = ("google", "meta")
# The column headers each platform's customer-list upload expects for hashed values.
HEADERS = {"google": ("Email", "Phone"), "meta": ("email", "phone")}
FEED_COLUMNS = (
    "id",
    "title",
    "description",
    "link",
    "image_link",
    "price",
    "availability",
    "brand",
    "product_type",
    "custom_label_0",
)
FEED_MAX_ITEMS = 24  # the decision API's block limit
_CALLING_CODE = re.compile(r"^\+?\d{1,3}$")


class AudienceInvalid(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class AudienceExport:
    platform: str
    rows: list[tuple[str, str]]
    skipped: int  # consenting members with neither a usable email nor phone

    def as_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADERS[self.platform])
        writer.writerows(self.rows)
        return out.getvalue()


def audience_export(
    *, shop: Shop, segment: Segment, platform: str, default_calling_code: str = ""
) -> AudienceExport:
    """A segment as a hashed customer list for `platform` ("google" or "meta"); only members
    with marketing consent. National phone numbers take `default_calling_code` (e.g. "44")."""
    if platform not in PLATFORMS:
        raise AudienceInvalid("platform", _("must be google or meta"))
    if default_calling_code and not _CALLING_CODE.match(default_calling_code):
        raise AudienceInvalid("calling_code", _("a country calling code such as 44 or +1"))
    rows: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    skipped = 0
    for contact in audience_contacts(shop=shop, segment=segment):
        email = hashed_email(contact.email, platform=platform) if contact.email else None
        phone = (
            hashed_phone(
                contact.phone, platform=platform, default_calling_code=default_calling_code
            )
            if contact.phone
            else None
        )
        if email is None and phone is None:
            skipped += 1
            continue
        row = (email or "", phone or "")
        if row not in seen:
            seen.add(row)
            rows.append(row)
    return AudienceExport(platform=platform, rows=rows, skipped=skipped)


def feed_create(*, shop: Shop, segment: Segment, size: int = FEED_MAX_ITEMS) -> ProductFeed:
    if segment.shop_id != shop.pk:
        raise AudienceInvalid("segment", _("no such segment in this shop"))
    if not 1 <= size <= FEED_MAX_ITEMS:
        raise AudienceInvalid("size", _("from 1 to %(n)d products") % {"n": FEED_MAX_ITEMS})
    try:
        with transaction.atomic():
            feed = ProductFeed.objects.create(shop=shop, segment=segment, size=size)
    except IntegrityError:
        raise AudienceInvalid("segment", _("this segment already has a feed")) from None
    return feed_generate(shop=shop, feed=feed)


def feed_revoke(*, shop: Shop, feed: ProductFeed) -> ProductFeed:
    """The URL stops answering; restoring gives a new URL, so the old one never comes back."""
    ProductFeed.objects.filter(shop=shop, pk=feed.pk).update(is_active=False)
    feed.is_active = False
    return feed


def feed_restore(*, shop: Shop, feed: ProductFeed) -> ProductFeed:
    feed.token = new_feed_token()
    feed.is_active = True
    ProductFeed.objects.filter(shop=shop, pk=feed.pk).update(token=feed.token, is_active=True)
    return feed


def _absolute(shop: Shop, url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return f"https://{shop.domain}{url}"


def feed_rows(*, shop: Shop, segment: Segment, size: int) -> list[dict[str, str]]:
    """What the engine recommends for the segment, as Google Merchant rows."""
    decision: dict[str, Any] = page_decide(
        shop=shop,
        request=PageRequest(
            page="home",
            slots=("home-recommended",),
            limits={"home-recommended": min(size, FEED_MAX_ITEMS)},
            explain=True,
        ),
        context=segment_context(shop=shop, segment=segment),
    )
    picked = (decision["slots"].get("home-recommended") or {}).get("items", [])
    products = {
        p.platform_id: p
        for p in Product.objects.filter(
            shop=shop, platform_id__in=[i["id"] for i in picked], deleted_at__isnull=True
        )
    }
    rows = []
    for item in picked:
        product = products.get(item["id"])
        # Merchant Center disapproves an item without a price or an image: leave it out.
        if product is None or product.price_min is None or not item.get("image"):
            continue
        price = Decimal(product.price_min).quantize(Decimal("0.01"))
        rows.append(
            {
                "id": product.platform_id,
                "title": product.title[:150],
                "description": (strip_tags(product.description).strip() or product.title)[:5000],
                "link": _absolute(shop, item["url"]),
                "image_link": _absolute(shop, item.get("image") or ""),
                "price": f"{price} {product.currency or shop.currency}",
                "availability": "in_stock" if product.in_stock else "out_of_stock",
                "brand": product.vendor[:70],
                "product_type": product.product_type[:750],
                "custom_label_0": str(item.get("reason", ""))[:100],
            }
        )
    return rows


def feed_generate(*, shop: Shop, feed: ProductFeed) -> ProductFeed:
    feed.rows = feed_rows(shop=shop, segment=feed.segment, size=feed.size)
    feed.generated_at = timezone.now()
    ProductFeed.objects.filter(shop=shop, pk=feed.pk).update(
        rows=feed.rows, generated_at=feed.generated_at
    )
    return feed


def feed_as_tsv(feed: ProductFeed) -> str:
    """Tab-separated, header first: the plain-text format Merchant Center fetches."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(FEED_COLUMNS)
    for row in feed.rows:
        writer.writerow(
            [str(row.get(c, "")).replace("\t", " ").replace("\n", " ") for c in FEED_COLUMNS]
        )
    return out.getvalue()
