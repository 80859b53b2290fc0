"""POST /api/v1/events: the storefront script's batched events.

A plain Django view rather than DRF: it is called on every page of every shop, so it does the
least work that keeps it strict (key, origin, size, schema, clock, catalog, rate) and answers 202
as soon as the batch is in the buffer.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from personalization.campaigns.selectors import campaign_keys_existing
from personalization.events import services
from personalization.events.counters import metric_incr
from personalization.events.products import product_pks
from personalization.events.schema import MAX_BODY_BYTES, BatchError, parse_batch
from personalization.events.tasks import drain_soon
from personalization.events.tokens import customer_token_make
from shopapp.shops.auth import STOREFRONT_KEY_HEADER, ShopCredential, shop_for_storefront_key
from shopapp.shops.models import Shop

CORS_HEADERS = "Content-Type, X-Storefront-Key"


def _error(
    status: int,
    reason: str,
    message: str,
    *,
    shop: Shop | None = None,
    field: str | None = None,
    origin: str | None = None,
) -> JsonResponse:
    metric_incr(f"events_rejected:{reason}", shop_id=shop.pk if shop else None)
    body: dict[str, Any] = {"error": reason, "message": message}
    if field:
        body["field"] = field
    response = JsonResponse(body, status=status)
    if shop is not None and origin and shop.allows_origin(origin):
        _allow(response, origin)
    return response


def _allow(response: HttpResponse, origin: str) -> None:
    response["Access-Control-Allow-Origin"] = origin
    response["Access-Control-Allow-Headers"] = CORS_HEADERS
    response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
    response["Access-Control-Max-Age"] = "86400"
    response["Vary"] = "Origin"


def _verified_customer(request: HttpRequest) -> tuple[Shop | None, str | None]:
    """A platform-verified credential set by a wrapper (Shopify's app proxy): shop and customer."""
    credential = getattr(request, "shop_credential", None)
    if isinstance(credential, ShopCredential):
        return credential.shop, credential.customer_platform_id
    return None, None


@csrf_exempt
def events_ingest(request: HttpRequest) -> HttpResponse:
    """Storefront key (CORS for the shop's origins), or a verified app-proxy request."""
    origin = request.headers.get("Origin")
    shop, proxied_customer = _verified_customer(request)
    if shop is None:
        key = request.META.get(STOREFRONT_KEY_HEADER) or request.GET.get("key", "")
        shop = shop_for_storefront_key(key) if key and len(key) <= 64 else None
    if shop is None:
        return _error(401, "bad_key", "Unknown or missing storefront key.")
    if origin and not shop.allows_origin(origin) and not _same_origin(request, origin):
        return _error(
            403, "bad_origin", f"Origin {origin} is not allowed for this shop.", shop=shop
        )
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        if origin:
            _allow(response, origin)
        return response
    if request.method != "POST":
        return _error(405, "method_not_allowed", "Use POST.", shop=shop, origin=origin)
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
        return _error(
            413,
            "too_large",
            f"A batch is at most {MAX_BODY_BYTES} bytes.",
            shop=shop,
            origin=origin,
        )
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        return _error(
            413,
            "too_large",
            f"A batch is at most {MAX_BODY_BYTES} bytes.",
            shop=shop,
            origin=origin,
        )
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _error(400, "bad_json", "The body is not valid JSON.", shop=shop, origin=origin)
    now = time.time()
    try:
        batch = parse_batch(data, now=now)
    except BatchError as exc:
        return _error(400, exc.reason, str(exc), shop=shop, field=exc.field, origin=origin)
    productless = batch.productless_clicks
    if productless:
        campaigns = campaign_keys_existing(shop=shop, keys=set(productless.values()))
        for field_path, placement in productless.items():
            if placement not in campaigns:
                return _error(
                    400,
                    "invalid",
                    f"{field_path}: is required for click events outside a campaign "
                    f"({placement!r} is not one of this shop's campaigns).",
                    shop=shop,
                    field=field_path,
                    origin=origin,
                )
    wanted = batch.product_ids
    if wanted:
        unknown = sorted(wanted - product_pks(shop.pk, wanted).keys())
        if unknown:
            return _error(
                400,
                "unknown_product",
                f"Unknown product id(s) for this shop: {', '.join(unknown[:5])}.",
                shop=shop,
                field="product_id",
                origin=origin,
            )
    if proxied_customer:
        # The platform vouches for the logged-in customer: stitch as a signed token would.
        batch = replace(
            batch,
            context={
                **batch.context,
                "customer_token": customer_token_make(
                    shop_id=shop.pk, customer_platform_id=proxied_customer
                ),
            },
        )
    outcome = services.batch_accept(
        shop=shop, batch=batch, user_agent=request.headers.get("User-Agent", ""), now=now
    )
    if outcome.rate_limited:
        response = _error(
            429, "rate_limited", "Too many batches; retry later.", shop=shop, origin=origin
        )
        response["Retry-After"] = "10"
        return response
    if outcome.queued:
        drain_soon(due=outcome.drain_due)
    response = JsonResponse(
        {"accepted": len(batch.events), "stored": outcome.queued > 0}, status=202
    )
    if origin and origin != "null":
        _allow(response, origin)
    return response


def _same_origin(request: HttpRequest, origin: str) -> bool:
    # "null": Shopify's web pixel posts from a sandbox without an origin of its own. The key still
    # has to be the shop's, and the sandbox reads no response, so nothing is exposed by allowing it.
    return origin in ("null", f"{request.scheme}://{request.get_host()}")
