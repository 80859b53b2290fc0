"""Connecting a store: the `wc-auth/v1` key exchange, application passwords as the fallback,
and what the merchant is told when something is wrong.

The flow (see docs/woocommerce.md):

1. `connect_start`: the merchant gives the store's address. We look at it first (its REST index:
   is it WordPress, is WooCommerce active, pretty permalinks or not, HTTPS), so most problems
   are explained before the merchant leaves us. Then a `ConnectAttempt` and the redirect to
   `/wc-auth/v1/authorize` with `scope=read_write` and an opaque `user_id`: the attempt's id
   and a random nonce, signed (django.core.signing), valid for an hour.
2. `callback_accept`: the store posts the new keys as JSON. We answer exactly 200 once the body
   is complete and the `user_id` verifies, keeping the keys encrypted on the attempt (the store
   hashes its copy afterwards). Anything else is 400 and stores nothing: the store then deletes
   the key it made.
3. `connection_verify` (on the return page, or from the periodic task if the merchant never comes
   back): the keys are tried against the store. Only keys that work reach `Shop.credentials`
   (`shop_install`), with a webhook secret and the plugin's secret; then webhooks and the first
   full sync start. Keys that do not work are dropped, and the merchant is told why.

A host that terminates HTTPS without telling WordPress makes WooCommerce ignore Basic auth
(`401 woocommerce_rest_cannot_view` with keys that are fine): we detect it by signing the same
request with OAuth 1.0a as if the URL were http://, which such a store accepts, and keep signing.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from integrations.woocommerce.client import (
    AddressRefused,
    AppPasswordAuth,
    KeyAuth,
    WooAuthError,
    WooClient,
    WooError,
    WooForbidden,
    WooInvalidURL,
    WooNotFound,
    WooNotJSON,
    WooRedirected,
    WooTLSError,
    WooTransientError,
)
from integrations.woocommerce.models import (
    AttemptStatus,
    AuthMethod,
    ConnectAttempt,
    WooStore,
)
from integrations.woocommerce.stores import new_client, shop_domain_for
from shopapp.shops.models import InstallState, Platform, Shop
from shopapp.shops.services import shop_get_or_create, shop_install

logger = logging.getLogger(__name__)

USER_ID_SALT = "integrations.woocommerce.connect"
USER_ID_MAX_AGE = timedelta(hours=1)
CLAIM_MAX_AGE = timedelta(minutes=15)
KEY_FIELDS = ("key_id", "user_id", "consumer_key", "consumer_secret", "key_permissions")
# The merchant is waiting on a page: fail in seconds, not minutes.
INTERACTIVE = {"max_attempts": 2, "timeout": (5.0, 15.0), "max_retry_wait": 5.0}


class ConnectError(Exception):
    """Something the merchant must be told, in plain words (`message`), with a short `reason`
    code for logs and tests."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


# The store's address


