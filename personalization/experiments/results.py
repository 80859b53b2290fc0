"""Reads: an experiment's results per arm, and incremental revenue against the holdout.

Exposure: a placement experiment's visitors are those with an impression of the placement (both
arms render it: the control sees the baseline), plus any `Exposure` rows; a campaign experiment's
are its `Exposure` rows only (a control visitor sees nothing, so has no impression). Each visitor's
arm is recomputed from the visitor id (`bucketing`), or read from the exposure row.

Attribution: within `attribution_window_hours` of the first exposure, a click on the target
(an event whose `placement` is the target key: a product or a campaign's call to action), any add
to cart, and purchases: the purchase events' `value`, plus the catalog mirror's orders of the
customer a visitor is stitched to (net of refunds), each order id once.

The test runs on daily looks (the end of each completed day since the start): the look times do
not depend on the data, so opening the page any number of times does not inflate false positives.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.db.models import Min
from django.utils import timezone

from personalization.engine.bucketing import bucket, in_fraction
from personalization.engine.experiment_stats import (
    OUTCOME_KINDS,
    SRM_THRESHOLD,
    ArmSummary,
    attribute,
    mean_interval,
    metric_values,
    sequential_compare,
    srm_pvalue,
)
from personalization.events.models import Event, Visitor
from personalization.experiments import selectors
from personalization.experiments.models import (
    Experiment,
    ExperimentStatus,
    Exposure,
    Metric,
    TargetKind,
)
from shopapp.catalog.models import Order, OrderKind
from shopapp.shops.models import Shop

DAY = 86400.0
CHUNK = 2000
METRICS = tuple(Metric.values)


@dataclass(frozen=True)
class Comparison:
    metric: str
    estimate: float  # treatment minus control
    low: float
    high: float
    relative: float | None  # estimate / control mean
    is_significant: bool
    information: float


@dataclass(frozen=True)
class VariantResult:
    key: str
    name: str
    is_control: bool
    weight: float
    visitors: int
    clicks: int
    adds: int
    converted: int
    orders: int
    revenue: float
    comparisons: dict[str, Comparison] = field(default_factory=dict)

    def rate(self, count: int) -> float | None:
        return count / self.visitors if self.visitors else None

    @property
    def ctr(self) -> float | None:
        return self.rate(self.clicks)

    @property
    def add_to_cart_rate(self) -> float | None:
        return self.rate(self.adds)

    @property
    def conversion_rate(self) -> float | None:
        return self.rate(self.converted)

    @property
    def revenue_per_visitor(self) -> float | None:
        return self.revenue / self.visitors if self.visitors else None

    @property
    def average_order_value(self) -> float | None:
        return self.revenue / self.orders if self.orders else None


@dataclass(frozen=True)
class ExperimentResults:
    experiment: Experiment
    variants: tuple[VariantResult, ...]
    srm_pvalue: float
    days_complete: int
    min_duration_met: bool
    recommendation: (
        str  # collecting | srm | winner | winner_pending | keep_control | no_difference | running
    )
    winner_key: str | None
    computed_at: datetime

    @property
    def has_srm(self) -> bool:
        return self.srm_pvalue < SRM_THRESHOLD

    @property
    def visitors(self) -> int:
        return sum(v.visitors for v in self.variants)


@dataclass
class _Data:
    keys: list[str]
    arm: np.ndarray  # index into the experiment's variants
    first: np.ndarray  # epoch seconds
    outcome_visitor: np.ndarray
    outcome_ts: np.ndarray
    outcome_kind: np.ndarray
    outcome_value: np.ndarray


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


def _mirrored_orders(
    shop: Shop, customer_ids: Iterable[int], since: datetime, until: datetime | None = None
) -> list[tuple[int, str, datetime, float]]:
    """(customer id, order id, placed at, net value) of the catalog mirror's sales by these
    customers: the orders a storefront purchase event may have missed (no consent on that page,
    another device, a phone order). Cancelled and deleted orders do not count."""
    orders = Order.objects.filter(
        shop=shop,
        customer_id__in=list(customer_ids),
        kind=OrderKind.SALE,
        cancelled_at__isnull=True,
        deleted_at__isnull=True,
        platform_created_at__gte=since,
    )
    if until is not None:
        orders = orders.filter(platform_created_at__lte=until)
    return [
        (customer_id, platform_id, at, float(total) - float(refunded))
        for customer_id, platform_id, at, total, refunded in orders.values_list(
            "customer_id", "platform_id", "platform_created_at", "total", "refunded_total"
        )
    ]


def _load(experiment: Experiment, end: datetime) -> _Data:
    shop = experiment.shop
    start = experiment.started_at or experiment.created_at
    variants = list(experiment.variants.all())
    index_of = {v.pk: i for i, v in enumerate(variants)}
    weights = [v.weight for v in variants]
    holdout = selectors.holdout_percent(shop=shop) / 100.0
    salt = selectors.holdout_salt(shop)
    first: dict[int, tuple[float, int]] = {}  # visitor pk -> (first exposure, arm)
    keys: dict[int, str] = {}
    if experiment.target_kind == TargetKind.PLACEMENT:
        rows = (
            Event.objects.filter(
                shop=shop,
                type="impression",
                placement=experiment.target_key,
                occurred_at__gte=start,
                occurred_at__lte=end,
            )
            .values("visitor_id", "visitor__visitor_key")
            .annotate(first=Min("occurred_at"))
        )
        for row in rows:
            key = row["visitor__visitor_key"]
            if in_fraction(salt, key, holdout):
                continue
            first[row["visitor_id"]] = (
                row["first"].timestamp(),
                bucket(experiment.salt, key, weights),
            )
            keys[row["visitor_id"]] = key
    exposures = list(
        Exposure.objects.filter(
            shop=shop, experiment=experiment, first_exposed_at__lte=end
        ).values_list("visitor_key", "first_exposed_at", "variant_id")
    )
    pk_of = {}
    for chunk in _chunks([e[0] for e in exposures]):
        pk_of.update(
            dict(
                Visitor.objects.filter(shop=shop, visitor_key__in=chunk).values_list(
                    "visitor_key", "pk"
                )
            )
        )
    for key, exposed_at, variant_id in exposures:
        pk = pk_of.get(key)
        if pk is None:
            continue  # never stored an event (no consent): nothing to attribute
        seen = first.get(pk)
        ts = exposed_at.timestamp()
        if seen is None or ts < seen[0]:
            first[pk] = (ts, index_of[variant_id])
            keys[pk] = key
    pks = sorted(first)
    position = {pk: i for i, pk in enumerate(pks)}
    window = timedelta(hours=experiment.attribution_window_hours)
    o_visitor: list[int] = []
    o_ts: list[float] = []
    o_kind: list[int] = []
    o_value: list[float] = []
    orders_seen: set[str] = set()
    for chunk in _chunks(pks):
        for visitor_id, kind, placement, occurred_at, data in Event.objects.filter(
            shop=shop,
            visitor_id__in=chunk,
            type__in=OUTCOME_KINDS,
            occurred_at__gte=start,
            occurred_at__lte=end + window,
        ).values_list("visitor_id", "type", "placement", "occurred_at", "data"):
            if kind == "click" and placement != experiment.target_key:
                continue
            value = 0.0
            if kind == "purchase":
                order_id = str((data or {}).get("order_id") or "")
                if order_id:
                    if order_id in orders_seen:
                        continue
                    orders_seen.add(order_id)
                value = float((data or {}).get("value") or 0.0)
            o_visitor.append(position[visitor_id])
            o_ts.append(occurred_at.timestamp())
            o_kind.append(OUTCOME_KINDS.index(kind))
            o_value.append(value)
    # Orders of stitched customers from the catalog mirror, each order once (a purchase event
    # with the same order id already counted it), credited to the customer's first-exposed visitor.
    exposed_visitor: dict[int, int] = {}
    for chunk in _chunks(pks):
        for pk, customer_id in Visitor.objects.filter(
            shop=shop, pk__in=chunk, customer__isnull=False
        ).values_list("pk", "customer_id"):
            known = exposed_visitor.get(customer_id)
            if known is None or first[pk][0] < first[known][0]:
                exposed_visitor[customer_id] = pk
    for chunk in _chunks(sorted(exposed_visitor)):
        for customer_id, order_id, placed_at, value in _mirrored_orders(
            shop, chunk, start, end + window
        ):
            if order_id in orders_seen:
                continue
            orders_seen.add(order_id)
            o_visitor.append(position[exposed_visitor[customer_id]])
            o_ts.append(placed_at.timestamp())
            o_kind.append(OUTCOME_KINDS.index("purchase"))
            o_value.append(value)
    return _Data(
        keys=[keys[pk] for pk in pks],
        arm=np.array([first[pk][1] for pk in pks], dtype=int),
        first=np.array([first[pk][0] for pk in pks], dtype=float),
        outcome_visitor=np.array(o_visitor, dtype=int),
        outcome_ts=np.array(o_ts, dtype=float),
        outcome_kind=np.array(o_kind, dtype=int),
        outcome_value=np.array(o_value, dtype=float),
    )


def experiment_results(
    *, shop: Shop, experiment: Experiment, now: datetime | None = None
) -> ExperimentResults:
    if experiment.shop_id != shop.pk:
        raise ValueError("experiment: not in this shop")
    now = now or timezone.now()
    end = experiment.ended_at or now
    start = experiment.started_at or now
    variants = list(experiment.variants.all())
    data = _load(experiment, end)
    window = experiment.attribution_window_hours * 3600.0
    outcome_cutoff = min(now, end + timedelta(seconds=window)).timestamp()
    outcomes = attribute(
        data.first,
        data.outcome_visitor,
        data.outcome_ts,
        data.outcome_kind,
        data.outcome_value,
        window_seconds=window,
        cutoff=outcome_cutoff,
    )
    control_index = next(i for i, v in enumerate(variants) if v.is_control)
    days_complete = max(0, int((min(now, end) - start).total_seconds() // DAY))
    comparisons = _compare(experiment, variants, data, control_index, days_complete, start)
    rows = []
    for i, variant in enumerate(variants):
        mask = data.arm == i
        rows.append(
            VariantResult(
                key=variant.key,
                name=variant.name,
                is_control=variant.is_control,
                weight=variant.weight,
                visitors=int(mask.sum()),
                clicks=int(outcomes.clicked[mask].sum()),
                adds=int(outcomes.added[mask].sum()),
                converted=int(outcomes.converted[mask].sum()),
                orders=int(outcomes.orders[mask].sum()),
                revenue=float(outcomes.revenue[mask].sum()),
                comparisons=comparisons.get(i, {}),
            )
        )
    srm = srm_pvalue([r.visitors for r in rows], [v.weight for v in variants])
    min_met = days_complete >= experiment.min_duration_days
    recommendation, winner = _recommend(experiment, rows, srm, days_complete, min_met)
    return ExperimentResults(
        experiment=experiment,
        variants=tuple(rows),
        srm_pvalue=srm,
        days_complete=days_complete,
        min_duration_met=min_met,
        recommendation=recommendation,
        winner_key=winner,
        computed_at=now,
    )


def _compare(
    experiment: Experiment,
    variants: list[Any],
    data: _Data,
    control_index: int,
    days_complete: int,
    start: datetime,
) -> dict[int, dict[str, Comparison]]:
    """Each treatment against the control on every metric, over the daily looks; alpha is split
    between treatments (Bonferroni) so an A/B/n test keeps its overall false-positive rate."""
    if days_complete == 0 or data.first.size == 0:
        return {}
    alpha = experiment.alpha / max(1, len(variants) - 1)
    window = experiment.attribution_window_hours * 3600.0
    look_outcomes = []
    for day in range(1, days_complete + 1):
        cutoff = start.timestamp() + day * DAY
        look_outcomes.append(
            (
                data.first <= cutoff,
                attribute(
                    data.first,
                    data.outcome_visitor,
                    data.outcome_ts,
                    data.outcome_kind,
                    data.outcome_value,
                    window_seconds=window,
                    cutoff=cutoff,
                ),
            )
        )
    result: dict[int, dict[str, Comparison]] = defaultdict(dict)
    for i in range(len(variants)):
        if i == control_index:
            continue
        for metric in METRICS:
            looks = []
            for included, outcomes in look_outcomes:
                values = metric_values(outcomes, metric)
                looks.append(
                    (
                        ArmSummary.of(values[included & (data.arm == control_index)]),
                        ArmSummary.of(values[included & (data.arm == i)]),
                    )
                )
            test = sequential_compare(
                looks, planned_per_arm=experiment.planned_visitors_per_arm, alpha=alpha
            )
            control_mean = looks[-1][0].mean
            result[i][metric] = Comparison(
                metric=metric,
                estimate=test.estimate,
                low=test.low,
                high=test.high,
                relative=test.estimate / control_mean if control_mean else None,
                is_significant=test.is_significant,
                information=test.information,
            )
    return result


def _recommend(
    experiment: Experiment,
    rows: list[VariantResult],
    srm: float,
    days_complete: int,
    min_met: bool,
) -> tuple[str, str | None]:
    metric = experiment.primary_metric
    treatments = [r for r in rows if not r.is_control and metric in r.comparisons]
    if days_complete == 0 or not treatments:
        return "collecting", None
    if srm < SRM_THRESHOLD:
        return "srm", None
    better = [
        r
        for r in treatments
        if r.comparisons[metric].is_significant and r.comparisons[metric].estimate > 0
    ]
    if better:
        best = max(better, key=lambda r: r.comparisons[metric].estimate)
        return ("winner" if min_met else "winner_pending"), best.key
    if all(
        r.comparisons[metric].is_significant and r.comparisons[metric].estimate < 0
        for r in treatments
    ):
        return "keep_control", None
    if min(r.comparisons[metric].information for r in treatments) >= 1.0:
        return "no_difference", None
    return "running", None


def running_with_auto_rollout(*, shop: Shop) -> list[Experiment]:
    return list(
        Experiment.objects.filter(
            shop=shop, status=ExperimentStatus.RUNNING, auto_rollout=True
        ).prefetch_related("variants")
    )


# -- incremental revenue against the always-on holdout ------------------------------------------

MIN_HOLDOUT_VISITORS = 100
MIN_HOLDOUT_BUYERS = 5


def incremental_revenue(shop: Shop, since: datetime) -> dict[str, Any]:
    """What personalization added since `since`: (revenue per personalized visitor - revenue per
    holdout visitor) x personalized visitors, with a 95 % interval. `measured` is False, and the
    value None, until the holdout has MIN_HOLDOUT_VISITORS visitors and MIN_HOLDOUT_BUYERS buyers.

    Visitors are those with any stored event since `since`; revenue is their purchase events'
    value plus the mirrored orders of the customers they are stitched to (each order id once)."""
    fraction = selectors.holdout_percent(shop=shop) / 100.0
    salt = selectors.holdout_salt(shop)
    revenue: dict[int, float] = defaultdict(float)
    seen_orders: set[str] = set()
    for visitor_id, data in Event.objects.filter(
        shop=shop, type="purchase", occurred_at__gte=since
    ).values_list("visitor_id", "data"):
        order_id = str((data or {}).get("order_id") or "")
        if order_id:
            if order_id in seen_orders:
                continue
            seen_orders.add(order_id)
        revenue[visitor_id] += float((data or {}).get("value") or 0.0)
    held: list[float] = []
    personalized: list[float] = []
    visitor_ids = (
        Event.objects.filter(shop=shop, occurred_at__gte=since)
        .values_list("visitor_id", flat=True)
        .distinct()
    )
    keys = {}
    visitor_of_customer: dict[int, int] = {}  # a stitched customer's first visitor (lowest pk)
    for chunk in _chunks(list(visitor_ids)):
        for pk, key, customer_id in Visitor.objects.filter(shop=shop, pk__in=chunk).values_list(
            "pk", "visitor_key", "customer_id"
        ):
            keys[pk] = key
            if customer_id is not None:
                visitor_of_customer[customer_id] = min(pk, visitor_of_customer.get(customer_id, pk))
    # Orders of stitched customers from the catalog mirror, each order once.
    for chunk in _chunks(sorted(visitor_of_customer)):
        for customer_id, order_id, _placed_at, value in _mirrored_orders(shop, chunk, since):
            if order_id in seen_orders:
                continue
            seen_orders.add(order_id)
            revenue[visitor_of_customer[customer_id]] += value
    for pk, key in keys.items():
        (held if in_fraction(salt, key, fraction) else personalized).append(revenue.get(pk, 0.0))
    held_arr, personalized_arr = np.array(held), np.array(personalized)
    buyers = int(np.count_nonzero(held_arr))
    if held_arr.size < MIN_HOLDOUT_VISITORS or buyers < MIN_HOLDOUT_BUYERS:
        return {
            "value": None,
            "low": None,
            "high": None,
            "measured": False,
            "holdout_visitors": int(held_arr.size),
            "holdout_buyers": buyers,
        }
    value, low, high = mean_interval(
        ArmSummary.of(personalized_arr),
        ArmSummary.of(held_arr),
        scale=float(personalized_arr.size),
    )
    return {
        "value": value,
        "low": low,
        "high": high,
        "measured": math.isfinite(low),
        "holdout_visitors": int(held_arr.size),
        "holdout_buyers": buyers,
    }
