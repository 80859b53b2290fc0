from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import OperationalError

from shopapp.catalog import tasks
from shopapp.catalog.models import Product, Variant
from shopapp.catalog.tasks import ProductPayloadError, catalog_products_upsert
from shopapp.shops.models import InstallState
from tests.factories import ProductFactory, ShopFactory


def mug_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "platform_id": "8001",
        "title": "Enamel mug",
        "handle": "enamel-mug",
        "updated_at": "2024-05-01T12:00:00Z",
        "created_at": "2024-04-01T09:30:00+01:00",
        "vendor": "Hearth & Twine",
        "tags": ["kitchen", "mugs"],
        "images": [{"url": "https://cdn.example.com/mug.jpg", "alt": "A mug"}],
        "variants": [
            {"platform_id": "9001", "title": "Blue", "sku": "MUG-B", "price": "4.95"},
            {
                "platform_id": "9002",
                "title": "Red",
                "price": "5.25",
                "compare_at_price": "6.00",
                "in_stock": False,
                "inventory_quantity": 0,
                "position": 1,
            },
        ],
    }
    payload.update(overrides)
    return payload


def test_task_is_routed_to_the_sync_queue():
    # given the task's options, then it runs on the sync queue with a hard time limit
    assert catalog_products_upsert.queue == "sync"
    assert catalog_products_upsert.time_limit == 120
    assert catalog_products_upsert.name == "shopapp.catalog.tasks.catalog_products_upsert"


@pytest.mark.django_db
def test_payload_is_mapped_and_upserted(shop):
    # when a product payload is processed (eagerly, as in the demo)
    result = catalog_products_upsert.delay(shop.pk, [mug_payload()])
    # then one product is written with exact values, prices as decimals, times as instants
    assert result.get() == 1
    product = Product.objects.get(shop=shop, platform_id="8001")
    assert product.title == "Enamel mug"
    assert product.handle == "enamel-mug"
    assert product.vendor == "Hearth & Twine"
    assert product.tags == ["kitchen", "mugs"]
    assert product.images == [{"url": "https://cdn.example.com/mug.jpg", "alt": "A mug"}]
    assert product.price_min == Decimal("4.950")
    assert product.price_max == Decimal("5.250")
    assert product.currency == "GBP"
    assert product.in_stock is True
    assert product.platform_updated_at == datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert product.platform_created_at == datetime(2024, 4, 1, 8, 30, tzinfo=UTC)
    variants = {
        v.platform_id: (v.title, v.sku, v.price, v.compare_at_price, v.in_stock, v.position)
        for v in Variant.objects.filter(shop=shop)
    }
    assert variants == {
        "9001": ("Blue", "MUG-B", Decimal("4.950"), None, True, 0),
        "9002": ("Red", "", Decimal("5.250"), Decimal("6.000"), False, 1),
    }


@pytest.mark.django_db
def test_numeric_ids_and_float_prices_are_accepted(shop):
    # given a payload with numeric ids (Shopify REST style) and a float price
    payload = mug_payload(
        platform_id=8001, variants=[{"platform_id": 9001, "price": 19.99}], tags=None
    )
    # when it is processed
    assert catalog_products_upsert(shop.pk, [payload]) == 1
    # then the ids are stored as text and the price has no binary-float noise
    variant = Variant.objects.get(shop=shop)
    assert variant.platform_id == "9001"
    assert variant.price == Decimal("19.990")
    assert Product.objects.get(shop=shop).tags == []


@pytest.mark.django_db
def test_older_payload_changes_nothing(shop):
    # given a stored product updated at noon
    catalog_products_upsert(shop.pk, [mug_payload()])
    # when a payload from an hour earlier arrives late
    written = catalog_products_upsert(
        shop.pk, [mug_payload(title="Old mug", updated_at="2024-05-01T11:00:00+00:00")]
    )
    # then nothing was written
    assert written == 0
    assert Product.objects.get(shop=shop).title == "Enamel mug"


@pytest.mark.django_db
def test_only_the_given_shop_is_touched(shop, other_shop):
    # given the same platform id in another shop
    ProductFactory(shop=other_shop, platform_id="8001", title="Beta mug")
    # when the first shop's payload is processed
    catalog_products_upsert(shop.pk, [mug_payload()])
    # then the other shop's row is unchanged
    assert Product.objects.get(shop=other_shop, platform_id="8001").title == "Beta mug"
    assert Product.objects.get(shop=shop, platform_id="8001").title == "Enamel mug"


