"""Reads the admin pages need that no domain selector offers (each one query, scoped by shop)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Max
from django.utils import timezone

from personalization.privacy import selectors as privacy_selectors
from personalization.privacy.models import PrivacyRequest, PrivacySettings
from personalization.segments.models import Segment, SegmentKind, SegmentSize
from personalization.segments.selectors import segment_list
from shopapp.adminui.charts import Sparkline, sparkline
from shopapp.shops.models import Shop

TREND_DAYS = 90


def shop_zone(shop: Shop) -> ZoneInfo:
    try:
        return ZoneInfo(shop.timezone or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def daily_sizes(
    *, shop: Shop, segment_ids: Iterable[int], since: datetime
) -> dict[int, dict[date, int]]:
    """Each segment's size per day (the day's last snapshot), in the shop's time zone."""
    zone = shop_zone(shop)
    by_segment: dict[int, dict[date, int]] = defaultdict(dict)
    rows = (
        SegmentSize.objects.filter(shop=shop, segment_id__in=list(segment_ids), taken_at__gte=since)
        .order_by("taken_at")
        .values_list("segment_id", "taken_at", "size")
    )
    for segment_id, taken_at, size in rows:
        by_segment[segment_id][taken_at.astimezone(zone).date()] = size
    return by_segment


@dataclass(frozen=True)
class SegmentRow:
    segment: Segment
    trend: Sparkline
    snapshots: int


@dataclass(frozen=True)
class SegmentOverview:
    builtin: list[SegmentRow]
    rules: list[SegmentRow]
    clusters: list[SegmentRow]
    refreshed_at: datetime | None

    @property
    def is_empty(self) -> bool:
        return not (self.builtin or self.rules or self.clusters)


def segment_overview(*, shop: Shop) -> SegmentOverview:
    segments = list(segment_list(shop=shop))
    since = timezone.now() - timedelta(days=TREND_DAYS)
    sizes = daily_sizes(shop=shop, segment_ids=[s.pk for s in segments], since=since)
    groups: dict[str, list[SegmentRow]] = defaultdict(list)
    for segment in segments:
        series = [size for _, size in sorted(sizes.get(segment.pk, {}).items())]
        groups[segment.kind].append(SegmentRow(segment, sparkline(series), len(series)))
    for rows in groups.values():
        rows.sort(key=lambda row: (-row.segment.size, row.segment.name))
    refreshed_at = SegmentSize.objects.filter(shop=shop).aggregate(at=Max("taken_at"))["at"]
    return SegmentOverview(
        builtin=groups[SegmentKind.BUILTIN],
        rules=groups[SegmentKind.RULE],
        clusters=groups[SegmentKind.CLUSTER],
        refreshed_at=refreshed_at,
    )


def privacy_settings_get(*, shop: Shop) -> PrivacySettings:
    """The shop's settings, or unsaved defaults (saving happens in services)."""
    return privacy_selectors.privacy_settings_get(shop=shop)


def privacy_request_list(*, shop: Shop, limit: int = 50) -> list[PrivacyRequest]:
    """The shop's audit log, newest first. PrivacyRequest outlives its shop, so it is not
    ShopOwned: the scope is its `shop_id_ref`."""
    return list(
        PrivacyRequest.objects.filter(shop_id_ref=shop.pk).order_by("-requested_at")[:limit]
    )


def privacy_request_get(*, shop: Shop, request_id: int) -> PrivacyRequest | None:
    return PrivacyRequest.objects.filter(shop_id_ref=shop.pk, pk=request_id).first()
