"""The merchant's pages for connecting a store, and the endpoints the store and our plugin call.

Thin: each view parses its input, calls one function of `auth.py`, and renders what happened in
plain words. Bad input is a page with a message (400), never a 500.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from integrations.woocommerce import auth
from integrations.woocommerce.models import AttemptStatus, ConnectAttempt
from shopapp.shops.auth import admin_session_sign_in
from shopapp.shops.models import Shop

SESSION_KEY = "woocommerce_connect_attempts"


def _remember(request: HttpRequest, attempt: ConnectAttempt) -> None:
    started = [int(pk) for pk in request.session.get(SESSION_KEY, [])][-4:]
    request.session[SESSION_KEY] = [*started, attempt.pk]


def _started_here(request: HttpRequest, attempt: ConnectAttempt) -> bool:
    return attempt.pk in request.session.get(SESSION_KEY, [])


def _plugin_params(request: HttpRequest) -> dict[str, str]:
    source = request.POST if request.method == "POST" else request.GET
    return {"plugin_return_url": source.get("return", ""), "plugin_state": source.get("state", "")}


@require_http_methods(["GET", "POST"])
def connect(request: HttpRequest) -> HttpResponse:
    """Start connecting a store: its address, then off to the store's approval page."""
    plugin = _plugin_params(request)
    context: dict[str, Any] = {
        "store_url": request.POST.get("store_url") or request.GET.get("store_url", ""),
        "return_url": plugin["plugin_return_url"],
        "state": plugin["plugin_state"],
        "app_name": settings.WOOCOMMERCE_APP_NAME,
    }
    if request.method == "GET":
        return render(request, "woocommerce/connect.html", context)
    try:
        attempt, url = auth.connect_start(store_url=context["store_url"], **plugin)
    except auth.ConnectError as exc:
        context.update(error=exc.message, reason=exc.reason)
        return render(request, "woocommerce/connect.html", context, status=400)
    _remember(request, attempt)
    response = HttpResponse(status=302)
    response["Location"] = url
    return response


@require_http_methods(["GET", "POST"])
def connect_app_password(request: HttpRequest) -> HttpResponse:
    """The fallback for stores whose wc-auth is blocked: a WordPress application password."""
    plugin = _plugin_params(request)
    context: dict[str, Any] = {
        "store_url": request.POST.get("store_url") or request.GET.get("store_url", ""),
        "username": request.POST.get("username", ""),
        "return_url": plugin["plugin_return_url"],
        "state": plugin["plugin_state"],
    }
    if request.method == "GET":
        return render(request, "woocommerce/connect_app_password.html", context)
    try:
        attempt = auth.app_password_connect(
            store_url=context["store_url"],
            username=context["username"],
            password=request.POST.get("application_password", ""),
            **plugin,
        )
    except auth.ConnectError as exc:
        context.update(error=exc.message, reason=exc.reason)
        return render(request, "woocommerce/connect_app_password.html", context, status=400)
    _remember(request, attempt)
    return _result(request, attempt)


@csrf_exempt
@require_POST
def connect_callback(request: HttpRequest) -> HttpResponse:
    """The store posts the new keys here; exactly 200 keeps them, anything else makes the store
    delete them."""
    result = auth.callback_accept(request.body)
    if result.status == 200:
        return HttpResponse("OK", status=200, content_type="text/plain")
    return JsonResponse({"error": result.message}, status=result.status)


@require_GET
def connect_return(request: HttpRequest) -> HttpResponse:
    """Where the store sends the merchant back: `success=1` (approved) or `success=0`."""
    try:
        attempt = auth.attempt_from_user_id(request.GET.get("user_id", ""))
    except auth.ConnectError as exc:
        return render(
            request,
            "woocommerce/connect_result.html",
            {"outcome": "invalid", "message": exc.message + " Start again from your store."},
            status=400,
        )
    if request.GET.get("success") != "1":
        attempt = auth.connect_denied(attempt)
    elif attempt.status == AttemptStatus.KEYS_RECEIVED:
        attempt = auth.connection_verify(attempt)
    return _result(request, attempt)


def _result(request: HttpRequest, attempt: ConnectAttempt) -> HttpResponse:
    shop = Shop.objects.get(pk=attempt.shop_id)
    context: dict[str, Any] = {"attempt": attempt, "shop": shop, "message": attempt.message}
    if attempt.status == AttemptStatus.CONNECTED:
        context["outcome"] = "connected"
        if _started_here(request, attempt):
            # The browser that started the connection becomes the store's admin session.
            admin_session_sign_in(request, shop)
            request.session[SESSION_KEY] = [attempt.pk]
            if attempt.plugin_return_url:
                code = auth.claim_code_issue(attempt)
                separator = "&" if "?" in attempt.plugin_return_url else "?"
                context["plugin_url"] = (
                    attempt.plugin_return_url
                    + separator
                    + urlencode({"pz_claim": code, "pz_state": attempt.plugin_state})
                )
    elif attempt.status == AttemptStatus.DENIED:
        context["outcome"] = "denied"
    elif attempt.status == AttemptStatus.FAILED:
        context["outcome"] = "failed"
    else:
        context["outcome"] = "waiting"
        context["message"] = (
            "Your store says you approved, but its keys never reached us. This happens when the "
            "store cannot make outgoing HTTPS requests to "
            f"{settings.WOOCOMMERCE_APP_URL} (a firewall, or a security plugin that blocks "
            "outgoing requests). Try again, or connect with an application password."
        )
    return render(request, "woocommerce/connect_result.html", context)


@csrf_exempt
@require_POST
def plugin_claim(request: HttpRequest) -> JsonResponse:
    """Our WordPress plugin trades the one-time code from the return page for its settings."""
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": "invalid", "message": "body is not JSON"}, status=400)
    code = str(body.get("code") or "") if isinstance(body, dict) else ""
    shop = auth.claim_redeem(code)
    if shop is None:
        return JsonResponse(
            {"error": "invalid_code", "message": "Unknown, used or expired code."}, status=400
        )
    app_url = str(settings.WOOCOMMERCE_APP_URL).rstrip("/")
    return JsonResponse(
        {
            "shop_domain": shop.domain,
            "storefront_key": shop.storefront_key,
            "api_base": f"{app_url}/api/v1/",
            "plugin_secret": shop.credentials.get("plugin_secret", ""),
        }
    )
