"""The admin pages inside the Shopify admin: a session token is the credential, per request."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest
from django.conf import settings

from integrations.shopify.auth import RETRY_HEADER
from personalization.segments.services import segment_save
from tests.factories import ShopFactory

HX = {"HTTP_HX_REQUEST": "true"}
# The demo settings' client secret is short; real ones are not.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def session_token(shop_domain: str, *, secret: str | None = None) -> str:
    now = int(time.time())
    claims = {
        "iss": f"https://{shop_domain}/admin",
        "dest": f"https://{shop_domain}",
        "aud": settings.SHOPIFY_API_KEY,
        "sub": "42",
        "exp": now + 60,
        "nbf": now,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "sid": "s1",
    }
    return jwt.encode(claims, secret or settings.SHOPIFY_API_SECRET, algorithm="HS256")


@pytest.fixture
def installed(db):
    """Two installed Shopify shops with offline tokens (no token exchange needed)."""
    alpha = ShopFactory(
        domain="alpha-embedded.myshopify.com", credentials={"access_token": "shpat_alpha"}
    )
    beta = ShopFactory(
        domain="beta-embedded.myshopify.com", credentials={"access_token": "shpat_beta"}
    )
    return alpha, beta


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_bad_session_token_gets_401_with_the_retry_header(client, installed):
    response = client.post(
        "/app/segments/builder/count/", {"match": "all"}, **HX, **bearer("not-a-token")
    )
    assert response.status_code == 401
    assert response[RETRY_HEADER] == "1"


def test_a_token_signed_with_another_secret_is_refused(client, installed):
    token = session_token("alpha-embedded.myshopify.com", secret="someone-elses-secret")
    response = client.get("/app/segments/", **bearer(token))
    assert response.status_code == 401


def test_a_token_for_shop_a_never_reads_shop_b(client, installed):
    alpha, beta = installed
    theirs = segment_save(
        shop=beta, name="Beta only", rule={"field": "orders", "op": "gte", "value": 1}
    )
    token = session_token(alpha.domain)
    listed = client.get(
        "/app/segments/?embedded=1&shop=alpha-embedded.myshopify.com&host=abc", **bearer(token)
    )
    assert listed.status_code == 200
    assert "Beta only" not in listed.content.decode()
    assert client.get(f"/app/segments/{theirs.pk}/", **bearer(token)).status_code == 404


def test_embedded_pages_keep_the_admin_parameters_on_their_links_and_skip_cookie_csrf(installed):
    from django.test import Client

    alpha, _ = installed
    token = session_token(alpha.domain)
    browser = Client(enforce_csrf_checks=True)  # no CSRF cookie inside the admin's iframe
    page = browser.get(
        "/app/segments/?embedded=1&shop=alpha-embedded.myshopify.com&host=abc&id_token=x",
        **bearer(token),
    )
    html = page.content.decode()
    assert (
        'href="/app/dashboard/?embedded=1&amp;shop=alpha-embedded.myshopify.com&amp;host=abc"'
        in html
    )
    assert "<ui-nav-menu>" in html
    # a write with the bearer token needs no CSRF cookie: the token is no ambient credential
    response = browser.post(
        "/app/segments/builder/count/",
        {"match": "all", "row-0-field": "orders", "row-0-op": "gte", "row-0-value": "1"},
        **HX,
        **bearer(token),
    )
    assert response.status_code == 200


def test_the_search_page_with_a_session_token_writes_without_csrf_and_stays_in_its_shop(
    client, installed
):
    from personalization.merchandising.models import SynonymGroup
    from personalization.merchandising.services import synonym_group_save

    alpha, beta = installed
    theirs = synonym_group_save(shop=beta, terms="beta, only")
    token = session_token(alpha.domain)
    # a bearer token is no ambient credential: no CSRF token needed to write
    saved = client.post(
        "/app/merchandising/synonyms/", {"terms": "sofa, couch"}, **HX, **bearer(token)
    )
    assert saved.status_code == 200
    assert list(SynonymGroup.objects.filter(shop=alpha).values_list("terms", flat=True)) == [
        ["sofa", "couch"]
    ]
    page = client.get("/app/merchandising/?embedded=1&shop=x&host=abc", **bearer(token))
    assert "beta = only" not in page.content.decode()
    assert (
        client.post(
            f"/app/merchandising/synonyms/{theirs.pk}/delete/", **HX, **bearer(token)
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/app/merchandising/synonyms/", {"terms": "a, b"}, **HX, **bearer("not-a-token")
        ).status_code
        == 401
    )
