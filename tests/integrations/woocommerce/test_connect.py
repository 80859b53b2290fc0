"""Connecting a store: wc-auth with the fake, the callback's exact-200 contract, the return page,
application passwords, and a clear message (never a 500, never half-stored state) for bad input."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import connection
from django.test import Client

from integrations.woocommerce.models import AttemptStatus, ConnectAttempt, WooStore
from shopapp.shops.auth import ADMIN_SESSION_KEY
from shopapp.shops.models import InstallState, Platform, Shop
from tests.fakes.woocommerce.server import FakeWooCommerce
from tests.integrations.woocommerce.conftest import APP_URL, make_fake

pytestmark = pytest.mark.django_db


def start(client: Client, store_url: str, **extra: str):  # type: ignore[no-untyped-def]
    return client.post("/woocommerce/connect", {"store_url": store_url, **extra})


def post_callback(client: Client, body: bytes) -> int:
    response = client.post(
        "/woocommerce/auth/callback", data=body, content_type="application/json;charset=UTF-8"
    )
    return response.status_code


def follow_return(client: Client, location: str):  # type: ignore[no-untyped-def]
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}" == APP_URL
    return client.get(parts.path, dict(parse_qsl(parts.query)))


def connect(client: Client, fake: FakeWooCommerce):  # type: ignore[no-untyped-def]
    """The whole happy path; returns the return page's response."""
    response = start(client, fake.home)
    assert response.status_code == 302, response.content
    grant = fake.approve(response["Location"])
    status = post_callback(client, grant.body)
    location = fake.callback_answered(grant, status)
    assert location is not None
    return follow_return(client, location)


def test_connect_sends_the_merchant_to_wc_auth_with_five_parameters(client, woo_settings, fake_woo):
    # when the merchant enters the store's address
    response = start(client, fake_woo.home)
    # then they go to the store's authorize page, asking for read_write, with an https callback
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        f"{fake_woo.home}/wc-auth/v1/authorize"
    )
    params = dict(parse_qsl(location.query))
    assert sorted(params) == ["app_name", "callback_url", "return_url", "scope", "user_id"]
    assert params["scope"] == "read_write"
    assert params["callback_url"] == f"{APP_URL}/woocommerce/auth/callback"
    assert params["return_url"] == f"{APP_URL}/woocommerce/auth/return"
    assert fake_woo.authorize_error(params) is None
    # and the user_id is opaque and signed: a forged one is refused (see below)
    attempt = ConnectAttempt.objects.get()
    assert params["user_id"] != str(attempt.pk)
    assert params["user_id"].count(":") == 2
    assert attempt.status == AttemptStatus.STARTED
    shop = Shop.objects.get(pk=attempt.shop_id)
    assert (shop.platform, shop.install_state) == (Platform.WOOCOMMERCE, InstallState.PENDING)


def test_callback_answers_exactly_200_and_keeps_the_keys_encrypted(client, woo_settings, fake_woo):
    grant = fake_woo.approve(start(client, fake_woo.home)["Location"])
    # when the store posts the keys
    response = client.post(
        "/woocommerce/auth/callback", data=grant.body, content_type="application/json"
    )
    # then the answer is exactly 200
    assert response.status_code == 200
    attempt = ConnectAttempt.objects.get()
    assert attempt.status == AttemptStatus.KEYS_RECEIVED
    assert attempt.credentials["consumer_secret"] == grant.key.consumer_secret
    # and the secret is not readable in the database
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT credentials FROM woocommerce_connectattempt WHERE id = %s", [attempt.pk]
        )
        raw = str(cursor.fetchone()[0])
    assert grant.key.consumer_secret not in raw
    # and a second post of the same keys changes nothing
    assert post_callback(client, grant.body) == 200
    assert ConnectAttempt.objects.get().credentials == attempt.credentials


def test_return_page_verifies_and_installs(client, woo_settings, fake_woo):
    response = connect(client, fake_woo)
    assert response.status_code == 200
    assert b'data-outcome="connected"' in response.content
    shop = Shop.objects.get(platform=Platform.WOOCOMMERCE)
    assert shop.install_state == InstallState.INSTALLED
    key = next(iter(fake_woo.keys.values()))
    assert shop.credentials["consumer_key"] == key.consumer_key
    assert shop.credentials["consumer_secret"] == key.consumer_secret
    assert shop.credentials["webhook_secret"].isalnum()
    store = WooStore.objects.get(shop=shop)
    assert (store.store_url, store.signs_with_oauth) == (fake_woo.home, False)
    assert ConnectAttempt.objects.get().credentials == {}
    # and the browser that started it is now signed in to the admin
    assert client.session[ADMIN_SESSION_KEY] == shop.pk
    # and reloading the return page says the same, without verifying again
    requests_before = len(fake_woo.requests)
    again = client.get("/woocommerce/auth/return", {"success": "1", "user_id": _user_id()})
    assert b'data-outcome="connected"' in again.content
    assert len(fake_woo.requests) == requests_before


def _user_id() -> str:
    from integrations.woocommerce.auth import user_id_for

    return user_id_for(ConnectAttempt.objects.get())


