"""Revenue from the catalog mirror: an experiment's and the holdout's revenue count the orders of
the customer a visitor is stitched to, not only storefront purchase events, each order id once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from personalization.events.models import Visitor
from personalization.experiments import selectors
from personalization.experiments.services import holdout_percent_set
from tests.experiments.activity import Activity
from tests.experiments.factories import running_experiment, visitors_where
from tests.factories import CustomerFactory, OrderFactory

TARGET = "home-recommended"


def _arm(shop, key):
    a = selectors.assignment_for(shop, key, target_kind="placement", target_key=TARGET)
    return a.variant_key if a else None


def _stitch(shop, visitor_key, customer):
    Visitor.objects.filter(shop=shop, visitor_key=visitor_key).update(customer=customer)


def _order(shop, customer, platform_id, at, total, **fields):
    return OrderFactory(
        shop=shop,
        customer=customer,
        platform_id=platform_id,
        platform_created_at=at,
        total=Decimal(total),
        **fields,
    )


@pytest.mark.django_db
def test_an_experiment_counts_the_stitched_customers_mirrored_orders_once(shop, other_shop):
    # given an experiment started three days ago, and an exposed visitor in each arm
    now = timezone.now()
    start = now - timedelta(days=3)
    experiment = running_experiment(shop, started=start)
    control = visitors_where(lambda v: _arm(shop, v) == "control")[0]
    treated = visitors_where(lambda v: _arm(shop, v) == "personalized")[0]
    t0 = start + timedelta(hours=2)
    activity = Activity(shop)
    activity.add(control, "impression", t0, placement=TARGET)
    activity.add(treated, "impression", t0, placement=TARGET)
    # the treated visitor's checkout sent a purchase event for order 1001
    activity.add(
        treated, "purchase", t0 + timedelta(hours=1), data={"value": 40.0, "order_id": "1001"}
    )
    activity.save()
    # and the visitor is stitched to a customer whose mirrored orders are: 1001 again, a phone
    # order 1002, one refunded in part, one cancelled, and one after the 24-hour window
    ann = CustomerFactory(shop=shop)
    _stitch(shop, treated, ann)
    _order(shop, ann, "1001", t0 + timedelta(hours=1), "40.00")
    _order(shop, ann, "1002", t0 + timedelta(hours=5), "25.00")
    _order(shop, ann, "1003", t0 + timedelta(hours=6), "30.00", refunded_total=Decimal("10.00"))
    _order(shop, ann, "1004", t0 + timedelta(hours=7), "99.00", cancelled_at=t0)
    _order(shop, ann, "1005", t0 + timedelta(hours=30), "70.00")
    # and another shop's customer with the same order ids counts for nothing here
    theirs = CustomerFactory(shop=other_shop)
    _order(other_shop, theirs, "1002", t0 + timedelta(hours=5), "500.00")
    # when the results are read
    results = selectors.experiment_results(shop=shop, experiment=experiment, now=now)
    by_key = {v.key: v for v in results.variants}
    # then the treated arm has orders 1001 (once), 1002 and 1003 net of its refund
    treated_result = by_key["personalized"]
    assert (treated_result.visitors, treated_result.converted, treated_result.orders) == (1, 1, 3)
    assert treated_result.revenue == pytest.approx(40.0 + 25.0 + 20.0)
    assert (by_key["control"].orders, by_key["control"].revenue) == (0, 0.0)


@pytest.mark.django_db
def test_the_holdout_comparison_counts_mirrored_orders_once(shop):
    # given a 50 % holdout and 240 visitors with a page view in the last week
    holdout_percent_set(shop=shop, percent=50)
    now = timezone.now()
    since = now - timedelta(days=7)
    keys = [f"m-{i:04d}" for i in range(240)]
    held = [k for k in keys if selectors.in_holdout(shop, k)]
    free = [k for k in keys if not selectors.in_holdout(shop, k)]
    activity = Activity(shop)
    for key in keys:
        activity.add(key, "page_view", now - timedelta(days=2))
    # six personalized buyers with purchase events of 30
    for n, key in enumerate(free[:6]):
        activity.add(
            key, "purchase", now - timedelta(days=1), data={"value": 30.0, "order_id": f"p{n}"}
        )
    # one held-out buyer with a purchase event whose order the mirror also has
    activity.add(
        held[0], "purchase", now - timedelta(days=1), data={"value": 10.0, "order_id": "h0"}
    )
    activity.save()
    # and six held-out visitors stitched to customers whose orders only the mirror has (10 each),
    # the first of them being the one above (its order h0 must count once)
    for n, key in enumerate(held[:6]):
        customer = CustomerFactory(shop=shop)
        _stitch(shop, key, customer)
        _order(shop, customer, f"h{n}", now - timedelta(days=1), "10.00")
    # when incremental revenue is read
    result = selectors.incremental_revenue(shop, since)
    # then the holdout has six buyers (five of them from the mirror alone), each order once
    assert result["holdout_visitors"] == len(held)
    assert result["holdout_buyers"] == 6
    assert result["measured"] is True
    expected = (6 * 30.0 / len(free) - 6 * 10.0 / len(held)) * len(free)
    assert result["value"] == pytest.approx(expected)
