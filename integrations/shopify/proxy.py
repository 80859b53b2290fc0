"""The app proxy: storefront blocks fetch personalized content same-origin through
`https://{shop}/apps/pz/...`, which Shopify forwards here with a signature.

The signature (shopifyapp: sorted `k=v` pairs with no separator, repeated keys joined by commas,
HMAC-SHA256 hex, timestamps more than 90 s away refused) names the shop and the logged-in customer.
Other views get the same verified credential from `proxy_credential(request)` or by decorating
with `@app_proxy_view`; the personalized endpoints themselves come with the decisions.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from integrations.shopify.auth import request_input, shopify_app
from shopapp.shops.auth import ShopCredential
from shopapp.shops.models import InstallState, Platform, Shop


class ProxyRejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def proxy_credential(request: HttpRequest) -> ShopCredential:
    """The verified shop (and `customer_platform_id`, None when logged out) of an app-proxy
    request; raises ProxyRejected."""
    result = shopify_app().verify_app_proxy_req(request_input(request))
    if not result.ok or not result.shop:
        raise ProxyRejected(result.log.code)
    domain = str(request.GET.get("shop", "")).lower()
    shop = Shop.objects.filter(platform=Platform.SHOPIFY, domain=domain).first()
    if shop is None or shop.install_state != InstallState.INSTALLED:
        raise ProxyRejected("unknown_shop")
    return ShopCredential(
        shop=shop,
        kind="app_proxy",
        customer_platform_id=result.logged_in_customer_id or None,
    )


def _private(response: HttpResponse) -> HttpResponse:
    # What a proxy answers is per shopper: no shared cache may keep it.
    response["Cache-Control"] = "private, no-store"
    return response


def app_proxy_view(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Verify the proxy signature first; the view finds the credential on
    `request.shop_credential`. A bad, missing or stale signature is 401."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            request.shop_credential = proxy_credential(request)  # type: ignore[attr-defined]
        except ProxyRejected as exc:
            return _private(
                JsonResponse({"error": "unauthorized", "reason": exc.reason}, status=401)
            )
        return _private(view(request, *args, **kwargs))

    return wrapped


@app_proxy_view
def proxy_identity(request: HttpRequest) -> HttpResponse:
    """Who the proxy says is asking: proves the entry point end to end."""
    credential: ShopCredential = request.shop_credential  # type: ignore[attr-defined]
    return JsonResponse(
        {
            "shop": credential.shop.domain,
            "customer_id": credential.customer_platform_id,
            "logged_in": credential.customer_platform_id is not None,
            "storefront_key": credential.shop.storefront_key,
        }
    )
