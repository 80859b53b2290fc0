"""The one way out to a WooCommerce store: REST calls with our timeouts, retries, pagination,
typed errors, one request at a time per store, and no requests to private addresses.

Store URLs come from merchants, so every connection is checked *after* it is made (the peer's
address, not a name that could resolve differently a moment later): loopback, private, link-local
and other non-global addresses are refused unless the caller passes `allow_loopback=True`, which
only tests do.

The `woocommerce` package (3.0.0, the last release) is used for what it does right: OAuth 1.0a
one-legged signing, PHP-compatible, with one fix (it leaves `/` unescaped in parameter values,
which WooCommerce's `rawurlencode` escapes: plain-permalink stores send `rest_route=/wc/v3/...`).
Its `API` class is not used to send: it calls `requests.request` per call (a new connection each
time, no adapter to check the peer), has a 5 s timeout and no retries.
"""

from __future__ import annotations

import email.utils
import ipaddress
import json
import logging
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote, urlencode, urlsplit

import requests
from django.core.cache import cache
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import LocationParseError, NewConnectionError
from woocommerce.oauth import OAuth

logger = logging.getLogger(__name__)

API_NAMESPACE = "wc/v3"
PER_PAGE = 100
# Connect, read: a slow shared host takes seconds for a page of 100 orders.
TIMEOUT = (5.0, 40.0)
MAX_ATTEMPTS = 5
MAX_RETRY_WAIT = 120.0
USER_AGENT = "Mozilla/5.0 (compatible; PersonalizationApp/1.0; +https://example.invalid/bot)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


# Errors


