"""The REST client against the fake store: auth modes, pagination, retries, typed errors, the
per-store lock and the refusal of private addresses."""

from __future__ import annotations

import threading

import pytest

from integrations.woocommerce.client import (
    AddressRefused,
    AppPasswordAuth,
    KeyAuth,
    StoreLock,
    WooAuthError,
    WooBadRequest,
    WooClient,
    WooForbidden,
    WooNotFound,
    WooNotJSON,
    WooServerError,
    is_public_address,
)
from tests.integrations.woocommerce.conftest import client_for_fake, make_fake


def test_pages_follow_total_pages_with_100_per_page_and_fields(fake_woo):
    # given a store with 250 products
    fake_woo.data.generate(products=250, orders=0, customers=1, reviews=0, seed=1)
    client = client_for_fake(fake_woo)
    # when the client reads every page with only the ids and names
    pages = list(client.pages("products", fields=["id", "name"]))
    # then it took three pages of at most 100, in id order, trimmed to the fields asked for
    assert [len(p.items) for p in pages] == [100, 100, 50]
    assert [p.total for p in pages] == [250, 250, 250]
    ids = [item["id"] for page in pages for item in page.items]
    assert ids == sorted(fake_woo.data.products)
    assert set(pages[0].items[0]) == {"id", "name"}
    sent = [q for method, route, q in fake_woo.requests if route == "/wc/v3/products"]
    assert [q["page"] for q in sent] == ["1", "2", "3"]
    assert {q["per_page"] for q in sent} == {"100"}
    assert {q["orderby"] for q in sent} == {"id"}


def test_per_page_over_100_is_a_typed_bad_request(fake_woo):
    client = client_for_fake(fake_woo)
    with pytest.raises(WooBadRequest) as error:
        list(client.pages("products", per_page=101))
    assert error.value.status == 400
    assert error.value.code == "rest_invalid_param"
    assert error.value.data["params"] == {
        "per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"
    }


def test_retries_honour_retry_after_on_429_and_503(fake_woo):
    # given a store that answers 429 (wait 7 s) then 503 (wait 3 s) before it works
    fake_woo.fail_next = [(429, "7"), (503, "3")]
    waits: list[float] = []
    client = client_for_fake(fake_woo, sleep=waits.append)
    # when the client reads
    body = client.get("products")
    # then it waited what the store asked and got the answer
    assert body == []
    assert waits == [7.0, 3.0]


def test_gives_up_after_max_attempts_with_a_transient_error(fake_woo):
    fake_woo.fail_next = [(502, None)] * 5
    client = client_for_fake(fake_woo, max_attempts=3)
    with pytest.raises(WooServerError) as error:
        client.get("products")
    assert error.value.status == 502
    assert len(fake_woo.fail_next) == 2


def test_post_is_not_retried_on_500(fake_woo):
    fake_woo.fail_next = [(500, None)]
    client = client_for_fake(fake_woo)
    with pytest.raises(WooServerError):
        client.post("webhooks", {"topic": "product.updated", "delivery_url": "https://a.test/"})
    assert fake_woo.webhooks == {}


def test_wrong_secret_and_unknown_key_are_auth_errors(fake_woo):
    key = fake_woo.add_key()
    wrong_secret = client_for_fake(fake_woo, auth=KeyAuth(key.consumer_key, "cs_wrong"))
    with pytest.raises(WooAuthError) as error:
        wrong_secret.get("products")
    assert (error.value.code, error.value.message) == (
        "woocommerce_rest_authentication_error",
        "Consumer secret is invalid.",
    )
    unknown = client_for_fake(fake_woo, auth=KeyAuth("ck_unknown", "cs_unknown"))
    with pytest.raises(WooAuthError) as error:
        unknown.get("products")
    assert error.value.code == "woocommerce_rest_cannot_view"


def test_read_keys_cannot_write(fake_woo):
    client = client_for_fake(fake_woo, key=fake_woo.add_key("read"))
    with pytest.raises(WooAuthError) as error:
        client.post("webhooks", {"topic": "product.updated", "delivery_url": "https://a.test/"})
    assert error.value.message == "The API key provided does not have write permissions."


def test_plain_http_store_is_signed_with_oauth_and_each_retry_uses_a_new_nonce():
    # given a store on plain HTTP (WooCommerce accepts only OAuth 1.0a there)
    fake = make_fake(tls_enabled=False)
    try:
        fake.data.generate(products=3, orders=0, customers=1, reviews=0)
        fake.fail_next = [(503, "0")]
        client = client_for_fake(fake)
        # when the client reads (once refused with 503, then again)
        items = client.get("products", {"_fields": "id"})
        # then the signed retry worked: a reused nonce would have been refused
        assert len(items) == 3
        sent = [q for _m, route, q in fake.requests if route == "/wc/v3/products"]
        assert len(sent) == 2
        assert sent[0]["oauth_nonce"] != sent[1]["oauth_nonce"]
        assert sent[1]["oauth_signature_method"] == "HMAC-SHA256"
    finally:
        fake.stop()


