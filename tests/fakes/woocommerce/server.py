"""A fake WooCommerce store on loopback, over real HTTPS (or plain HTTP), enforcing the contract.

Production code only ever sees its URL. What it enforces, as WooCommerce does
(`class-wc-rest-authentication.php`, `class-wc-auth.php`, `class-wc-webhook.php`):

- **Auth.** When WordPress believes the request is HTTPS (`is_ssl`): Basic auth (or
  `consumer_key`/`consumer_secret` in the query) with a REST key; an unknown key falls through
  to OAuth, a wrong secret is `401 woocommerce_rest_authentication_error`. Otherwise (plain HTTP,
  or a proxy that hides HTTPS: `is_ssl=False` behind TLS) only OAuth 1.0a one-legged counts:
  HMAC-SHA256/SHA1 over the request with the base URL built from `http://` when `is_ssl` is false,
  key `secret&`, timestamp within 15 minutes, each nonce once. No credentials at all gives
  `401 woocommerce_rest_cannot_view`. Read keys cannot write. WordPress application passwords
  (Basic, username + password) work only when `is_ssl`.
- **Collections.** `per_page` 1..100 (else `400 rest_invalid_param`), `page` from 1, totals in
  `X-WP-Total`/`X-WP-TotalPages` and a `Link` header, `_fields`, `include`/`exclude`,
  `modified_after`/`modified_before` (products, orders; `dates_are_gmt`), `after`/`before`
  (reviews), `orderby`/`order`, product `status=any` without the trash, customers by role.
- **Batch.** At most 100 items in total, else `413`.
- **Errors.** `{"code", "message", "data": {"status"}}`, and on demand the things hosts do:
  a firewall's 403 HTML page, 429/503 with `Retry-After`, PHP notices printed before the JSON.
- **wc-auth.** `/wc-auth/v1/authorize` (or `?wc-auth-version=1&wc-auth-route=authorize` without
  pretty permalinks) checks its five parameters (callback_url over https); `approve()` makes the
  key and the JSON the store posts to the callback; anything but exactly 200 deletes the key.
- **Webhooks.** Created with our secret; creation sends an unsigned ping (`webhook_id=N`, form
  body, no X-WC headers). Fired hooks are queued, coalesced per (webhook, resource) and built at
  delivery time (`flush()`), signed base64(HMAC-SHA256(secret, raw body)) over
  `wp_json_encode`'s bytes (slashes escaped), with a delivery id of
  hash(webhook id . current second), as WooCommerce does: two deliveries of one webhook in the
  same second share it. More than five failures in a row (the 7th) disable the webhook.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import random
import secrets
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from tests.fakes.woocommerce import tls
from tests.fakes.woocommerce.coupons import CouponRefused, FakeCoupons
from tests.fakes.woocommerce.store import FakeStoreData, gmt, local

VALID_TOPICS = {
    f"{resource}.{event}"
    for resource in ("coupon", "customer", "order", "product")
    for event in ("created", "updated", "deleted", "restored")
} | {"product.published"}
MAX_FAILURES = 5
BATCH_LIMIT = 100


def wp_json_encode(payload: Any) -> bytes:
    """PHP's json_encode with no flags: \\uXXXX for non-ASCII, `\\/` for slashes, no spaces."""
    return json.dumps(payload, separators=(",", ":")).replace("/", "\\/").encode()


def rawurlencode(text: str) -> str:
    return quote(text, safe="-_.~")


@dataclass
class ApiKey:
    key_id: int
    consumer_key: str
    consumer_secret: str
    permissions: str
    user_id: int = 1
    description: str = ""
    nonces: dict[str, float] = field(default_factory=dict)


@dataclass
class Webhook:
    id: int
    name: str
    topic: str
    delivery_url: str
    secret: str
    status: str
    created: datetime
    failure_count: int = 0

    @property
    def resource(self) -> str:
        return self.topic.split(".")[0]

    @property
    def event(self) -> str:
        return self.topic.split(".")[1]


@dataclass
class Delivery:
    url: str
    body: bytes
    headers: dict[str, str]
    webhook_id: int = 0
    topic: str = ""
    resource_id: int = 0


@dataclass
class Grant:
    """What the store does when the merchant approves: post `body` to `callback_url`."""

    key: ApiKey
    callback_url: str
    return_url: str
    user_id: str
    body: bytes
    headers: dict[str, str]


