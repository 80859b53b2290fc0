"""Reads for privacy: a shop's settings, whether a batch of events may be stored, the last
retention run.

`events_may_store` runs on every storefront event batch, so each process keeps the shop's consent
mode for `SETTINGS_SECONDS` (a save here forgets it at once; other processes catch up within that
time).
"""

from __future__ import annotations

import time

from personalization.privacy.models import (
    ConsentMode,
    PrivacyAction,
    PrivacyRequest,
    PrivacySettings,
)
from shopapp.shops.models import Shop

SETTINGS_SECONDS = 15.0
_consent_modes: dict[int, tuple[float, str]] = {}


def forget(shop_id: int) -> None:
    _consent_modes.pop(shop_id, None)


def privacy_settings_get(*, shop: Shop) -> PrivacySettings:
    """The shop's settings, or unsaved defaults."""
    return PrivacySettings.objects.filter(shop=shop).first() or PrivacySettings(shop=shop)


def consent_mode_get(*, shop_id: int) -> str:
    cached = _consent_modes.get(shop_id)
    if cached and time.monotonic() - cached[0] < SETTINGS_SECONDS:
        return cached[1]
    mode = (
        PrivacySettings.objects.filter(shop_id=shop_id)
        .values_list("consent_mode", flat=True)
        .first()
    ) or ConsentMode.OPT_IN
    _consent_modes[shop_id] = (time.monotonic(), mode)
    return mode


def events_may_store(*, shop_id: int, consent: bool | None) -> bool:
    """Whether a batch's events and visitor id may be stored, under the shop's consent mode.

    `consent` is the batch's own signal: True (the shopper agreed, or the platform's banner says
    so), False (declined) or None (the storefront said nothing). Asking first and following the
    store's banner both need an explicit yes; opt-out stores everything but an explicit no.
    """
    if consent is not None:
        return consent
    return consent_mode_get(shop_id=shop_id) == ConsentMode.OPT_OUT


def retention_last_run(*, shop: Shop) -> PrivacyRequest | None:
    return (
        PrivacyRequest.objects.filter(shop_id_ref=shop.pk, action=PrivacyAction.RETENTION)
        .order_by("-requested_at")
        .first()
    )
