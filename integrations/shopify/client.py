"""The one way out to Shopify: an httpx client with timeouts, and the Admin GraphQL client.

GraphQL throttling arrives as HTTP 200 with `errors[].extensions.code == "THROTTLED"`; the client
reads the leaky bucket (`extensions.cost.throttleStatus`) from every response, waits before a
query the bucket cannot afford, and retries a throttled one after the refill it needs. 429 and
5xx back off exponentially. A rejected token raises ShopifyAuthError, which callers turn into
"needs re-authorization" instead of retrying forever.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from django.conf import settings

logger = logging.getLogger(__name__)

GRAPHQL_DIR = Path(__file__).resolve().parent / "graphql"
TIMEOUT = httpx.Timeout(30.0, connect=5.0)
DEFAULT_QUERY_COST = 50
MAX_THROTTLE_WAITS = 60


class ShopifyError(Exception):
    """Anything Shopify answered that we cannot use."""


class ShopifyTransientError(ShopifyError):
    """Network trouble, 429 or 5xx that outlived our retries: worth retrying later."""


class ShopifyAuthError(ShopifyError):
    """The shop's token was refused (revoked, uninstalled): the shop needs re-authorization."""


class ShopifyGraphQLError(ShopifyError):
    """A query Shopify rejected (a bug on our side, or a missing scope)."""

    def __init__(self, messages: list[str], codes: list[str]) -> None:
        super().__init__("; ".join(messages) or "GraphQL error")
        self.messages = messages
        self.codes = codes


class ShopifyUserError(ShopifyError):
    """A mutation's `userErrors`."""


def shop_base_url(domain: str) -> str:
    """https://{shop}, unless settings point Shopify elsewhere (tests: a fake on loopback)."""
    return str(settings.SHOPIFY_SHOP_URL).format(shop=domain).rstrip("/")


