"""The dashboard's numbers: a handful of GROUP BY queries per shop, cached for a minute.

- Sessions per day, and personalized sessions (sessions with at least one impression) per day.
- The funnel per placement: impressions -> clicks -> adds to cart -> orders, from events that name
  their placement, with the revenue of those orders (attributed revenue).
- Top recommended products: most impressions (and clicks) among placement events naming a
  product (the same scan as the funnel).
- Segment sizes over time, for the largest segments.

- Incremental revenue against the always-on holdout, with an interval
  (`experiments.selectors.incremental_revenue`); "not yet measured" until the holdout has enough
  visitors and buyers, rather than showing attributed revenue under another name.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Count, FloatField, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from personalization.events.models import Event, Session
from personalization.experiments.selectors import incremental_revenue
from personalization.segments.models import Segment
from shopapp.adminui.charts import BarStep, LineChart, funnel_steps, line_chart
from shopapp.adminui.selectors import daily_sizes, shop_zone
from shopapp.catalog.models import Product
from shopapp.languages.text import lazy_text as _lazy
from shopapp.shops.models import Shop

RANGES = (7, 30, 90)
DEFAULT_RANGE = 30
CACHE_SECONDS = 60
FUNNEL = (
    ("impression", _lazy("Impressions")),
    ("click", _lazy("Clicks")),
    ("add_to_cart", _lazy("Adds to cart")),
    ("purchase", _lazy("Orders")),
)
TOP_PRODUCTS = 10
TRENDED_SEGMENTS = 6


@dataclass(frozen=True)
class FunnelRow:
    placement: str
    steps: tuple[BarStep, ...]
    revenue: float

    @property
    def click_through_pct(self) -> float | None:
        return self.steps[1].rate_pct


@dataclass(frozen=True)
class TopProduct:
    product_id: int
    title: str
    impressions: int
    clicks: int

    @property
    def click_through_pct(self) -> float | None:
        return 100.0 * self.clicks / self.impressions if self.impressions else None


@dataclass(frozen=True)
class Dashboard:
    days: int
    since: datetime
    computed_at: datetime
    sessions_chart: LineChart
    sessions_total: int
    personalized_total: int
    funnel: tuple[FunnelRow, ...]
    funnel_totals: tuple[BarStep, ...]
    attributed_revenue: float
    attributed_orders: int
    top_products: tuple[TopProduct, ...]
    segments_chart: LineChart
    # {value, low, high, measured, holdout_visitors, holdout_buyers} (experiments.selectors)
    incremental: dict[str, Any] | None = None

    @property
    def personalized_pct(self) -> float | None:
        if not self.sessions_total:
            return None
        return 100.0 * self.personalized_total / self.sessions_total

    @property
    def has_events(self) -> bool:
        return bool(self.sessions_total or self.funnel)


def _days(since: date, until: date) -> list[date]:
    return [since + timedelta(days=i) for i in range((until - since).days + 1)]


def _label(day: date) -> str:
    return f"{day.day} {day:%b}"


def _sessions(shop: Shop, since: datetime, days: list[date]) -> tuple[LineChart, int, int]:
    zone = shop_zone(shop)
    all_by_day = dict(
        Session.objects.filter(shop=shop, started_at__gte=since)
        .annotate(day=TruncDate("started_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    personalized_by_day = dict(
        Event.objects.filter(shop=shop, type="impression", occurred_at__gte=since)
        .annotate(day=TruncDate("occurred_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("session_id", distinct=True))
        .values_list("day", "n")
    )
    # Summed per day: a session that runs past midnight counts on both days. Rare, and it saves
    # a second distinct count over the period's impressions.
    personalized_total = sum(personalized_by_day.values())
    chart = line_chart(
        [_label(day) for day in days],
        [
            (_lazy("All sessions"), [float(all_by_day.get(day, 0)) for day in days]),
            (_lazy("Personalized"), [float(personalized_by_day.get(day, 0)) for day in days]),
        ],
        width=960,
        height=260,
    )
    return chart, sum(all_by_day.values()), personalized_total


def _placement_events(
    shop: Shop, since: datetime
) -> tuple[tuple[FunnelRow, ...], tuple[BarStep, ...], float, int, tuple[TopProduct, ...]]:
    """The funnel per placement and the top recommended products, from one scan of the period's
    placement events grouped by (placement, type, product)."""
    types = [key for key, _ in FUNNEL]
    grouped = (
        Event.objects.filter(shop=shop, occurred_at__gte=since, type__in=types)
        .exclude(placement="")
        .values("placement", "type", "product_id")
        .annotate(
            n=Count("id"),
            revenue=Sum(Cast(KT("data__value"), FloatField()), filter=Q(type="purchase")),
        )
    )
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    revenue: dict[str, float] = defaultdict(float)
    per_product: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # impressions, clicks
    for row in grouped:
        counts[row["placement"]][row["type"]] += row["n"]
        revenue[row["placement"]] += row["revenue"] or 0.0
        if row["product_id"] is not None and row["type"] in ("impression", "click"):
            per_product[row["product_id"]][row["type"] == "click"] += row["n"]
    names = [label for _, label in FUNNEL]
    rows = [
        FunnelRow(
            placement=placement,
            steps=funnel_steps(names, [by_type.get(key, 0) for key in types]),
            revenue=revenue[placement],
        )
        for placement, by_type in counts.items()
    ]
    rows.sort(key=lambda row: (-row.steps[0].count, -row.revenue, row.placement))
    totals = funnel_steps(names, [sum(c.get(key, 0) for c in counts.values()) for key in types])
    ranked = sorted(per_product.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
    ranked = ranked[:TOP_PRODUCTS]
    titles = dict(
        Product.objects.filter(shop=shop, pk__in=[pk for pk, _ in ranked]).values_list(
            "pk", "title"
        )
    )
    top = tuple(
        TopProduct(
            product_id=pk,
            title=titles.get(pk, "(deleted product)"),
            impressions=impressions,
            clicks=clicks,
        )
        for pk, (impressions, clicks) in ranked
    )
    return tuple(rows), totals, sum(revenue.values()), totals[-1].count, top


def _segments(shop: Shop, since: datetime, days: list[date]) -> LineChart:
    largest = list(
        Segment.objects.filter(shop=shop, is_active=True, size__gt=0)
        .order_by("-size", "name")
        .values_list("pk", "name")[:TRENDED_SEGMENTS]
    )
    sizes = daily_sizes(shop=shop, segment_ids=[pk for pk, _ in largest], since=since)
    measured = sorted({day for by_day in sizes.values() for day in by_day})
    axis = [day for day in days if day >= measured[0]] if measured else []
    return line_chart(
        [_label(day) for day in axis],
        [
            (name, [float(sizes[pk][day]) if day in sizes.get(pk, {}) else None for day in axis])
            for pk, name in largest
        ],
        width=520,
        height=280,
        label_room=140,
    )


def dashboard_build(*, shop: Shop, days: int, now: datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    zone = shop_zone(shop)
    today = now.astimezone(zone).date()
    first_day = today - timedelta(days=days - 1)
    since = datetime.combine(first_day, datetime.min.time(), tzinfo=zone)
    day_list = _days(first_day, today)
    sessions_chart, sessions_total, personalized_total = _sessions(shop, since, day_list)
    funnel, totals, revenue, orders, top_products = _placement_events(shop, since)
    return Dashboard(
        days=days,
        since=since,
        computed_at=now,
        sessions_chart=sessions_chart,
        sessions_total=sessions_total,
        personalized_total=personalized_total,
        funnel=funnel,
        funnel_totals=totals,
        attributed_revenue=revenue,
        attributed_orders=orders,
        top_products=top_products,
        segments_chart=_segments(shop, since, day_list),
        incremental=incremental_revenue(shop, since),
    )


def dashboard_get(*, shop: Shop, days: int) -> Dashboard:
    """The dashboard, at most a minute old: the admin reads it far more often than it changes."""
    key = f"adminui:{shop.pk}:dashboard:{days}"
    cached = cache.get(key)
    if isinstance(cached, Dashboard):
        return cached
    dashboard = dashboard_build(shop=shop, days=days)
    cache.set(key, dashboard, CACHE_SECONDS)
    return dashboard
