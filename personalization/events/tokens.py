"""Signed customer identity for storefront calls that do not pass through a platform signature.

The shop's own server (the app proxy response, the WordPress plugin, the demo storefront) renders
`customer_token_make(...)` for a logged-in customer; the storefront script sends it back with
events. A visitor is stitched to a customer only on a valid token: a bare customer id from the
browser is never trusted.
"""

from __future__ import annotations

from django.core import signing

MAX_AGE_SECONDS = 30 * 24 * 3600


def _salt(shop_id: int) -> str:
    return f"pz-customer:{shop_id}"


def customer_token_make(*, shop_id: int, customer_platform_id: str) -> str:
    return signing.dumps({"c": customer_platform_id}, salt=_salt(shop_id), compress=False)


def customer_token_read(*, shop_id: int, token: str) -> str | None:
    try:
        data = signing.loads(token, salt=_salt(shop_id), max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    value = data.get("c") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else None
