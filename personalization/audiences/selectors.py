"""Reads for off-site audiences: who may be exported, and the engine's picks for a segment."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

from django.db.models import QuerySet

from personalization.audiences.models import ProductFeed
from personalization.decisions.context import VisitorContext
from personalization.engine.affinity import normalized
from personalization.events.models import Visitor
from personalization.preferences.models import StatedPreferences
from personalization.profiles.models import Profile
from personalization.segments.models import Segment
from shopapp.catalog.models import Customer
from shopapp.shops.models import Shop


@dataclass(frozen=True)
class Contact:
    email: str
    phone: str


def audience_contacts(*, shop: Shop, segment: Segment) -> list[Contact]:
    """The segment's members who accept marketing, with their email and any stated phone.

    Consent is the platform's own record (`accepts_marketing`), read at export time, so a
    customer who unsubscribed yesterday is not in today's list."""
    customers = list(
        Customer.objects.filter(
            shop=shop,
            profiles__memberships__segment=segment,
            profiles__memberships__shop=shop,
            accepts_marketing=True,
            deleted_at__isnull=True,
        )
        .distinct()
        .order_by("pk")
    )
    phones: dict[int, str] = {}
    for row in StatedPreferences.objects.filter(shop=shop, customer__in=customers):
        if row.customer_id is not None and row.phone:
            phones[row.customer_id] = row.phone
    visitor_owner = dict(
        Visitor.objects.filter(shop=shop, customer__in=customers).values_list("pk", "customer_id")
    )
    for row in StatedPreferences.objects.filter(shop=shop, visitor_id__in=list(visitor_owner)):
        owner = visitor_owner.get(row.visitor_id or 0)
        if owner is not None and row.phone:
            phones.setdefault(owner, row.phone)
    return [Contact(email=c.email or "", phone=phones.get(c.pk, "")) for c in customers]


def segment_context(*, shop: Shop, segment: Segment) -> VisitorContext:
    """The segment as one visitor for the decision engine: its members' category interests
    (each member's shares, summed, so every member counts once) and their usual lifecycle."""
    summed: dict[str, float] = {}
    lifecycles: Counter[str] = Counter()
    for affinities, lifecycle in Profile.objects.filter(
        shop=shop, memberships__segment=segment, memberships__shop=shop
    ).values_list("affinities", "lifecycle"):
        lifecycles[lifecycle] += 1
        shares = normalized(((affinities or {}).get("category") or {}).get("raw", {}))
        for category, share in shares.items():
            summed[category] = summed.get(category, 0.0) + share
    affinity = normalized(summed)
    lifecycle = lifecycles.most_common(1)[0][0] if lifecycles else "new_visitor"
    if lifecycle == "new_visitor" and affinity:
        lifecycle = "returning_visitor"
    fingerprint = hashlib.sha1(
        repr(sorted(affinity.items())).encode(), usedforsecurity=False
    ).hexdigest()[:12]
    return VisitorContext(
        lifecycle=lifecycle,
        category_affinity=affinity,
        segments=[segment.key],
        label=f"segment: {segment.name}",
        cache_key=f"segment:{segment.pk}:{lifecycle}:{fingerprint}",
    )


def feed_list(*, shop: Shop) -> QuerySet[ProductFeed]:
    return ProductFeed.objects.filter(shop=shop).select_related("segment").order_by("segment__name")


def feed_get(*, shop: Shop, feed_id: int) -> ProductFeed | None:
    return ProductFeed.objects.filter(shop=shop, pk=feed_id).select_related("segment").first()


def dangerously_feed_by_token(token: str) -> ProductFeed | None:
    """Across shops on purpose: the secret token in the URL is the only credential an ad
    platform's fetcher has. Only active feeds answer."""
    if not token or len(token) > 64:
        return None
    return (
        ProductFeed.objects.filter(token=token, is_active=True)
        .select_related("shop", "segment")
        .first()
    )