class WooError(Exception):
    """Anything a store answered (or failed to answer) that we cannot use.

    `code`, `message` and `status` come from WordPress's error envelope
    `{"code", "message", "data": {"status"}}` when the store sent one."""

    def __init__(
        self, message: str, *, status: int = 0, code: str = "", data: Any = None, url: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.data = data
        self.url = url

    def __str__(self) -> str:
        parts = [str(self.status)] if self.status else []
        if self.code:
            parts.append(self.code)
        parts.append(self.message)
        return " ".join(parts)


class WooTransientError(WooError):
    """Network trouble, 429 or 5xx that outlived our retries: worth trying again later."""


class WooRateLimited(WooTransientError):
    pass


class WooServerError(WooTransientError):
    pass


class WooAuthError(WooError):
    """401: keys unknown, secret wrong, signature refused, or not allowed (read-only keys)."""


class WooForbidden(WooError):
    """403: a firewall or security plugin, or a user without the capability."""


class WooNotFound(WooError):
    """404: no such resource, or no such route (WooCommerce inactive, REST API disabled)."""


class WooBadRequest(WooError):
    """400, 413 and other 4xx: a request the store refuses (a bug on our side)."""


class WooNotJSON(WooError):
    """The store answered, but not with JSON (a firewall page, a maintenance page, PHP notices
    printed before the JSON)."""


class WooRedirected(WooError):
    """The store redirects its API elsewhere (http → https, another host)."""

    def __init__(self, message: str, *, location: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.location = location


class WooTLSError(WooError):
    """The store's HTTPS certificate could not be verified (expired, self-signed, wrong name)."""


class WooInvalidURL(WooError):
    """The address cannot even be requested (a bad host name, a port out of range)."""


class AddressRefused(WooError):
    """The store's address is loopback, private or otherwise not on the public internet."""


class StoreBusy(WooTransientError):
    """Another worker holds this store's lock for longer than we are willing to wait."""


# Refusing private addresses


def is_public_address(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(ip.is_global) and not ip.is_multicast


class _AddressRefusedError(NewConnectionError):
    pass


class _CheckedConnectionMixin:
    """Checks the address a connection actually reached before anything is sent over it."""

    allow_loopback: bool = False

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        if not self.allow_loopback:
            peer = sock.getpeername()[0]
            if not is_public_address(peer):
                sock.close()
                raise _AddressRefusedError(
                    self,  # type: ignore[arg-type]
                    f"refused to talk to {peer}: not a public internet address",
                )
        return sock


class _CheckedHTTPConnection(_CheckedConnectionMixin, HTTPConnection):
    pass


class _CheckedHTTPSConnection(_CheckedConnectionMixin, HTTPSConnection):
    pass


class _CheckedAdapter(HTTPAdapter):
    def __init__(self, *, allow_loopback: bool, **kwargs: Any) -> None:
        self._allow_loopback = allow_loopback
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        allow = self._allow_loopback
        http_conn = type("Conn", (_CheckedHTTPConnection,), {"allow_loopback": allow})
        https_conn = type("Conn", (_CheckedHTTPSConnection,), {"allow_loopback": allow})
        http_pool = type("Pool", (HTTPConnectionPool,), {"ConnectionCls": http_conn})
        https_pool = type("Pool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn})
        self.poolmanager.pool_classes_by_scheme = {"http": http_pool, "https": https_pool}


def session_for(*, allow_loopback: bool = False, verify: bool | str = True) -> requests.Session:
    """A pooled session whose connections refuse non-public peers; no proxies from the
    environment (a proxy would be the peer we check), no .netrc."""
    session = requests.Session()
    session.trust_env = False
    session.verify = verify
    adapter = _CheckedAdapter(allow_loopback=allow_loopback, pool_connections=4, pool_maxsize=4)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    return session


def _refused(exc: BaseException) -> str | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _AddressRefusedError):
            return str(current).split(": ", 1)[-1]
        for arg in getattr(current, "args", ()):
            if isinstance(arg, BaseException):
                found = _refused(arg)
                if found:
                    return found
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            found = _refused(reason)
            if found:
                return found
        current = current.__cause__ or current.__context__
    return None


# Signing


class _RFC3986OAuth(OAuth):
    """The package's signer, encoding parameters as PHP's rawurlencode does."""

    @staticmethod
    def normalize_parameters(params: Mapping[str, Any]) -> dict[str, str]:
        normalized: dict[str, str] = {}
        for key, value in params.items():
            text = ("1" if value else "") if isinstance(value, bool) else str(value)
            normalized[quote(unquote(str(key)), safe="").replace("%", "%25")] = quote(
                unquote(text), safe=""
            ).replace("%", "%25")
        return normalized


@dataclass(frozen=True)
class KeyAuth:
    consumer_key: str
    consumer_secret: str


@dataclass(frozen=True)
class AppPasswordAuth:
    username: str
    password: str


Auth = KeyAuth | AppPasswordAuth


# One request at a time per store


class StoreLock:
    """A short lease per store in the cache (Redis in production: `add` is SET NX), taken around
    each request, so however many workers touch a store, it sees one request at a time.
    Re-entrant within a thread."""

    _held = threading.local()

    def __init__(self, key: str, *, ttl: float = 120.0, wait: float = 60.0) -> None:
        self.key = f"woo:lock:{key}"
        self.ttl = ttl
        self.wait = wait

    @contextmanager
    def hold(self) -> Iterator[None]:
        depth: dict[str, int] = getattr(self._held, "depth", None) or {}
        self._held.depth = depth
        if depth.get(self.key):
            depth[self.key] += 1
            try:
                yield
            finally:
                depth[self.key] -= 1
            return
        token = uuid.uuid4().hex
        deadline = time.monotonic() + self.wait
        pause = 0.02
        while not cache.add(self.key, token, timeout=int(self.ttl) + 1):
            if time.monotonic() >= deadline:
                raise StoreBusy(f"another worker is talking to this store ({self.key})")
            time.sleep(pause)
            pause = min(pause * 2, 0.5)
        depth[self.key] = 1
        try:
            yield
        finally:
            depth[self.key] = 0
            if cache.get(self.key) == token:
                cache.delete(self.key)


# Responses


@dataclass
class WooResponse:
    status: int
    headers: Mapping[str, str]
    body: Any
    url: str

    @property
    def store_time(self) -> datetime | None:
        """The store's clock, from its Date header."""
        value = self.headers.get("Date")
        if not value:
            return None
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    def header_int(self, name: str) -> int | None:
        value = self.headers.get(name)
        try:
            return int(value) if value is not None else None
        except ValueError:
            return None


@dataclass
class Page:
    number: int
    items: list[dict[str, Any]]
    total: int | None
    total_pages: int | None
    response: WooResponse = field(repr=False)


def _retry_after(value: str | None, now: float) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(moment.timestamp() - now, 0.0)


def _envelope(body: Any) -> tuple[str, str, Any]:
    if isinstance(body, dict) and "code" in body and "message" in body:
        return str(body.get("code") or ""), str(body.get("message") or ""), body.get("data")
    return "", "", None


def _error_for(status: int, body: Any, url: str, text: str) -> WooError:
    code, message, data = _envelope(body)
    message = message or (text.strip()[:200] if text else "") or f"HTTP {status}"
    kwargs: dict[str, Any] = {"status": status, "code": code, "data": data, "url": url}
    if status == 401:
        return WooAuthError(message, **kwargs)
    if status == 403:
        return WooForbidden(message, **kwargs)
    if status == 404:
        return WooNotFound(message, **kwargs)
    if status == 429:
        return WooRateLimited(message, **kwargs)
    if status >= 500:
        return WooServerError(message, **kwargs)
    return WooBadRequest(message, **kwargs)


def parse_json(text: str) -> Any:
    """The body as JSON, tolerating a UTF-8 BOM; raises ValueError when it is not JSON."""
    return json.loads(text.lstrip("\ufeff"))


class WooClient:
    """REST calls to one store. Paths are relative to `/wp-json/wc/v3/` (`products`,
    `products/12/variations`); `namespace=""` reaches the WordPress REST index."""

    def __init__(
        self,
        store_url: str,
        auth: Auth | None,
        *,
        has_pretty_permalinks: bool = True,
        signs_with_oauth: bool = False,
        timeout: tuple[float, float] = TIMEOUT,
        max_attempts: int = MAX_ATTEMPTS,
        max_retry_wait: float = MAX_RETRY_WAIT,
        allow_loopback: bool = False,
        verify: bool | str = True,
        lock: StoreLock | None = None,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        self.store_url = store_url.rstrip("/")
        self.auth = auth
        self.has_pretty_permalinks = has_pretty_permalinks
        self.signs_with_oauth = signs_with_oauth
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.max_retry_wait = max_retry_wait
        self.allow_loopback = allow_loopback
        self.lock = lock
        self.sleep = sleep
        self.session = session or session_for(allow_loopback=allow_loopback, verify=verify)
        self.requests_sent = 0

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> WooClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # URLs and signing

    def url_for(
        self, path: str, params: Mapping[str, Any] | None = None, namespace: str = API_NAMESPACE
    ) -> str:
        route = "/" + "/".join(p for p in (namespace, path.strip("/")) if p)
        query = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        if self.has_pretty_permalinks:
            base = f"{self.store_url}/wp-json{route}"
            return f"{base}?{urlencode(query)}" if query else base
        return f"{self.store_url}/?{urlencode({'rest_route': route, **query})}"

    def _prepare(self, method: str, url: str) -> tuple[str, Any]:
        """The URL to send and the requests auth, signed afresh for every attempt (OAuth nonces
        are single-use)."""
        auth = self.auth
        if auth is None:
            return url, None
        if isinstance(auth, AppPasswordAuth):
            return url, (auth.username, auth.password)
        is_https = url.startswith("https://")
        if is_https and not self.signs_with_oauth:
            return url, (auth.consumer_key, auth.consumer_secret)
        # OAuth 1.0a: over plain HTTP, or over HTTPS that WordPress believes is HTTP (it then
        # builds the signature base from http://).
        signing_url = "http://" + url.split("://", 1)[1] if is_https else url
        signed = _RFC3986OAuth(
            url=signing_url,
            consumer_key=auth.consumer_key,
            consumer_secret=auth.consumer_secret,
            version=API_NAMESPACE,
            method=method,
            oauth_timestamp=int(time.time()),
        ).get_oauth_url()
        if is_https:
            signed = "https://" + signed.split("://", 1)[1]
        return signed, None

    # Sending

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        namespace: str = API_NAMESPACE,
        allow_redirects: bool = False,
    ) -> WooResponse:
        url = self.url_for(path, params, namespace)
        method = method.upper()
        lock = self.lock.hold() if self.lock else _no_lock()
        with lock:
            return self._send(method, url, json_body, allow_redirects)

    def _send(self, method: str, url: str, json_body: Any, allow_redirects: bool) -> WooResponse:
        data = json.dumps(json_body, ensure_ascii=False).encode() if json_body is not None else None
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        waited = 0.0
        last_error: WooError | None = None
        for attempt in range(1, self.max_attempts + 1):
            send_url, auth = self._prepare(method, url)
            try:
                self.requests_sent += 1
                raw = self.session.request(
                    method,
                    send_url,
                    data=data,
                    headers=headers,
                    auth=auth,
                    timeout=self.timeout,
                    allow_redirects=allow_redirects,
                )
            except requests.exceptions.SSLError as exc:
                raise WooTLSError(_short(exc), url=url) from None
            except (requests.exceptions.InvalidURL, LocationParseError, UnicodeError) as exc:
                raise WooInvalidURL(_short(exc), url=url) from None
            except requests.RequestException as exc:
                refused = _refused(exc)
                if refused:
                    raise AddressRefused(refused, url=url) from None
                connect_failed = isinstance(exc, requests.ConnectionError) and not isinstance(
                    exc, requests.ReadTimeout
                )
                last_error = WooTransientError(f"{type(exc).__name__}: {_short(exc)}", url=url)
                if method in IDEMPOTENT or connect_failed:
                    delay = self._backoff(attempt, None)
                    if attempt < self.max_attempts and waited + delay <= self.max_retry_wait:
                        waited += delay
                        self.sleep(delay)
                        continue
                raise last_error from None
            response = self._read(raw, url)
            if response.status in RETRY_STATUSES:
                error = _error_for(response.status, response.body, url, raw.text)
                retryable = method in IDEMPOTENT or response.status in (429, 503)
                delay = self._backoff(attempt, raw.headers.get("Retry-After"))
                if (
                    retryable
                    and attempt < self.max_attempts
                    and waited + delay <= self.max_retry_wait
                ):
                    logger.info("store answered %s; retrying in %.1fs", response.status, delay)
                    waited += delay
                    self.sleep(delay)
                    last_error = error
                    continue
                raise error
            if 300 <= response.status < 400:
                location = raw.headers.get("Location", "")
                raise WooRedirected(
                    f"the store redirects to {location or 'another address'}",
                    location=location,
                    status=response.status,
                    url=url,
                )
            if response.status >= 400:
                raise _error_for(response.status, response.body, url, raw.text)
            if response.body is _NOT_JSON:
                raise WooNotJSON(
                    f"expected JSON, got {raw.headers.get('Content-Type') or 'no content type'}: "
                    f"{raw.text.strip()[:120]!r}",
                    status=response.status,
                    url=url,
                )
            return response
        assert last_error is not None
        raise last_error

    def _read(self, raw: requests.Response, url: str) -> WooResponse:
        text = raw.text
        body: Any
        if not text.strip():
            body = None
        else:
            try:
                body = parse_json(text)
            except ValueError:
                body = _NOT_JSON
        return WooResponse(
            status=raw.status_code, headers=_Headers(raw.headers.items()), body=body, url=url
        )

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        told = _retry_after(retry_after, time.time())
        if told is not None:
            return min(told, self.max_retry_wait)
        base = min(1.0 * 2 ** (attempt - 1), 30.0)
        return base + random.uniform(0, base / 2)

    # Verbs

    def get(self, path: str, params: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
        return self.request("GET", path, params=params, **kwargs).body

    def post(self, path: str, body: Any, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("POST", path, params=params, json_body=body).body

    def put(self, path: str, body: Any, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("PUT", path, params=params, json_body=body).body

    def delete(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("DELETE", path, params=params).body

    def pages(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        fields: list[str] | None = None,
        start_page: int = 1,
        per_page: int = PER_PAGE,
    ) -> Iterator[Page]:
        """Every page of a collection, in a stable order (by id, ascending, unless the caller
        says otherwise), following X-WP-TotalPages as the store reports it on each page."""
        query: dict[str, Any] = {"orderby": "id", "order": "asc", **(params or {})}
        query["per_page"] = per_page
        if fields:
            query["_fields"] = ",".join(fields)
        number = start_page
        while True:
            query["page"] = number
            response = self.request("GET", path, params=query)
            items = response.body
            if not isinstance(items, list):
                raise WooNotJSON(
                    f"expected a list from {path}, got {type(items).__name__}", url=response.url
                )
            total_pages = response.header_int("X-WP-TotalPages")
            yield Page(
                number=number,
                items=items,
                total=response.header_int("X-WP-Total"),
                total_pages=total_pages,
                response=response,
            )
            if not items:
                return
            if total_pages is not None:
                if number >= total_pages:
                    return
            elif len(items) < per_page:
                return
            number += 1

    def items(
        self, path: str, params: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> Iterator[dict[str, Any]]:
        for page in self.pages(path, params, **kwargs):
            yield from page.items


class _Headers(dict[str, str]):
    """Case-insensitive reads over a plain dict (requests' own mapping does not pickle well)."""

    def get(self, key: str, default: Any = None) -> Any:
        lowered = key.lower()
        for name, value in self.items():
            if name.lower() == lowered:
                return value
        return default


_NOT_JSON = object()


@contextmanager
def _no_lock() -> Iterator[None]:
    yield


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | set):
        return ",".join(str(v) for v in value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return str(value)


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) < 200 else text[:200] + "…"


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
