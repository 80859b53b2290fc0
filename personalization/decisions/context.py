"""Who is looking: a visitor's profile when they consented, or what the session alone tells us."""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass, field, replace

from personalization.decisions.catalog import CatalogSnapshot
from personalization.engine.affinity import normalized, stated_first
from personalization.events.models import Visitor
from personalization.preferences.selectors import stated_affinities
from personalization.profiles.history import shop_now
from personalization.profiles.models import Profile
from personalization.segments.selectors import segments_for_profile
from shopapp.catalog.models import OrderLine
from shopapp.shops.models import Shop

PERSONAS = ("new_visitor", "returning_visitor", "lapsed_vip", "loyal_customer")


@dataclass
class VisitorContext:
    lifecycle: str = "new_visitor"
    is_vip: bool = False
    category_affinity: dict[str, float] = field(default_factory=dict)  # shares, sum 1
    recently_viewed: list[str] = field(default_factory=list)  # platform ids, newest first
    cart: list[str] = field(default_factory=list)
    purchased: set[str] = field(default_factory=set)
    recent_purchases: list[str] = field(default_factory=list)  # newest order first
    customer_key: str | None = None  # the customer's pk: the row of the personal models
    segments: list[str] = field(default_factory=list)
    label: str = "anonymous"
    cache_key: str = "anon"

    @property
    def top_categories(self) -> list[str]:
        return [
            k for k, _ in sorted(self.category_affinity.items(), key=lambda kv: (-kv[1], kv[0]))
        ]

    @property
    def knows_taste(self) -> bool:
        return bool(self.category_affinity)


def _session_affinity(snapshot: CatalogSnapshot, ids: list[str]) -> dict[str, float]:
    raw: dict[str, float] = {}
    for rank, pid in enumerate(ids):
        item = snapshot.items.get(pid)
        if item and item.category:
            raw[item.category] = raw.get(item.category, 0.0) + 1.0 / (1 + rank)
    return normalized(raw)


def session_context(
    snapshot: CatalogSnapshot, *, recent: list[str], cart: list[str]
) -> VisitorContext:
    """No consent or no profile yet: personalize from this session's own signals only."""
    recent = [pid for pid in recent if pid in snapshot.items][:20]
    cart = [pid for pid in cart if pid in snapshot.items][:50]
    return VisitorContext(
        lifecycle="new_visitor",
        category_affinity=_session_affinity(snapshot, cart + recent),
        recently_viewed=recent,
        cart=cart,
        label="session",
        cache_key=f"s:{','.join(recent[:8])}|{','.join(cart[:8])}",
    )


def profile_context(
    shop: Shop,
    snapshot: CatalogSnapshot,
    profile: Profile,
    *,
    label: str,
    need_purchased: bool = True,
) -> VisitorContext:
    inferred = normalized((profile.affinities.get("category") or {}).get("raw", {}))
    stated = sorted(stated_affinities(shop, profile).get("category", {}))  # preference center
    shares = stated_first(inferred, stated)
    viewed = [snapshot.by_pk[pk] for pk in profile.recently_viewed if pk in snapshot.by_pk]
    cart = [
        snapshot.by_pk[int(pk)]
        for pk in (profile.cart or {}).get("items", {})
        if int(pk) in snapshot.by_pk
    ]
    recent_purchases: list[str] = []
    if profile.customer_id and need_purchased:
        bought = OrderLine.objects.filter(
            shop=shop, order__customer_id=profile.customer_id, order__kind="sale"
        ).order_by("-order__platform_created_at", "-pk")
        recent_purchases = list(
            dict.fromkeys(
                snapshot.by_pk[pk]
                for pk in bought.values_list("product_id", flat=True)[:5000]
                if pk in snapshot.by_pk
            )
        )
    now = shop_now(shop) if shop.is_demo else time.time()
    return VisitorContext(
        lifecycle=profile.lifecycle,
        is_vip=profile.is_vip,
        category_affinity=shares,
        recently_viewed=viewed,
        cart=cart,
        purchased=set(recent_purchases),
        recent_purchases=recent_purchases,
        customer_key=str(profile.customer_id) if profile.customer_id else None,
        segments=segments_for_profile(shop=shop, profile=profile, now=now),
        label=label,
        cache_key=f"p:{profile.pk}:{profile.updated_at.timestamp():.0f}"
        + (f":s{zlib.crc32('|'.join(stated).encode())}" if stated else ""),
    )


