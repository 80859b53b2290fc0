"""GET /api/v1/decide: everything a storefront page personalizes, in one small JSON response."""

from __future__ import annotations

import re
import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from personalization.decisions.catalog import catalog_snapshot
from personalization.decisions.context import PERSONAS, persona_context, session_context
from personalization.decisions.services import (
    PAGE_SLOTS,
    PageRequest,
    needs_purchase_history,
    page_decide,
    page_decide_for_customer,
    page_decide_for_visitor,
)
from personalization.experiments.storefront import decide_with_experiments
from personalization.merchandising.selectors import search_query_from_referrer
from shopapp.shops.auth import (
    STOREFRONT_KEY_HEADER,
    ShopCredential,
    admin_session_credential,
    shop_for_storefront_key,
)
from shopapp.shops.models import Shop

_ID = re.compile(r"^[A-Za-z0-9_\-:.]{1,64}$")
_SLOT = re.compile(r"^[a-z0-9\-]{1,40}$")
LIMITS = {"results": 200, "nav": 100, "cart": 50, "recent": 20, "slots": 12}


class BadRequest(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def _ids(request: HttpRequest, name: str, pattern: re.Pattern[str] = _ID) -> tuple[str, ...]:
    raw = request.GET.get(name, "")
    values = [v for v in raw.split(",") if v] if raw else []
    if len(values) > LIMITS[name]:
        raise BadRequest(name, f"at most {LIMITS[name]} values, got {len(values)}")
    for value in values:
        if not pattern.match(value):
            raise BadRequest(name, f"{value[:40]!r} is not a valid id")
    return tuple(values)


def _bad(field: str, message: str, status: int = 400) -> JsonResponse:
    return JsonResponse(
        {"error": "invalid", "field": field, "message": f"{field}: {message}"}, status=status
    )


def _may_preview(request: HttpRequest, shop: Shop) -> bool:
    """Personas and reasons are for the shop's admins, and for the demo shop."""
    if settings.DEMO_ENABLED and shop.is_demo:
        return True
    credential = admin_session_credential(request)
    return credential is not None and credential.shop.pk == shop.pk


@require_GET
def decide(request: HttpRequest) -> HttpResponse:
    started = time.perf_counter()
    response = _decide(request)
    # Server-side time, for the browser's devtools and for bench/serve.py.
    response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
    return response


def _decide(request: HttpRequest) -> HttpResponse:
    credential = getattr(request, "shop_credential", None)  # set by Shopify's app-proxy wrapper
    proxied = credential if isinstance(credential, ShopCredential) else None
    key = request.META.get(STOREFRONT_KEY_HEADER) or request.GET.get("key", "")
    shop = (
        proxied.shop
        if proxied
        else (shop_for_storefront_key(key) if key and len(key) <= 64 else None)
    )
    if shop is None:
        return JsonResponse(
            {"error": "bad_key", "message": "Unknown or missing storefront key."}, status=401
        )
    origin = request.headers.get("Origin")
    if (
        origin
        and not shop.allows_origin(origin)
        and origin != f"{request.scheme}://{request.get_host()}"
    ):
        return JsonResponse(
            {"error": "bad_origin", "message": f"Origin {origin} is not allowed."}, status=403
        )
    page = request.GET.get("page", "other")
    if page not in PAGE_SLOTS:
        return _bad("page", f"must be one of {', '.join(PAGE_SLOTS)}")
    try:
        slots = _ids(request, "slots", _SLOT)
        nav = _ids(request, "nav")
        results = _ids(request, "results")
        cart = _ids(request, "cart")
        recent = _ids(request, "recent")
        product = request.GET.get("product") or None
        if product is not None and not _ID.match(product):
            raise BadRequest("product", "not a valid id")
        limit = request.GET.get("limit")
        limits: dict[str, int] = {}
        if limit is not None:
            if not limit.isdigit() or not 1 <= int(limit) <= 24:
                raise BadRequest("limit", "must be a whole number from 1 to 24")
            limits = {slot: int(limit) for slot in slots or PAGE_SLOTS[page]}
        query = request.GET.get("q", "").strip()
        if not query and page == "search":  # the search page's own URL (merchandising)
            query = search_query_from_referrer(request.headers.get("Referer", ""))
        if len(query) > 200:
            raise BadRequest("q", "at most 200 characters")
    except BadRequest as exc:
        return _bad(exc.field, str(exc).split(": ", 1)[1])
    persona = request.GET.get("persona")
    preview = bool(persona) and _may_preview(request, shop)
    if persona and not preview:
        return _bad("persona", "previews need an admin session", status=403)
    visitor = request.GET.get("visitor") or None
    if visitor is not None and not _ID.match(visitor):
        return _bad("visitor", "not a valid id")
    page_request = PageRequest(
        page=page,
        slots=slots,
        product_id=product,
        nav=nav,
        results=results,
        limits=limits,
        explain=request.GET.get("explain") == "1" and (preview or _may_preview(request, shop)),
        query=query,
    )
    snapshot = catalog_snapshot(shop)
    context = None
    if persona:
        if persona not in PERSONAS and not persona.startswith("customer:"):
            return _bad("persona", f"must be one of {', '.join(PERSONAS)} or customer:<id>")
        context = persona_context(shop, snapshot, persona)
        if context is None:
            return _bad("persona", "no such customer or persona in this shop", status=404)
    personal_context = context

    def decide(page_request: PageRequest) -> dict[str, Any]:
        if personal_context is None and proxied is not None and proxied.customer_platform_id:
            return page_decide_for_customer(
                shop=shop,
                request=page_request,
                customer_platform_id=proxied.customer_platform_id,
                visitor_key=visitor,
                recent=recent,
                cart=cart,
            )
        if personal_context is None and visitor is not None:
            # the hot path: a storefront visitor, answered from the shared cache when it can be
            return page_decide_for_visitor(
                shop=shop,
                request=page_request,
                visitor_key=visitor,
                recent=recent,
                cart=cart,
                need_purchased=page == "order" or needs_purchase_history(shop),
            )
        return page_decide(
            shop=shop,
            request=page_request,
            context=personal_context
            or session_context(snapshot, recent=list(recent), cart=list(cart)),
        )

    # The holdout and experiment arms (personalization.experiments) apply here, and tag the response.
    decision = decide_with_experiments(
        shop=shop,
        visitor_id=None if persona else visitor,
        request=page_request,
        decide=decide,
    )
    return _respond(decision, shop, origin)


def _respond(decision: dict[str, Any], shop: Shop, origin: str | None) -> JsonResponse:
    response = JsonResponse(decision)
    response["Cache-Control"] = "private, max-age=30"
    if origin and shop.allows_origin(origin):
        response["Access-Control-Allow-Origin"] = origin
        response["Vary"] = "Origin"
    return response
