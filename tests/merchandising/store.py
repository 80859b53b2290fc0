"""A small furniture store for merchandising tests (used by tests/adminui too)."""

from __future__ import annotations

from typing import Any

from shopapp.shops.models import Shop
from tests.factories import (
    CollectionFactory,
    CustomerFactory,
    MembershipFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
)


def sofa_store(shop: Shop) -> dict[str, Any]:
    """Six sofas s0..s5 (s0 sells most) in a "Sofas" collection, two lamps in "Lamps"."""
    products: dict[str, Any] = {}
    customer = CustomerFactory(shop=shop)
    for title, prefix, count in (("Sofas", "s", 6), ("Lamps", "l", 2)):
        collection = CollectionFactory(
            shop=shop, platform_id=f"col-{prefix}", handle=title.lower(), title=title
        )
        for i in range(count):
            product = ProductFactory(
                shop=shop,
                platform_id=f"{prefix}{i}",
                handle=f"{title.lower()}-{i}",
                title=f"{title} {i}",
                product_type=title,
            )
            MembershipFactory(shop=shop, collection=collection, product=product, position=i)
            products[product.platform_id] = product
    for units, pid in enumerate(("s5", "s4", "s3", "s2", "s1", "s0"), start=1):
        order = OrderFactory(shop=shop, customer=customer)
        OrderLineFactory(shop=shop, order=order, product=products[pid], quantity=units * 10)
    return products
