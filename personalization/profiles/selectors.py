"""Reads for profiles: a person's profile, and the product facts affinities are built from."""

from __future__ import annotations

import bisect
import time
from collections.abc import Iterable

from personalization.profiles.live import ProductFacts
from personalization.profiles.models import Profile
from shopapp.catalog.models import Customer, Product
from shopapp.shops.models import Shop

PRICE_BANDS = ("low", "mid", "high")
_EDGES_TTL_SECONDS = 600.0
_edges_cache: dict[int, tuple[float, tuple[float, float]]] = {}


def price_band_edges(*, shop: Shop) -> tuple[float, float]:
    """Tertiles of the shop's sellable prices: what is cheap or dear here, not in general."""
    cached = _edges_cache.get(shop.pk)
    now = time.monotonic()
    if cached and now - cached[0] < _EDGES_TTL_SECONDS:
        return cached[1]
    prices = sorted(
        float(p)
        for p in Product.objects.filter(
            shop=shop, deleted_at__isnull=True, price_min__isnull=False
        ).values_list("price_min", flat=True)
    )
    edges = (prices[len(prices) // 3], prices[2 * len(prices) // 3]) if prices else (0.0, 0.0)
    _edges_cache[shop.pk] = (now, edges)
    return edges


def price_band_for(price: float, edges: tuple[float, float]) -> str:
    return (
        PRICE_BANDS[min(bisect.bisect_right(list(edges), price), 2)]
        if edges != (0.0, 0.0)
        else "mid"
    )


def product_facts(
    *, shop: Shop, platform_ids: Iterable[str]
) -> dict[str, tuple[int, ProductFacts]]:
    ids = set(platform_ids)
    if not ids:
        return {}
    edges = price_band_edges(shop=shop)
    facts = {}
    for pk, platform_id, product_type, vendor, price in Product.objects.filter(
        shop=shop, platform_id__in=ids
    ).values_list("pk", "platform_id", "product_type", "vendor", "price_min"):
        value = float(price or 0)
        facts[platform_id] = (
            pk,
            ProductFacts(
                category=product_type,
                brand=vendor,
                price_band=price_band_for(value, edges),
                price=value,
            ),
        )
    return facts


def profile_for_customer(*, shop: Shop, customer: Customer) -> Profile | None:
    return Profile.objects.filter(shop=shop, customer=customer).first()


def profile_for_visitor_key(*, shop: Shop, visitor_key: str) -> Profile | None:
    """The profile a visitor's events feed: the customer's once stitched, else the visitor's."""
    from personalization.events.models import Visitor

    # Two index lookups: an OR across both owners would scan every profile of the shop.
    owner = (
        Visitor.objects.filter(shop=shop, visitor_key=visitor_key)
        .values_list("pk", "customer_id")
        .first()
    )
    if owner is None:
        return None
    visitor_pk, customer_pk = owner
    if customer_pk:
        return Profile.objects.filter(shop=shop, customer_id=customer_pk).first()
    return Profile.objects.filter(shop=shop, visitor_id=visitor_pk).first()
