from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from shopapp.catalog.models import Customer, Order, OrderLine, Product, Variant
from shopapp.catalog.records import (
    CustomerRecord,
    OrderLineRecord,
    OrderRecord,
    ProductRecord,
    VariantRecord,
)
from shopapp.catalog.services import (
    customers_upsert,
    mirrored_soft_delete,
    orders_upsert,
    products_upsert,
)
from shopapp.shops.crypto import lookup_hash

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def product(title: str, updated_at: datetime, price: str = "4.00") -> ProductRecord:
    return ProductRecord(
        platform_id="p1",
        title=title,
        handle="mug",
        updated_at=updated_at,
        variants=(VariantRecord(platform_id="v1", price=Decimal(price)),),
    )


@pytest.mark.django_db
def test_newer_update_wins_and_older_is_ignored(shop):
    # given a product written at T0
    products_upsert(shop=shop, products=[product("Mug", T0)])
    # when a newer payload arrives, then an older one (reordered webhook)
    assert (
        products_upsert(shop=shop, products=[product("Mug v2", T0 + timedelta(hours=1), "5.00")])
        == 1
    )
    assert products_upsert(shop=shop, products=[product("Mug v0", T0 - timedelta(hours=1))]) == 0
    # then the newest state stands, variants included
    stored = Product.objects.get(shop=shop, platform_id="p1")
    assert stored.title == "Mug v2"
    assert stored.price_min == Decimal("5.000")
    assert Variant.objects.get(shop=shop, platform_id="v1").price == Decimal("5.000")


@pytest.mark.django_db
def test_duplicate_delivery_changes_nothing(shop):
    products_upsert(shop=shop, products=[product("Mug", T0)])
    products_upsert(shop=shop, products=[product("Mug", T0)])
    assert Product.objects.filter(shop=shop).count() == 1
    assert Variant.objects.filter(shop=shop).count() == 1


@pytest.mark.django_db
def test_same_platform_id_in_two_shops_stays_apart(shop, other_shop):
    products_upsert(shop=shop, products=[product("Alpha mug", T0)])
    products_upsert(shop=other_shop, products=[product("Beta mug", T0)])
    assert Product.objects.get(shop=shop, platform_id="p1").title == "Alpha mug"
    assert Product.objects.get(shop=other_shop, platform_id="p1").title == "Beta mug"


@pytest.mark.django_db
def test_soft_delete_survives_a_late_update(shop):
    products_upsert(shop=shop, products=[product("Mug", T0)])
    assert mirrored_soft_delete(shop=shop, model=Product, platform_ids=["p1"]) == 1
    products_upsert(shop=shop, products=[product("Mug late", T0 + timedelta(minutes=5))])
    stored = Product.objects.get(shop=shop, platform_id="p1")
    assert stored.deleted_at is not None


@pytest.mark.django_db
def test_customer_email_is_encrypted_at_rest_and_found_by_hash(shop):
    customers_upsert(
        shop=shop,
        customers=[CustomerRecord(platform_id="c1", updated_at=T0, email="Ada@Example.com")],
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT email FROM catalog_customer WHERE platform_id = 'c1'")
        (raw,) = cursor.fetchone()
    assert "Ada" not in raw
    assert raw.startswith("gAAAA")
    customer = Customer.objects.get(email_hash=lookup_hash("ada@example.com "))
    assert customer.email == "Ada@Example.com"


@pytest.mark.django_db
def test_order_lines_replaced_only_when_order_is_newer(shop):
    products_upsert(shop=shop, products=[product("Mug", T0)])
    customers_upsert(shop=shop, customers=[CustomerRecord(platform_id="c1", updated_at=T0)])

    def order(updated_at: datetime, quantity: int) -> OrderRecord:
        return OrderRecord(
            platform_id="o1",
            currency="GBP",
            updated_at=updated_at,
            created_at=T0,
            customer_id="c1",
            total=Decimal(4 * quantity),
            lines=(
                OrderLineRecord(
                    platform_id="l1",
                    quantity=quantity,
                    unit_price=Decimal(4),
                    product_id="p1",
                    variant_id="v1",
                ),
            ),
        )

    orders_upsert(shop=shop, orders=[order(T0, 2)])
    orders_upsert(shop=shop, orders=[order(T0 + timedelta(hours=1), 3)])
    orders_upsert(shop=shop, orders=[order(T0 - timedelta(hours=1), 9)])
    line = OrderLine.objects.get(shop=shop)
    assert line.quantity == 3
    assert line.product is not None
    assert line.product.platform_id == "p1"
    assert Order.objects.get(shop=shop).customer is not None
