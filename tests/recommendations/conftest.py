from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from personalization.decisions import catalog, services
from personalization.recommendations import selectors
from tests.factories import (
    CollectionFactory,
    CustomerFactory,
    MembershipFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
)

START = datetime(2011, 6, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_process_caches():
    catalog.forget()
    services._configs_cache.clear()
    selectors.forget()
    yield
    selectors.forget()


def buy(shop, customer, products, day: float):
    order = OrderFactory(
        shop=shop, customer=customer, platform_created_at=START + timedelta(days=day)
    )
    for product in products:
        OrderLineFactory(shop=shop, order=order, product=product, quantity=1)
    return order


@pytest.fixture
def store(shop):
    """Three categories. Shoppers buy a candle with a kitchen timer (k2), some also the candle's
    near twin c2 (a substitute); one regular buys candle c3 every 30 days."""
    titles = {
        "Candles": [
            "Vanilla candle",
            "Lavender soy candle",
            "Lavender wax candle",
            "Rose candle",
            "Cedar candle",
            "Amber candle",
        ],
        "Kitchen": ["Tea towel", "Mixing bowl", "Kitchen timer", "Bread tin", "Apron", "Whisk"],
        "Garden": ["Garden hose", "Trowel", "Seed tray", "Watering can"],
    }
    products = {}
    for category, names in titles.items():
        collection = CollectionFactory(
            shop=shop, platform_id=f"category:{category.lower()}", title=category
        )
        for i, name in enumerate(names):
            pid = f"{category[0].lower()}{i}"
            product = ProductFactory(
                shop=shop, platform_id=pid, title=name, handle=pid, product_type=category
            )
            MembershipFactory(shop=shop, collection=collection, product=product, position=i)
            products[pid] = product
    # k0 sells most overall (the bestseller every fallback starts from)
    crowd = [CustomerFactory(shop=shop, platform_id=f"crowd-{i}") for i in range(8)]
    for i, customer in enumerate(crowd):
        buy(shop, customer, [products["k0"], products["g0"]], day=i)
        buy(shop, customer, [products["k0"]], day=20 + i)
        basket = [products["c1"], products["k2"]] + ([products["c2"]] if i < 2 else [])
        buy(shop, customer, basket, day=60 + i)
    regular = CustomerFactory(shop=shop, platform_id="regular")
    for month in range(5):
        buy(shop, regular, [products["c3"]], day=30 * month)
    buy(shop, regular, [products["g3"]], day=100)
    return products


def views(shop, visits: list[list], *, prefix: str = "viewer"):
    """One visitor and one visit per list of products, viewed a minute apart."""
    from django.utils import timezone

    from personalization.events.models import Event, Session, Visitor

    now = timezone.now()
    for n, products in enumerate(visits):
        visitor = Visitor.objects.create(
            shop=shop, visitor_key=f"{prefix}-{n}", first_seen_at=now, last_event_at=now
        )
        visit = Session.objects.create(
            shop=shop, visitor=visitor, started_at=now, last_event_at=now
        )
        for step, product in enumerate(products):
            Event.objects.create(
                shop=shop,
                event_id=f"{prefix}-{n}-{step}-0000",
                type="product_view",
                visitor=visitor,
                session=visit,
                product=product,
                occurred_at=now + timedelta(minutes=step),
                received_at=now,
            )
