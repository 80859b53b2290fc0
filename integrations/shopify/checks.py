"""System checks: a production server without the Shopify app's credentials says so at start."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register


@register()
def shopify_credentials_check(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if settings.DEBUG or settings.SHOPIFY_API_SECRET:
        return []
    return [
        Warning(
            "SHOPIFY_API_SECRET is not set: Shopify webhooks, app-proxy requests and session "
            "tokens will all be rejected.",
            id="shopify.W001",
        )
    ]
