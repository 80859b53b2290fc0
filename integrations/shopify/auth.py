"""Who is calling from Shopify, and the shop's tokens.

- Session tokens (App Bridge ID tokens) on embedded admin pages and their fetches: verified with
  `shopifyapp` (HS256 with the client secret, `exp`/`nbf` with 10 s leeway, `aud` == client id), plus
  what the contract adds: `exp` must be present and host(`iss`) == host(`dest`), a myshopify domain.
- Install: Shopify-managed installation, then token exchange for an *expiring* offline token; the
  first verified session token of a shop without a usable token triggers it.
- Refresh: under a per-shop row lock, so racing workers refresh once and store the rotated pair
  together.
- The authorization-code grant (non-embedded path) with its callback HMAC, `state` and domain checks.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from shopify_app import ShopifyApp
from shopify_app.types import RequestInput, Res, TokenExchangeAccessToken

from integrations.shopify.client import ShopifyAuthError, ShopifyTransientError, http_client
from shopapp.shops.auth import SessionTokenInvalid, ShopCredential
from shopapp.shops.models import InstallState, Platform, Shop
from shopapp.shops.services import shop_get_or_create, shop_install

logger = logging.getLogger(__name__)

SHOP_DOMAIN_RE = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]\.myshopify\.com$")
RETRY_HEADER = "X-Shopify-Retry-Invalid-Session-Request"
# Refresh a little before expiry: a token that dies mid-sync costs a retry.
REFRESH_MARGIN = timedelta(minutes=5)


def is_shop_domain(value: str) -> bool:
    return bool(SHOP_DOMAIN_RE.match(value or ""))


@cache
def _app(client_id: str, secret: str, old_secret: str) -> ShopifyApp:
    return ShopifyApp(
        client_id=client_id, client_secret=secret, old_client_secret=old_secret or None
    )


def shopify_app() -> ShopifyApp:
    if not settings.SHOPIFY_API_SECRET:
        raise SessionTokenInvalid("Shopify is not configured (SHOPIFY_API_SECRET).")
    return _app(
        settings.SHOPIFY_API_KEY, settings.SHOPIFY_API_SECRET, settings.SHOPIFY_OLD_API_SECRET
    )


def request_input(request: HttpRequest) -> RequestInput:
    """The request as shopifyapp wants it: method, every header, the full URL, the raw body."""
    body = request.body
    return {
        "method": request.method or "GET",
        "headers": dict(request.headers),
        "url": request.build_absolute_uri(),
        "body": body.decode("utf-8", errors="replace") if body else "",
    }


def django_response(res: Res) -> HttpResponse:
    return HttpResponse(res.body, status=res.status, headers=res.headers)


def _unauthorized(detail: str) -> SessionTokenInvalid:
    response = HttpResponse("Unauthorized", status=401, headers={RETRY_HEADER: "1"})
    return SessionTokenInvalid(detail, response=response)


def _host(url: Any) -> str:
    return (urlparse(url).hostname or "") if isinstance(url, str) else ""


@dataclass(frozen=True)
class SessionToken:
    shop_domain: str
    user_id: str
    claims: dict[str, Any]


def session_token_verify(token: str) -> SessionToken:
    """Verify a bare session token (as sent in `Authorization: Bearer`); raises SessionTokenInvalid."""
    request: RequestInput = {
        "method": "GET",
        "headers": {"authorization": f"Bearer {token}"},
        "url": f"{settings.SHOPIFY_APP_URL}/",
        "body": "",
    }
    result = shopify_app().verify_app_home_req(request, app_home_patch_id_token_path="/")
    if not result.ok or result.id_token is None:
        raise _unauthorized(result.log.code)
    return _claims_checked(result.id_token.claims)


def _claims_checked(claims: dict[str, Any]) -> SessionToken:
    if "exp" not in claims:
        raise _unauthorized("session token without exp")
    dest_host = _host(claims.get("dest"))
    if not is_shop_domain(dest_host) or _host(claims.get("iss")) != dest_host:
        raise _unauthorized("session token iss/dest mismatch")
    return SessionToken(shop_domain=dest_host, user_id=str(claims.get("sub", "")), claims=claims)


def _looks_embedded(request: HttpRequest) -> bool:
    return (
        request.headers.get("Authorization", "").startswith("Bearer ")
        or "id_token" in request.GET
        or request.GET.get("embedded") == "1"
    )


def session_token_credential(request: HttpRequest) -> ShopCredential | None:
    """The admin credential from a Shopify session token (`settings.SHOP_SESSION_TOKEN_VERIFIER`).

    None when the request is not an embedded one. A fetch with a bad token → 401 with the retry
    header (App Bridge fetches a fresh token and retries); a page load without a usable token → the
    patch-ID-token page, which reloads it with a fresh `id_token`."""
    if not _looks_embedded(request):
        return None
    app = shopify_app()
    result = app.verify_app_home_req(
        request_input(request), app_home_patch_id_token_path=reverse("shopify:patch_id_token")
    )
    if not result.ok or result.id_token is None:
        request.shopify_session_invalid = True  # type: ignore[attr-defined]
        logger.info("session token rejected: %s", result.log.code)
        response = django_response(result.response)
        if result.response.status == 401 and "Authorization" in request.headers:
            response[RETRY_HEADER] = "1"
        raise SessionTokenInvalid(result.log.code, response=response)
    try:
        token = _claims_checked(result.id_token.claims)
    except SessionTokenInvalid:
        request.shopify_session_invalid = True  # type: ignore[attr-defined]
        raise
    shop = Shop.objects.filter(platform=Platform.SHOPIFY, domain=token.shop_domain).first()
    if shop is None or not shop.is_active or not shop.credentials.get("access_token"):
        shop = install_with_token_exchange(
            shop_domain=token.shop_domain,
            id_token=result.id_token,
            invalid_token_response=result.invalid_token_response,
        )
    return ShopCredential(shop=shop, kind="session_token")


def _credentials(token: TokenExchangeAccessToken) -> dict[str, str]:
    return {
        "access_token": token.token,
        "expires": token.expires or "",
        "refresh_token": token.refresh_token or "",
        "refresh_token_expires": token.refresh_token_expires or "",
        "scope": token.scope,
    }


def install_with_token_exchange(
    *, shop_domain: str, id_token: Any, invalid_token_response: Any = None
) -> Shop:
    """Shopify-managed install: swap the session token for an expiring offline token, store it,
    and start the first sync once the transaction commits."""
    with http_client() as client:
        result = shopify_app().exchange_using_token_exchange(
            "offline",
            id_token=id_token,
            invalid_token_response=invalid_token_response,
            expiring=True,
            http_client=client,
        )
    if not result.ok or result.access_token is None:
        logger.warning("token exchange for %s failed: %s", shop_domain, result.log.code)
        if result.log.code == "invalid_subject_token":
            raise _unauthorized("invalid_subject_token")
        raise SessionTokenInvalid(result.log.code, response=django_response(result.response))
    return shop_installed(
        shop_domain=shop_domain,
        credentials=_credentials(result.access_token),
        scopes=result.access_token.scope.split(","),
    )


def shop_installed(*, shop_domain: str, credentials: dict[str, str], scopes: list[str]) -> Shop:
    from integrations.shopify import tasks

    shop, _created = shop_get_or_create(platform=Platform.SHOPIFY, domain=shop_domain)
    was_active = shop.is_active
    shop = shop_install(shop=shop, credentials=credentials, scopes=[s for s in scopes if s])
    if not was_active:
        shop_id = shop.pk
        transaction.on_commit(lambda: tasks.shopify_shop_installed.delay(shop_id))
    return shop


def _parse_time(value: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _needs_refresh(credentials: Mapping[str, str], *, now: datetime) -> bool:
    expires = _parse_time(credentials.get("expires", ""))
    return expires is not None and expires - REFRESH_MARGIN <= now


def access_token(shop: Shop, *, force_refresh: bool = False) -> str:
    """The shop's offline token, refreshed first when it is about to expire (or when Shopify just
    refused it). Raises ShopifyAuthError when the shop must be re-authorized."""
    credentials = shop.credentials
    if not credentials.get("access_token"):
        raise ShopifyAuthError(f"{shop.domain}: no access token")
    now = datetime.now(UTC)
    if not force_refresh and not _needs_refresh(credentials, now=now):
        return str(credentials["access_token"])
    stale_token = credentials.get("access_token")
    refused = ""
    with transaction.atomic():
        # The per-shop lock: one worker refreshes; the others wait here and then read its result.
        locked = Shop.objects.select_for_update().get(pk=shop.pk)
        current = locked.credentials
        rotated_meanwhile = current.get("access_token") != stale_token
        if rotated_meanwhile or (not force_refresh and not _needs_refresh(current, now=now)):
            shop.credentials = current
            return str(current["access_token"])
        if not current.get("refresh_token"):
            if not force_refresh:
                return str(current["access_token"])
            refused = "token refused and cannot be refreshed"
        else:
            with http_client() as client:
                result = shopify_app().refresh_token_exchanged_access_token(
                    {
                        "shop": shop.domain.removesuffix(".myshopify.com"),
                        "token": current["access_token"],
                        "access_mode": "offline",
                        "scope": current.get("scope", ""),
                        # We decided to refresh (our margin is wider than shopifyapp's 60 s, or
                        # Shopify refused the token): do not let it second-guess the expiry.
                        "expires": "",
                        "refresh_token": current["refresh_token"],
                        "refresh_token_expires": current.get("refresh_token_expires", ""),
                        "user": None,
                    },
                    http_client=client,
                )
            if result.ok and result.access_token is not None:
                locked.credentials = _credentials(result.access_token)
                locked.save(update_fields=["credentials", "updated_at"])
                shop.credentials = locked.credentials
                return str(result.access_token.token)
            if result.log.code not in ("invalid_grant", "refresh_token_expired", "invalid_client"):
                raise ShopifyTransientError(f"{shop.domain}: refresh failed ({result.log.code})")
            refused = f"refresh refused ({result.log.code})"
    # Outside the lock's transaction, so the mark survives the exception below.
    shop_needs_reauth(shop)
    raise ShopifyAuthError(f"{shop.domain}: {refused}")


def _mark_needs_reauth(shop: Shop) -> None:
    if shop.install_state == InstallState.INSTALLED:
        shop.install_state = InstallState.NEEDS_REAUTH
        shop.save(update_fields=["install_state", "updated_at"])


def shop_needs_reauth(shop: Shop) -> None:
    """A token Shopify refused for good: stop background work until the merchant opens the app."""
    with transaction.atomic():
        _mark_needs_reauth(Shop.objects.select_for_update().get(pk=shop.pk))


# The authorization-code grant (non-embedded installs).


def oauth_hmac_valid(params: Mapping[str, str], secret: str) -> bool:
    """Every query parameter except `hmac`, sorted, `k=v` joined by `&`, HMAC-SHA256 hex."""
    received = params.get("hmac", "")
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "hmac")
    expected = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    return bool(received) and hmac.compare_digest(expected, received)


def oauth_authorize_url(*, shop_domain: str, state: str, redirect_uri: str, scopes: str) -> str:
    from urllib.parse import urlencode

    from integrations.shopify.client import shop_base_url

    query = urlencode(
        {
            "client_id": settings.SHOPIFY_API_KEY,
            "scope": scopes,
            "redirect_uri": redirect_uri,
            "state": state,
        }
    )
    return f"{shop_base_url(shop_domain)}/admin/oauth/authorize?{query}"


def oauth_exchange_code(*, shop_domain: str, code: str) -> Shop:
    """Trade an authorization code for an expiring offline token and install the shop."""
    from integrations.shopify.client import shop_base_url

    with http_client() as client:
        response = client.post(
            f"{shop_base_url(shop_domain)}/admin/oauth/access_token",
            json={
                "client_id": settings.SHOPIFY_API_KEY,
                "client_secret": settings.SHOPIFY_API_SECRET,
                "code": code,
                "expiring": 1,
            },
        )
    if response.status_code != 200:
        raise ShopifyAuthError(f"{shop_domain}: code exchange refused ({response.status_code})")
    body = response.json()
    now = datetime.now(UTC)

    def at(seconds: Any) -> str:
        if seconds is None:
            return ""
        return (now + timedelta(seconds=int(seconds))).strftime("%Y-%m-%dT%H:%M:%SZ")

    credentials = {
        "access_token": str(body["access_token"]),
        "expires": at(body.get("expires_in")),
        "refresh_token": str(body.get("refresh_token") or ""),
        "refresh_token_expires": at(body.get("refresh_token_expires_in")),
        "scope": str(body.get("scope", "")),
    }
    return shop_installed(
        shop_domain=shop_domain, credentials=credentials, scopes=credentials["scope"].split(",")
    )
