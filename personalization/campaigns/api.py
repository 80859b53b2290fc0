"""Storefront campaign API: what this visitor sees on this page, and what they did with it.

`GET /api/v1/campaigns/offer` and `POST /api/v1/campaigns/interactions`, authenticated like
`/api/v1/decide`: the storefront key, or Shopify's app proxy (`/shopify/proxy/campaigns/...`);
`GET /api/v1/campaigns/live` tells a plugin whether to load the overlay script at all.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from rest_framework import authentication, exceptions, status
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from personalization.campaigns.models import Campaign
from personalization.campaigns.offers import (
    InteractionInvalid,
    PageContext,
    campaign_offer,
    offer_interaction_record,
)
from personalization.campaigns.selectors import shop_runs_onsite_campaigns
from shopapp.shops.auth import ShopCredential
from shopapp.shops.scoping import StorefrontAPIView

_ID = re.compile(r"^[A-Za-z0-9_\-:.]{1,64}$")
_KEY = re.compile(r"^[a-z0-9_\-]{1,64}$")
PAGES = ("home", "product", "collection", "collection-list", "search", "cart", "other")
MAX_CART = 50


class AppProxyAuthentication(authentication.BaseAuthentication):
    """The credential Shopify's app-proxy wrapper verified and put on the request."""

    def authenticate(self, request: Request) -> tuple[None, ShopCredential] | None:
        credential = getattr(request._request, "shop_credential", None)
        if isinstance(credential, ShopCredential) and credential.kind == "app_proxy":
            return (None, credential)
        return None


class PlainTextJSONParser(BaseParser):
    """`navigator.sendBeacon` and no-preflight `fetch` send JSON as text/plain."""

    media_type = "text/plain"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return json.loads(stream.read().decode("utf-8") or "null")
        except (UnicodeDecodeError, ValueError) as exc:
            raise ValueError("body: not JSON") from exc


def _invalid(field_name: str, message: str, code: int = 400) -> Response:
    return Response(
        {"error": "invalid", "field": field_name, "message": f"{field_name}: {message}"},
        status=code,
    )


def _origin_refused(request: HttpRequest, credential: ShopCredential) -> Response | None:
    origin = request.headers.get("Origin")
    if (
        origin
        and credential.kind == "storefront_key"
        and not credential.shop.allows_origin(origin)
        and origin != f"{request.scheme}://{request.get_host()}"
    ):
        return Response(
            {"error": "bad_origin", "message": f"Origin {origin} is not allowed."}, status=403
        )
    return None


class CampaignStorefrontView(StorefrontAPIView):
    authentication_classes = [AppProxyAuthentication, *StorefrontAPIView.authentication_classes]
    parser_classes = [JSONParser, PlainTextJSONParser]
    queryset = Campaign.objects.all()

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        # Per shopper: no shared cache may keep it.
        response["Cache-Control"] = "private, no-store"
        origin = request.headers.get("Origin")
        try:
            credential = request.auth
        except exceptions.APIException:
            # Rejected before authentication ran (e.g. `?format=` 404): reading `auth` now
            # would re-raise the bad key as a 500.
            credential = None
        if (
            origin
            and isinstance(credential, ShopCredential)
            and credential.shop.allows_origin(origin)
        ):
            response["Access-Control-Allow-Origin"] = origin
            response["Vary"] = "Origin"
        return response


class CampaignOfferAPI(CampaignStorefrontView):
    def get(self, request: Request) -> Response:
        credential = self.get_credential()
        refused = _origin_refused(request._request, credential)
        if refused is not None:
            return refused
        params = request.query_params
        visitor = params.get("visitor") or None
        if visitor is not None and not _ID.match(visitor):
            return _invalid("visitor", "not a valid id")
        page = params.get("page", "other")
        if page not in PAGES:
            return _invalid("page", f"must be one of {', '.join(PAGES)}")
        visit_raw = params.get("visit", "1")
        if not visit_raw.isdigit() or not 1 <= int(visit_raw) <= 100_000:
            return _invalid("visit", "must be a whole number from 1")
        cart = tuple(v for v in params.get("cart", "").split(",") if v)
        if len(cart) > MAX_CART:
            return _invalid("cart", f"at most {MAX_CART} ids")
        if any(not _ID.match(v) for v in cart):
            return _invalid("cart", "not a list of valid ids")
        product = params.get("product") or None
        if product is not None and not _ID.match(product):
            return _invalid("product", "not a valid id")
        offer = campaign_offer(
            shop=self.get_shop(),
            visitor_key=visitor,
            page=PageContext(page=page, visit=int(visit_raw), cart=cart, product_id=product),
        )
        return Response(offer.as_json())


class CampaignInteractionAPI(CampaignStorefrontView):
    def post(self, request: Request) -> Response:
        credential = self.get_credential()
        refused = _origin_refused(request._request, credential)
        if refused is not None:
            return refused
        try:
            body = request.data
        except ValueError:
            return _invalid("body", "not JSON")
        if not isinstance(body, dict):
            return _invalid("body", "must be a JSON object")
        for name in ("visitor", "campaign", "variant", "kind"):
            if not isinstance(body.get(name), str) or not body[name]:
                return _invalid(name, "is required")
        if not _ID.match(body["visitor"]):
            return _invalid("visitor", "not a valid id")
        if not _KEY.match(body["campaign"]):
            return _invalid("campaign", "not a valid key")
        campaign = self.get_queryset().filter(key=body["campaign"]).first()
        if campaign is None:
            return _invalid("campaign", "no such campaign", status.HTTP_404_NOT_FOUND)
        try:
            offer_interaction_record(
                shop=self.get_shop(),
                campaign=campaign,
                visitor_key=body["visitor"],
                variant=str(body["variant"])[:40],
                kind=body["kind"],
            )
        except InteractionInvalid as exc:
            return _invalid(exc.field, exc.message)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CampaignLiveAPI(CampaignStorefrontView):
    """`GET /api/v1/campaigns/live`: whether the shop runs on-site campaigns now, so a platform
    plugin (WordPress) loads pz-overlay.js only then. The same for every shopper: a shared cache
    may keep it for a minute."""

    def get(self, request: Request) -> Response:
        onsite = shop_runs_onsite_campaigns(shop=self.get_shop(), now=timezone.now())
        return Response({"onsite": onsite})

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200:
            response["Cache-Control"] = "public, max-age=60"
        return response
