"""The contract's test vectors, and every way a Shopify credential can be wrong."""

from __future__ import annotations

import time
import types

import pytest
from django.test import Client

from integrations.shopify.auth import oauth_hmac_valid
from integrations.shopify.models import SyncRun
from shopapp.shops.models import Shop
from tests.factories import ShopFactory
from tests.fakes.shopify.server import FakeShopify
from tests.integrations.shopify.conftest import CLIENT_ID, CLIENT_SECRET, SHOP

pytestmark = pytest.mark.django_db

OAUTH_MESSAGE = (
    "code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com"
    "&state=0.6784241404160823&timestamp=1337178173"
)
OAUTH_HMAC = "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf"
WEBHOOK_HMAC = "VnKUjZsLuN5iZWjn5EntcBVCF9kMN43LglzCE1/GSeY="
PROXY_SIGNATURE = "4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb"
PROXY_TIMESTAMP = 1317327555


def test_oauth_callback_vector():
    # given the contract's callback parameters and secret
    params = dict(pair.split("=", 1) for pair in OAUTH_MESSAGE.split("&"))
    # then the HMAC matches, and any change breaks it
    assert oauth_hmac_valid({**params, "hmac": OAUTH_HMAC}, "hush") is True
    assert oauth_hmac_valid({**params, "hmac": OAUTH_HMAC}, "hush!") is False
    assert oauth_hmac_valid({**params, "state": "1", "hmac": OAUTH_HMAC}, "hush") is False
    assert oauth_hmac_valid(params, "hush") is False


def _post_webhook(client: Client, body: bytes, hmac_header: str | None) -> int:
    headers = {
        "X-Shopify-Topic": "products/update",
        "X-Shopify-Shop-Domain": "nobody.myshopify.com",
        "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        "X-Shopify-API-Version": "2026-10",
    }
    if hmac_header is not None:
        headers["X-Shopify-Hmac-Sha256"] = hmac_header
    return client.post(
        "/shopify/webhooks", data=body, content_type="application/json", headers=headers
    ).status_code


def test_webhook_vector_and_tampering(client, shopify_settings):
    # given the contract's secret
    shopify_settings.SHOPIFY_API_SECRET = "hush"
    # then the vector verifies; a tampered body, a tampered signature or none at all is 401
    assert _post_webhook(client, b'{"id":1}', WEBHOOK_HMAC) == 200
    assert _post_webhook(client, b'{"id":2}', WEBHOOK_HMAC) == 401
    assert _post_webhook(client, b'{"id":1}', "A" + WEBHOOK_HMAC[1:]) == 401
    assert _post_webhook(client, b'{"id":1}', None) == 401
    assert _post_webhook(client, b'{"id": 1}', WEBHOOK_HMAC) == 401  # bytes, not JSON meaning


def test_webhook_signed_with_the_old_secret_passes_during_rotation(client, shopify_settings):
    # given a secret being rotated out
    shopify_settings.SHOPIFY_API_SECRET = "new-secret"
    shopify_settings.SHOPIFY_OLD_API_SECRET = "hush"
    # then a delivery signed with the old one still verifies
    assert _post_webhook(client, b'{"id":1}', WEBHOOK_HMAC) == 200


def _proxy_query(**overrides: str) -> str:
    params = {
        "extra": ["1", "2"],
        "logged_in_customer_id": "1",
        "path_prefix": "/apps/awesome_reviews",
        "shop": "shop-name.myshopify.com",
        "timestamp": str(PROXY_TIMESTAMP),
        "signature": PROXY_SIGNATURE,
        **overrides,
    }
    pairs = []
    for key, value in params.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append(f"{key}={item}")
    return "&".join(pairs)


@pytest.fixture
def proxy_clock(monkeypatch):  # type: ignore[no-untyped-def]
    from shopify_app.verify import app_proxy

    def at(seconds_after: float) -> None:
        monkeypatch.setattr(
            app_proxy, "time", types.SimpleNamespace(time=lambda: PROXY_TIMESTAMP + seconds_after)
        )

    return at


def test_app_proxy_vector_resolves_shop_and_customer(client, shopify_settings, proxy_clock):
    # given the contract's secret, the shop installed, and a clock 30 s after the signature
    shopify_settings.SHOPIFY_API_SECRET = "hush"
    shop = ShopFactory(domain="shop-name.myshopify.com")
    proxy_clock(30)
    # when the proxy forwards the contract's request
    response = client.get(f"/shopify/proxy/identity?{_proxy_query()}")
    # then the shop and the logged-in customer come from the verified parameters
    assert response.status_code == 200
    assert response.json() == {
        "shop": "shop-name.myshopify.com",
        "customer_id": "1",
        "logged_in": True,
        "storefront_key": shop.storefront_key,
    }
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("seconds_after", "overrides", "status"),
    [
        (90, {}, 200),
        (91, {}, 401),  # stale
        (-91, {}, 401),  # from the future
        (0, {"signature": "0" + PROXY_SIGNATURE[1:]}, 401),  # tampered signature
        (0, {"logged_in_customer_id": "2"}, 401),  # tampered parameter
        (0, {"shop": "other.myshopify.com"}, 401),
    ],
)
def test_app_proxy_rejections(
    client, shopify_settings, proxy_clock, seconds_after, overrides, status
):
    shopify_settings.SHOPIFY_API_SECRET = "hush"
    ShopFactory(domain="shop-name.myshopify.com")
    proxy_clock(seconds_after)
    response = client.get(f"/shopify/proxy/identity?{_proxy_query(**overrides)}")
    assert response.status_code == status