class RestError(Exception):
    def __init__(self, status: int, code: str, message: str, **data: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.data = data

    def body(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "data": {"status": self.status, **self.data},
        }


class FakeWooCommerce:
    def __init__(
        self,
        *,
        tls_enabled: bool = True,
        is_ssl: bool | None = None,
        pretty_permalinks: bool = True,
        woocommerce_active: bool = True,
        firewall: bool = False,
        php_notices: bool = False,
        currency: str = "GBP",
    ) -> None:
        self.tls_enabled = tls_enabled
        self.is_ssl = tls_enabled if is_ssl is None else is_ssl
        self.pretty_permalinks = pretty_permalinks
        self.woocommerce_active = woocommerce_active
        self.firewall = firewall
        self.php_notices = php_notices
        self.data = FakeStoreData(currency=currency)
        self.coupons = FakeCoupons()
        self.keys: dict[str, ApiKey] = {}
        self._key_id = 0
        # WordPress users: (login, application password) pairs that may call the API.
        self.app_passwords: dict[str, str] = {}
        self.webhooks: dict[int, Webhook] = {}
        self._webhook_id = 0
        self.pings: list[Delivery] = []
        # Hooks fired, waiting for Action Scheduler: (webhook id, resource id) -> topic.
        self.queue: dict[tuple[int, int], str] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.fail_next: list[tuple[int, str | None]] = []
        # Or a rule: (method, route, query) -> (status, Retry-After) to fail that request with.
        self.fail_if: Callable[[str, str, dict[str, str]], tuple[int, str | None] | None] | None = (
            None
        )
        self.delay = 0.0
        self.in_flight = 0
        self.max_in_flight = 0
        self._index_cache: dict[tuple[str, int], dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        if tls_enabled:
            _ca, cert, key = tls.certificates()
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.data.home = self.home

    # Lifecycle

    @property
    def home(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{'https' if self.tls_enabled else 'http'}://{host}:{port}"

    @property
    def ca_path(self) -> str:
        return tls.certificates()[0]

    def start(self) -> FakeWooCommerce:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # Keys and users

    def add_key(self, permissions: str = "read_write", description: str = "") -> ApiKey:
        self._key_id += 1
        key = ApiKey(
            key_id=self._key_id,
            consumer_key="ck_" + secrets.token_hex(20),
            consumer_secret="cs_" + secrets.token_hex(20),
            permissions=permissions,
            description=description,
        )
        self.keys[key.consumer_key] = key
        return key

    def add_app_password(self, login: str = "shopowner") -> str:
        password = " ".join(secrets.token_hex(2) for _ in range(6))
        self.app_passwords[login] = password
        return password

    # wc-auth

    def authorize_error(self, params: dict[str, str]) -> str | None:
        """`WC_Auth::make_validation`: None when the request is acceptable."""
        for name in ("app_name", "user_id", "return_url", "callback_url", "scope"):
            if not params.get(name):
                return f"Missing parameter {name}"
        if params["scope"] not in ("read", "write", "read_write"):
            return f"Invalid scope {params['scope']}"
        for name in ("return_url", "callback_url"):
            parts = urlsplit(params[name])
            if not parts.scheme or not parts.netloc:
                return f"The {params[name]} is not a valid URL"
        if not params["callback_url"].lower().startswith("https://"):
            return "The callback_url needs to be over SSL"
        return None

    def _authorize_params(self, authorize_url: str) -> dict[str, str]:
        parts = urlsplit(authorize_url)
        params = dict(parse_qsl(parts.query))
        if self.pretty_permalinks:
            assert parts.path == "/wc-auth/v1/authorize", parts.path
        else:
            assert params.pop("wc-auth-version") == "1"
            assert params.pop("wc-auth-route") == "authorize"
        error = self.authorize_error(params)
        assert error is None, error
        return params

    def approve(self, authorize_url: str) -> Grant:
        """The merchant clicks Approve: a key is made and posted to the callback."""
        params = self._authorize_params(authorize_url)
        key = self.add_key(params["scope"], description=f"{params['app_name']} - API")
        consumer_data = {
            "key_id": key.key_id,
            "user_id": params["user_id"],
            "consumer_key": key.consumer_key,
            "consumer_secret": key.consumer_secret,
            "key_permissions": key.permissions,
        }
        return Grant(
            key=key,
            callback_url=params["callback_url"],
            return_url=params["return_url"],
            user_id=params["user_id"],
            body=wp_json_encode(consumer_data),
            headers={"Content-Type": "application/json;charset=UTF-8"},
        )

    def callback_answered(self, grant: Grant, status: int) -> str | None:
        """After the callback: exactly 200 sends the merchant back with success=1; anything
        else deletes the key and shows WordPress's error page (None)."""
        if status != 200:
            self.keys.pop(grant.key.consumer_key, None)
            return None
        return _add_query(grant.return_url, {"success": "1", "user_id": grant.user_id})

    def deny(self, authorize_url: str) -> str:
        params = self._authorize_params(authorize_url)
        return _add_query(params["return_url"], {"success": "0", "user_id": params["user_id"]})

    # Webhooks

    def flush(self) -> list[Delivery]:
        """Action Scheduler runs: every hook fired since the last flush becomes one delivery per
        (webhook, resource), built from the resource as it is now."""
        for topic, rid in self.data.fired:
            for webhook in self.webhooks.values():
                if webhook.status == "active" and webhook.topic == topic:
                    self.queue[(webhook.id, rid)] = topic
        self.data.fired.clear()
        second = int(self.data.clock.timestamp())
        deliveries = []
        for (webhook_id, rid), topic in self.queue.items():
            webhook = self.webhooks.get(webhook_id)
            if webhook is None or webhook.status != "active":
                continue
            if webhook.event == "deleted":
                payload: Any = {"id": rid}
            else:
                payload = self.data.resource_json(webhook.resource, rid)
                if payload is None:  # gone for good before the queue ran
                    continue
            body = wp_json_encode(payload)
            delivery_id = hmac.new(
                b"wp-salt", f"{webhook_id}{second}".encode(), hashlib.md5
            ).hexdigest()
            deliveries.append(
                Delivery(
                    url=webhook.delivery_url,
                    body=body,
                    headers={
                        "Content-Type": "application/json",
                        "User-Agent": "WooCommerce/9.4.0 Hookshot (WordPress/6.6.2)",
                        "X-WC-Webhook-Source": f"{self.home}/",
                        "X-WC-Webhook-Topic": topic,
                        "X-WC-Webhook-Resource": webhook.resource,
                        "X-WC-Webhook-Event": webhook.event,
                        "X-WC-Webhook-Signature": self.sign(webhook.secret, body),
                        "X-WC-Webhook-ID": str(webhook_id),
                        "X-WC-Webhook-Delivery-ID": delivery_id,
                    },
                    webhook_id=webhook_id,
                    topic=topic,
                    resource_id=rid,
                )
            )
        self.queue.clear()
        return deliveries

    @staticmethod
    def sign(secret: str, body: bytes) -> str:
        return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()

    def deliver(self, deliveries: Iterable[Delivery], post: Callable[[Delivery], int]) -> list[int]:
        """Send each delivery once (WooCommerce does not retry) and count failures as
        `WC_Webhook::log_delivery` does: 2xx, 301 and 302 reset the count; past five failures
        the webhook is disabled."""
        statuses = []
        for delivery in deliveries:
            status = post(delivery)
            statuses.append(status)
            webhook = self.webhooks.get(delivery.webhook_id)
            if webhook is None:
                continue
            if 200 <= status < 303:
                webhook.failure_count = 0
            elif webhook.failure_count > MAX_FAILURES:
                webhook.status = "disabled"
            else:
                webhook.failure_count += 1
        return statuses

    def deliver_pings(self, post: Callable[[Delivery], int]) -> list[int]:
        statuses = [post(ping) for ping in self.pings]
        self.pings.clear()
        return statuses

    @staticmethod
    def disorder(
        deliveries: list[Delivery], *, duplicates: float, reordered: float, seed: int = 5
    ) -> list[Delivery]:
        """Send a share twice (same delivery id and body, later) and move another share."""
        rng = random.Random(seed)
        out = list(deliveries)
        for delivery in rng.sample(deliveries, int(len(deliveries) * duplicates)):
            out.insert(rng.randrange(out.index(delivery) + 1, len(out) + 1), delivery)
        moved = rng.sample(range(len(out)), int(len(out) * reordered))
        picked = [out[i] for i in sorted(moved)]
        rng.shuffle(picked)
        for index, delivery in zip(sorted(moved), picked, strict=True):
            out[index] = delivery
        return out

    def webhook_json(self, webhook: Webhook) -> dict[str, Any]:
        return {
            "id": webhook.id,
            "name": webhook.name,
            "status": webhook.status,
            "topic": webhook.topic,
            "resource": webhook.resource,
            "event": webhook.event,
            "hooks": [],
            "delivery_url": webhook.delivery_url,
            "date_created": local(webhook.created),
            "date_created_gmt": gmt(webhook.created),
            "date_modified": local(webhook.created),
            "date_modified_gmt": gmt(webhook.created),
            "_links": self.data._link(f"webhooks/{webhook.id}"),
        }

    # Authentication

    def _oauth_signature(
        self, method: str, path: str, params: dict[str, str], secret: str, algorithm: str
    ) -> str:
        scheme = "https" if self.is_ssl else "http"
        netloc = urlsplit(self.home).netloc
        base = f"{scheme}://{netloc}{path}"
        pairs = [
            rawurlencode(f"{rawurlencode(k)}={rawurlencode(v)}")
            for k, v in sorted(params.items())
            if k != "oauth_signature"
        ]
        to_sign = f"{method}&{rawurlencode(base)}&{'%26'.join(pairs)}"
        digest = hmac.new(
            f"{secret}&".encode(),
            to_sign.encode(),
            hashlib.sha1 if algorithm == "sha1" else hashlib.sha256,
        ).digest()
        return base64.b64encode(digest).decode()

    def authenticate(
        self, method: str, path: str, query: dict[str, str], headers: Any
    ) -> tuple[int | None, ApiKey | None]:
        """(user id, key) or raises RestError, as WC_REST_Authentication decides."""
        consumer_key = consumer_secret = ""
        authorization = headers.get("Authorization") or ""
        basic_user = basic_password = ""
        if authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization[6:]).decode()
            basic_user, _, basic_password = decoded.partition(":")
        if self.is_ssl:
            if query.get("consumer_key") and query.get("consumer_secret"):
                consumer_key, consumer_secret = query["consumer_key"], query["consumer_secret"]
            elif basic_user and basic_password:
                consumer_key, consumer_secret = basic_user, basic_password
            key = self.keys.get(consumer_key) if consumer_key else None
            if key is not None:
                if not hmac.compare_digest(key.consumer_secret, consumer_secret):
                    raise RestError(
                        401, "woocommerce_rest_authentication_error", "Consumer secret is invalid."
                    )
                return key.user_id, key
        oauth_names = (
            "oauth_consumer_key",
            "oauth_timestamp",
            "oauth_nonce",
            "oauth_signature",
            "oauth_signature_method",
        )
        present = [n for n in oauth_names if query.get(n)]
        if present:
            missing = [n for n in oauth_names if not query.get(n)]
            if missing:
                raise RestError(
                    401,
                    "woocommerce_rest_authentication_missing_parameter",
                    f"Missing OAuth parameter {', '.join(missing)}",
                )
            key = self.keys.get(query["oauth_consumer_key"])
            if key is None:
                raise RestError(
                    401, "woocommerce_rest_authentication_error", "Consumer key is invalid."
                )
            method_name = query["oauth_signature_method"]
            if method_name not in ("HMAC-SHA1", "HMAC-SHA256"):
                raise RestError(
                    401,
                    "woocommerce_rest_authentication_error",
                    "Invalid signature - signature method is invalid.",
                )
            expected = self._oauth_signature(
                method, path, query, key.consumer_secret, method_name[5:].lower()
            )
            given = query["oauth_signature"].replace(" ", "+")
            if not hmac.compare_digest(expected, given):
                raise RestError(
                    401,
                    "woocommerce_rest_authentication_error",
                    "Invalid signature - provided signature does not match.",
                )
            timestamp = int(query["oauth_timestamp"])
            if abs(timestamp - time.time()) > 15 * 60:
                raise RestError(401, "woocommerce_rest_authentication_error", "Invalid timestamp.")
            nonce = query["oauth_nonce"]
            with self._lock:
                if nonce in key.nonces:
                    raise RestError(
                        401,
                        "woocommerce_rest_authentication_error",
                        "Invalid nonce - nonce has already been used.",
                    )
                key.nonces[nonce] = time.time()
            return key.user_id, key
        # WordPress core: application passwords, only over what it believes is HTTPS, and only
        # checked once some user has one (WP_Application_Passwords::is_in_use).
        if basic_user and self.is_ssl and self.app_passwords:
            expected_password = self.app_passwords.get(basic_user)
            if expected_password is None:
                raise RestError(401, "invalid_username", "Unknown username.")
            if basic_password != expected_password:
                raise RestError(
                    401,
                    "incorrect_password",
                    "The provided password is an invalid application password.",
                )
            return 1, None
        return None, None

    # HTTP

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body leave in one write (a separate small write for the body waits
            # for a delayed ACK: 40 ms a request).
            wbufsize = -1

            def setup(self) -> None:
                super().setup()
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, format: str, *args: Any) -> None:
                return

            def date_time_string(self, timestamp: float | None = None) -> str:
                # The store's clock is the fake's, so its Date header matches its dates.
                return format_datetime(fake.data.clock, usegmt=True)

            def _send(
                self,
                status: int,
                body: Any,
                headers: dict[str, str] | None = None,
                content_type: str = "application/json; charset=UTF-8",
            ) -> None:
                if isinstance(body, bytes):
                    raw = body
                else:
                    raw = json.dumps(body).encode()
                    if fake.php_notices:
                        raw = (
                            b"<br />\n<b>Deprecated</b>:  Creation of dynamic property "
                            b"Some_Plugin::$x is deprecated in <b>/var/www/wp-content/plugins/"
                            b"some-plugin/some-plugin.php</b> on line <b>12</b><br />\n" + raw
                        )
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(raw)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(raw)

            def _html(self, status: int, text: str, headers: dict[str, str] | None = None) -> None:
                page = f"<!DOCTYPE html><html><body><h1>{text}</h1></body></html>".encode()
                self._send(status, page, headers, content_type="text/html; charset=UTF-8")

            def do_GET(self) -> None:
                self._dispatch("GET")

            def do_POST(self) -> None:
                self._dispatch("POST")

            def do_PUT(self) -> None:
                self._dispatch("PUT")

            def do_DELETE(self) -> None:
                self._dispatch("DELETE")

            def _dispatch(self, method: str) -> None:
                url = urlsplit(self.path)
                query = dict(parse_qsl(url.query, keep_blank_values=True))
                # What WooCommerce signs over: $_GET as sent, rest_route included.
                signed_query = dict(query)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if fake.firewall:
                    return self._html(403, "Access denied: blocked by the site's firewall")
                route = None
                if url.path.startswith("/wp-json"):
                    if not fake.pretty_permalinks:
                        return self._html(404, "Page not found")
                    route = url.path[len("/wp-json") :] or "/"
                elif url.path in ("/", "/index.php") and "rest_route" in query:
                    route = query.pop("rest_route") or "/"
                elif url.path.startswith("/wc-auth/v1/") and fake.pretty_permalinks:
                    return self._wc_auth(url.path.rsplit("/", 1)[-1], query)
                elif query.get("wc-auth-version") == "1" and "wc-auth-route" in query:
                    return self._wc_auth(query["wc-auth-route"], query)
                if route is None:
                    return self._html(404, "Page not found")
                fake.requests.append((method, route, query))
                with fake._lock:
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                try:
                    if fake.delay:
                        time.sleep(fake.delay)
                    rule = fake.fail_if(method, route, query) if fake.fail_if else None
                    if fake.fail_next or rule:
                        status, retry_after = rule or fake.fail_next.pop(0)
                        headers = {"Retry-After": retry_after} if retry_after is not None else {}
                        return self._html(status, f"Error {status}", headers)
                    try:
                        status, body, headers = fake._rest(
                            method, url.path, route, query, signed_query, raw, self.headers
                        )
                    except RestError as exc:
                        status, body, headers = exc.status, exc.body(), {}
                        if exc.code == "woocommerce_rest_authentication_error" and fake.is_ssl:
                            headers["WWW-Authenticate"] = 'Basic realm="WooCommerce API"'
                    return self._send(status, body, headers)
                finally:
                    with fake._lock:
                        fake.in_flight -= 1

            def _wc_auth(self, route: str, query: dict[str, str]) -> None:
                params = {k: v for k, v in query.items() if not k.startswith("wc-auth-")}
                error = fake.authorize_error(params)
                if error:
                    return self._html(401, f"Error: {error}.")
                if route not in ("authorize", "login"):
                    return self._html(401, "Error: You do not have permission to access this page.")
                return self._html(200, f"{params['app_name']} would like to connect to your store")

        return Handler

    # REST routes

    def _rest(
        self,
        method: str,
        path: str,
        route: str,
        query: dict[str, str],
        signed_query: dict[str, str],
        raw: bytes,
        headers: Any,
    ) -> tuple[int, Any, dict[str, str]]:
        if route in ("/", ""):
            return 200, self.index(), {}
        parts = [p for p in route.strip("/").split("/") if p]
        if parts[:2] != ["wc", "v3"] or not self.woocommerce_active:
            raise RestError(
                404, "rest_no_route", "No route was found matching the URL and request method."
            )
        user, key = self.authenticate(method, path, signed_query, headers)
        rest = parts[2:]
        verb = {"GET": "view", "POST": "create", "PUT": "edit", "DELETE": "delete"}[method]
        if user is None:
            what = "list resources" if method == "GET" and len(rest) == 1 else "view this resource"
            message = (
                f"Sorry, you cannot {what}."
                if verb == "view"
                else f"Sorry, you are not allowed to {verb} resources."
            )
            raise RestError(401, f"woocommerce_rest_cannot_{verb}", message)
        if key is not None:
            if method == "GET" and key.permissions not in ("read", "read_write"):
                raise RestError(
                    401,
                    "woocommerce_rest_authentication_error",
                    "The API key provided does not have read permissions.",
                )
            if method != "GET" and key.permissions not in ("write", "read_write"):
                raise RestError(
                    401,
                    "woocommerce_rest_authentication_error",
                    "The API key provided does not have write permissions.",
                )
        body = json.loads(raw) if raw and method in ("POST", "PUT") else {}
        return self._route(method, rest, query, body)

    def index(self) -> dict[str, Any]:
        namespaces = ["oembed/1.0", "wp/v2", "wp-site-health/v1"]
        if self.woocommerce_active:
            namespaces += ["wc/store/v1", "wc/v1", "wc/v2", "wc/v3", "wc-admin"]
        return {
            "name": "Fake Store",
            "description": "Just another WordPress site",
            "url": self.home,
            "home": self.home,
            "gmt_offset": -3,
            "timezone_string": "America/Sao_Paulo",
            "namespaces": namespaces,
            "authentication": {
                "application-passwords": {
                    "endpoints": {
                        "authorization": f"{self.home}/wp-admin/authorize-application.php"
                    }
                }
            },
            "routes": {},
        }

    def _indexed(
        self, kind: str, obj: Any, name: str, build: Callable[[], dict[str, Any]]
    ) -> dict[str, Any]:
        """`_index` of an object, kept until it changes (collections are read page by page, and
        formatting every date of 20,000 orders for each page adds up)."""
        key = (kind, obj.id)
        cached = self._index_cache.get(key)
        if cached is None or cached["_modified"] != obj.modified or cached["name"] != name:
            cached = _index(obj.id, obj.created, obj.modified, name, build, _modified=obj.modified)
            self._index_cache[key] = cached
        return cached

    def _route(
        self, method: str, parts: list[str], query: dict[str, str], body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        data = self.data
        head = parts[0] if parts else ""
        if head == "products" and len(parts) == 1 and method == "GET":
            items = [
                self._indexed("product", p, p.name, partial(data.product_json, p))
                for p in data.products.values()
                if _status_matches(p.status, query.get("status", "any"))
            ]
            items = _filter_dates(items, query, modified=True)
            return self._collection(items, query, default_orderby="date")
        if head == "products" and parts[1:] == ["batch"] and method == "POST":
            return self._batch(body)
        if head == "products" and parts[1:2] == ["categories"] and method == "GET":
            items = [data.category_json(c) for c in data.categories.values()]
            return self._collection(items, query, default_orderby="name", default_order="asc")
        if head == "products" and parts[1:2] == ["reviews"] and method == "GET":
            wanted = query.get("status", "approved")
            items = [
                _index(
                    r.id,
                    r.created,
                    r.created,
                    r.reviewer,
                    partial(data.review_json, r),
                    product_id=r.product_id,
                )
                for r in data.reviews.values()
                if wanted == "all" or r.status == wanted
            ]
            if query.get("product"):
                products = {int(p) for p in query["product"].split(",")}
                items = [r for r in items if r["product_id"] in products]
            items = _filter_dates(items, query, modified=False)
            return self._collection(items, query, default_orderby="date_gmt")
        if head == "products" and len(parts) == 3 and parts[2] == "variations":
            pid = _int(parts[1])
            product = data.products.get(pid)
            if product is None:
                raise RestError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
            items = [data.variation_json(data.variations[v]) for v in product.variation_ids]
            items = _filter_dates(items, query, modified=True)
            return self._collection(items, query, default_orderby="date")
        if head == "products" and len(parts) == 2:
            pid = _int(parts[1])
            if method == "GET":
                found = data.resource_json("product", pid)
                if found is None:
                    raise RestError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
                return 200, _fields(found, query), {}
            if method == "PUT" and pid in data.products:
                product = data.products[pid]
                if "name" in body:
                    product.name = str(body["name"])
                if "regular_price" in body:
                    from decimal import Decimal

                    product.regular_price = Decimal(str(body["regular_price"]))
                product.modified = data.tick()
                data.fired.append(("product.updated", pid))
                return 200, data.product_json(product), {}
            if method == "DELETE" and pid in data.products:
                found = data.product_json(data.products[pid])
                if query.get("force") in ("true", "1"):
                    data.delete_product_for_good(pid)
                else:
                    data.trash_product(pid)
                    found = data.product_json(data.products[pid])
                return 200, found, {}
            raise RestError(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
        if head == "customers" and len(parts) == 1 and method == "GET":
            role = query.get("role", "customer")
            items = [
                self._indexed("customer", c, c.last_name, partial(data.customer_json, c))
                for c in data.customers.values()
                if role == "all" or c.role == role
            ]
            return self._collection(items, query, default_orderby="name", default_order="asc")
        if head == "customers" and len(parts) == 2 and method == "GET":
            found = data.resource_json("customer", _int(parts[1]))
            if found is None:
                raise RestError(404, "woocommerce_rest_invalid_id", "Invalid resource ID.")
            return 200, _fields(found, query), {}
        if head == "coupons" and len(parts) == 1 and method == "POST":
            try:
                return 201, self.coupons.create(body), {}
            except CouponRefused as exc:
                raise RestError(400, exc.code, exc.message) from exc
        if head == "orders" and len(parts) == 1 and method == "GET":
            items = [
                self._indexed("order", o, str(o.id), partial(data.order_json, o))
                for o in data.orders.values()
                if _status_matches(o.status, query.get("status", "any"))
            ]
            items = _filter_dates(items, query, modified=True)
            return self._collection(items, query, default_orderby="date")
        if head == "orders" and len(parts) == 2 and method == "GET":
            found = data.resource_json("order", _int(parts[1]))
            if found is None:
                raise RestError(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
            return 200, _fields(found, query), {}
        if head == "webhooks":
            return self._webhooks(method, parts[1:], query, body)
        raise RestError(
            404, "rest_no_route", "No route was found matching the URL and request method."
        )

    def _webhooks(
        self, method: str, parts: list[str], query: dict[str, str], body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        if not parts and method == "GET":
            items = [self.webhook_json(w) for w in self.webhooks.values()]
            if query.get("status") and query["status"] != "all":
                items = [w for w in items if w["status"] == query["status"]]
            return self._collection(items, query, default_orderby="date")
        if not parts and method == "POST":
            topic = str(body.get("topic") or "").lower()
            if topic not in VALID_TOPICS and not topic.startswith("action."):
                raise RestError(
                    400,
                    "woocommerce_rest_webhook_invalid_topic",
                    "Webhook topic is required and must be valid.",
                )
            delivery_url = str(body.get("delivery_url") or "")
            if not delivery_url.startswith(("http://", "https://")):
                raise RestError(
                    400,
                    "woocommerce_rest_webhook_invalid_delivery_url",
                    "Webhook delivery URL must be a valid URL starting with http:// or https://.",
                )
            self._webhook_id += 1
            webhook = Webhook(
                id=self._webhook_id,
                name=str(body.get("name") or topic),
                topic=topic,
                delivery_url=delivery_url,
                secret=str(body.get("secret") or secrets.token_urlsafe(37)),
                status=str(body.get("status") or "active"),
                created=self.data.clock,
            )
            self.webhooks[webhook.id] = webhook
            self.pings.append(
                Delivery(
                    url=delivery_url,
                    body=f"webhook_id={webhook.id}".encode(),
                    headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        "User-Agent": "WooCommerce/9.4.0 Hookshot (WordPress/6.6.2)",
                    },
                    webhook_id=webhook.id,
                )
            )
            return 201, self.webhook_json(webhook), {}
        webhook = self.webhooks.get(_int(parts[0])) if parts else None
        if webhook is None:
            raise RestError(404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.")
        if method == "GET":
            return 200, self.webhook_json(webhook), {}
        if method == "PUT":
            if "status" in body:
                webhook.status = str(body["status"])
            if "delivery_url" in body:
                webhook.delivery_url = str(body["delivery_url"])
            if "secret" in body:
                webhook.secret = str(body["secret"])
            return 200, self.webhook_json(webhook), {}
        if method == "DELETE":
            self.webhooks.pop(webhook.id)
            return 200, self.webhook_json(webhook), {}
        raise RestError(
            404, "rest_no_route", "No route was found matching the URL and request method."
        )

    def _batch(self, body: Any) -> tuple[int, Any, dict[str, str]]:
        total = sum(len(body.get(k) or []) for k in ("create", "update", "delete"))
        if total > BATCH_LIMIT:
            raise RestError(
                413,
                "woocommerce_rest_request_entity_too_large",
                f"Unable to accept more than {BATCH_LIMIT} items for this request.",
            )
        updated = []
        for item in body.get("update") or []:
            product = self.data.products.get(_int(item.get("id")))
            if product is None:
                updated.append(
                    {
                        "id": item.get("id"),
                        "error": {
                            "code": "woocommerce_rest_product_invalid_id",
                            "message": "Invalid ID.",
                            "data": {"status": 400},
                        },
                    }
                )
                continue
            if "name" in item:
                product.name = str(item["name"])
            product.modified = self.data.tick()
            self.data.fired.append(("product.updated", product.id))
            updated.append(self.data.product_json(product))
        deleted = []
        for pid in body.get("delete") or []:
            if _int(pid) in self.data.products:
                self.data.trash_product(_int(pid))
                deleted.append(self.data.product_json(self.data.products[_int(pid)]))
        return 200, {"create": [], "update": updated, "delete": deleted}, {}

    def _collection(
        self,
        items: list[dict[str, Any]],
        query: dict[str, str],
        *,
        default_orderby: str,
        default_order: str = "desc",
    ) -> tuple[int, Any, dict[str, str]]:
        per_page = query.get("per_page", "10")
        if not per_page.lstrip("-").isdigit() or not 1 <= int(per_page) <= 100:
            raise RestError(
                400,
                "rest_invalid_param",
                "Invalid parameter(s): per_page",
                params={"per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"},
                details={
                    "per_page": {
                        "code": "rest_out_of_bounds",
                        "message": "per_page must be between 1 (inclusive) and 100 (inclusive)",
                        "data": None,
                    }
                },
            )
        page = query.get("page", "1")
        if not page.isdigit() or int(page) < 1:
            raise RestError(
                400,
                "rest_invalid_param",
                "Invalid parameter(s): page",
                params={"page": "page must be greater than or equal to 1"},
            )
        size, number = int(per_page), int(page)
        if query.get("include"):
            wanted = [int(i) for i in query["include"].split(",") if i]
            items = [i for i in items if i["id"] in set(wanted)]
        if query.get("exclude"):
            unwanted = {int(i) for i in query["exclude"].split(",") if i}
            items = [i for i in items if i["id"] not in unwanted]
        orderby = query.get("orderby", default_orderby)
        order = query.get("order", default_order)
        keys: dict[str, Callable[[dict[str, Any]], Any]] = {
            "id": lambda i: i["id"],
            "date": lambda i: (i.get("date_created_gmt") or "", i["id"]),
            "date_gmt": lambda i: (i.get("date_created_gmt") or "", i["id"]),
            "modified": lambda i: (i.get("date_modified_gmt") or "", i["id"]),
            "name": lambda i: (str(i.get("name") or i.get("last_name") or ""), i["id"]),
            "title": lambda i: (str(i.get("name") or ""), i["id"]),
        }
        if orderby == "include" and query.get("include"):
            position = {int(v): n for n, v in enumerate(query["include"].split(","))}
            items.sort(key=lambda i: position.get(i["id"], 0))
        elif orderby in keys:
            items.sort(key=keys[orderby], reverse=order == "desc")
        else:
            raise RestError(400, "rest_invalid_param", "Invalid parameter(s): orderby")
        total = len(items)
        pages = math.ceil(total / size)
        selected = items[(number - 1) * size : number * size]
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        links = []
        base = {k: v for k, v in query.items() if k != "page"}
        if number > 1:
            links.append(
                f'<{self.home}/wp-json/?{urlencode({**base, "page": number - 1})}>; rel="prev"'
            )
        if number < pages:
            links.append(
                f'<{self.home}/wp-json/?{urlencode({**base, "page": number + 1})}>; rel="next"'
            )
        if links:
            headers["Link"] = ", ".join(links)
        built = [i["__build__"]() if "__build__" in i else i for i in selected]
        return 200, [_fields(i, query) for i in built], headers


def _index(
    rid: int,
    created: datetime,
    modified: datetime,
    name: str,
    build: Callable[[], dict[str, Any]],
    **extra: Any,
) -> dict[str, Any]:
    """What filtering and sorting a collection needs; the full JSON is built for its page only."""
    return {
        "id": rid,
        "date_created": local(created),
        "date_created_gmt": gmt(created),
        "date_modified": local(modified),
        "date_modified_gmt": gmt(modified),
        "name": name,
        "__build__": build,
        **extra,
    }


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _status_matches(status: str, wanted: str) -> bool:
    if wanted == "any":
        return status not in ("trash", "auto-draft", "checkout-draft")
    return status in wanted.split(",")


def _parse(value: str) -> str:
    """A query date as naive `YYYY-MM-DDTHH:MM:SS`, converting an offset to UTC."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _filter_dates(
    items: list[dict[str, Any]], query: dict[str, str], *, modified: bool
) -> list[dict[str, Any]]:
    is_gmt = query.get("dates_are_gmt") in ("true", "1")
    suffix = "_gmt" if is_gmt else ""
    for name, field_name, keep in (
        ("modified_after", f"date_modified{suffix}", lambda a, b: a > b),
        ("modified_before", f"date_modified{suffix}", lambda a, b: a < b),
        ("after", f"date_created{suffix}", lambda a, b: a > b),
        ("before", f"date_created{suffix}", lambda a, b: a < b),
    ):
        if name.startswith("modified") and not modified:
            continue
        if query.get(name):
            bound = _parse(query[name])
            items = [i for i in items if i.get(field_name) and keep(i[field_name], bound)]
    return items


def _fields(item: dict[str, Any], query: dict[str, str]) -> dict[str, Any]:
    wanted = query.get("_fields")
    if not wanted:
        return item
    names = {f.split(".")[0] for f in wanted.split(",") if f}
    return {k: v for k, v in item.items() if k in names}


def _add_query(url: str, params: dict[str, str]) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"
