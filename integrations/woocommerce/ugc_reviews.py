"""WooCommerce product reviews (`products/reviews`) into user-generated content.

The sync already keeps the store's approved reviews in `Review` (encrypted reviewer fields).
`reviews_import` turns them into UGC reviews keyed on the review id, so a re-run updates and a
review its creator asked to remove stays removed. `reviews_fetch_and_import` first reads the
store's reviews newer than `after` (the same request and fields as the sync), for a shop that
wants its highlights now rather than after the next sync.

Where it runs (`reviews_import_run`, task `woocommerce_reviews_import`, an `ImportRun` each):
after every finished sync (the sync has just read the reviews; only rows it changed since the
last import are imported), and from the admin's "Import reviews now" button (reads the store's
reviews `after` the last import's start, less the site-time window, then imports).

Reviews published on the store were posted there under the store's terms: they come in approved
and with the right to show them; the moderation queue can still reject one.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape

from django.utils.translation import gettext as _

from integrations.woocommerce.client import WooClient, WooTransientError
from integrations.woocommerce.models import Review
from integrations.woocommerce.stores import client_for
from integrations.woocommerce.sync import REVIEW_FIELDS, REVIEWS_OVERLAP, apply_reviews
from personalization.ugc import selectors, services
from personalization.ugc.imports import ImportResult
from personalization.ugc.models import ImportRun, Kind, Source, Status
from personalization.ugc.services import ContentFields, content_upsert
from shopapp.catalog.models import Product
from shopapp.shops.models import Shop


def reviews_import(*, shop: Shop, since: datetime | None = None) -> ImportResult:
    """The synced reviews (or only those written since `since`) into UGC."""
    result = ImportResult(source=Source.WOOCOMMERCE)
    reviews = Review.objects.filter(shop=shop, status="approved")
    if since is not None:
        reviews = reviews.filter(updated_at__gte=since)
    known = set(
        Product.objects.filter(shop=shop, deleted_at__isnull=True).values_list(
            "platform_id", flat=True
        )
    )
    for review in reviews.order_by("platform_id"):
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
    *,
    shop: Shop,
    client: WooClient,
    after: datetime | None = None,
    since: datetime | None = None,
    run: ImportRun | None = None,
) -> ImportResult:
    params = {"after": after} if after else {}
    read = 0
    for page in client.pages("products/reviews", params, fields=REVIEW_FIELDS):
        apply_reviews(shop, page.items)
        read += len(page.items)
        if run is not None:
            services.import_run_progress(
                run=run,
                message=_("%(count)d reviews read from the store…") % {"count": read},
                store_time=page.response.store_time,
            )
    return reviews_import(shop=shop, since=since)


def reviews_import_run(*, run: ImportRun, client: WooClient | None = None) -> ImportRun:
    """Carry out a queued import: incremental from the last finished one's start. Network
    trouble (WooTransientError) is raised for the task to retry; anything else fails the run
    with its reason, shown in the admin."""
    shop = Shop.objects.get(pk=run.shop_id)
    last = selectors.import_run_last_done(shop=shop, source=Source.WOOCOMMERCE, before=run.pk)
    since = last.started_at if last is not None else None
    # The store is read by its own clock: after the last fetch's start there, less the window
    # for the site's local time (reviews' `after` has no GMT variant).
    last_fetch = selectors.import_run_last_done(
        shop=shop, source=Source.WOOCOMMERCE, before=run.pk, is_fetch=True
    )
    after = None
    if run.is_fetch and last_fetch is not None and last_fetch.store_started_at is not None:
        after = last_fetch.store_started_at - REVIEWS_OVERLAP
    services.import_run_begin(run=run, fetched_after=after)
    try:
        if run.is_fetch:
            owns_client = client is None
            client = client or client_for(shop)
            try:
                result = reviews_fetch_and_import(
                    shop=shop, client=client, after=after, since=since, run=run
                )
            finally:
                if owns_client:
                    client.close()
        else:
            result = reviews_import(shop=shop, since=since)
    except WooTransientError:
        raise
    except Exception as exc:
        return services.import_run_finish(run=run, error=f"{type(exc).__name__}: {exc}")
    return services.import_run_finish(
        run=run, created=result.created, updated=result.updated, skipped=len(result.skipped)
    )


def _plain(html: str) -> str:
    """WordPress stores review text as HTML paragraphs; the highlights show plain text."""
    return unescape(re.sub(r"<[^>]+>", " ", html)).strip()
