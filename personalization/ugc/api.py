"""Storefront endpoints for user-generated content (storefront key, CORS for the shop's origins):

- `GET  /api/v1/ugc/gallery`      customer photos ranked for this visitor (shoppable)
- `GET  /api/v1/ugc/highlights`   review highlights ranked for this visitor
- `POST /api/v1/ugc/uploads`      a shopper's photo or video (multipart), pending moderation
- `POST /api/v1/ugc/removal-requests`  a creator asks for their content to be taken down
- `GET  /ugc-media/<name>`        files of the local UGC storage (an object store serves its own)

Plain Django views, like `decide`: they run on storefront pages and need no DRF machinery.
"""

from __future__ import annotations

import mimetypes
import re
from typing import Any

from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from personalization.decisions.api import _may_preview
from personalization.decisions.catalog import catalog_snapshot
from personalization.decisions.context import PERSONAS, persona_context, visitor_context
from personalization.ugc import media, selectors, services, storage
from personalization.ugc.models import Kind
from shopapp.shops.auth import STOREFRONT_KEY_HEADER, ShopCredential, shop_for_storefront_key
from shopapp.shops.models import Shop

_ID = re.compile(r"^[A-Za-z0-9_\-:.]{1,64}$")
_NAME = re.compile(r"^\d+/[0-9a-f]{32}(-thumb)?\.(jpg|png|webp|mp4|webm)$")
# A multipart body carries the form fields and boundaries around the file.
MAX_UPLOAD_BODY = media.MAX_VIDEO_BYTES + 64 * 1024
# Uploads fill storage and a moderator's queue: a few per address per window is plenty.
UPLOADS_PER_WINDOW = 10
UPLOAD_WINDOW_SECONDS = 600


def _error(
    status: int, reason: str, message: str, *, field: str | None = None, origin: str = ""
) -> JsonResponse:
    body: dict[str, Any] = {"error": reason, "message": message}
    if field:
        body["field"] = field
    response = JsonResponse(body, status=status)
    if origin:
        _allow(response, origin)
    return response


def _allow(response: HttpResponse, origin: str) -> None:
    response["Access-Control-Allow-Origin"] = origin
    response["Access-Control-Allow-Headers"] = "Content-Type, X-Storefront-Key"
    response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response["Vary"] = "Origin"


def _shop_and_origin(request: HttpRequest) -> tuple[Shop | None, str, JsonResponse | None]:
    proxied = getattr(request, "shop_credential", None)  # Shopify's app proxy, verified
    if isinstance(proxied, ShopCredential):
        return proxied.shop, "", None
    key = request.META.get(STOREFRONT_KEY_HEADER) or request.GET.get("key", "")
    shop = shop_for_storefront_key(key) if key and len(key) <= 64 else None
    if shop is None:
        return None, "", _error(401, "bad_key", "Unknown or missing storefront key.")
    origin = request.headers.get("Origin", "")
    same = origin == f"{request.scheme}://{request.get_host()}"
    if origin and not same and not shop.allows_origin(origin):
        return None, "", _error(403, "bad_origin", f"Origin {origin} is not allowed.")
    return shop, (origin if origin and not same else ""), None


def _ranked(request: HttpRequest, kinds: tuple[str, ...], default_limit: int) -> HttpResponse:
    shop, origin, refused = _shop_and_origin(request)
    if refused is not None or shop is None:
        return refused or _error(401, "bad_key", "Unknown or missing storefront key.")
    product = request.GET.get("product", "")
    if product and not _ID.match(product):
        return _error(400, "invalid", "product: not a valid id", field="product", origin=origin)
    limit_raw = request.GET.get("limit", str(default_limit))
    if not limit_raw.isdigit() or not 1 <= int(limit_raw) <= 24:
        return _error(
            400, "invalid", "limit: a whole number from 1 to 24", field="limit", origin=origin
        )
    ids: dict[str, list[str]] = {}
    for name in ("recent", "cart"):
        values = [v for v in request.GET.get(name, "").split(",") if v][:50]
        if any(not _ID.match(v) for v in values):
            return _error(400, "invalid", f"{name}: not a list of ids", field=name, origin=origin)
        ids[name] = values
    snapshot = catalog_snapshot(shop)
    persona = request.GET.get("persona", "")
    may_preview = _may_preview(request, shop)
    if persona:
        if not may_preview:
            return _error(
                403, "forbidden", "persona: previews need an admin session", field="persona"
            )
        if persona not in PERSONAS and not persona.startswith("customer:"):
            return _error(400, "invalid", "persona: not a persona", field="persona", origin=origin)
        context = persona_context(shop, snapshot, persona)
        if context is None:
            return _error(404, "not_found", "persona: no such persona here", field="persona")
    else:
        visitor = request.GET.get("visitor") or None
        if visitor is not None and not _ID.match(visitor):
            return _error(400, "invalid", "visitor: not a valid id", field="visitor", origin=origin)
        context = visitor_context(
            shop, snapshot, visitor_key=visitor, recent=ids["recent"], cart=ids["cart"]
        )
    explain = request.GET.get("explain") == "1" and may_preview
    ranked = selectors.ranked_content(
        shop=shop,
        context=context,
        kinds=kinds,
        product_id=product,
        limit=int(limit_raw),
        snapshot=snapshot,
    )
    response = JsonResponse(
        {
            "items": [selectors.content_json(shop, r, snapshot, explain=explain) for r in ranked],
            "visitor": context.label,
        }
    )
    response["Cache-Control"] = "private, max-age=30"
    if origin:
        _allow(response, origin)
    return response


