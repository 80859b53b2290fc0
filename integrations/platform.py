"""The small interface the rest of the app sees of a store platform.

Everything platform-specific (auth, clients, payload shapes) stays in `integrations/<platform>/`;
callers ask `platform_for(shop)` and use these few verbs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from django.http import HttpRequest

from shopapp.shops.auth import ShopCredential
from shopapp.shops.models import Platform as PlatformName
from shopapp.shops.models import Shop


class Platform(Protocol):
    name: str

    def sync_full(self, *, shop: Shop) -> int:
        """Start (or find) the shop's full sync; returns its run id."""

    def sync_since(self, *, shop: Shop, since: datetime | None) -> dict[str, int]:
        """Upsert what changed since `since`; returns counts per kind."""

    def webhook_topics(self) -> list[str]:
        """The topics the platform sends us (declared or registered)."""

    def verify_request(self, request: HttpRequest) -> ShopCredential | None:
        """The shop behind a platform-signed storefront request, or None."""


class ShopifyPlatform:
    name = PlatformName.SHOPIFY.value

    def sync_full(self, *, shop: Shop) -> int:
        from integrations.shopify import tasks
        from integrations.shopify.sync import sync_run_start

        run = sync_run_start(shop=shop)
        tasks.shopify_sync_continue.delay(run.pk)
        return run.pk

    def sync_since(self, *, shop: Shop, since: datetime | None) -> dict[str, int]:
        from integrations.shopify.sync import client_for, sync_since

        return sync_since(shop=shop, since=since, client=client_for(shop))

    def webhook_topics(self) -> list[str]:
        # Declared in shopify.app.toml (app-specific subscriptions): nothing to register per shop.
        from integrations.shopify.webhooks import HANDLERS

        return sorted(HANDLERS)

    def verify_request(self, request: HttpRequest) -> ShopCredential | None:
        from integrations.shopify.proxy import ProxyRejected, proxy_credential

        try:
            return proxy_credential(request)
        except ProxyRejected:
            return None


class WooCommercePlatform:
    name = PlatformName.WOOCOMMERCE.value

    def sync_full(self, *, shop: Shop) -> int:
        from integrations.woocommerce import tasks
        from integrations.woocommerce.sync import sync_run_start

        run = sync_run_start(shop=shop)
        tasks.woocommerce_sync_continue.delay(run.pk)
        return run.pk

    def sync_since(self, *, shop: Shop, since: datetime | None) -> dict[str, int]:
        from integrations.woocommerce.stores import client_for
        from integrations.woocommerce.sync import sync_since

        with client_for(shop) as client:
            return sync_since(shop, client, since_override=since)

    def webhook_topics(self) -> list[str]:
        from integrations.woocommerce.webhooks import TOPICS

        return list(TOPICS)

    def verify_request(self, request: HttpRequest) -> ShopCredential | None:
        # The WordPress plugin calls the storefront API with the public storefront key: nothing
        # platform-signed reaches us from a WooCommerce storefront.
        return None


PLATFORMS: dict[str, Platform] = {
    PlatformName.SHOPIFY.value: ShopifyPlatform(),
    PlatformName.WOOCOMMERCE.value: WooCommercePlatform(),
}


def platform_for(shop: Shop) -> Platform:
    try:
        return PLATFORMS[shop.platform]
    except KeyError:
        raise NotImplementedError(f"no integration for {shop.platform}") from None
