"""A fake Shopify on loopback: per-shop OAuth token endpoints, Admin GraphQL and bulk results over
real HTTP, plus webhook deliveries signed as Shopify signs them.

Production code only ever sees its base URL (settings.SHOPIFY_SHOP_URL =
"http://127.0.0.1:<port>/shops/{shop}"). The rules it enforces are the contract's:

- token exchange needs a session token signed with the client secret for our client id, else
  400 `invalid_subject_token`; `expiring=1` gives a 1-hour token with a rotating refresh token;
  a refresh token works once (reuse → 400 `invalid_grant`);
- Admin GraphQL needs a live `X-Shopify-Access-Token` (else 401), charges a leaky bucket and
  answers THROTTLED with HTTP 200;
- webhooks carry X-Shopify-Topic/-Hmac-Sha256/-Shop-Domain/-API-Version/-Webhook-Id/-Event-Id/
  -Triggered-At, the HMAC over the exact body bytes; a non-2xx answer is retried (8 times).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import secrets
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt

from tests.fakes.shopify.graphql import AdminGraphQL
from tests.fakes.shopify.store import FakeShopData

ACCESS_TOKEN_SECONDS = 3600
REFRESH_TOKEN_SECONDS = 90 * 24 * 3600
WEBHOOK_RETRIES = 8


@dataclass
class Token:
    shop: str
    expires_at: float | None
    revoked: bool = False


@dataclass
class WebhookDelivery:
    topic: str
    shop: str
    payload: dict[str, Any]
    webhook_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    triggered_at: str = ""
    body: bytes = b""

    def __post_init__(self) -> None:
        if not self.body:
            self.body = json.dumps(self.payload).encode()


class FakeShopify:
    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        api_version: str = "2026-10",
        scopes: str = "read_products,read_customers,read_orders",
        bucket_size: float = 2000,
        restore_rate: float = 100,
        bulk_polls: int = 1,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.api_version = api_version
        self.scopes = scopes
        self.bucket_size = bucket_size
        self.restore_rate = restore_rate
        self.bulk_polls = bulk_polls
        self.shops: dict[str, FakeShopData] = {}
        self.graphql: dict[str, AdminGraphQL] = {}
        self.tokens: dict[str, Token] = {}
        self.refresh_tokens: dict[str, Token] = {}
        self.codes: dict[str, str] = {}
        self.clock_offset = 0.0
        self.requests: list[tuple[str, str]] = []
        self.fail_next: list[int] = []  # HTTP statuses to answer the next GraphQL calls with
        self._bulk_dir = Path(tempfile.mkdtemp(prefix="fake-shopify-bulk-"))
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # Lifecycle

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def shop_url_template(self) -> str:
        return f"{self.base_url}/shops/{{shop}}"

    def start(self) -> FakeShopify:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        for path in self._bulk_dir.glob("*"):
            path.unlink()
        self._bulk_dir.rmdir()

    def now(self) -> float:
        return time.time() + self.clock_offset

    def advance(self, seconds: float) -> None:
        """Move the fake's clock (token lifetimes) forward."""
        self.clock_offset += seconds

    # Shops and their data

    def add_shop(self, domain: str) -> FakeShopData:
        data = FakeShopData(domain=domain)
        self.shops[domain] = data
        self.graphql[domain] = AdminGraphQL(
            data,
            bulk_dir=self._bulk_dir,
            bulk_url=lambda name: f"{self.base_url}/bulk/{name}",
            bucket_size=self.bucket_size,
            restore_rate=self.restore_rate,
            bulk_polls=self.bulk_polls,
        )
        return data

    def session_token(
        self,
        shop: str,
        *,
        secret: str | None = None,
        audience: str | None = None,
        lifetime: int = 60,
        issued_at: float | None = None,
        dest: str | None = None,
    ) -> str:
        """What App Bridge would hand the app: an HS256 JWT signed with the client secret."""
        now = int(issued_at if issued_at is not None else time.time())
        claims = {
            "iss": f"https://{shop}/admin",
            "dest": dest or f"https://{shop}",
            "aud": audience or self.client_id,
            "sub": "42",
            "exp": now + lifetime,
            "nbf": now,
            "iat": now,
            "jti": str(uuid.uuid4()),
            "sid": secrets.token_hex(8),
        }
        return jwt.encode(claims, secret or self.client_secret, algorithm="HS256")

    def revoke(self, shop: str) -> None:
        for token in [*self.tokens.values(), *self.refresh_tokens.values()]:
            if token.shop == shop:
                token.revoked = True

    # Webhooks

    def sign(self, body: bytes) -> str:
        digest = hmac.new(self.client_secret.encode(), body, hashlib.sha256).digest()
        return base64.b64encode(digest).decode()

    def delivery(self, shop: str, topic: str, payload: dict[str, Any]) -> WebhookDelivery:
        return WebhookDelivery(
            topic=topic,
            shop=shop,
            payload=payload,
            triggered_at=time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        )

    def headers(self, delivery: WebhookDelivery) -> dict[str, str]:
        return {
            "X-Shopify-Topic": delivery.topic,
            "X-Shopify-Hmac-Sha256": self.sign(delivery.body),
            "X-Shopify-Shop-Domain": delivery.shop,
            "X-Shopify-API-Version": self.api_version,
            "X-Shopify-Webhook-Id": delivery.webhook_id,
            "X-Shopify-Event-Id": delivery.event_id,
            "X-Shopify-Triggered-At": delivery.triggered_at,
            "Content-Type": "application/json",
        }

    def deliver(
        self,
        deliveries: Iterable[WebhookDelivery],
        post: Callable[[bytes, dict[str, str]], int],
    ) -> list[int]:
        """Send each delivery through `post(body, headers) -> status`, retrying non-2xx answers
        as Shopify does (with the original payload and ids)."""
        statuses = []
        for delivery in deliveries:
            for _attempt in range(WEBHOOK_RETRIES + 1):
                status = post(delivery.body, self.headers(delivery))
                if 200 <= status < 300:
                    break
            statuses.append(status)
        return statuses

    @staticmethod
    def disorder(
        deliveries: list[WebhookDelivery], *, duplicates: float, reordered: float, seed: int = 5
    ) -> list[WebhookDelivery]:
        """Redeliver a share (same webhook id, later) and move another share out of order."""
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

    # HTTP

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                raw = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                fake.requests.append(("GET", url.path))
                if url.path.startswith("/bulk/"):
                    path = fake._bulk_dir / Path(url.path).name
                    if not path.exists():
                        return self._send(404, {"error": "not found"})
                    raw = path.read_bytes()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/jsonl")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                    return None
                parts = url.path.strip("/").split("/")
                if (
                    len(parts) == 5
                    and parts[0] == "shops"
                    and parts[2:] == ["admin", "oauth", "authorize"]
                ):
                    return self._authorize(parts[1], dict(parse_qsl(url.query)))
                return self._send(404, {"errors": "Not Found"})

            def do_POST(self) -> None:
                url = urlsplit(self.path)
                fake.requests.append(("POST", url.path))
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                parts = url.path.strip("/").split("/")
                if len(parts) < 2 or parts[0] != "shops" or parts[1] not in fake.shops:
                    return self._send(404, {"errors": "Not Found"})
                shop = parts[1]
                if parts[2:] == ["admin", "oauth", "access_token"]:
                    if "json" in (self.headers.get("Content-Type") or ""):
                        params = json.loads(raw or b"{}")
                    else:
                        params = dict(parse_qsl(raw.decode()))
                    status, body = fake._token_endpoint(
                        shop, {k: str(v) for k, v in params.items()}
                    )
                    return self._send(status, body)
                if (
                    len(parts) == 6
                    and parts[2:4] == ["admin", "api"]
                    and parts[5] == "graphql.json"
                ):
                    if parts[4] != fake.api_version:
                        return self._send(404, {"errors": f"unknown API version {parts[4]}"})
                    token = fake.tokens.get(self.headers.get("X-Shopify-Access-Token") or "")
                    if (
                        token is None
                        or token.shop != shop
                        or token.revoked
                        or (token.expires_at is not None and token.expires_at < fake.now())
                    ):
                        return self._send(
                            401,
                            {
                                "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
                            },
                        )
                    if fake.fail_next:
                        return self._send(
                            fake.fail_next.pop(0),
                            {"errors": "Internal error"},
                            {"Retry-After": "0"},
                        )
                    request = json.loads(raw)
                    return self._send(
                        200, fake.graphql[shop].execute(request["query"], request.get("variables"))
                    )
                return self._send(404, {"errors": "Not Found"})

            def _authorize(self, shop: str, params: dict[str, str]) -> None:
                code = secrets.token_hex(16)
                fake.codes[code] = shop
                query = {
                    "code": code,
                    "shop": shop,
                    "state": params.get("state", ""),
                    "timestamp": str(int(time.time())),
                }
                message = "&".join(f"{k}={v}" for k, v in sorted(query.items()))
                query["hmac"] = hmac.new(
                    fake.client_secret.encode(), message.encode(), hashlib.sha256
                ).hexdigest()
                self.send_response(302)
                self.send_header("Location", f"{params['redirect_uri']}?{urlencode(query)}")
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler

    def _issue(self, shop: str, *, expiring: bool) -> dict[str, Any]:
        access = "shpat_" + secrets.token_hex(16)
        body: dict[str, Any] = {"access_token": access, "scope": self.scopes}
        if expiring:
            refresh = "shprt_" + secrets.token_hex(16)
            self.tokens[access] = Token(shop, self.now() + ACCESS_TOKEN_SECONDS)
            self.refresh_tokens[refresh] = Token(shop, self.now() + REFRESH_TOKEN_SECONDS)
            body.update(
                expires_in=ACCESS_TOKEN_SECONDS,
                refresh_token=refresh,
                refresh_token_expires_in=REFRESH_TOKEN_SECONDS,
            )
        else:
            self.tokens[access] = Token(shop, None)
        return body

    def _token_endpoint(self, shop: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if (
            params.get("client_id") != self.client_id
            or params.get("client_secret") != self.client_secret
        ):
            return 401, {
                "error": "invalid_client",
                "error_description": "Client credentials are invalid",
            }
        grant = params.get("grant_type", "")
        expiring = params.get("expiring") in ("1", "true", "True")
        if grant == "urn:ietf:params:oauth:grant-type:token-exchange":
            try:
                claims = jwt.decode(
                    params.get("subject_token", ""),
                    self.client_secret,
                    algorithms=["HS256"],
                    audience=self.client_id,
                    leeway=10,
                )
            except jwt.PyJWTError as exc:
                return 400, {"error": "invalid_subject_token", "error_description": str(exc)}
            if urlsplit(claims.get("dest", "")).hostname != shop:
                return 400, {"error": "invalid_subject_token", "error_description": "wrong shop"}
            return 200, self._issue(shop, expiring=expiring)
        if grant == "refresh_token":
            token = self.refresh_tokens.pop(params.get("refresh_token", ""), None)
            if (
                token is None
                or token.shop != shop
                or token.revoked
                or (token.expires_at or 0) < self.now()
            ):
                return 400, {
                    "error": "invalid_grant",
                    "error_description": "refresh token is invalid",
                }
            return 200, self._issue(shop, expiring=True)
        if "code" in params:
            if self.codes.pop(params["code"], None) != shop:
                return 400, {"error": "invalid_request", "error_description": "bad code"}
            return 200, self._issue(shop, expiring=expiring)
        return 400, {"error": "unsupported_grant_type"}
