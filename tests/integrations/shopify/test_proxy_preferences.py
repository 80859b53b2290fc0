"""The quiz and preference center blocks through the app proxy: the signature names the shop and
the logged-in customer, so answers, preferences and "forget me" belong to that customer."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import types
from urllib.parse import urlencode

import pytest

from personalization.preferences.models import QuizResponse, StatedPreferences
from personalization.privacy.models import PrivacyRequest
from shopapp.catalog.models import Customer
from tests.factories import CustomerFactory, ShopFactory
from tests.integrations.shopify.test_verification import (
    PROXY_SIGNATURE,
    PROXY_TIMESTAMP,
    _proxy_query,
)
from tests.preferences.conftest import answer, make_quiz, make_store

pytestmark = pytest.mark.django_db

SECRET = "proxy-prefs-secret"
DOMAIN = "prefs-shop.myshopify.com"


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    from personalization.decisions import catalog
    from personalization.preferences import recommend

    catalog.forget()
    recommend.forget()


@pytest.fixture
def proxy_secret(settings):  # type: ignore[no-untyped-def]
    settings.SHOPIFY_API_SECRET = SECRET
    settings.SHOPIFY_OLD_API_SECRET = ""
    return settings


def signed(customer: str = "4242", shop: str = DOMAIN, **extra: str) -> str:
    """The query Shopify's proxy forwards: our own parameters plus shop, customer, prefix and
    timestamp, signed over the sorted `k=v` pairs joined with nothing (HMAC-SHA256 hex)."""
    params = {
        "shop": shop,
        "logged_in_customer_id": customer,
        "path_prefix": "/apps/pz",
        "timestamp": str(int(time.time())),
        **extra,
    }
    message = "".join(f"{k}={v}" for k, v in sorted(params.items()))
    signature = hmac.new(SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()
    return urlencode({**params, "signature": signature})


@pytest.fixture
def proxied():  # type: ignore[no-untyped-def]
    shop = ShopFactory(domain=DOMAIN)
    make_store(shop)
    quiz = make_quiz(shop)
    customer = CustomerFactory(shop=shop, platform_id="4242")
    return types.SimpleNamespace(shop=shop, quiz=quiz, customer=customer)


def post(client, path: str, body: dict, query: str):  # type: ignore[no-untyped-def]
    # as pz-quiz.js sends it: JSON as text/plain, a simple request
    return client.post(
        f"/shopify/proxy/{path}?{query}", data=json.dumps(body), content_type="text/plain"
    )


def test_the_contract_vector_reaches_the_quiz(client, settings, monkeypatch):
    # given the contract's secret and shop, its shop has an active quiz, and a clock 30 s later
    from shopify_app.verify import app_proxy

    settings.SHOPIFY_API_SECRET = "hush"
    settings.SHOPIFY_OLD_API_SECRET = ""
    shop = ShopFactory(domain="shop-name.myshopify.com")
    make_store(shop)
    quiz = make_quiz(shop)
    monkeypatch.setattr(app_proxy, "time", types.SimpleNamespace(time=lambda: PROXY_TIMESTAMP + 30))
    # when the proxy forwards the contract's signed request to the quiz
    response = client.get(f"/shopify/proxy/quiz?{_proxy_query()}")
    # then it is this shop's quiz, private to the shopper
    assert response.status_code == 200
    data = response.json()
    assert (data["id"], data["title"]) == (quiz.pk, "Gift finder")
    assert [q["text"] for q in data["questions"]] == ["For whom?", "Budget?"]
    assert response["Cache-Control"] == "private, no-store"
    # and a signature changed by one character is refused
    tampered = _proxy_query(signature="0" + PROXY_SIGNATURE[1:])
    assert client.get(f"/shopify/proxy/quiz?{tampered}").status_code == 401


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "quiz"),
        ("post", "quiz/answers"),
        ("get", "preferences"),
        ("post", "preferences"),
        ("post", "preferences/forget"),
    ],
)
def test_every_route_refuses_an_unsigned_or_stale_request(
    client, proxy_secret, proxied, method, path
):
    # given a request without a signature, and one signed ten minutes ago
    unsigned = f"shop={DOMAIN}&logged_in_customer_id=4242&path_prefix=/apps/pz&timestamp=1"
    stale = signed(timestamp=str(int(time.time()) - 600))
    for query in (unsigned, stale):
        # when either reaches the route
        url = f"/shopify/proxy/{path}?{query}"
        response = (
            client.get(url)
            if method == "get"
            else client.post(url, data="{}", content_type="text/plain")
        )
        # then it is refused before the view runs, and nothing is stored
        assert response.status_code == 401
        assert response.json()["error"] == "unauthorized"
    assert StatedPreferences.objects.count() == 0
    assert QuizResponse.objects.count() == 0


def test_quiz_answers_are_stored_for_the_logged_in_customer(client, proxy_secret, proxied):
    # given the logged-in customer answers "Loves Candles" + "low" with consent
    body = {
        "quiz": proxied.quiz.pk,
        "answers": [answer(proxied.quiz, "Loves Candles"), answer(proxied.quiz, "low")],
        "consent": True,
    }
    # when the block posts them through the proxy
    response = post(client, "quiz/answers", body, signed())
    # then the picks follow the answers and the answers become that customer's preferences
    assert response.status_code == 200
    data = response.json()
    assert data["stored"] is True
    assert [item["id"] for item in data["items"][:3]] == ["c0", "c1", "c2"]
    stored = StatedPreferences.objects.get(shop=proxied.shop)
    assert stored.customer == proxied.customer
    assert stored.interests == {"category": ["Candles"], "price_band": ["low"]}
    assert response["Cache-Control"] == "private, no-store"


def test_quiz_answers_without_consent_keep_no_identity(client, proxy_secret, proxied):
    body = {"quiz": proxied.quiz.pk, "answers": [answer(proxied.quiz, "Loves Kitchen")]}
    response = post(client, "quiz/answers", body, signed())
    assert response.status_code == 200
    assert response.json()["stored"] is False
    assert StatedPreferences.objects.count() == 0
    taken = QuizResponse.objects.get()
    assert (taken.customer_id, taken.visitor_id, taken.has_consent) == (None, None, False)


def test_another_shops_quiz_is_404_through_the_proxy(client, proxy_secret, proxied):
    # given another shop with its own quiz
    other = ShopFactory(domain="other-prefs.myshopify.com")
    make_store(other)
    other_quiz = make_quiz(other)
    # when this shop's signed request names the other shop's quiz and answer
    body = {"quiz": other_quiz.pk, "answers": [answer(other_quiz, "Loves Candles")]}
    response = post(client, "quiz/answers", body, signed())
    # then there is no such quiz here
    assert response.status_code == 404
    assert QuizResponse.objects.count() == 0


def test_a_bad_answer_is_a_400_naming_the_field(client, proxy_secret, proxied):
    body = {"quiz": proxied.quiz.pk, "answers": ["many"]}
    response = post(client, "quiz/answers", body, signed())
    assert response.status_code == 400
    assert "answers" in response.json()["fields"]


def test_the_preference_center_reads_and_saves_the_customers_own_record(
    client, proxy_secret, proxied
):
    # given the logged-in customer saves interests and a birthday, with no visitor id at all
    saved = post(
        client,
        "preferences",
        {"interests": {"category": ["Candles"]}, "birthday": "04-23", "channels": ["email"]},
        signed(),
    )
    assert saved.status_code == 200
    # when they (and then a logged-out shopper) open the preference center
    mine = client.get(f"/shopify/proxy/preferences?{signed()}").json()
    logged_out = client.get(f"/shopify/proxy/preferences?{signed(customer='')}").json()
    # then the customer sees their own statements, the logged-out shopper sees none
    assert (mine["interests"], mine["birthday"], mine["channels"]) == (
        {"category": ["Candles"]},
        "04-23",
        ["email"],
    )
    assert mine["labels"]["forget"] == "Forget me"
    assert logged_out["interests"] == {}
    assert StatedPreferences.objects.get().customer == proxied.customer


def test_a_logged_out_shopper_without_a_visitor_id_cannot_save(client, proxy_secret, proxied):
    response = post(client, "preferences", {"sizes": ["M"]}, signed(customer=""))
    assert response.status_code == 400
    assert "visitor" in response.json()["fields"]


def test_forget_me_erases_the_logged_in_customer_with_an_audit_record(
    client, proxy_secret, proxied
):
    # given the customer stated preferences
    post(client, "preferences", {"sizes": ["L"]}, signed())
    # when they press "forget me"
    response = post(client, "preferences/forget", {}, signed())
    # then the customer is erased through the privacy service, which keeps the audit record
    assert response.status_code == 200
    audit = PrivacyRequest.objects.get(pk=response.json()["privacy_request"])
    assert (audit.action, audit.status, audit.source, audit.shop_domain) == (
        "erase",
        "done",
        "preference_center",
        DOMAIN,
    )
    assert not Customer.objects.filter(pk=proxied.customer.pk).exists()
    assert StatedPreferences.objects.count() == 0
