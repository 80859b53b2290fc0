"""The admin's "how good are my recommendations?": one shop's orders replayed (issue 7, item 7)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from personalization.evaluation.selectors import shop_orders_dataset, shop_report_get
from personalization.evaluation.services import shop_report_build
from shopapp.catalog.models import Order, OrderLine
from tests.factories import CustomerFactory, OrderFactory, OrderLineFactory, ProductFactory

START = datetime(2024, 1, 1, tzinfo=UTC)


def _orders(shop, customers: int = 30, months: int = 6) -> None:  # type: ignore[no-untyped-def]
    """Each customer reorders products 0-2 monthly and tries one of products 3-7."""
    products = [ProductFactory(shop=shop) for _ in range(8)]
    for number in range(customers):
        customer = CustomerFactory(shop=shop)
        for month in range(months):
            order = OrderFactory(
                shop=shop,
                customer=customer,
                platform_created_at=START + timedelta(days=month * 30 + number % 7),
            )
            for index in (0, 1, 2, 3 + (number + month) % 5):
                OrderLineFactory(order=order, product=products[index])


@pytest.mark.django_db
def test_shop_orders_become_baskets_of_known_customers_only(shop, other_shop):
    # given two customers' orders, a guest checkout, and another shop's order
    _orders(shop, customers=2, months=2)
    OrderLineFactory(order=OrderFactory(shop=shop, customer=None))
    _orders(other_shop, customers=1, months=1)
    # when the shop's orders are read for a replay
    dataset = shop_orders_dataset(shop=shop)
    # then only this shop's 4 orders by known customers count, 4 lines each, over the 6
    # products they bought (0-2, then 3, 4 and 5)
    data = dataset.interactions
    assert (data.n_users, data.n_items, len(data)) == (2, 6, 16)
    assert data.basket is not None
    assert len(set(data.basket.tolist())) == 4


@pytest.mark.django_db
def test_report_replays_the_shops_orders_and_compares_with_baselines(shop):
    _orders(shop)
    # when the report is built (what the Celery task does)
    report = shop_report_build(shop=shop)
    # then it holds the replay's document: every customer's next order, ours against baselines
    assert report["status"] == "done"
    document = report["document"]
    assert document["settings"]["test_queries"] == 30
    assert document["best"]["baseline"] in {"most-popular", "top-frequency", "item-knn", "sknn"}
    assert document["best"]["ours"].startswith("ours:")
    assert shop_report_get(shop=shop) == report


@pytest.mark.django_db
def test_a_shop_without_orders_gets_a_message_not_an_error(shop):
    report = shop_report_build(shop=shop)
    assert report["status"] == "failed"
    assert report["error"].startswith("Not enough order history to measure yet")


@pytest.mark.django_db
def test_quality_page_measures_on_request_and_shows_only_this_shops_report(
    admin_client_for, shop, other_shop, django_capture_on_commit_callbacks
):
    _orders(shop)
    client = admin_client_for(shop)
    # given no report yet
    assert "No report yet." in client.get("/app/quality/").content.decode()
    # when the merchant asks for one (the task is enqueued after commit; Celery runs inline)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/app/quality/")
    assert response.status_code == 303
    assert len(callbacks) == 1
    # then the page shows the table with our models and the baselines
    html = client.get("/app/quality/").content.decode()
    assert 'id="quality-table"' in html
    assert 'data-model="top-frequency"' in html
    assert 'data-model="next-basket"' in html
    assert "on 30 customers\u2019 next orders" in html
    partial = client.get("/app/quality/report/").content.decode()
    assert partial.startswith('<section class="card" id="quality-report"')
    assert "hx-trigger" not in partial  # finished: no more polling
    # and another shop sees nothing of it
    other = admin_client_for(other_shop).get("/app/quality/").content.decode()
    assert "No report yet." in other
    assert Order.objects.filter(shop=other_shop).count() == 0
    assert OrderLine.objects.filter(shop=shop).count() == 30 * 6 * 4


@pytest.mark.django_db
def test_quality_page_needs_a_signed_in_shop(client):
    response = client.get("/app/quality/")
    assert response.status_code in (302, 401, 403)


@pytest.mark.django_db
def test_a_report_stuck_running_past_the_time_limit_can_be_asked_for_again(shop):
    from django.core.cache import cache

    from personalization.evaluation.selectors import report_key
    from personalization.evaluation.services import shop_report_request

    # given a report marked running 21 minutes ago whose worker was lost
    stuck = (datetime.now(UTC) - timedelta(minutes=21)).isoformat()
    cache.set(report_key(shop), {"status": "running", "requested_at": stuck})
    # then it reads as failed with a message
    report = shop_report_get(shop=shop)
    assert report is not None
    assert report["status"] == "failed"
    assert report["error"] == "The last measurement did not finish. Try again."
    # and a new request starts again instead of waiting on it
    again = shop_report_request(shop=shop)
    assert again["status"] == "running"
    assert again["requested_at"] != stuck
