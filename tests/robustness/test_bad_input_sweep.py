"""Bad input never gives a 500: every URL pattern the resolver knows gets hostile requests.

The endpoints come from `get_resolver()` at collection time, so a new route is swept without
editing this file. Each request goes in with a valid credential where the route needs one (the
storefront key, a correctly signed app-proxy query, a signed-in admin session) so it reaches the
view's own validation, and without one (or with garbage) so the auth path is swept too.

For every answer: status < 500; a 4xx carries a message; a rejected request wrote no row of the
shop's tables.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.db import connection, models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopapp.shops.auth import ADMIN_SESSION_KEY
from shopapp.shops.models import Shop
from tests.factories import ProductFactory, ShopFactory

SECRET = "sweep-proxy-secret"
DOMAIN = "sweep-shop.myshopify.com"
# A few per route keeps the whole sweep near 20 s; SWEEP_EXAMPLES=50 for a deeper local hunt.
EXAMPLES = int(os.environ.get("SWEEP_EXAMPLES", "4"))


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


ROUTES = sorted(_walk(get_resolver().url_patterns), key=lambda item: item[0])


def _kind(route: str) -> str:
    if route.startswith("shopify/proxy/"):
        return "proxy"
    if route.startswith("app/"):
        return "admin"
    if "webhooks" in route:
        return "webhook"
    if route.startswith("api/"):
        return "api"
    return "public"


# Hostile scalars: oversized, unicode, NUL and control bytes, numbers out of range, injection-ish.
hostile_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "\x00",
            "a\x00b",
            "-1",
            "0",
            "99999999999999999999999",
            "1e309",
            "NaN",
            "[]",
            "{}",
            "null",
            "' OR 1=1 --",
            "<script>alert(1)</script>",
            "ü🎁\u202e",
            "x" * 5000,
            "../../etc/passwd",
        ]
    ),
)
PARAM_NAMES = [
    "q",
    "placement",
    "placements",
    "product",
    "product_id",
    "products",
    "limit",
    "offset",
    "page",
    "id",
    "ids",
    "visitor_id",
    "campaign",
    "token",
    "email",
    "tag",
    "status",
    "segment",
    "format",
    "context",
    "action",
    "rule",
    # Field names the views read (grep of request.data/GET/POST and payload .get calls).
    "answer",
    "answers",
    "birthday",
    "caption",
    "channels",
    "consent",
    "content_id",
    "data",
    "ends_at",
    "eta_seconds",
    "event_id",
    "events",
    "interests",
    "kind",
    "name",
    "percent",
    "phone",
    "phrase",
    "primary_metric",
    "question",
    "quiz",
    "reason",
    "recent",
    "rights",
    "sizes",
    "starts_at",
    "tags",
    "target_kind",
    "target_value",
    "ts",
    "type",
    "url",
    "visitor",
]
hostile_query = st.dictionaries(
    st.sampled_from(PARAM_NAMES) | st.text(max_size=8), hostile_text, max_size=5
)
json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    hostile_text,
)
json_value = st.recursive(
    json_scalar,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(PARAM_NAMES) | st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)
hostile_body = st.one_of(
    json_value.map(lambda v: ("application/json", json.dumps(v).encode())),
    st.dictionaries(st.sampled_from(PARAM_NAMES), json_value, max_size=5).map(
        lambda v: ("application/json", json.dumps(v).encode())
    ),
    st.binary(max_size=60).map(lambda b: ("application/json", b)),
    st.binary(max_size=60).map(lambda b: ("text/plain", b)),
    hostile_query.map(
        lambda d: (
            "application/x-www-form-urlencoded",
            urlencode(d).encode("utf-8", "surrogatepass"),
        )
    ),
    st.just(("multipart/form-data; boundary=zz", b"--zz\r\nbroken")),
)


def _path_value(converter: str) -> st.SearchStrategy[str]:
    if converter == "int":
        return st.sampled_from(["0", "1", "7", "2147483648", "99999999999999999999999"])
    if converter == "slug":
        return st.from_regex(r"\A[-a-zA-Z0-9_]{1,40}\Z")
    if converter == "path":
        return st.sampled_from(
            ["x.jpg", "../settings.py", "a/b/c.png", "%00.png", "ugc/1/none.webp"]
        )
    return st.text(alphabet=st.characters(blacklist_characters="/\x00?#%"), min_size=1, max_size=40)


def _path(route: str, pattern: URLPattern) -> st.SearchStrategy[str]:
    """A concrete path for the route with hostile (but routable) values for its parameters."""
    if not isinstance(pattern.pattern, RoutePattern) or not pattern.pattern.converters:
        return st.just("/" + route)
    parts: list[st.SearchStrategy[str]] = []
    text = route
    for name, converter in pattern.pattern.converters.items():
        kind = type(converter).__name__.replace("Converter", "").lower()
        kind = {"string": "str"}.get(kind, kind)
        before, _, text = text.partition(
            f"<{kind}:{name}>" if f"<{kind}:{name}>" in text else f"<{name}>"
        )
        parts.append(st.just(before))
        parts.append(_path_value(kind))
    parts.append(st.just(text))
    return st.tuples(*parts).map(lambda pieces: "/" + "".join(pieces))


def _signed(params: dict[str, str]) -> str:
    """The Shopify app-proxy contract: sorted k=v joined with nothing, HMAC-SHA256 hex."""
    message = "".join(f"{k}={v}" for k, v in sorted(params.items()))
    signature = hmac.new(SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()
    return urlencode({**params, "signature": signature})


SHOP_TABLES = [
    model
    for model in apps.get_models()
    if not model._meta.proxy
    and model._meta.managed
    and any(
        isinstance(f, models.ForeignKey) and f.name == "shop" and f.related_model is Shop
        for f in model._meta.get_fields()
    )
]


def _row_counts(shop: Shop) -> dict[str, int]:
    # One round trip for every table: this runs around each of thousands of requests.
    quote = connection.ops.quote_name
    selects = ", ".join(
        f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)} WHERE {quote(m._meta.get_field('shop').column)} = %s)"
        for m in SHOP_TABLES
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {selects}", [shop.pk] * len(SHOP_TABLES))
        row = cursor.fetchone()
    return {m._meta.label: count for m, count in zip(SHOP_TABLES, row, strict=True)}


@pytest.fixture
def sweep_shop(db: None, settings: Any) -> Shop:
    settings.SHOPIFY_API_SECRET = SECRET
    settings.SHOPIFY_OLD_API_SECRET = ""
    shop = ShopFactory(domain=DOMAIN)
    for i in range(3):
        ProductFactory(shop=shop, platform_id=f"p{i}")
    return shop


def _clients(shop: Shop, kind: str) -> list[tuple[str, Client, dict[str, str]]]:
    """(label, client, extra headers): with the right credential and with garbage."""
    anonymous = Client(raise_request_exception=True)
    if kind == "api":
        return [
            ("key", Client(HTTP_X_STOREFRONT_KEY=shop.storefront_key), {}),
            ("garbage-key", Client(HTTP_X_STOREFRONT_KEY="pk_\x7f\u00e9garbage"), {}),
            ("session-token", anonymous, {"HTTP_AUTHORIZATION": "Bearer not.a.jwt"}),
        ]
    if kind == "admin":
        admin = Client()
        session = admin.session
        session[ADMIN_SESSION_KEY] = shop.pk
        session.save()
        return [("admin", admin, {"HTTP_HX_REQUEST": "true"}), ("anonymous", anonymous, {})]
    if kind == "webhook":
        return [
            (
                "bad-hmac",
                anonymous,
                {
                    "HTTP_X_SHOPIFY_HMAC_SHA256": "bm90LWEtc2lnbmF0dXJl",
                    "HTTP_X_SHOPIFY_TOPIC": "orders/create",
                    "HTTP_X_SHOPIFY_SHOP_DOMAIN": DOMAIN,
                    "HTTP_X_WC_WEBHOOK_SIGNATURE": "garbage",
                    "HTTP_X_WC_WEBHOOK_TOPIC": "order.created",
                },
            )
        ]
    return [("anonymous", anonymous, {})]


def _check(response: Any, before: dict[str, int], shop: Shop, what: str) -> None:
    if response.status_code == 503 and " /demo/" in what:
        # The demo store answers a deliberate "not loaded" page until `manage.py demo` ran.
        assert b"demo" in response.content.lower(), what
        return
    assert response.status_code < 500, f"{what} -> {response.status_code}"
    if 400 <= response.status_code < 500:
        if response.status_code != 405:  # Django's own 405 lists the allowed methods in a header
            assert response.content.strip(), f"{what} -> {response.status_code} with no message"
        after = _row_counts(shop)
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        assert not changed, f"{what} -> {response.status_code} but wrote rows: {changed}"


def _send(
    client: Client,
    method: str,
    path: str,
    query: str,
    body: tuple[str, bytes] | None,
    headers: dict[str, str],
) -> Any:
    url = f"{path}?{query}" if query else path
    if method == "GET":
        return client.get(url, **headers)
    content_type, data = body or ("application/json", b"")
    return client.generic(method, url, data, content_type=content_type, **headers)


ENDPOINTS = [
    pytest.param(route, pattern, id=route or "<root>")
    for route, pattern in ROUTES
    # Django's static/media serving in DEBUG is not ours.
    if not route.startswith(("static/", "^static", "media/"))
]


@pytest.mark.parametrize(("route", "pattern"), ENDPOINTS)
def test_bad_input_never_gives_a_500(route: str, pattern: URLPattern, sweep_shop: Shop) -> None:
    kind = _kind(route)
    clients = _clients(sweep_shop, kind)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(
        path=_path(route, pattern),
        query=hostile_query,
        body=hostile_body,
        method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
    )
    def sweep(path: str, query: dict[str, str], body: tuple[str, bytes], method: str) -> None:
        for label, client, headers in clients:
            if kind == "proxy":
                params = {
                    **query,
                    "shop": DOMAIN,
                    "logged_in_customer_id": "",
                    "path_prefix": "/apps/pz",
                    "timestamp": str(int(time.time())),
                }
                query_string = _signed(params)
            else:
                query_string = urlencode(query)
            for chosen in dict.fromkeys([method, "GET", "POST"]):
                before = _row_counts(sweep_shop)
                response = _send(client, chosen, path, query_string, body, headers)
                _check(
                    response, before, sweep_shop, f"{label} {chosen} {path}?{query_string[:200]}"
                )
        if route == "shopify/webhooks":
            # Correctly signed, so the body and headers reach the view's own checks.
            raw = body[1]
            digest = hmac.new(SECRET.encode(), raw, hashlib.sha256).digest()
            before = _row_counts(sweep_shop)
            response = Client().post(
                path,
                raw,
                content_type="application/json",
                HTTP_X_SHOPIFY_HMAC_SHA256=base64.b64encode(digest).decode(),
                HTTP_X_SHOPIFY_TOPIC=query.get("q", "orders/create"),
                HTTP_X_SHOPIFY_SHOP_DOMAIN=query.get("id", DOMAIN),
                HTTP_X_SHOPIFY_WEBHOOK_ID=query.get("token", "wh-1"),
                HTTP_X_SHOPIFY_TRIGGERED_AT=query.get("page", ""),
            )
            _check(response, before, sweep_shop, f"signed POST {path} {raw[:100]!r} {query}")
        if kind == "proxy":
            # Garbage signature: refused before the view, 401 with a reason.
            response = Client().get(f"{path}?shop={DOMAIN}&signature=00&{urlencode(query)}")
            assert response.status_code == 401, response.content

    sweep()
