"""Reads on campaigns: lists for the admin, what is live, and results by variant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet

from personalization.campaigns.models import (
    OVERLAY_PLACEMENTS,
    Campaign,
    CampaignStatus,
    Contact,
    ContactKind,
    CouponAlert,
    CouponPool,
    Placement,
)
from personalization.events.models import Event
from shopapp.catalog.models import Order
from shopapp.shops.models import Shop


def campaign_list(*, shop: Shop) -> QuerySet[Campaign]:
    return (
        Campaign.objects.filter(shop=shop)
        .select_related("audience", "coupon_pool")
        .order_by("-priority", "pk")
    )


def live_campaigns(
    *, shop: Shop, now: datetime, placements: tuple[str, ...] = ()
) -> QuerySet[Campaign]:
    placements = placements or (*OVERLAY_PLACEMENTS, Placement.EMBEDDED)
    return (
        Campaign.objects.filter(shop=shop, status=CampaignStatus.ACTIVE, placement__in=placements)
        .filter(Q(starts_at__isnull=True) | Q(starts_at__lte=now))
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .select_related("audience", "coupon_pool")
    )


def campaign_keys_existing(*, shop: Shop, keys: set[str]) -> set[str]:
    """Which of these keys name a campaign of the shop (any status: a click may arrive after a
    campaign ended)."""
    return set(Campaign.objects.filter(shop=shop, key__in=keys).values_list("key", flat=True))


def shop_runs_onsite_campaigns(*, shop: Shop, now: datetime) -> bool:
    return live_campaigns(shop=shop, now=now).exists()


def coupon_pool_list(*, shop: Shop) -> QuerySet[CouponPool]:
    return CouponPool.objects.filter(shop=shop).order_by("name")


def coupon_alerts_open(*, shop: Shop) -> QuerySet[CouponAlert]:
    return (
        CouponAlert.objects.filter(shop=shop, is_resolved=False)
        .select_related("pool")
        .order_by("-created_at")
    )


@dataclass
class VariantResult:
    variant: str
    reached: int = 0  # people shown (or sent) the variant
    impressions: int = 0
    clicks: int = 0
    orders: int = 0
    revenue: float = 0.0


def campaign_results(
    *, shop: Shop, campaign: Campaign, window_hours: int = 24
) -> dict[str, VariantResult]:
    """Per variant: who was reached, clicks, and the orders that followed a person's first contact
    within the attribution window (storefront purchase events by the same browser, or platform
    orders by the same customer). An order counts once, for the first variant that reached them."""
    if campaign.shop_id != shop.pk:
        raise ValueError("campaign: not in this shop")
    window = timedelta(hours=window_hours)
    results: dict[str, VariantResult] = {}
    first_by_visitor: dict[str, tuple[datetime, str]] = {}
    first_by_customer: dict[int, tuple[datetime, str]] = {}
    for kind, variant, visitor_key, customer_id, at in (
        Contact.objects.filter(shop=shop, campaign=campaign)
        .order_by("occurred_at")
        .values_list("kind", "variant", "visitor_key", "customer_id", "occurred_at")
    ):
        result = results.setdefault(variant, VariantResult(variant))
        if kind == ContactKind.CLICK:
            result.clicks += 1
            continue
        if kind not in (ContactKind.IMPRESSION, ContactKind.SENT):
            continue
        result.impressions += 1
        if visitor_key and visitor_key not in first_by_visitor:
            first_by_visitor[visitor_key] = (at, variant)
            result.reached += 1
        elif customer_id and customer_id not in first_by_customer:
            first_by_customer[customer_id] = (at, variant)
            result.reached += 1
    counted: set[str] = set()
    if first_by_visitor:
        for visitor_key, order_id, data, at in Event.objects.filter(
            shop=shop, type="purchase", visitor__visitor_key__in=list(first_by_visitor)
        ).values_list("visitor__visitor_key", "data__order_id", "data", "occurred_at"):
            first_at, variant = first_by_visitor[visitor_key]
            key = f"event:{order_id or at.isoformat()}"
            if first_at <= at <= first_at + window and key not in counted:
                counted.add(key)
                results[variant].orders += 1
                results[variant].revenue += float((data or {}).get("value") or 0)
    if first_by_customer:
        for customer_id, platform_id, total, at in Order.objects.filter(
            shop=shop, customer_id__in=list(first_by_customer), kind="sale"
        ).values_list("customer_id", "platform_id", "total", "platform_created_at"):
            first_at, variant = first_by_customer[customer_id]
            key = f"event:{platform_id}"
            if at and first_at <= at <= first_at + window and key not in counted:
                counted.add(key)
                results[variant].orders += 1
                results[variant].revenue += float(total)
    return results
