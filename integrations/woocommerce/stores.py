"""A connected store's client, built from its WooStore row and the verified credentials."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from integrations.woocommerce.client import AppPasswordAuth, Auth, KeyAuth, StoreLock, WooClient
from integrations.woocommerce.models import AuthMethod, WooStore
from shopapp.shops.models import Shop


class NotConnected(Exception):
    """The shop has no usable WooCommerce credentials."""


def client_options() -> dict[str, Any]:
    """Extra client options from `WOOCOMMERCE_TEST_CLIENT_OPTIONS`. Only the test suite sets it
    (to reach its fake store on loopback, trusting the fake's CA); settings.py never does, so in
    production every client refuses private addresses and verifies certificates normally."""
    return dict(getattr(settings, "WOOCOMMERCE_TEST_CLIENT_OPTIONS", None) or {})


def auth_from(credentials: dict[str, Any]) -> Auth | None:
    if credentials.get("consumer_key") and credentials.get("consumer_secret"):
        return KeyAuth(str(credentials["consumer_key"]), str(credentials["consumer_secret"]))
    if credentials.get("username") and credentials.get("application_password"):
        return AppPasswordAuth(
            str(credentials["username"]), str(credentials["application_password"])
        )
    return None


def new_client(
    store_url: str,
    auth: Auth | None,
    *,
    has_pretty_permalinks: bool = True,
    signs_with_oauth: bool = False,
    lock_key: str | None = None,
    **options: Any,
) -> WooClient:
    merged = {**client_options(), **options}
    return WooClient(
        store_url,
        auth,
        has_pretty_permalinks=has_pretty_permalinks,
        signs_with_oauth=signs_with_oauth,
        lock=StoreLock(lock_key) if lock_key else None,
        **merged,
    )


def client_for(shop: Shop, **options: Any) -> WooClient:
    store = WooStore.objects.filter(shop=shop).first()
    auth = auth_from(shop.credentials or {})
    if store is None or auth is None:
        raise NotConnected(f"{shop.domain} is not connected")
    return new_client(
        store.store_url,
        auth,
        has_pretty_permalinks=store.has_pretty_permalinks,
        signs_with_oauth=store.signs_with_oauth and store.auth_method == AuthMethod.WC_KEYS,
        lock_key=f"shop-{shop.pk}",
        **options,
    )


def shop_domain_for(store_url: str) -> str:
    """The Shop's domain: host[:port], plus the path for a WordPress in a subfolder."""
    parts = urlsplit(store_url)
    return (parts.netloc + parts.path.rstrip("/")).lower()
