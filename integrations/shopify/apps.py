from __future__ import annotations

from django.apps import AppConfig


class ShopifyConfig(AppConfig):
    name = "integrations.shopify"
    label = "shopify"
    verbose_name = "Shopify integration"

    def ready(self) -> None:
        from integrations.shopify import checks  # noqa: F401  (registers the system checks)
