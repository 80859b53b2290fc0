"""Shopify's entry points that are pages rather than APIs: the patch-ID-token page and the
authorization-code install for the non-embedded path."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from integrations.shopify.auth import (
    django_response,
    is_shop_domain,
    oauth_authorize_url,
    oauth_exchange_code,
    oauth_hmac_valid,
    request_input,
    shopify_app,
)
from integrations.shopify.client import ShopifyError
from integrations.shopify.models import SyncRun
from shopapp.shops.scoping import AdminShopView

OAUTH_STATE_KEY = "shopify_oauth_state"


class AppHomeView(AdminShopView):
    """The app's home inside the Shopify admin: the first request of an install lands here
    (session token → token exchange), and it shows the sync's progress."""

    def get(self, request: HttpRequest) -> HttpResponse:
        shop = self.get_shop()
        run = SyncRun.objects.filter(shop=shop).order_by("-started_at").first()
        return render(request, "shopify/home.html", {"shop": shop, "run": run})


def _scopes() -> str:
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).parent / "shopify.app.toml").read_text())
    return str(config["access_scopes"]["scopes"])


@require_GET
def patch_id_token(request: HttpRequest) -> HttpResponse:
    """Bare page loads come here: App Bridge fetches a session token and reloads the page with it."""
    return django_response(shopify_app().app_home_patch_id_token(request_input(request)).response)


@require_GET
def oauth_install(request: HttpRequest) -> HttpResponse:
    shop_domain = request.GET.get("shop", "").lower()
    if not is_shop_domain(shop_domain):
        return HttpResponse("Not a myshopify.com shop domain.", status=400)
    state = secrets.token_urlsafe(24)
    request.session[OAUTH_STATE_KEY] = state
    redirect_uri = f"{settings.SHOPIFY_APP_URL}{reverse('shopify:oauth_callback')}"
    return HttpResponseRedirect(
        oauth_authorize_url(
            shop_domain=shop_domain, state=state, redirect_uri=redirect_uri, scopes=_scopes()
        )
    )


@require_GET
def oauth_callback(request: HttpRequest) -> HttpResponse:
    params = {key: request.GET.get(key, "") for key in request.GET}
    if not oauth_hmac_valid(params, settings.SHOPIFY_API_SECRET):
        return HttpResponse("Bad signature.", status=401)
    expected_state = request.session.pop(OAUTH_STATE_KEY, None)
    if not expected_state or not secrets.compare_digest(expected_state, params.get("state", "")):
        return HttpResponse("Bad state.", status=401)
    shop_domain = params.get("shop", "").lower()
    if not is_shop_domain(shop_domain) or not params.get("code"):
        return HttpResponse("Bad shop.", status=400)
    try:
        oauth_exchange_code(shop_domain=shop_domain, code=params["code"])
    except ShopifyError:
        return HttpResponse("Shopify refused the authorization code.", status=401)
    return HttpResponseRedirect(f"https://{shop_domain}/admin/apps/{settings.SHOPIFY_API_KEY}")
