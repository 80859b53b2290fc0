"""Who is calling, and for which shop: every request's shop comes from a verified credential.

Storefront calls carry the shop's public storefront key; admin pages carry a session that was
established by a verified install or sign-in (the Shopify session token joins these in the Shopify
integration). Never a shop id from a query parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.http import HttpRequest
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


def storefront_credential(request: HttpRequest) -> ShopCredential | None:
    key = request.META.get(STOREFRONT_KEY_HEADER) or request.GET.get("key", "")
    if not key:
        return None
    shop = Shop.objects.filter(storefront_key=key).first()
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
