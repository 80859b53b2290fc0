"""Imports: reviews exported by Shopify review apps, and social posts (CSV or one URL).

**Reviews CSV** (`reviews_csv_import`). The format is recognised from the header row; column
names are matched case-insensitively, ignoring spaces, dashes and underscores:

| app | columns we read |
|---|---|
| Judge.me | `title` / `review_title`, `body`, `rating`, `review_date`, `reviewer_name`, `reviewer_email`, `product_id`, `product_handle`, `picture_urls`, `verified`, `curated` / `hidden` |
| Yotpo | `Review Title`, `Review Content`, `Review Score`, `Date`, `Product ID`, `User Name`, `User Email`, `Verified Purchase` (or `Verified Buyer`), `Published` (or `Status`), `Review ID` |
| Loox | `id`, `rating`, `review`, `date`, `nickname` / `full_name`, `email`, `img`, `product_id`, `handle`, `verified_purchase`, `status` |

A row names its product by id or handle; a product we do not know is skipped with the line
number. Reviews a shop published in its review app come with the right to show them (the app's
terms), so they arrive **approved**; hidden or unpublished ones arrive pending.

**Social posts CSV** (`social_csv_import`): `url` (required), `handle`, `caption`, `posted_at`,
`product_ids` (platform ids, separated by `|` or spaces), `rights_granted` (yes/no: the merchant
confirms the creator allowed it). Posts arrive pending; without rights they are never shown.
No social network API is called: only the fields given are kept.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlparse

from personalization.ugc.models import Content, Kind, Source, Status
from personalization.ugc.services import ContentFields, UgcInputInvalid, content_upsert
from shopapp.catalog.models import Product
from shopapp.shops.models import Shop

MAX_ROWS = 20_000
MAX_BYTES = 20 * 1024 * 1024
SOCIAL_HOSTS = {
    "instagram.com": "instagram",
    "www.instagram.com": "instagram",
    "tiktok.com": "tiktok",
    "www.tiktok.com": "tiktok",
    "pinterest.com": "pinterest",
    "www.pinterest.com": "pinterest",
    "x.com": "x",
    "twitter.com": "x",
    "facebook.com": "facebook",
    "www.facebook.com": "facebook",
    "youtube.com": "youtube",
    "www.youtube.com": "youtube",
}

COLUMNS = {
    "title": ("title", "reviewtitle"),
    "body": ("body", "reviewcontent", "review", "content"),
    "rating": ("rating", "reviewscore", "score", "stars"),
    "date": ("reviewdate", "date", "createdat", "datecreated"),
    "name": ("reviewername", "username", "nickname", "fullname", "name", "author"),
    "email": ("revieweremail", "useremail", "email"),
    "product_id": ("productid",),
    "handle": ("producthandle", "handle"),
    "pictures": ("pictureurls", "img", "imageurls", "photos"),
    "verified": ("verified", "verifiedpurchase", "verifiedbuyer"),
    "published": ("published", "curated", "status", "hidden"),
    "external_id": ("reviewid", "id"),
}
TRUE = {"1", "true", "yes", "y", "published", "ok", "verified", "approved", "active"}


@dataclass
class ImportResult:
    source: str = ""
    created: int = 0
    updated: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why)

    @property
    def summary(self) -> str:
        return f"{self.created} added, {self.updated} updated, {len(self.skipped)} skipped" + (
            f" (first: line {self.skipped[0][0]}, {self.skipped[0][1]})" if self.skipped else ""
        )


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name.strip().lower().lstrip("\ufeff"))


def detect_format(headers: list[str]) -> str:
    keys = {_key(h) for h in headers}
    if {"reviewcontent", "reviewscore"} <= keys:
        return Source.YOTPO
    if "review" in keys and ("nickname" in keys or "img" in keys):
        return Source.LOOX
    if "body" in keys and ("reviewername" in keys or "producthandle" in keys):
        return Source.JUDGEME
    if "rating" in keys and ({"body", "review", "content"} & keys):
        return Source.REVIEWS_CSV
    raise UgcInputInvalid(
        "file",
        "Unrecognised review export: expected the columns of a Judge.me, Yotpo or Loox export "
        "(for example body, rating, reviewer_name, product_handle).",
    )


def _rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    if len(text) > MAX_BYTES:
        raise UgcInputInvalid("file", f"The file is larger than {MAX_BYTES // 2**20} MB.")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = list(reader.fieldnames or [])
    if not headers:
        raise UgcInputInvalid("file", "The file is empty or has no header row.")
    rows = []
    for i, row in enumerate(reader):
        if i >= MAX_ROWS:
            raise UgcInputInvalid("file", f"At most {MAX_ROWS} rows per file.")
        rows.append({_key(k): (v or "").strip() for k, v in row.items() if k})
    return headers, rows


def _get(row: dict[str, str], name: str) -> str:
    for alias in COLUMNS[name]:
        if row.get(alias):
            return row[alias]
    return ""


def _date(value: str) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    for fmt in (
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%d %H:%M:%S %Z",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d",
        "%d/%m/%Y",
        "%m/%d/%Y",
    ):
        try:
            parsed = datetime.strptime(value.replace("Z", "+0000"), fmt)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _product_ids(shop: Shop, rows: list[dict[str, str]]) -> dict[str, str]:
    """Handles and ids used in the file → platform ids, in one query."""
    handles = {_get(r, "handle") for r in rows} - {""}
    ids = {_get(r, "product_id") for r in rows} - {""}
    found: dict[str, str] = {}
    for pid, handle in (
        Product.objects.filter(shop=shop, deleted_at__isnull=True)
        .filter(platform_id__in=ids)
        .values_list("platform_id", "handle")
        .union(
            Product.objects.filter(
                shop=shop, deleted_at__isnull=True, handle__in=handles
            ).values_list("platform_id", "handle")
        )
    ):
        found[pid] = pid
        found[f"handle:{handle}"] = pid
    return found


def reviews_csv_import(*, shop: Shop, text: str) -> ImportResult:
    headers, rows = _rows(text)
    source = detect_format(headers)
    products = _product_ids(shop, rows)
    result = ImportResult(source=source)
    for line, row in enumerate(rows, start=2):
        body = _get(row, "body")
        pid = _get(row, "product_id")
        product = products.get(pid) or products.get(f"handle:{_get(row, 'handle')}")
        if not body:
            result.skipped.append((line, "no review text"))
            continue
        if product is None:
            result.skipped.append((line, f"unknown product {pid or _get(row, 'handle')!r}"))
            continue
        rating_raw = _get(row, "rating")
        rating = int(float(rating_raw)) if re.fullmatch(r"\d(\.\d+)?", rating_raw) else None
        if rating is not None and not 1 <= rating <= 5:
            result.skipped.append((line, f"rating {rating_raw!r} is not 1 to 5"))
            continue
        published_raw = _get(row, "published").lower()
        hidden = "hidden" in row and row["hidden"].lower() in TRUE
        is_published = not hidden and (not published_raw or published_raw in TRUE)
        external = _get(row, "external_id") or f"{product}:{_get(row, 'email')}:{_get(row, 'date')}"
        content, created = content_upsert(
            shop=shop,
            fields=ContentFields(
                kind=Kind.REVIEW,
                source=source,
                external_id=external[:255],
                body=body,
                title=_get(row, "title"),
                rating=rating,
                creator_name=_get(row, "name"),
                creator_email=_get(row, "email"),
                is_verified_buyer=_get(row, "verified").lower() in TRUE,
                has_rights=True,
                has_consent=True,
                status=Status.APPROVED if is_published else Status.PENDING,
                posted_at=_date(_get(row, "date")),
                product_ids=[product],
            ),
        )
        if content is None:
            result.skipped.append((line, "removed at the creator's request"))
        elif created:
            result.created += 1
        else:
            result.updated += 1
    return result


def _social_url(url: str) -> tuple[str, str]:
    parsed = urlparse(url.strip())
    network = SOCIAL_HOSTS.get((parsed.hostname or "").lower())
    if parsed.scheme != "https" or network is None or not parsed.path.strip("/"):
        raise UgcInputInvalid(
            "url",
            "Give the https link of a post on Instagram, TikTok, Pinterest, X, Facebook or YouTube.",
        )
    return f"https://{parsed.hostname}{parsed.path}", network


def social_post_import(
    *,
    shop: Shop,
    url: str,
    handle: str = "",
    caption: str = "",
    product_ids: list[str] | None = None,
    has_rights: bool = False,
    posted_at: datetime | None = None,
    source: str = Source.SOCIAL_URL,
) -> Content:
    clean_url, network = _social_url(url)
    handle = handle.strip().lstrip("@")
    if handle and not re.fullmatch(r"[A-Za-z0-9._]{1,30}", handle):
        raise UgcInputInvalid("handle", "A handle is letters, digits, dots and underscores.")
    content, _created = content_upsert(
        shop=shop,
        fields=ContentFields(
            kind=Kind.SOCIAL,
            source=source,
            external_id=clean_url[:255],
            body=caption[:2000],
            title=network,
            creator_handle=handle,
            has_rights=has_rights,
            source_url=clean_url,
            posted_at=posted_at,
            product_ids=product_ids or [],
        ),
    )
    if content is None:
        raise UgcInputInvalid("url", "This post was removed at the creator's request.")
    return content


def social_csv_import(*, shop: Shop, text: str) -> ImportResult:
    headers, rows = _rows(text)
    if "url" not in {_key(h) for h in headers}:
        raise UgcInputInvalid("file", "A social posts file needs a url column.")
    result = ImportResult(source=Source.SOCIAL_CSV)
    for line, row in enumerate(rows, start=2):
        try:
            existed = Content.objects.filter(
                shop=shop, source=Source.SOCIAL_CSV, external_id=_social_url(row.get("url", ""))[0]
            ).exists()
            social_post_import(
                shop=shop,
                url=row.get("url", ""),
                handle=row.get("handle", ""),
                caption=row.get("caption", ""),
                product_ids=re.split(r"[|\s,]+", row.get("productids", "").strip())
                if row.get("productids")
                else [],
                has_rights=row.get("rightsgranted", "").lower() in TRUE,
                posted_at=_date(row.get("postedat", "")),
                source=Source.SOCIAL_CSV,
            )
        except UgcInputInvalid as exc:
            result.skipped.append((line, str(exc)))
            continue
        if existed:
            result.updated += 1
        else:
            result.created += 1
    return result
