from __future__ import annotations

from django.apps import AppConfig


class WooCommerceConfig(AppConfig):
    name = "integrations.woocommerce"
    label = "woocommerce"
    verbose_name = "WooCommerce integration"
