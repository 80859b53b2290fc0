"""Imports: reviews exported by Shopify review apps, and social posts (CSV or one URL).

**Reviews CSV** (`reviews_csv_import`). The format is recognised from the header row; column
names are matched case-insensitively, ignoring spaces, dashes and underscores:

| app | columns we read |
|---|---|
| Judge.me | `title` / `review_title`, `body`, `rating`, `review_date`, `reviewer_name`, `reviewer_email`, `product_id`, `product_handle`, `picture_urls`, `verified`, `curated` / `hidden` |
| Yotpo | `Review Title`, `Review Content`, `Review Score`, `Date`, `Product ID`, `User Name`, `User Email`, `Verified Purchase` (or `Verified Buyer`), `Published` (or `Status`), `Review ID` |
| Loox | `id`, `rating`, `review`, `date`, `nickname` / `full_name`, `email`, `img`, `product_id`, `handle`, `verified_purchase`, `status` |

A row names its product by id or handle. **All or nothing**: every row is checked first; a row
that cannot be imported (no text, an unknown product, a rating outside 1 to 5, a date we cannot
read) refuses the whole file with `ImportRowsInvalid`, which lists each problem by line number
and column, and nothing is written. The writes then run in one transaction. The one row left out
without refusing the file is a review its creator asked to remove (it stays removed). Reviews a shop published in its review app come with the right to show them (the app's
terms), so they arrive **approved**; hidden or unpublished ones arrive pending.

**Social posts CSV** (`social_csv_import`): `url` (required), `handle`, `caption`, `posted_at`,
`product_ids` (platform ids, separated by `|` or spaces), `rights_granted` (yes/no: the merchant
confirms the creator allowed it), all or nothing the same way. Posts arrive pending; without rights they are never shown.
No social network API is called: only the fields given are kept.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlparse

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str


class ImportRowsInvalid(UgcInputInvalid):
    """Rows of a file that cannot be imported; the file was refused whole."""

    def __init__(self, errors: list[RowError]) -> None:
        first = errors[0]
        super().__init__(
            "file",
            ngettext(
                "%(count)d row cannot be imported (line %(line)d, column %(column)s: "
                "%(message)s); nothing was imported.",
                "%(count)d rows cannot be imported (first: line %(line)d, column %(column)s: "
                "%(message)s); nothing was imported.",
                len(errors),
            )
            % {
                "count": len(errors),
                "line": first.line,
                "column": first.column,
                "message": first.message,
            },
        )
        self.errors = errors


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


def _rows(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header, and each record with the line it starts on (a quoted cell may span lines)."""
    if len(text) > MAX_BYTES:
        raise UgcInputInvalid("file", f"The file is larger than {MAX_BYTES // 2**20} MB.")
    if "\x00" in text:
        # Binary data, and no database stores a NUL inside text: refuse the file, naming the line.
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise UgcInputInvalid(
            "file", _("Line %(line)d holds a NUL byte: this is not a text CSV.") % {"line": line}
        )
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        headers = list(reader.fieldnames or [])
    except csv.Error as exc:
        raise UgcInputInvalid("file", _("Line 1 is not valid CSV: %s.") % exc) from None
    if not headers:
        raise UgcInputInvalid("file", "The file is empty or has no header row.")
    rows: list[tuple[int, dict[str, str]]] = []
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise UgcInputInvalid(
                "file",
                _("Line %(line)d is not valid CSV: %(error)s.") % {"line": start, "error": exc},
            ) from None
        if len(rows) >= MAX_ROWS:
            raise UgcInputInvalid("file", f"At most {MAX_ROWS} rows per file.")
        rows.append((start, {_key(k): (v or "").strip() for k, v in row.items() if k}))
        start = reader.line_num + 1
    return headers, rows


def _column(headers: list[str], name: str) -> str:
    """The file's own header for one of our fields, to name it in an error."""
    keys = {_key(h): h.strip().lstrip("\ufeff") for h in headers}
    for alias in COLUMNS[name]:
        if alias in keys:
            return keys[alias]
    return COLUMNS[name][0]


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