@require_GET
def gallery(request: HttpRequest) -> HttpResponse:
    return _ranked(request, selectors.GALLERY_KINDS, 6)


@require_GET
def highlights(request: HttpRequest) -> HttpResponse:
    return _ranked(request, (Kind.REVIEW,), 3)


def _bool(value: str | None) -> bool:
    return (value or "").lower() in ("1", "on", "true", "yes")


@csrf_exempt
def upload(request: HttpRequest) -> HttpResponse:
    shop, origin, refused = _shop_and_origin(request)
    if refused is not None or shop is None:
        return refused or _error(401, "bad_key", "Unknown or missing storefront key.")
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        if origin:
            _allow(response, origin)
        return response
    if request.method != "POST":
        return _error(405, "method_not_allowed", "Use POST.", origin=origin)
    if _over_upload_limit(shop, request):
        response = _error(
            429, "rate_limited", "Too many uploads from here; try again later.", origin=origin
        )
        response["Retry-After"] = str(UPLOAD_WINDOW_SECONDS)
        return response
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_UPLOAD_BODY:
        return _error(
            413,
            "too_large",
            f"The file is larger than {media.MAX_VIDEO_BYTES // 2**20} MB.",
            field="file",
            origin=origin,
        )
    try:
        form = request.POST
        file = request.FILES.get("file")
    except (MultiPartParserError, SuspiciousOperation):
        return _error(
            400,
            "bad_form",
            "The upload is not a valid multipart form (fields: file, name, email, consent, rights).",
            field="file",
            origin=origin,
        )
    upload_data = None
    if file is not None:
        # Read one byte past the limit at most: the service refuses it without holding more.
        data = file.read(media.MAX_VIDEO_BYTES + 1)
        upload_data = services.Upload(
            data=data,
            size=file.size or len(data),
            declared_type=file.content_type or "",
            filename=file.name or "",
        )
    try:
        content = services.upload_submit(
            shop=shop,
            upload=upload_data,
            email=form.get("email", ""),
            name=form.get("name", ""),
            handle=form.get("handle", ""),
            caption=form.get("caption", ""),
            has_consent=_bool(form.get("consent")),
            has_rights=_bool(form.get("rights")),
            product_id=form.get("product_id", ""),
        )
    except services.UgcInputInvalid as exc:
        status = 413 if exc.reason == "too_large" else 400
        return _error(status, exc.reason, str(exc), field=exc.field, origin=origin)
    response = JsonResponse(
        {
            "id": content.pk,
            "status": content.status,
            "verified_buyer": content.is_verified_buyer,
            "message": "Thank you! Your photo will appear once the shop has reviewed it.",
        },
        status=201,
    )
    if origin:
        _allow(response, origin)
    return response


def _over_upload_limit(shop: Shop, request: HttpRequest) -> bool:
    address = request.META.get("REMOTE_ADDR", "")
    key = f"pz:ugc:uploads:{shop.pk}:{address}"
    cache.add(key, 0, UPLOAD_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, UPLOAD_WINDOW_SECONDS)
        count = 1
    return count > UPLOADS_PER_WINDOW


@csrf_exempt
def removal_request(request: HttpRequest) -> HttpResponse:
    shop, origin, refused = _shop_and_origin(request)
    if refused is not None or shop is None:
        return refused or _error(401, "bad_key", "Unknown or missing storefront key.")
    if request.method != "POST":
        return _error(405, "method_not_allowed", "Use POST.", origin=origin)
    content_id = request.POST.get("content_id", "")
    if not content_id.isdigit():
        return _error(400, "invalid", "content_id: a number", field="content_id", origin=origin)
    try:
        services.removal_request_submit(
            shop=shop,
            content_id=int(content_id),
            email=request.POST.get("email", ""),
            reason=request.POST.get("reason", ""),
        )
    except services.UgcInputInvalid as exc:
        status = 404 if exc.field == "content_id" else 400
        return _error(status, exc.reason, str(exc), field=exc.field, origin=origin)
    response = JsonResponse(
        {"message": "Thank you. If this is your content, it has been taken down."}, status=202
    )
    if origin:
        _allow(response, origin)
    return response


@require_GET
def media_file(request: HttpRequest, name: str) -> FileResponse:
    """The local storage's files. Names are random and checked against their shape, so no
    path outside the storage can be asked for; served as inert media, never as a page."""
    if not _NAME.match(name):
        raise Http404("No such file.")
    store = storage.ugc_storage()
    if not store.exists(name):
        raise Http404("No such file.")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(store.open(name, "rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=86400"
    return response