def test_denied_says_nothing_was_connected(client, woo_settings, fake_woo):
    location = fake_woo.deny(start(client, fake_woo.home)["Location"])
    response = follow_return(client, location)
    assert response.status_code == 200
    assert b'data-outcome="denied"' in response.content
    assert ConnectAttempt.objects.get().status == AttemptStatus.DENIED
    assert Shop.objects.get().install_state == InstallState.PENDING


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html>not json</html>", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (json.dumps({"key_id": 1, "consumer_key": "ck_1"}).encode(), "missing fields"),
        (
            json.dumps(
                {
                    "key_id": 1,
                    "user_id": "forged",
                    "consumer_key": "ck_1",
                    "consumer_secret": "cs_1",
                    "key_permissions": "read_write",
                }
            ).encode(),
            "not one of ours",
        ),
    ],
)
def test_bad_callbacks_are_400_and_store_nothing(client, woo_settings, fake_woo, body, reason):
    start(client, fake_woo.home)
    response = client.post("/woocommerce/auth/callback", data=body, content_type="application/json")
    assert response.status_code == 400
    assert reason in response.json()["error"]
    attempt = ConnectAttempt.objects.get()
    assert (attempt.status, attempt.credentials) == (AttemptStatus.STARTED, {})


def test_read_only_keys_are_refused_and_the_merchant_is_told(client, woo_settings, fake_woo):
    location = start(client, fake_woo.home)["Location"].replace("read_write", "read")
    grant = fake_woo.approve(location)
    assert post_callback(client, grant.body) == 400
    # then the store deletes its key, and our attempt says why
    assert fake_woo.callback_answered(grant, 400) is None
    assert fake_woo.keys == {}
    attempt = ConnectAttempt.objects.get()
    assert attempt.status == AttemptStatus.FAILED
    assert "Read/Write" in attempt.message
    assert attempt.credentials == {}


def test_revoked_keys_leave_nothing_stored_and_a_clear_message(client, woo_settings, fake_woo):
    grant = fake_woo.approve(start(client, fake_woo.home)["Location"])
    status = post_callback(client, grant.body)
    location = fake_woo.callback_answered(grant, status)
    # given the merchant revoked the key before coming back
    fake_woo.keys.clear()
    response = follow_return(client, location)
    assert b'data-outcome="failed"' in response.content
    assert b"did not accept the API keys" in response.content
    shop = Shop.objects.get()
    assert (shop.install_state, shop.credentials) == (InstallState.PENDING, {})
    assert ConnectAttempt.objects.get().credentials == {}
    assert not WooStore.objects.exists()


def test_callback_that_never_came_is_explained(client, woo_settings, fake_woo):
    grant = fake_woo.approve(start(client, fake_woo.home)["Location"])
    response = follow_return(client, f"{grant.return_url}?success=1&user_id={grant.user_id}")
    assert b'data-outcome="waiting"' in response.content
    assert b"never reached us" in response.content


def test_forged_return_link_is_a_400_page(client, woo_settings, fake_woo):
    response = client.get("/woocommerce/auth/return", {"success": "1", "user_id": "x:y:z"})
    assert response.status_code == 400
    assert b"not one of ours" in response.content


@pytest.mark.parametrize(
    ("store_url", "reason", "words"),
    [
        ("http://shop.example.com", "insecure", b"starts with http://"),
        ("", "empty", b"Enter your store"),
        ("https://localhost", "private", b"only reachable"),
        ("ftp://shop.example.com", "invalid", b"is not a web address"),
    ],
)
def test_bad_addresses_are_explained_and_create_nothing(
    client, woo_settings, store_url, reason, words
):
    response = start(client, store_url)
    assert response.status_code == 400
    assert f'data-reason="{reason}"'.encode() in response.content
    assert words in response.content
    assert not Shop.objects.exists()


@pytest.mark.parametrize(
    ("options", "reason", "words"),
    [
        ({"firewall": True}, "forbidden", b"403 Forbidden"),
        ({"php_notices": True}, "not_json", b"PHP warnings"),
        ({"woocommerce_active": False}, "no_woocommerce", b"WooCommerce is not active"),
    ],
)
def test_store_problems_are_explained_before_leaving(client, woo_settings, options, reason, words):
    fake = make_fake(**options)
    try:
        response = start(client, fake.home)
        assert response.status_code == 400
        assert f'data-reason="{reason}"'.encode() in response.content
        assert words in response.content
        assert not Shop.objects.exists()
    finally:
        fake.stop()


def test_private_addresses_are_refused_outside_tests(client, woo_settings, fake_woo):
    # given production's client options (no loopback)
    woo_settings.WOOCOMMERCE_TEST_CLIENT_OPTIONS = {}
    response = start(client, fake_woo.home)
    assert response.status_code == 400
    assert b'data-reason="private"' in response.content
    assert fake_woo.requests == []


def test_host_hiding_https_connects_signed_and_says_so(client, woo_settings):
    fake = make_fake(is_ssl=False)
    woo_settings.WOOCOMMERCE_TEST_CLIENT_OPTIONS["verify"] = fake.ca_path
    try:
        response = connect(client, fake)
        assert b'data-outcome="connected"' in response.content
        assert b"does not tell WordPress" in response.content
        assert WooStore.objects.get().signs_with_oauth is True
    finally:
        fake.stop()


