"""Writes the privacy page makes, all through `personalization.privacy`: the shop's settings,
a retention run on demand, and the requests a merchant files by hand."""

from __future__ import annotations

from dataclasses import dataclass

from personalization.privacy import services as privacy
from personalization.privacy.models import PrivacyRequest, PrivacySettings
from personalization.privacy.services import customer_erase, customer_export
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


def privacy_settings_save(
    *,
    shop: Shop,
    consent_mode: str,
    event_retention_days: str | int,
    anonymous_profile_retention_days: str | int,
) -> PrivacySettings:
    try:
        return privacy.privacy_settings_save(
            shop=shop,
            consent_mode=consent_mode,
            event_retention_days=event_retention_days,
            anonymous_profile_retention_days=anonymous_profile_retention_days,
        )
    except privacy.PrivacySettingsInvalid as exc:
        raise AdminInputInvalid(exc.field, exc.message) from exc


def retention_run_now(*, shop: Shop) -> PrivacyRequest:
    """The nightly retention clean-up, now, for a merchant who just shortened a window."""
    return privacy.retention_apply(shop=shop, source="admin")


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
