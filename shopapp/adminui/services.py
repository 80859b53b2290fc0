"""Writes the admin pages make that belong to the admin itself (the shop's privacy settings),
and the privacy requests a merchant files by hand, through `personalization.privacy`."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from personalization.privacy.models import PrivacyRequest
from personalization.privacy.services import customer_erase, customer_export
from shopapp.adminui.models import (
    EVENT_RETENTION_DAYS,
    PROFILE_RETENTION_DAYS,
    ConsentMode,
    PrivacySettings,
)
from shopapp.catalog.models import Customer
from shopapp.catalog.selectors import customer_get_by_email, customer_list
from shopapp.shops.models import Shop

REQUEST_ACTIONS = ("export", "erase")


class AdminInputInvalid(ValueError):
    """Bad input on an admin form; `field` names the input the message belongs next to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _days(field: str, raw: str | int, allowed: tuple[int, ...]) -> int:
    try:
        days = int(raw)
    except (TypeError, ValueError):
        days = -1
    if days not in allowed:
        choices = ", ".join(str(d) for d in allowed)
        raise AdminInputInvalid(field, f"choose one of {choices} days")
    return days


@transaction.atomic
def privacy_settings_save(
    *,
    shop: Shop,
    consent_mode: str,
    event_retention_days: str | int,
    anonymous_profile_retention_days: str | int,
) -> PrivacySettings:
    if consent_mode not in ConsentMode.values:
        raise AdminInputInvalid("consent_mode", "choose how consent is asked")
    event_days = _days("event_retention_days", event_retention_days, EVENT_RETENTION_DAYS)
    profile_days = _days(
        "anonymous_profile_retention_days",
        anonymous_profile_retention_days,
        PROFILE_RETENTION_DAYS,
    )
    settings, _ = PrivacySettings.objects.update_or_create(
        shop=shop,
        defaults={
            "consent_mode": consent_mode,
            "event_retention_days": event_days,
            "anonymous_profile_retention_days": profile_days,
        },
    )
    return settings


def customer_find(*, shop: Shop, identifier: str) -> Customer | None:
    """A customer of this shop by email address or by their platform id."""
    identifier = identifier.strip()
    if not identifier:
        return None
    if "@" in identifier:
        return customer_get_by_email(shop=shop, email=identifier)
    return customer_list(shop=shop).filter(platform_id=identifier[:64]).first()


@dataclass(frozen=True)
class FiledRequest:
    request: PrivacyRequest
    customer_label: str


def privacy_request_file(
    *, shop: Shop, action: str, identifier: str, confirmed: bool = False
) -> FiledRequest:
    """Export or erase one customer now, leaving the audit record the privacy services write."""
    if action not in REQUEST_ACTIONS:
        raise AdminInputInvalid("action", "choose export or erase")
    if not identifier.strip():
        raise AdminInputInvalid("customer", "enter the customer's email or customer id")
    customer = customer_find(shop=shop, identifier=identifier)
    if customer is None:
        raise AdminInputInvalid("customer", "no customer of this shop has that email or id")
    if action == "erase" and not confirmed:
        raise AdminInputInvalid("confirm", "confirm that the erasure cannot be undone")
    label = f"customer {customer.platform_id}"
    if action == "export":
        return FiledRequest(customer_export(shop=shop, customer=customer), label)
    return FiledRequest(customer_erase(shop=shop, customer=customer), label)