def test_plain_permalinks_use_the_query_form_of_wc_auth(client, woo_settings):
    fake = make_fake(pretty_permalinks=False)
    woo_settings.WOOCOMMERCE_TEST_CLIENT_OPTIONS["verify"] = fake.ca_path
    try:
        response = start(client, fake.home)
        params = dict(parse_qsl(urlsplit(response["Location"]).query))
        assert (params["wc-auth-version"], params["wc-auth-route"]) == ("1", "authorize")
        assert b'data-outcome="connected"' in connect(client, fake).content
        assert WooStore.objects.get().has_pretty_permalinks is False
    finally:
        fake.stop()


def test_application_password_connects(client, woo_settings, fake_woo):
    password = fake_woo.add_app_password("owner")
    response = client.post(
        "/woocommerce/connect/app-password",
        {"store_url": fake_woo.home, "username": "owner", "application_password": password},
    )
    assert response.status_code == 200
    assert b'data-outcome="connected"' in response.content
    shop = Shop.objects.get()
    assert shop.install_state == InstallState.INSTALLED
    assert shop.credentials["application_password"] == password


@pytest.mark.parametrize(
    ("username", "password", "reason"),
    [("owner", "wrong pass", "wrong_password"), ("nobody", "x", "wrong_user"), ("", "", "missing")],
)
def test_application_password_problems(client, woo_settings, fake_woo, username, password, reason):
    fake_woo.add_app_password("owner")
    response = client.post(
        "/woocommerce/connect/app-password",
        {"store_url": fake_woo.home, "username": username, "application_password": password},
    )
    assert response.status_code == 400
    assert f'data-reason="{reason}"'.encode() in response.content
    assert not Shop.objects.filter(install_state=InstallState.INSTALLED).exists()


def test_plugin_gets_its_settings_once_through_a_claim_code(client, woo_settings, fake_woo):
    plugin_page = f"{fake_woo.home}/wp-admin/options-general.php?page=pz-personalization"
    response = start(client, fake_woo.home, **{"return": plugin_page, "state": "s123"})
    grant = fake_woo.approve(response["Location"])
    location = fake_woo.callback_answered(grant, post_callback(client, grant.body))
    page = follow_return(client, location)
    link = page.context["plugin_url"]
    assert link.startswith(plugin_page + "&pz_claim=")
    params = dict(parse_qsl(urlsplit(link).query))
    assert params["pz_state"] == "s123"
    shop = Shop.objects.get()
    # when the plugin trades the code
    claimed = Client().post(
        "/api/v1/woocommerce/plugin/claim",
        data=json.dumps({"code": params["pz_claim"]}),
        content_type="application/json",
    )
    assert claimed.status_code == 200
    assert claimed.json() == {
        "shop_domain": shop.domain,
        "storefront_key": shop.storefront_key,
        "api_base": f"{APP_URL}/api/v1/",
        "plugin_secret": shop.credentials["plugin_secret"],
    }
    # then the code is spent
    again = Client().post(
        "/api/v1/woocommerce/plugin/claim",
        data=json.dumps({"code": params["pz_claim"]}),
        content_type="application/json",
    )
    assert again.status_code == 400


def test_plugin_return_elsewhere_is_ignored(client, woo_settings, fake_woo):
    start(client, fake_woo.home, **{"return": "https://evil.example/steal", "state": "x"})
    assert ConnectAttempt.objects.get().plugin_return_url == ""


@pytest.mark.parametrize(
    "store_url",
    [
        "https://exa mple.com",
        "https://shop.example.com:99999",
        "javascript:alert(1)",
        "https://[::1]:1/",
        "https://\u0000evil",
        "x" * 3000,
    ],
)
def test_odd_addresses_are_a_message_not_a_500(client, woo_settings, store_url):
    for path in ("/woocommerce/connect", "/woocommerce/connect/app-password"):
        response = client.post(
            path, {"store_url": store_url, "username": "u", "application_password": "p"}
        )
        assert response.status_code == 400, (path, response.status_code)
        assert b'role="alert"' in response.content
    assert not Shop.objects.filter(install_state=InstallState.INSTALLED).exists()


def test_keys_whose_merchant_never_came_back_are_verified_later(client, woo_settings, fake_woo):
    from datetime import timedelta

    from django.utils import timezone

    from integrations.woocommerce import tasks

    grant = fake_woo.approve(start(client, fake_woo.home)["Location"])
    assert post_callback(client, grant.body) == 200
    # the merchant closed the tab; a few minutes pass
    assert tasks.woocommerce_connections_verify_pending() == []
    ConnectAttempt.objects.update(updated_at=timezone.now() - timedelta(minutes=5))
    [verified] = tasks.woocommerce_connections_verify_pending()
    assert ConnectAttempt.objects.get(pk=verified).status == AttemptStatus.CONNECTED
    assert Shop.objects.get().install_state == InstallState.INSTALLED
