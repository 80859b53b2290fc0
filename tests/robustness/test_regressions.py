"""One assertion per 500 the bad-input sweep found, fixed at its source."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from django.test import Client

from integrations.shopify.models import ComplianceRequest, WebhookDelivery
from shopapp.shops.models import Shop

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/api/v1/campaigns/interactions", "/api/v1/campaigns/offer", "/api/v1/preferences"]
)
def test_a_bad_key_with_a_format_override_is_a_4xx_not_a_500(path: str, shop: Shop) -> None:
    # `?format=` is refused before authentication; reading the credential afterwards used to
    # re-raise the bad key inside finalize_response.
    response = Client(HTTP_X_STOREFRONT_KEY="garbage", HTTP_ORIGIN="https://x.example").get(
        f"{path}?format=zz"
    )
    assert 400 <= response.status_code < 500
    assert response.content


@pytest.mark.parametrize("path", ["/app/merchandising/rules/", "/app/merchandising/synonyms/"])
def test_get_on_a_create_only_admin_route_is_405(path: str, shop: Shop, admin_client_for) -> None:  # type: ignore[no-untyped-def]
    response = admin_client_for(shop).get(path)
    assert response.status_code == 405
    assert response["Allow"] == "POST"


@pytest.mark.parametrize("path", ["/app/ugc/7/tags/", "/app/ugc/removals/7/"])
def test_get_on_a_post_only_ugc_route_is_405(path: str, shop: Shop, admin_client_for) -> None:  # type: ignore[no-untyped-def]
    # The page GET these views inherit takes no id: it used to be a TypeError (500).
    response = admin_client_for(shop).get(path)
    assert response.status_code == 405


@pytest.mark.parametrize(
    ("body", "topic", "field"),
    [
        (b'{"id": 1}', "x" * 300, b"X-Shopify-Topic"),
        (b"[1, 2]", "shop/redact", b"JSON object"),
        (b'{"customer": "x", "shop_id": 1}', "customers/data_request", b"customer"),
        (b'{"customer": {"id": 1}, "orders_to_redact": 5}', "customers/redact", b"orders"),
    ],
)
def test_a_signed_webhook_with_a_bad_shape_is_400_and_records_nothing(
    settings, shop: Shop, body: bytes, topic: str, field: bytes
) -> None:  # type: ignore[no-untyped-def]
    # Signed with the right secret, so only the view's own checks stand between the body and
    # the database (these were DataError/AttributeError 500s).
    settings.SHOPIFY_API_SECRET = "sweep"
    settings.SHOPIFY_OLD_API_SECRET = ""
    digest = hmac.new(b"sweep", body, hashlib.sha256).digest()
    response = Client().post(
        "/shopify/webhooks",
        body,
        content_type="application/json",
        HTTP_X_SHOPIFY_HMAC_SHA256=base64.b64encode(digest).decode(),
        HTTP_X_SHOPIFY_TOPIC=topic,
        HTTP_X_SHOPIFY_SHOP_DOMAIN=shop.domain,
        HTTP_X_SHOPIFY_WEBHOOK_ID="wh-1",
    )
    assert response.status_code == 400
    assert field in response.content
    assert not WebhookDelivery.objects.exists()
    assert not ComplianceRequest.objects.exists()
