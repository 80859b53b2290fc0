"""Connect a freshly installed shop's storefront to the app, with no copy-paste by the merchant.

- The theme app embed reads the shop's public storefront key from an app-owned metafield
  (`app.metafields.pz.storefront_key` in Liquid), set here with `metafieldsSet` on the app
  installation; it calls the app through the app proxy (`/apps/pz/`), so it needs no address.
- The web pixel only runs once the app creates it for the shop: `webPixelCreate` with the same key
  and our events endpoint as its settings (the extension's `[settings]` fields).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings

from integrations.shopify.client import AdminClient
from integrations.shopify.sync import client_for
from shopapp.shops.models import Shop

NAMESPACE = "pz"


def storefront_settings(shop: Shop) -> dict[str, str]:
    base = settings.SHOPIFY_APP_URL.rstrip("/")
    return {"storefrontKey": shop.storefront_key, "endpoint": f"{base}/api/v1/events"}


def shop_details_refresh(*, shop: Shop, client: AdminClient) -> None:
    """Name, currency and time zone as Shopify has them (shop/update keeps them current later)."""
    details = client.execute("shop_get")["shop"]
    changes = {
        "name": str(details.get("name") or "")[:255],
        "currency": str(details.get("currencyCode") or "")[:3],
        "timezone": str(details.get("ianaTimezone") or "")[:64],
    }
    changes = {k: v for k, v in changes.items() if v}
    if changes:
        Shop.objects.filter(pk=shop.pk).update(**changes)


def storefront_connect(*, shop: Shop, client: AdminClient | None = None) -> dict[str, Any]:
    """Read the shop's details, write the embed's metafield and create the web pixel."""
    client = client or client_for(shop)
    shop_details_refresh(shop=shop, client=client)
    values = storefront_settings(shop)
    installation = client.execute("app_installation_get")["currentAppInstallation"]["id"]
    metafields = client.mutate(
        "app_metafields_set",
        "metafieldsSet",
        {
            "metafields": [
                {
                    "ownerId": installation,
                    "namespace": NAMESPACE,
                    "key": "storefront_key",
                    "type": "single_line_text_field",
                    "value": values["storefrontKey"],
                },
            ]
        },
    )
    pixel = client.mutate(
        "web_pixel_create",
        "webPixelCreate",
        {
            "settings": json.dumps(
                {"storefrontKey": values["storefrontKey"], "endpoint": values["endpoint"]}
            ),
        },
    )
    return {"metafields": metafields.get("metafields", []), "web_pixel": pixel.get("webPixel")}