@pytest.mark.django_db
def test_shop_gone_returns_zero():
    # given a shop id that no longer exists
    shop = ShopFactory()
    shop_id = shop.pk
    shop.delete()
    # when a late webhook is processed, then nothing happens
    assert catalog_products_upsert.delay(shop_id, [mug_payload()]).get() == 0
    assert Product.objects.count() == 0


@pytest.mark.django_db
def test_uninstalled_shop_returns_zero():
    # given a shop that uninstalled the app
    shop = ShopFactory(install_state=InstallState.UNINSTALLED)
    # when a product payload arrives, then it is ignored
    assert catalog_products_upsert(shop.pk, [mug_payload()]) == 0
    assert Product.objects.filter(shop=shop).count() == 0


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"title": "Mug", "handle": "mug"}, r"^products\[0\]\.platform_id: required$"),
        (
            {"platform_id": "1", "title": "Mug", "handle": "mug", "updated_at": "yesterday"},
            r"^products\[0\]\.updated_at: 'yesterday' is not an ISO 8601 datetime$",
        ),
        (
            {"platform_id": "1", "title": "M", "handle": "m", "updated_at": "2024-05-01T12:00"},
            r"^products\[0\]\.updated_at: '2024-05-01T12:00' has no UTC offset$",
        ),
        (
            {
                "platform_id": "1",
                "title": "M",
                "handle": "m",
                "variants": [{"platform_id": "2", "price": "cheap"}],
            },
            r"^products\[0\]\.variants\[0\]\.price: 'cheap' is not a decimal amount$",
        ),
        (
            {"platform_id": "1", "title": "M", "handle": "m", "variants": [{"price": "1.00"}]},
            r"^products\[0\]\.variants\[0\]\.platform_id: required$",
        ),
        (
            {"platform_id": "1", "title": "M", "handle": "m", "is_published": "yes"},
            r"^products\[0\]\.is_published: expected true or false$",
        ),
        ("not an object", r"^products\[0\]: expected an object, got str$"),
    ],
)
@pytest.mark.django_db
def test_bad_payload_fails_with_a_clear_error_and_writes_nothing(shop, payload, message):
    # when a malformed payload is processed, then the error names the field, and nothing is written
    with pytest.raises(ProductPayloadError, match=message):
        catalog_products_upsert.delay(shop.pk, [payload])
    assert Product.objects.count() == 0


@pytest.fixture
def eager_failures_captured() -> Iterator[None]:
    """Eager runs keep failures in the result instead of raising, as a worker would: this is what
    lets an eager retry go round again."""
    conf = catalog_products_upsert.app.conf
    propagates = conf.task_eager_propagates
    conf.task_eager_propagates = False
    yield
    conf.task_eager_propagates = propagates


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_failures_captured")
def test_transient_database_error_is_retried(shop, monkeypatch):
    # given a database that drops the connection twice, then recovers
    attempts: list[str] = []

    def flaky_upsert(**kwargs: Any) -> int:
        attempts.append(kwargs["shop"].domain)
        if len(attempts) < 3:
            raise OperationalError("server closed the connection unexpectedly")
        return 7

    monkeypatch.setattr(tasks, "products_upsert", flaky_upsert)
    # when the task runs
    result = catalog_products_upsert.delay(shop.pk, [mug_payload()])
    # then it retried and returned the third attempt's result
    assert result.get() == 7
    assert attempts == ["alpha.myshopify.com"] * 3


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_failures_captured")
def test_bad_payload_is_not_retried(shop, monkeypatch):
    # given a service spy
    calls: list[int] = []
    monkeypatch.setattr(tasks, "products_upsert", lambda **kw: calls.append(1) or 0)
    # when the payload is malformed
    result = catalog_products_upsert.delay(shop.pk, [{"title": "no id"}])
    # then the task failed once, for good, without reaching the service
    assert result.state == "FAILURE"
    assert isinstance(result.result, ProductPayloadError)
    assert str(result.result) == "products[0].platform_id: required"
    assert calls == []
