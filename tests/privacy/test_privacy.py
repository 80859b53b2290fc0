from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection

from personalization.events.models import Event, Visitor
from personalization.events.tokens import customer_token_make
from personalization.privacy.models import PrivacyRequest
from personalization.privacy.services import customer_erase, customer_export, shop_erase
from personalization.profiles.models import Profile
from shopapp.catalog.models import Customer, Order, Product
from tests.events.conftest import batch, catalog, clean_event_state, event  # noqa: F401
from tests.factories import CustomerFactory, OrderFactory, OrderLineFactory

CUSTOMER_ID = "9876543210"
EMAIL = "grace.hopper@example.com"
NAME = "Grace Hopper"
VISITOR = "visitor-grace-0001"


def rows_mentioning(value: str) -> list[str]:
    """Every table and column whose text holds `value`: the whole database, not a list we keep."""
    found = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            for field in model._meta.concrete_fields:
                column = connection.ops.quote_name(field.column)
                cursor.execute(
                    f"SELECT count(*) FROM {connection.ops.quote_name(table)} "
                    f"WHERE CAST({column} AS TEXT) LIKE %s",
                    [f"%{value}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{field.column}")
    return found


@pytest.fixture
def known_customer(client, shop, catalog):  # noqa: F811
    customer = CustomerFactory(shop=shop, platform_id=CUSTOMER_ID, email=EMAIL, name=NAME)
    order = OrderFactory(shop=shop, platform_id="order-77", customer=customer, country="France")
    OrderLineFactory(shop=shop, order=order, product=catalog["mug"], quantity=2)
    token = customer_token_make(shop_id=shop.pk, customer_platform_id=CUSTOMER_ID)
    body = batch(
        event("product_view", product_id="102"),
        event("add_to_cart", product_id="102"),
        visitor_id=VISITOR,
        context={"customer_token": token},
    )
    response = client.post(
        "/api/v1/events",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_X_STOREFRONT_KEY=shop.storefront_key,
    )
    assert response.status_code == 202
    cache.set(f"pz:{shop.pk}:visitor:{VISITOR}", {"decisions": [1, 2]})
    return customer


@pytest.mark.django_db
def test_export_holds_everything_we_know_about_the_customer(shop, known_customer, catalog):  # noqa: F811
    request = customer_export(
        shop=shop, customer=known_customer, source="shopify", source_request_id="dr-1"
    )
    data = request.result
    assert request.status == "done"
    assert data["customer"]["email"] == EMAIL
    assert data["customer"]["name"] == NAME
    assert [o["platform_id"] for o in data["orders"]] == ["order-77"]
    assert data["orders"][0]["lines"][0]["quantity"] == 2
    assert [v["visitor_id"] for v in data["visitors"]] == [VISITOR]
    assert [e["type"] for e in data["events"]] == ["product_view", "add_to_cart"]
    assert data["profile"]["cart"]["items"] == {str(catalog["candle"].pk): 1}
    assert json.loads(json.dumps(data)) == data  # downloadable as JSON


@pytest.mark.django_db
def test_erasure_leaves_no_trace_in_any_table_or_the_cache(
    shop, other_shop, known_customer, settings
):
    # given the same platform id exists in another shop, which must be untouched
    CustomerFactory(shop=other_shop, platform_id=CUSTOMER_ID, email="someone@else.example.com")
    assert rows_mentioning(VISITOR)  # the search works: the person is there before
    customer_export(shop=shop, customer=known_customer)  # an earlier export holds their data too
    assert "privacy_privacyrequest.result" in rows_mentioning(EMAIL)
    # when the customer is erased
    request = customer_erase(
        shop=shop,
        customer=known_customer,
        source="shopify",
        source_request_id="redact-1",
        order_platform_ids=["order-77"],
    )
    # then nothing names them any more
    assert rows_mentioning(VISITOR) == []
    assert rows_mentioning(EMAIL) == []
    assert rows_mentioning(NAME) == []
    assert not Customer.objects.filter(shop=shop, platform_id=CUSTOMER_ID).exists()
    assert Customer.objects.filter(shop=other_shop, platform_id=CUSTOMER_ID).count() == 1
    assert cache.get(f"pz:{shop.pk}:visitor:{VISITOR}") is None
    if settings.REDIS_URL:
        from personalization.events.buffer import redis_client

        assert [k for k in redis_client().scan_iter("*") if VISITOR.encode() in k] == []
    # the merchant's totals survive, without the person
    order = Order.objects.get(shop=shop, platform_id="order-77")
    assert (order.customer, order.country) == (None, "")
    assert (Event.objects.filter(shop=shop).count(), Visitor.objects.filter(shop=shop).count()) == (
        0,
        0,
    )
    assert Profile.objects.filter(shop=shop).count() == 0
    assert request.result["events"] == 2
    assert request.result["customers"] == 1
    # and the audit record names the subject only by hash
    audit = PrivacyRequest.objects.get(pk=request.pk)
    assert audit.status == "done"
    assert CUSTOMER_ID not in audit.subject_hash
    assert len(audit.subject_hash) == 64


@pytest.mark.django_db
def test_shop_erasure_removes_every_row_of_the_shop_and_keeps_the_audit(
    shop, other_shop, known_customer
):
    Product.objects.create(shop=other_shop, platform_id="1", title="Other", handle="other")
    shop_pk = shop.pk
    request = shop_erase(shop=shop, source="shopify", source_request_id="shop-redact-1")
    for model in apps.get_models():
        if any(f.name == "shop" for f in model._meta.concrete_fields):
            assert not model.objects.filter(shop_id=shop_pk).exists(), model.__name__
    assert Product.objects.filter(shop=other_shop).count() == 1
    assert PrivacyRequest.objects.get(pk=request.pk).result["events"] == 2