def _profile_of_visitor(shop: Shop, visitor_key: str) -> Profile | None:
    """`profiles.selectors.profile_for_visitor_key` in one round trip instead of two: the
    customer's profile once the visitor is stitched to one, else the visitor's own. Each scalar
    subquery runs once, so both sides stay index lookups; written as SQL because composing it
    through the ORM cost more CPU than the query (this runs on every uncached storefront call)."""
    found = list(
        Profile.objects.raw(
            _PROFILE_OF_VISITOR, [shop.pk, shop.pk, visitor_key, shop.pk, visitor_key]
        )
    )
    return found[0] if found else None


_PROFILE_OF_VISITOR = f"""
    SELECT * FROM {Profile._meta.db_table} WHERE shop_id = %s AND (
        customer_id = (SELECT customer_id FROM {Visitor._meta.db_table}
                       WHERE shop_id = %s AND visitor_key = %s LIMIT 1)
        OR visitor_id = (SELECT id FROM {Visitor._meta.db_table}
                         WHERE shop_id = %s AND visitor_key = %s AND customer_id IS NULL LIMIT 1)
    ) LIMIT 1
"""


def profile_context_for_visitor(
    shop: Shop, snapshot: CatalogSnapshot, *, visitor_key: str, need_purchased: bool
) -> VisitorContext | None:
    """What the visitor's profile says (None for a visitor we have no profile of)."""
    profile = _profile_of_visitor(shop, visitor_key)
    if profile is None:
        return None
    return profile_context(shop, snapshot, profile, label="visitor", need_purchased=need_purchased)


def with_session(
    context: VisitorContext | None,
    snapshot: CatalogSnapshot,
    *,
    recent: list[str],
    cart: list[str],
) -> VisitorContext:
    """A profile's context brought up to date with what this browser sent: it may know this
    session's views and cart before the event buffer has persisted them."""
    if context is None:
        return session_context(snapshot, recent=recent, cart=cart)
    context = replace(context, recently_viewed=list(context.recently_viewed))
    for pid in reversed([p for p in recent if p in snapshot.items]):
        if pid not in context.recently_viewed:
            context.recently_viewed.insert(0, pid)
    sent_cart = [pid for pid in cart if pid in snapshot.items][:50]
    if sent_cart:
        context.cart = sent_cart
    return context


def visitor_context(
    shop: Shop,
    snapshot: CatalogSnapshot,
    *,
    visitor_key: str | None,
    recent: list[str],
    cart: list[str],
    need_purchased: bool = False,
) -> VisitorContext:
    base = (
        profile_context_for_visitor(
            shop, snapshot, visitor_key=visitor_key, need_purchased=need_purchased
        )
        if visitor_key
        else None
    )
    return with_session(base, snapshot, recent=recent, cart=cart)


def persona_context(shop: Shop, snapshot: CatalogSnapshot, persona: str) -> VisitorContext | None:
    """Preview personas for the admin and the demo: archetypes, or a real customer."""
    if persona == "new_visitor":
        return VisitorContext(label="persona: new visitor", cache_key="persona:new")
    if persona == "returning_visitor":
        # Someone who has been looking at one category for a few sessions.
        category = next(iter(snapshot.by_category), "")
        viewed = snapshot.by_category.get(category, [])[3:7]
        return VisitorContext(
            lifecycle="returning_visitor",
            category_affinity=_session_affinity(snapshot, viewed),
            recently_viewed=viewed,
            label="persona: returning visitor",
            cache_key="persona:returning",
        )
    profiles = Profile.objects.filter(shop=shop, customer__isnull=False)
    if persona == "lapsed_vip":
        profile = profiles.filter(lifecycle="lapsed", is_vip=True).order_by("-monetary").first()
        if profile is None:
            # A short history (the demo's twelve weeks) has no lapsed VIP yet: preview the VIP who
            # has been away longest as if they had lapsed.
            profile = profiles.filter(is_vip=True).order_by("last_order_at").first()
            if profile is None:
                return None
            context = profile_context(
                shop, snapshot, profile, label="persona: lapsed VIP (simulated)"
            )
            context.lifecycle = "lapsed"
            context.cache_key += ":as-lapsed"
            return context
    elif persona == "loyal_customer":
        profile = (
            profiles.filter(lifecycle__in=("vip", "repeat_customer"))
            .order_by("-orders_count")
            .first()
        )
    elif persona.startswith("customer:"):
        profile = profiles.filter(customer__platform_id=persona.split(":", 1)[1]).first()
    else:
        return None
    if profile is None:
        return None
    return profile_context(shop, snapshot, profile, label=f"persona: {persona}")
