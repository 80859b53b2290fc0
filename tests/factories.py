from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import factory

from shopapp.catalog.models import (
    Collection,
    CollectionMembership,
    Customer,
    Order,
    OrderLine,
    Product,
    Variant,
)
from shopapp.shops.models import InstallState, Platform, Shop


class ShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shop

    platform = Platform.SHOPIFY
    domain = factory.Sequence(lambda n: f"shop-{n}.myshopify.com")
    name = factory.Sequence(lambda n: f"Shop {n}")
    currency = "GBP"
    install_state = InstallState.INSTALLED


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    shop = factory.SubFactory(ShopFactory)
    platform_id = factory.Sequence(lambda n: str(1000 + n))
    title = factory.Sequence(lambda n: f"Product {n}")
    handle = factory.Sequence(lambda n: f"product-{n}")
    price_min = Decimal("2.50")
    price_max = Decimal("2.50")
    currency = "GBP"
    platform_updated_at = datetime(2024, 1, 1, tzinfo=UTC)


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    shop = factory.SelfAttribute("product.shop")
    platform_id = factory.Sequence(lambda n: str(5000 + n))
    price = Decimal("2.50")


class CollectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collection

    shop = factory.SubFactory(ShopFactory)
    platform_id = factory.Sequence(lambda n: str(300 + n))
    title = factory.Sequence(lambda n: f"Collection {n}")
    handle = factory.Sequence(lambda n: f"collection-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CollectionMembership

    collection = factory.SubFactory(CollectionFactory)
    shop = factory.SelfAttribute("collection.shop")
    product = factory.SubFactory(ProductFactory, shop=factory.SelfAttribute("..shop"))


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    shop = factory.SubFactory(ShopFactory)
    platform_id = factory.Sequence(lambda n: str(17000 + n))
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    country = "United Kingdom"


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    shop = factory.SubFactory(ShopFactory)
    platform_id = factory.Sequence(lambda n: str(536000 + n))
    currency = "GBP"
    total = Decimal("10.00")
    platform_created_at = datetime(2011, 11, 1, tzinfo=UTC)


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    shop = factory.SelfAttribute("order.shop")
    platform_id = factory.Sequence(str)
    product = factory.SubFactory(ProductFactory, shop=factory.SelfAttribute("..shop"))
    quantity = 2
    unit_price = Decimal("2.50")
