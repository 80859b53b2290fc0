"""Which campaign a person sees: frequency caps, triggers and conflict resolution. Plain Python.

The caller gathers, per eligible campaign, how often this person was already reached; this module
decides. One overlay per page (popup, slide-in and bar compete with one another), one embedded
block, and the highest priority wins; ties go to the older campaign, so a new campaign never
silently displaces a running one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

OVERLAY = "overlay"
EMBEDDED = "embedded"
_GROUPS = {"popup": OVERLAY, "slide_in": OVERLAY, "bar": OVERLAY, "embedded": EMBEDDED}


@dataclass(frozen=True)
class Cap:
    count: int
    hours: int


@dataclass(frozen=True)
class Candidate:
    key: str
    placement: str
    priority: int
    created_order: int
    # Contacts of this person by this campaign inside the campaign's own cap window.
    contacts_in_window: int
    cap: Cap


def group_of(placement: str) -> str | None:
    return _GROUPS.get(placement)


def under_cap(contacts_in_window: int, cap: Cap) -> bool:
    return contacts_in_window < cap.count


def caps_conflict(campaign: Cap, shop_wide: Cap) -> str | None:
    """A campaign cap looser than the shop-wide cap over a window no longer than it can never be
    honoured as written; say so rather than let the merchant believe it."""
    if campaign.count < 1:
        return "must allow at least one contact"
    if campaign.hours < 1:
        return "the window must be at least one hour"
    if campaign.hours <= shop_wide.hours and campaign.count > shop_wide.count:
        return (
            f"{campaign.count} per {campaign.hours} h conflicts with the shop-wide cap of "
            f"{shop_wide.count} per {shop_wide.hours} h"
        )
    return None


def rank(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Campaigns still under their caps, best first."""
    return sorted(
        (c for c in candidates if under_cap(c.contacts_in_window, c.cap)),
        key=lambda c: (-c.priority, c.created_order),
    )


def choose(
    candidates: Iterable[Candidate], *, shop_wide_contacts: int, shop_wide: Cap
) -> dict[str, Candidate]:
    """The winner per group (overlay, embedded) among campaigns still under their caps; nothing
    when the person already reached the shop-wide cap."""
    if not under_cap(shop_wide_contacts, shop_wide):
        return {}
    ranked: Sequence[Candidate] = rank(candidates)
    winners: dict[str, Candidate] = {}
    for candidate in ranked:
        group = group_of(candidate.placement)
        if group is not None and group not in winners:
            winners[group] = candidate
    return winners


def trigger_matches(
    trigger: str, value: int, *, visit: int, has_cart: bool, returning: bool
) -> bool:
    """Server-side part of a trigger; exit intent and time on page are then watched in the
    browser."""
    if trigger == "return_with_cart":
        return has_cart and returning
    if trigger == "nth_visit":
        return visit >= max(value, 1)
    return trigger in ("page_view", "exit_intent", "time_on_page")


def free_shipping_remaining(threshold: float, cart_value: float) -> float | None:
    """How much more to spend for free shipping; None when the cart is empty or already there."""
    if cart_value <= 0 or cart_value >= threshold:
        return None
    return round(threshold - cart_value, 2)
