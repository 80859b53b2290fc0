"""Pages inside the Shopify admin: framing rules, the retry header, App Bridge in the template."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from integrations.shopify.auth import RETRY_HEADER
from shopapp.shops.auth import ShopCredential


def _credential(request: HttpRequest) -> ShopCredential | None:
    for name in ("shop_credential", "auth"):
        credential = getattr(request, name, None)
        if isinstance(credential, ShopCredential):
            return credential
    return None


def is_embedded(request: HttpRequest) -> bool:
    credential = _credential(request)
    return credential is not None and credential.kind == "session_token"


class EmbeddedAppMiddleware:
    """On responses to requests verified by a session token: `frame-ancestors` for the shop and
    the admin (and no X-Frame-Options, which would forbid the admin's iframe). On 401s to a request
    whose bearer token failed: the header that makes App Bridge fetch a fresh token and retry."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        credential = _credential(request)
        if credential is not None and credential.kind == "session_token":
            response["Content-Security-Policy"] = (
                f"frame-ancestors https://{credential.shop.domain} https://admin.shopify.com;"
            )
            response.xframe_options_exempt = True  # type: ignore[attr-defined]
        elif response.status_code == 401 and (
            getattr(request, "shopify_session_invalid", False)
            or request.headers.get("Authorization", "").startswith("Bearer ")
        ):
            response[RETRY_HEADER] = "1"
        if "frame-ancestors" in response.get("Content-Security-Policy", ""):
            response.xframe_options_exempt = True  # type: ignore[attr-defined]
        return response


def embedded_context(request: HttpRequest) -> dict[str, Any]:
    """`embedded` for templates/base.html: App Bridge tags only inside the Shopify admin."""
    embedded = is_embedded(request)
    return {"embedded": embedded, "shopify_api_key": settings.SHOPIFY_API_KEY if embedded else ""}