def _review_fields(
    row: dict[str, str], *, source: str, product: str, rating: int | None
) -> ContentFields:
    published_raw = _get(row, "published").lower()
    hidden = "hidden" in row and row["hidden"].lower() in TRUE
    is_published = not hidden and (not published_raw or published_raw in TRUE)
    external = _get(row, "external_id") or f"{product}:{_get(row, 'email')}:{_get(row, 'date')}"
    return ContentFields(
        kind=Kind.REVIEW,
        source=source,
        external_id=external[:255],
        body=_get(row, "body"),
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
    )


def reviews_csv_import(*, shop: Shop, text: str) -> ImportResult:
    """Every row checked, then all written in one transaction; any bad row refuses the file."""
    headers, rows = _rows(text)
    source = detect_format(headers)
    products = _product_ids(shop, [row for _line, row in rows])
    errors: list[RowError] = []
    checked: list[tuple[int, ContentFields]] = []
    for line, row in rows:
        row_errors = len(errors)
        pid = _get(row, "product_id")
        product = products.get(pid) or products.get(f"handle:{_get(row, 'handle')}")
        if not _get(row, "body"):
            errors.append(RowError(line, _column(headers, "body"), _("no review text")))
        if product is None:
            column = _column(headers, "product_id" if pid else "handle")
            wanted = pid or _get(row, "handle")
            errors.append(
                RowError(
                    line,
                    column,
                    _("unknown product %(product)r") % {"product": wanted}
                    if wanted
                    else _("no product id or handle"),
                )
            )
        rating_raw = _get(row, "rating")
        rating = int(float(rating_raw)) if re.fullmatch(r"\d(\.\d+)?", rating_raw) else None
        if (rating_raw and rating is None) or (rating is not None and not 1 <= rating <= 5):
            errors.append(
                RowError(
                    line,
                    _column(headers, "rating"),
                    _("rating %(rating)r is not 1 to 5") % {"rating": rating_raw[:20]},
                )
            )
        date_raw = _get(row, "date")
        if date_raw and _date(date_raw) is None:
            errors.append(
                RowError(
                    line,
                    _column(headers, "date"),
                    _("date %(date)r is not a date") % {"date": date_raw[:40]},
                )
            )
        if len(errors) == row_errors and product is not None:
            checked.append(
                (line, _review_fields(row, source=source, product=product, rating=rating))
            )
    if errors:
        raise ImportRowsInvalid(errors)
    result = ImportResult(source=source)
    with transaction.atomic():
        for line, fields in checked:
            content, created = content_upsert(shop=shop, fields=fields)
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
    """Every row checked, then all written in one transaction; any bad row refuses the file."""
    headers, rows = _rows(text)
    if "url" not in {_key(h) for h in headers}:
        raise UgcInputInvalid("file", "A social posts file needs a url column.")
    columns = {_key(h): h.strip().lstrip("\ufeff") for h in headers}
    errors: list[RowError] = []
    for line, row in rows:
        try:
            _social_url(row.get("url", ""))
        except UgcInputInvalid as exc:
            errors.append(RowError(line, columns["url"], str(exc)))
        handle = row.get("handle", "").strip().lstrip("@")
        if handle and not re.fullmatch(r"[A-Za-z0-9._]{1,30}", handle):
            errors.append(
                RowError(
                    line,
                    columns.get("handle", "handle"),
                    _("a handle is letters, digits, dots and underscores"),
                )
            )
        posted = row.get("postedat", "")
        if posted and _date(posted) is None:
            errors.append(
                RowError(
                    line,
                    columns.get("postedat", "posted_at"),
                    _("date %(date)r is not a date") % {"date": posted[:40]},
                )
            )
    if errors:
        raise ImportRowsInvalid(errors)
    result = ImportResult(source=Source.SOCIAL_CSV)
    with transaction.atomic():
        for line, row in rows:
            existed = Content.objects.filter(
                shop=shop, source=Source.SOCIAL_CSV, external_id=_social_url(row.get("url", ""))[0]
            ).exists()
            try:
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
            except UgcInputInvalid as exc:  # removed at the creator's request: stays removed
                result.skipped.append((line, str(exc)))
                continue
            if existed:
                result.updated += 1
            else:
                result.created += 1
    return result