def test_app_proxy_logged_out_and_unknown_shop(client, shopify_settings):
    # given a signed request from a shop we do not have, and one from a logged-out shopper
    import hashlib
    import hmac

    def signed(shop: str, customer: str) -> str:
        params = {
            "logged_in_customer_id": customer,
            "path_prefix": "/apps/pz",
            "shop": shop,
            "timestamp": str(int(time.time())),
        }
        message = "".join(f"{k}={v}" for k, v in sorted(params.items()))
        signature = hmac.new(CLIENT_SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()
        return "&".join(f"{k}={v}" for k, v in params.items()) + f"&signature={signature}"

    ShopFactory(domain=SHOP)
    # then the logged-out shopper is known by shop only, and the unknown shop is refused
    response = client.get(f"/shopify/proxy/identity?{signed(SHOP, '')}")
    assert response.status_code == 200
    assert response.json()["customer_id"] is None
    assert response.json()["logged_in"] is False
    assert (
        client.get(f"/shopify/proxy/identity?{signed('ghost.myshopify.com', '1')}").status_code
        == 401
    )


@pytest.fixture
def installed_shop(db) -> Shop:  # type: ignore[no-untyped-def]
    return ShopFactory(domain=SHOP, credentials={"access_token": "shpat_x"})


def _bearer(client: Client, token: str):  # type: ignore[no-untyped-def]
    return client.get("/api/v1/shopify/sync-runs/", headers={"Authorization": f"Bearer {token}"})


def test_session_token_authenticates_admin_api(
    client, shopify_settings, installed_shop, other_shop
):
    # given a run of this shop and one of another shop
    fake = FakeShopify(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    SyncRun.objects.create(shop=installed_shop)
    SyncRun.objects.create(shop=other_shop)
    # when the embedded admin calls with a fresh session token
    response = _bearer(client, fake.session_token(SHOP))
    # then the shop comes from the token, and only its runs are listed
    assert response.status_code == 200
    assert [r["status"] for r in response.json()["results"]] == ["running"]
    assert response["Content-Security-Policy"] == (
        f"frame-ancestors https://{SHOP} https://admin.shopify.com;"
    )


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda f: f.session_token(SHOP, issued_at=time.time() - 120), id="expired"),
        pytest.param(lambda f: f.session_token(SHOP, audience="someone-else"), id="wrong-audience"),
        pytest.param(lambda f: f.session_token(SHOP, secret="not-our-secret"), id="tampered"),
        pytest.param(
            lambda f: f.session_token(SHOP, dest="https://other.myshopify.com"), id="iss-dest"
        ),
        pytest.param(lambda f: f.session_token(SHOP)[:-3] + "abc", id="bad-signature"),
        pytest.param(lambda f: "not-a-jwt", id="garbage"),
    ],
)
def test_bad_session_tokens_are_401_with_retry_header(
    client, shopify_settings, installed_shop, make_token
):
    fake = FakeShopify(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    response = _bearer(client, make_token(fake))
    assert response.status_code == 401
    assert response["X-Shopify-Retry-Invalid-Session-Request"] == "1"


def test_nbf_within_leeway_is_accepted(client, shopify_settings, installed_shop):
    # given a token whose clock runs 5 s ahead of ours (within the 10 s leeway)
    fake = FakeShopify(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    token = fake.session_token(SHOP, issued_at=time.time() + 5)
    assert _bearer(client, token).status_code == 200


def test_bare_embedded_page_load_goes_to_patch_id_token_page(
    client, shopify_settings, installed_shop
):
    # when the admin loads the app page without an id_token
    response = client.get(f"/shopify/?embedded=1&shop={SHOP}&host=YWRtaW4")
    # then it is sent to the patch page, which will come back with a fresh token
    assert response.status_code == 302
    location = response["Location"]
    assert "/shopify/auth/patch-id-token?" in location
    assert "shopify-reload=%2Fshopify%2F%3Fembedded%3D1" in location
    # and the patch page loads App Bridge, framed only by the shop and the admin
    page = client.get(location.replace("http://testserver", ""))
    assert page.status_code == 200
    assert b'src="https://cdn.shopify.com/shopifycloud/app-bridge.js"' in page.content
    assert f'data-api-key="{CLIENT_ID}"'.encode() in page.content
    assert page["Content-Security-Policy"] == (
        f"frame-ancestors https://{SHOP} https://admin.shopify.com;"
    )
    assert "X-Frame-Options" not in page


def test_embedded_page_with_token_has_app_bridge_and_frame_ancestors(
    client, shopify_settings, installed_shop
):
    fake = FakeShopify(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    response = client.get(f"/shopify/?embedded=1&shop={SHOP}&id_token={fake.session_token(SHOP)}")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == (
        f"frame-ancestors https://{SHOP} https://admin.shopify.com;"
    )
    assert "X-Frame-Options" not in response
    html = response.content.decode()
    assert f'<meta name="shopify-api-key" content="{CLIENT_ID}">' in html
    assert '<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js"></script>' in html


def test_expired_token_on_a_page_load_fetches_a_fresh_one(client, shopify_settings, installed_shop):
    fake = FakeShopify(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    stale = fake.session_token(SHOP, issued_at=time.time() - 300)
    response = client.get(f"/shopify/?embedded=1&shop={SHOP}&id_token={stale}")
    assert response.status_code == 302
    assert "/shopify/auth/patch-id-token?" in response["Location"]


def test_admin_pages_outside_shopify_have_no_app_bridge(admin_client_for, installed_shop):
    # given the demo-style admin session (not embedded)
    response = admin_client_for(installed_shop).get("/shopify/")
    # then no App Bridge tags and the default framing protection
    assert response.status_code == 200
    assert b"app-bridge.js" not in response.content
    assert response["X-Frame-Options"] == "DENY"