def normalize_store_url(text: str) -> str:
    """`https://host[:port][/path]`, or ConnectError explaining what is wrong with the text."""
    value = (text or "").strip()
    if len(value) > 500 or any(ord(c) < 32 for c in value):
        raise ConnectError("invalid", "That is not a web address.")
    if not value:
        raise ConnectError(
            "empty", "Enter your store's address, for example https://shop.example.com."
        )
    if "://" not in value:
        value = "https://" + value
    parts = urlsplit(value)
    if parts.scheme == "http":
        raise ConnectError(
            "insecure",
            "Your store's address starts with http://. We only connect to stores served over "
            "HTTPS, because your orders and customers' details would cross the internet "
            "unencrypted. Turn on HTTPS (most hosts offer a free certificate), then use the "
            "https:// address.",
        )
    if parts.scheme != "https" or not parts.hostname:
        raise ConnectError("invalid", f"“{text.strip()[:100]}” is not a web address.")
    if parts.username or parts.password:
        raise ConnectError("invalid", "Leave the username and password out of the address.")
    host = parts.hostname
    if len(host) > 253 or any(not label or len(label) > 63 for label in host.split(".")):
        raise ConnectError("invalid", f"“{host[:100]}” is not a host name.")
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        raise ConnectError(
            "private",
            f"{host} is only reachable from your own computer or network. Use the address your "
            "customers use.",
        )
    path = parts.path.rstrip("/")
    for suffix in ("/wp-admin", "/wp-json", "/shop", "/index.php"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    return f"https://{parts.netloc.lower()}{path}"


@dataclass(frozen=True)
class StoreInfo:
    home: str
    has_pretty_permalinks: bool
    app_password_authorize_url: str = ""


def _explain(exc: WooError, host: str) -> ConnectError:
    """A client error as the merchant should read it."""
    if isinstance(exc, AddressRefused):
        return ConnectError(
            "private",
            f"{host} points to a private or local network address, which we cannot reach. Use "
            "your store's public address.",
        )
    if isinstance(exc, WooInvalidURL):
        return ConnectError("invalid", f"“{host[:100]}” is not a web address we can reach.")
    if isinstance(exc, WooTLSError):
        return ConnectError(
            "tls",
            f"{host}'s HTTPS certificate could not be verified ({exc.message[:120]}). Renew or "
            "fix the certificate with your host, then try again.",
        )
    if isinstance(exc, WooForbidden):
        return ConnectError(
            "forbidden",
            f"{host} refused us with “403 Forbidden”: a firewall or security plugin (for "
            "example Cloudflare, Wordfence, iThemes, or your host's web application firewall) is "
            "blocking requests to /wp-json/. Allow the WordPress REST API for our requests, or "
            "ask your host to, then try again.",
        )
    if isinstance(exc, WooNotJSON):
        return ConnectError(
            "not_json",
            f"{host} answered with a web page or with PHP warnings instead of the REST API's "
            "data. A plugin, a theme or a host setting is printing into the API's answers "
            "(turning off WP_DEBUG_DISPLAY often fixes it), or a security page is in the way.",
        )
    if isinstance(exc, WooRedirected):
        if exc.location.startswith("http://"):
            return ConnectError(
                "insecure",
                f"{host} sends its REST API to http:// ({exc.location[:100]}). Set your "
                "WordPress and Site addresses to https:// (Settings → General).",
            )
        return ConnectError(
            "redirected",
            f"{host} redirects to {exc.location[:100]}: use that address instead.",
        )
    if isinstance(exc, WooTransientError):
        return ConnectError(
            "unreachable",
            f"We could not reach {host} ({exc.message[:120]}). Check the address, and that the "
            "site is online, then try again.",
        )
    if isinstance(exc, WooNotFound):
        return ConnectError(
            "no_rest_api",
            f"{host} does not look like a WordPress site, or its REST API is turned off.",
        )
    return ConnectError("store_error", f"{host} answered with an error: {exc}.")


def store_probe(store_url: str, **client_options: Any) -> StoreInfo:
    """Read the store's REST index (no credentials): WordPress, WooCommerce, permalinks."""
    host = urlsplit(store_url).netloc
    index: Any = None
    has_pretty = True
    for pretty in (True, False):
        client = new_client(
            store_url, None, has_pretty_permalinks=pretty, **{**INTERACTIVE, **client_options}
        )
        try:
            index = client.get("", namespace="")
            has_pretty = pretty
            break
        except (WooNotFound, WooNotJSON) as exc:
            # Without pretty permalinks /wp-json/ is the theme's 404 page.
            if pretty and (isinstance(exc, WooNotFound) or exc.status == 404):
                continue
            raise _explain(exc, host) from None
        except WooError as exc:
            raise _explain(exc, host) from None
        finally:
            client.close()
    if not isinstance(index, dict) or "namespaces" not in index:
        raise ConnectError(
            "no_rest_api",
            f"{host} does not look like a WordPress site, or its REST API is turned off.",
        )
    if "wc/v3" not in (index.get("namespaces") or []):
        raise ConnectError(
            "no_woocommerce",
            f"{host} runs WordPress, but WooCommerce is not active there (its REST API is "
            "missing). Activate WooCommerce, then try again.",
        )
    home = str(index.get("home") or index.get("url") or store_url).rstrip("/")
    if home.startswith("http://"):
        raise ConnectError(
            "insecure",
            f"Your WordPress address is set to {home}. Set it to https:// (Settings → General) "
            "so that keys and customer data travel encrypted, then try again.",
        )
    if shop_domain_for(home) != shop_domain_for(store_url):
        # The site says its home is elsewhere (www. or not, a subfolder): trust it, as long as
        # it is https.
        logger.info("store %s reports home %s", store_url, home)
    authorization = (
        ((index.get("authentication") or {}).get("application-passwords") or {}).get("endpoints")
        or {}
    ).get("authorization", "")
    return StoreInfo(
        home=home if home.startswith("https://") else store_url,
        has_pretty_permalinks=has_pretty,
        app_password_authorize_url=str(authorization or ""),
    )


# Step 1: start


def _app_url(path: str) -> str:
    return f"{str(settings.WOOCOMMERCE_APP_URL).rstrip('/')}{path}"


def user_id_for(attempt: ConnectAttempt) -> str:
    return signing.dumps([attempt.pk, attempt.nonce], salt=USER_ID_SALT, compress=False)


def attempt_from_user_id(user_id: str) -> ConnectAttempt:
    try:
        attempt_id, nonce = signing.loads(user_id, salt=USER_ID_SALT, max_age=USER_ID_MAX_AGE)
    except signing.SignatureExpired:
        raise ConnectError("expired", "This connection request is older than an hour.") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise ConnectError("bad_user_id", "This connection request is not one of ours.") from None
    attempt = ConnectAttempt.objects.filter(pk=attempt_id).first()
    if attempt is None or not secrets.compare_digest(attempt.nonce, str(nonce)):
        raise ConnectError("bad_user_id", "This connection request is not one of ours.")
    return attempt


def authorize_url(attempt: ConnectAttempt) -> str:
    params = {
        "app_name": settings.WOOCOMMERCE_APP_NAME,
        "scope": "read_write",
        "user_id": user_id_for(attempt),
        "return_url": _app_url(reverse("woocommerce:connect_return")),
        "callback_url": _app_url(reverse("woocommerce:connect_callback")),
    }
    if attempt.has_pretty_permalinks:
        return f"{attempt.store_url}/wc-auth/v1/authorize?{urlencode(params)}"
    query = {"wc-auth-version": "1", "wc-auth-route": "authorize", **params}
    return f"{attempt.store_url}/?{urlencode(query)}"


def _plugin_return(store_url: str, plugin_return_url: str) -> str:
    """The plugin's settings page to send the merchant back to: only on the store's own host."""
    if not plugin_return_url:
        return ""
    target = urlsplit(plugin_return_url)
    if target.scheme != "https" or target.netloc.lower() != urlsplit(store_url).netloc.lower():
        return ""
    return plugin_return_url[:1000]


def _pending_shop(info: StoreInfo) -> Shop:
    shop, _created = shop_get_or_create(
        platform=Platform.WOOCOMMERCE, domain=shop_domain_for(info.home)
    )
    origin = f"https://{urlsplit(info.home).netloc.lower()}"
    if not shop.allows_origin(origin):
        # WordPress in a subfolder: the storefront's origin is the host alone.
        Shop.objects.filter(pk=shop.pk).update(
            storefront_origins=[*shop.storefront_origins, origin]
        )
    return shop


def connect_start(
    *,
    store_url: str,
    plugin_return_url: str = "",
    plugin_state: str = "",
    **client_options: Any,
) -> tuple[ConnectAttempt, str]:
    """Check the store and make the attempt; returns it with the URL to send the merchant to."""
    info = store_probe(normalize_store_url(store_url), **client_options)
    shop = _pending_shop(info)
    attempt = ConnectAttempt.objects.create(
        shop=shop,
        method=AuthMethod.WC_KEYS,
        store_url=info.home,
        has_pretty_permalinks=info.has_pretty_permalinks,
        nonce=secrets.token_urlsafe(18),
        plugin_return_url=_plugin_return(info.home, plugin_return_url),
        plugin_state=plugin_state[:64],
    )
    return attempt, authorize_url(attempt)


# Step 2: the store posts the keys


@dataclass(frozen=True)
class CallbackResult:
    status: int
    message: str


def callback_accept(body: bytes) -> CallbackResult:
    """Validate what the store posted and keep the keys; 200 only when they are kept."""
    import json

    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return CallbackResult(400, "body is not JSON")
    if not isinstance(data, dict):
        return CallbackResult(400, "body is not a JSON object")
    missing = [name for name in KEY_FIELDS if data.get(name) in (None, "")]
    if missing:
        return CallbackResult(400, f"missing fields: {', '.join(missing)}")
    consumer_key, consumer_secret = str(data["consumer_key"]), str(data["consumer_secret"])
    if not consumer_key.startswith("ck_") or not consumer_secret.startswith("cs_"):
        return CallbackResult(400, "consumer_key/consumer_secret are not WooCommerce keys")
    try:
        key_id = int(data["key_id"])
    except (TypeError, ValueError):
        return CallbackResult(400, "key_id is not a number")
    try:
        found = attempt_from_user_id(str(data["user_id"]))
    except ConnectError as exc:
        return CallbackResult(400, exc.message)
    with transaction.atomic():
        attempt = ConnectAttempt.objects.select_for_update().get(pk=found.pk)
        if data["key_permissions"] != "read_write":
            _attempt_failed(
                attempt,
                "The store granted “{}” access; we need “Read/Write” to register the webhooks "
                "that keep us up to date. Connect again and approve.".format(
                    str(data["key_permissions"])[:20]
                ),
            )
            return CallbackResult(400, "read_write access is required")
        same_key = (
            attempt.key_id == key_id and attempt.credentials.get("consumer_key") == consumer_key
        )
        if attempt.status == AttemptStatus.CONNECTED and same_key:
            return CallbackResult(200, "already connected with these keys")
        if attempt.status not in (AttemptStatus.STARTED, AttemptStatus.KEYS_RECEIVED):
            return CallbackResult(400, f"this connection request is {attempt.status}")
        attempt.key_id = key_id
        attempt.credentials = {
            "consumer_key": consumer_key,
            "consumer_secret": consumer_secret,
            "key_id": key_id,
            "key_permissions": "read_write",
        }
        attempt.status = AttemptStatus.KEYS_RECEIVED
        attempt.message = ""
        attempt.save()
    return CallbackResult(200, "keys received")


def _attempt_failed(attempt: ConnectAttempt, message: str) -> ConnectAttempt:
    attempt.status = AttemptStatus.FAILED
    attempt.message = message
    attempt.credentials = {}
    attempt.save()
    return attempt


# Step 3: verify and install


def _try(client: WooClient) -> None:
    """Read access to products, and to webhooks (which needs an administrator's key)."""
    client.get("products", {"per_page": 1, "_fields": "id"})
    client.get("webhooks", {"per_page": 1, "_fields": "id"})


def _keys_problem(exc: WooAuthError, host: str) -> ConnectError:
    return ConnectError(
        "wrong_keys",
        f"{host} did not accept the API keys ({exc.message}). They may have been revoked in "
        "WooCommerce → Settings → Advanced → REST API. Connect again to make new ones.",
    )


HIDDEN_HTTPS_NOTE = (
    "Your host serves the store over HTTPS but does not tell WordPress so, which makes "
    "WooCommerce ignore normal API logins. We sign every request instead, so this works; your "
    "host can fix it properly by passing HTTPS through to WordPress (for example "
    "$_SERVER['HTTPS']='on' when X-Forwarded-Proto is https, in wp-config.php)."
)


def keys_check(
    store_url: str, auth: KeyAuth, *, has_pretty_permalinks: bool, **client_options: Any
) -> bool:
    """True when the store takes the keys with Basic auth, False when it takes them only signed
    (a host that hides HTTPS); ConnectError otherwise."""
    host = urlsplit(store_url).netloc
    options = {**INTERACTIVE, **client_options}
    client = new_client(store_url, auth, has_pretty_permalinks=has_pretty_permalinks, **options)
    try:
        _try(client)
        return True
    except WooAuthError as exc:
        if exc.code != "woocommerce_rest_cannot_view":
            raise _keys_problem(exc, host) from None
    except WooError as exc:
        raise _explain(exc, host) from None
    finally:
        client.close()
    # No credentials seen at all: try the same keys signed as for http://.
    signed = new_client(
        store_url,
        auth,
        has_pretty_permalinks=has_pretty_permalinks,
        signs_with_oauth=True,
        **options,
    )
    try:
        _try(signed)
        return False
    except WooAuthError as exc:
        if exc.code == "woocommerce_rest_authentication_error":
            raise _keys_problem(exc, host) from None
        raise ConnectError(
            "https_hidden",
            f"{host} ignores our API keys: your host serves the store over HTTPS without telling "
            "WordPress (so WooCommerce expects unencrypted-style signed requests), and the "
            "signed ones were refused too. Ask your host to pass HTTPS through to WordPress "
            "(for example $_SERVER['HTTPS']='on' when X-Forwarded-Proto is https), then connect "
            "again.",
        ) from None
    except WooError as exc:
        raise _explain(exc, host) from None
    finally:
        signed.close()


def connection_verify(attempt: ConnectAttempt, **client_options: Any) -> ConnectAttempt:
    """Try the received keys; on success install the shop, else drop them and say why."""
    with transaction.atomic():
        attempt = ConnectAttempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.status != AttemptStatus.KEYS_RECEIVED:
            return attempt
        credentials = dict(attempt.credentials)
    auth = KeyAuth(str(credentials["consumer_key"]), str(credentials["consumer_secret"]))
    try:
        basic_works = keys_check(
            attempt.store_url,
            auth,
            has_pretty_permalinks=attempt.has_pretty_permalinks,
            **client_options,
        )
    except ConnectError as exc:
        with transaction.atomic():
            locked = ConnectAttempt.objects.select_for_update().get(pk=attempt.pk)
            if locked.status == AttemptStatus.KEYS_RECEIVED:
                _attempt_failed(locked, exc.message)
            return locked
    return _install(
        attempt,
        method=AuthMethod.WC_KEYS,
        credentials=credentials,
        signs_with_oauth=not basic_works,
        note="" if basic_works else HIDDEN_HTTPS_NOTE,
    )


def _install(
    attempt: ConnectAttempt,
    *,
    method: str,
    credentials: dict[str, Any],
    signs_with_oauth: bool,
    note: str,
) -> ConnectAttempt:
    from integrations.woocommerce import tasks

    with transaction.atomic():
        attempt = ConnectAttempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.status == AttemptStatus.CONNECTED:
            return attempt
        shop = Shop.objects.select_for_update().get(pk=attempt.shop_id)
        previous = shop.credentials or {}
        shop = shop_install(
            shop=shop,
            credentials={
                **credentials,
                "auth_method": method,
                # Ours, alphanumeric (WooCommerce HTML-decodes secrets): kept across reconnects
                # so webhooks already registered still verify.
                "webhook_secret": previous.get("webhook_secret") or secrets.token_hex(24),
                "plugin_secret": previous.get("plugin_secret") or secrets.token_hex(24),
            },
            scopes=["read_write"],
        )
        WooStore.objects.update_or_create(
            shop=shop,
            defaults={
                "store_url": attempt.store_url,
                "has_pretty_permalinks": attempt.has_pretty_permalinks,
                "auth_method": method,
                "signs_with_oauth": signs_with_oauth,
                "connected_at": timezone.now(),
            },
        )
        attempt.status = AttemptStatus.CONNECTED
        attempt.message = note
        attempt.credentials = {}
        attempt.save()
        shop_id = shop.pk
        transaction.on_commit(lambda: tasks.woocommerce_shop_connected.delay(shop_id))
    return attempt


def connect_denied(attempt: ConnectAttempt) -> ConnectAttempt:
    with transaction.atomic():
        attempt = ConnectAttempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.status in (AttemptStatus.STARTED, AttemptStatus.KEYS_RECEIVED):
            attempt.status = AttemptStatus.DENIED
            attempt.message = "You chose not to give access, so nothing was connected."
            attempt.credentials = {}
            attempt.save()
    return attempt


# The fallback: an application password


def app_password_connect(
    *,
    store_url: str,
    username: str,
    password: str,
    plugin_return_url: str = "",
    plugin_state: str = "",
    **client_options: Any,
) -> ConnectAttempt:
    """Connect with a WordPress application password (Basic auth with the user's rights)."""
    username, password = (username or "").strip(), " ".join((password or "").split())
    if not username or not password:
        raise ConnectError("missing", "Enter the WordPress username and the application password.")
    info = store_probe(normalize_store_url(store_url), **client_options)
    host = urlsplit(info.home).netloc
    client = new_client(
        info.home,
        AppPasswordAuth(username, password),
        has_pretty_permalinks=info.has_pretty_permalinks,
        **{**INTERACTIVE, **client_options},
    )
    try:
        _try(client)
    except WooAuthError as exc:
        if exc.code == "invalid_username":
            raise ConnectError("wrong_user", f"{host} has no user called “{username}”.") from None
        if exc.code == "incorrect_password":
            raise ConnectError(
                "wrong_password",
                "That application password is not right. It is the 24-character password from "
                "Users → Profile → Application Passwords, not your login password.",
            ) from None
        raise ConnectError(
            "app_password_ignored",
            f"{host} ignored the application password. WordPress only accepts them over HTTPS, "
            "and your host may be hiding HTTPS from WordPress; or a security plugin turned "
            "application passwords off. Use the “Connect” button instead, or ask your host.",
        ) from None
    except WooForbidden as exc:
        if exc.code.startswith("woocommerce_rest_cannot"):
            raise ConnectError(
                "no_capability",
                f"{username} cannot manage WooCommerce. Use an administrator's or a shop "
                "manager's application password.",
            ) from None
        raise _explain(exc, host) from None
    except WooError as exc:
        raise _explain(exc, host) from None
    finally:
        client.close()
    shop = _pending_shop(info)
    attempt = ConnectAttempt.objects.create(
        shop=shop,
        method=AuthMethod.APP_PASSWORD,
        store_url=info.home,
        has_pretty_permalinks=info.has_pretty_permalinks,
        nonce=secrets.token_urlsafe(18),
        status=AttemptStatus.KEYS_RECEIVED,
        plugin_return_url=_plugin_return(info.home, plugin_return_url),
        plugin_state=plugin_state[:64],
    )
    return _install(
        attempt,
        method=AuthMethod.APP_PASSWORD,
        credentials={"username": username, "application_password": password},
        signs_with_oauth=False,
        note="",
    )


# The plugin's settings, handed over once


def claim_code_issue(attempt: ConnectAttempt) -> str:
    code = secrets.token_urlsafe(24)
    ConnectAttempt.objects.filter(pk=attempt.pk).update(
        claim_code_hash=hashlib.sha256(code.encode()).hexdigest(),
        claim_expires_at=timezone.now() + CLAIM_MAX_AGE,
    )
    return code


def claim_redeem(code: str) -> Shop | None:
    """The shop whose plugin may have its settings, once per code."""
    digest = hashlib.sha256((code or "").encode()).hexdigest()
    with transaction.atomic():
        attempt = (
            ConnectAttempt.objects.select_for_update()
            .filter(claim_code_hash=digest, status=AttemptStatus.CONNECTED)
            .first()
        )
        if attempt is None or not code:
            return None
        expired = attempt.claim_expires_at is None or attempt.claim_expires_at < timezone.now()
        attempt.claim_code_hash = ""
        attempt.claim_expires_at = None
        attempt.save(update_fields=["claim_code_hash", "claim_expires_at", "updated_at"])
        if expired:
            return None
        shop = Shop.objects.get(pk=attempt.shop_id)
    return shop if shop.install_state == InstallState.INSTALLED else None