def test_host_hiding_https_ignores_basic_auth_and_accepts_oauth_signed_as_http():
    # given a store behind a proxy that terminates TLS without telling WordPress
    fake = make_fake(is_ssl=False)
    try:
        key = fake.add_key()
        basic = client_for_fake(fake, key=key)
        # then Basic auth is ignored: WooCommerce sees no credentials at all
        with pytest.raises(WooAuthError) as error:
            basic.get("products")
        assert error.value.code == "woocommerce_rest_cannot_view"
        # and OAuth signed over the http:// form of the URL works, sent over HTTPS
        signed = client_for_fake(fake, key=key, signs_with_oauth=True)
        assert signed.get("products") == []
    finally:
        fake.stop()


def test_plain_permalinks_use_rest_route_and_sign_it_correctly():
    # given a plain-permalink store on HTTP (so requests are OAuth-signed with rest_route=/...)
    fake = make_fake(tls_enabled=False, pretty_permalinks=False)
    try:
        fake.data.generate(products=2, orders=0, customers=1, reviews=0)
        client = client_for_fake(fake)
        assert client.url_for("products").startswith(
            f"{fake.home}/?rest_route=%2Fwc%2Fv3%2Fproducts"
        )
        assert len(client.get("products")) == 2
    finally:
        fake.stop()


def test_application_passwords_work_over_https(fake_woo):
    password = fake_woo.add_app_password("owner")
    client = client_for_fake(fake_woo, auth=AppPasswordAuth("owner", password))
    assert client.get("products") == []
    wrong = client_for_fake(fake_woo, auth=AppPasswordAuth("owner", "nope"))
    with pytest.raises(WooAuthError) as error:
        wrong.get("products")
    assert error.value.code == "incorrect_password"


def test_firewall_page_is_forbidden_and_php_notices_are_not_json():
    firewalled = make_fake(firewall=True)
    noisy = make_fake(php_notices=True)
    try:
        with pytest.raises(WooForbidden) as error:
            client_for_fake(firewalled).get("products")
        assert error.value.status == 403
        assert "firewall" in error.value.message
        with pytest.raises(WooNotJSON) as not_json:
            client_for_fake(noisy).get("products")
        assert "Deprecated" in not_json.value.message
    finally:
        firewalled.stop()
        noisy.stop()


def test_missing_resource_and_inactive_woocommerce_are_not_found(fake_woo):
    client = client_for_fake(fake_woo)
    with pytest.raises(WooNotFound) as error:
        client.get("products/999999")
    assert error.value.code == "woocommerce_rest_product_invalid_id"
    inactive = make_fake(woocommerce_active=False)
    try:
        with pytest.raises(WooNotFound) as error:
            client_for_fake(inactive).get("products")
        assert error.value.code == "rest_no_route"
    finally:
        inactive.stop()


def test_batch_of_more_than_100_is_refused_with_413(fake_woo):
    fake_woo.data.generate(products=2, orders=0, customers=1, reviews=0)
    client = client_for_fake(fake_woo)
    with pytest.raises(WooBadRequest) as error:
        client.post("products/batch", {"update": [{"id": i} for i in range(101)]})
    assert (error.value.status, error.value.code) == (
        413,
        "woocommerce_rest_request_entity_too_large",
    )


def test_loopback_and_private_addresses_are_refused_without_the_test_flag(fake_woo):
    # given a client as production builds it (no allow_loopback)
    key = fake_woo.add_key()
    client = WooClient(fake_woo.home, KeyAuth(key.consumer_key, key.consumer_secret))
    # then it refuses to connect to the fake on 127.0.0.1, and nothing reached the store
    with pytest.raises(AddressRefused) as error:
        client.get("products")
    assert "127.0.0.1" in str(error.value)
    assert fake_woo.requests == []


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.9", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("::1", False),
        ("fd00::1", False),
        ("fe80::1%eth0", False),
        ("::ffff:127.0.0.1", False),
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
    ],
)
def test_public_address_check(address, public):
    assert is_public_address(address) is public


def test_one_request_at_a_time_per_store(fake_woo):
    # given two workers with their own clients for the same store, and a slow store
    fake_woo.delay = 0.05
    lock_key = "store-1"
    clients = [client_for_fake(fake_woo, lock=StoreLock(lock_key)) for _ in range(2)]
    errors: list[BaseException] = []

    def work(client: WooClient) -> None:
        try:
            for _ in range(4):
                client.get("products")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    # when both read at once
    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then the store never saw two requests at the same time
    assert errors == []
    assert len(fake_woo.requests) == 8
    assert fake_woo.max_in_flight == 1
