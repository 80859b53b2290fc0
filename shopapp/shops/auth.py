"""Who is calling, and for which shop: every request's shop comes from a verified credential.

Storefront calls carry the shop's public storefront key; admin pages carry a session that was
established by a verified install or sign-in (the Shopify session token joins these in the Shopify
integration). Never a shop id from a query parameter.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from shopapp.shops.models import Shop

CredentialKind = Literal["storefront_key", "admin_session", "session_token", "app_proxy"]
ADMIN_SESSION_KEY = "admin_shop_id"
STOREFRONT_KEY_HEADER = "HTTP_X_STOREFRONT_KEY"


@dataclass(frozen=True)
class ShopCredential:
    shop: Shop
    kind: CredentialKind
    customer_platform_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.kind in ("admin_session", "session_token")


_KEY_CACHE_SECONDS = 30.0
_shops_by_key: dict[str, tuple[float, Shop | None]] = {}


def shop_for_storefront_key(key: str) -> Shop | None:
    """The shop behind a public storefront key, cached briefly per process: every storefront
    request asks, and keys change only when a shop is erased or rotates its key."""
    now = time.monotonic()
    cached = _shops_by_key.get(key)
    if cached is not None and now - cached[0] < _KEY_CACHE_SECONDS:
        return cached[1]
    shop = Shop.objects.filter(storefront_key=key).first()
    if len(_shops_by_key) > 10_000:
        _shops_by_key.clear()
    _shops_by_key[key] = (now, shop)
    return shop


def storefront_credential(request: HttpRequest) -> ShopCredential | None:
    key = request.META.get(STOREFRONT_KEY_HEADER) or request.GET.get("key", "")
    if not key:
        return None
    shop = shop_for_storefront_key(key) if len(key) <= 64 else None
    if shop is None:
        raise exceptions.AuthenticationFailed("Unknown storefront key.")
    return ShopCredential(shop=shop, kind="storefront_key")


def admin_session_credential(request: HttpRequest) -> ShopCredential | None:
    session = getattr(request, "session", None)
    shop_id = session.get(ADMIN_SESSION_KEY) if session is not None else None
    if not shop_id:
        return None
    shop = Shop.objects.filter(pk=shop_id).first()
    if shop is None:
        session.pop(ADMIN_SESSION_KEY, None)  # type: ignore[union-attr]
        return None
    return ShopCredential(shop=shop, kind="admin_session")


def admin_session_sign_in(request: HttpRequest, shop: Shop) -> None:
    request.session.cycle_key()
    request.session[ADMIN_SESSION_KEY] = shop.pk


class StorefrontKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[None, ShopCredential] | None:
        credential = storefront_credential(request._request)
        return (None, credential) if credential else None

    def authenticate_header(self, request: Request) -> str:
        return "StorefrontKey"


class AdminSessionAuthentication(authentication.SessionAuthentication):
    """The admin's session; unsafe methods still need the CSRF token."""

    def authenticate(self, request: Request) -> tuple[None, ShopCredential] | None:
        credential = admin_session_credential(request._request)
        if credential is None:
            return None
        self.enforce_csrf(request)
        return (None, credential)

    def authenticate_header(self, request: Request) -> str:
        return "Session"


class SessionTokenInvalid(exceptions.AuthenticationFailed):
    """A platform session token (Shopify App Bridge's ID token) was presented and failed.

    `response`, when set, is what the platform prescribes instead of a bare 401 (for a page load:
    a redirect to the page that fetches a fresh token)."""

    def __init__(
        self, detail: str = "Invalid session token.", response: HttpResponse | None = None
    ):
        super().__init__(detail)
        self.response = response


def session_token_credential(request: HttpRequest) -> ShopCredential | None:
    """The shop behind a platform session token, verified by the integration named in
    `settings.SHOP_SESSION_TOKEN_VERIFIER` (a dotted path; the core never imports integrations).

    None when the request carries no session token; raises SessionTokenInvalid when it carries a
    bad one."""
    path = getattr(settings, "SHOP_SESSION_TOKEN_VERIFIER", "")
    if not path:
        return None
    verifier = import_string(path)
    credential: ShopCredential | None = verifier(request)
    return credential


class SessionTokenAuthentication(authentication.BaseAuthentication):
    """Admin API calls from an embedded admin page: `Authorization: Bearer <session token>`.
    A bearer token is not a cookie, so no CSRF check is needed."""

    def authenticate(self, request: Request) -> tuple[None, ShopCredential] | None:
        credential = session_token_credential(request._request)
        return (None, credential) if credential else None

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="session-token"'