class _ShopURLTransport(httpx.HTTPTransport):
    """Sends requests for https://*.myshopify.com/... to SHOPIFY_SHOP_URL.

    shopifyapp builds its token endpoints from the shop's domain itself; this lets those calls
    reach wherever `SHOPIFY_SHOP_URL` says, as our own calls do."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if host.endswith(".myshopify.com"):
            target = urlsplit(shop_base_url(host))
            path = target.path.rstrip("/") + request.url.raw_path.decode("ascii")
            request.url = httpx.URL(urlunsplit((target.scheme, target.netloc, "", "", "")) + path)
            request.headers["Host"] = target.netloc
        return super().handle_request(request)


def http_client(timeout: httpx.Timeout = TIMEOUT) -> httpx.Client:
    return httpx.Client(
        timeout=timeout,
        transport=_ShopURLTransport(retries=1),
        headers={"User-Agent": "shopapp-personalization"},
    )


@cache
def document(name: str) -> str:
    """The text of integrations/shopify/graphql/<name>.graphql: every query we send lives there
    (and the test suite validates each against the pinned Admin schema)."""
    return (GRAPHQL_DIR / f"{name}.graphql").read_text()


def document_names() -> list[str]:
    return sorted(p.stem for p in GRAPHQL_DIR.glob("*.graphql"))


@dataclass
class CostBucket:
    """The leaky bucket as Shopify last reported it."""

    maximum: float = 0.0
    available: float = 0.0
    restore_rate: float = 0.0
    observed_at: float = 0.0

    @property
    def is_known(self) -> bool:
        return self.restore_rate > 0

    def available_now(self, now: float) -> float:
        return min(self.maximum, self.available + (now - self.observed_at) * self.restore_rate)

    def seconds_until(self, cost: float, now: float) -> float:
        if not self.is_known:
            return 0.0
        missing = min(cost, self.maximum) - self.available_now(now)
        return max(missing, 0.0) / self.restore_rate


@dataclass
class AdminClient:
    """Admin GraphQL for one shop. `token` returns the current access token; called with
    `force_refresh=True` after a 401, once, in case the token expired early."""

    shop_domain: str
    token: Callable[[bool], str]
    api_version: str = field(default_factory=lambda: str(settings.SHOPIFY_API_VERSION))
    http: httpx.Client = field(default_factory=http_client)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    max_attempts: int = 6
    bucket: CostBucket = field(default_factory=CostBucket)
    throttled_count: int = 0
    _costs: dict[str, float] = field(default_factory=dict)

    @property
    def endpoint(self) -> str:
        return f"{shop_base_url(self.shop_domain)}/admin/api/{self.api_version}/graphql.json"

    def execute(self, name: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run the named document; returns `data`. Raises a ShopifyError subclass."""
        query = document(name)
        attempt = 0
        throttle_waits = 0
        refreshed = False
        while True:
            wait = self.bucket.seconds_until(
                self._costs.get(name, DEFAULT_QUERY_COST), self.clock()
            )
            if wait > 0:
                self.sleep(wait)
            try:
                response = self.http.post(
                    self.endpoint,
                    json={"query": query, "variables": variables or {}},
                    headers={"X-Shopify-Access-Token": self.token(False)},
                )
            except httpx.TransportError as exc:
                attempt += 1
                if attempt >= self.max_attempts:
                    raise ShopifyTransientError(f"{name}: {exc}") from exc
                self._backoff(attempt, None)
                continue
            if response.status_code in (401, 403):
                if response.status_code == 401 and not refreshed:
                    refreshed = True
                    self.token(True)
                    continue
                raise ShopifyAuthError(f"{name}: HTTP {response.status_code} from Shopify")
            if response.status_code == 429 or response.status_code >= 500:
                attempt += 1
                if attempt >= self.max_attempts:
                    raise ShopifyTransientError(f"{name}: HTTP {response.status_code}")
                self._backoff(attempt, response.headers.get("Retry-After"))
                continue
            if response.status_code != 200:
                raise ShopifyError(f"{name}: HTTP {response.status_code}: {response.text[:200]}")
            body = response.json()
            cost = (body.get("extensions") or {}).get("cost") or {}
            self._observe(name, cost)
            errors = body.get("errors") or []
            if isinstance(errors, str):  # some REST-style errors come as one string
                errors = [{"message": errors}]
            codes = [str((e.get("extensions") or {}).get("code", "")) for e in errors]
            if errors and all(code == "THROTTLED" for code in codes):
                self.throttled_count += 1
                throttle_waits += 1
                if throttle_waits > MAX_THROTTLE_WAITS:
                    raise ShopifyTransientError(f"{name}: still throttled after {throttle_waits}")
                needed = float(cost.get("requestedQueryCost") or self._costs.get(name, 0) or 1)
                self.sleep(max(self.bucket.seconds_until(needed, self.clock()), 0.05))
                continue
            if errors:
                raise ShopifyGraphQLError([str(e.get("message", "")) for e in errors], codes)
            data: dict[str, Any] = body.get("data") or {}
            return data

    def _observe(self, name: str, cost: dict[str, Any]) -> None:
        requested = cost.get("requestedQueryCost")
        if requested is not None:
            self._costs[name] = float(requested)
        status = cost.get("throttleStatus")
        if status:
            self.bucket = CostBucket(
                maximum=float(status["maximumAvailable"]),
                available=float(status["currentlyAvailable"]),
                restore_rate=float(status["restoreRate"]),
                observed_at=self.clock(),
            )

    def _backoff(self, attempt: int, retry_after: str | None) -> None:
        try:
            delay = float(retry_after) if retry_after else 0.0
        except ValueError:
            delay = 0.0
        delay = max(delay, min(30.0, 0.5 * 2 ** (attempt - 1)) * (0.5 + random.random() / 2))
        self.sleep(delay)

    def mutate(self, name: str, field_name: str, variables: dict[str, Any]) -> dict[str, Any]:
        """Run a mutation and raise ShopifyUserError for its `userErrors`."""
        payload: dict[str, Any] = self.execute(name, variables).get(field_name) or {}
        user_errors = payload.get("userErrors") or []
        if user_errors:
            raise ShopifyUserError("; ".join(str(e.get("message")) for e in user_errors))
        return payload

    def stream_lines(self, url: str) -> Iterator[bytes]:
        """A bulk operation's JSONL result, line by line, without holding it in memory."""
        with self.http.stream("GET", url, timeout=httpx.Timeout(120.0, connect=10.0)) as response:
            if response.status_code != 200:
                raise ShopifyTransientError(f"bulk result: HTTP {response.status_code}")
            buffer = b""
            for chunk in response.iter_bytes(1 << 20):
                buffer += chunk
                lines = buffer.split(b"\n")
                buffer = lines.pop()
                yield from (line for line in lines if line)
            if buffer.strip():
                yield buffer
