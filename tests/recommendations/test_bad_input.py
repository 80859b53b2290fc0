"""Bad input to the decision API with trained models: a clear 4xx naming the field, or a
graceful fallback; never a 500, never another shop's products."""

from __future__ import annotations

import pytest

from personalization.recommendations import selectors
from personalization.recommendations.services import models_train
from tests.factories import ProductFactory

URL = "/api/v1/decide"


@pytest.fixture
def trained(shop, store):
    models_train(shop=shop)
    selectors.forget()
    return store


def get(client, shop, **params):
    return client.get(URL, {"key": shop.storefront_key, **params})


@pytest.mark.django_db
def test_an_unknown_visitor_gets_the_anonymous_page(client, shop, trained):
    response = get(client, shop, page="home", visitor="never-seen-1")
    assert response.status_code == 200
    data = response.json()
    assert data["visitor"]["lifecycle"] == "new_visitor"
    assert all(block["items"] for block in data["slots"].values())


@pytest.mark.django_db
def test_another_shops_ids_are_ignored(client, shop, other_shop, trained):
    ProductFactory(shop=other_shop, platform_id="foreign-1")
    response = get(
        client,
        shop,
        page="product",
        product="foreign-1",
        recent="foreign-1",
        cart="foreign-1",
        slots="product-related,buy-again,post-purchase",
    )
    assert response.status_code == 200
    blocks = response.json()["slots"]
    ids = {item["id"] for block in blocks.values() for item in block["items"]}
    assert ids
    assert "foreign-1" not in ids
    assert ids <= set(trained)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "home", "recent": ",".join(f"p{i}" for i in range(10_000))}, "recent"),
        ({"page": "cart", "cart": ",".join(f"p{i}" for i in range(10_000))}, "cart"),
        ({"page": "home", "limit": "abc"}, "limit"),
        ({"page": "home", "limit": "0"}, "limit"),
        ({"page": "home", "slots": "Home Hero"}, "slots"),
        ({"page": "home", "visitor": "<script>"}, "visitor"),
        ({"page": "home", "visitor": "v" * 65}, "visitor"),
        ({"page": "search", "results": "a,,b;c"}, "results"),
        ({"page": "order", "persona": "customer:regular"}, "persona"),
        ({"page": ""}, "page"),
    ],
)
def test_malformed_queries_get_a_4xx_naming_the_field(client, shop, trained, params, field):
    response = get(client, shop, **params)
    assert 400 <= response.status_code < 500
    assert response.json()["field"] == field


@pytest.mark.django_db
def test_an_unknown_slot_or_product_falls_back(client, shop, trained):
    data = get(client, shop, page="product", product="no-such-product", slots="no-such-slot")
    assert data.status_code == 200
    assert data.json()["slots"] == {}
    related = get(client, shop, page="product", product="no-such-product").json()["slots"]
    assert len(related["product-related"]["items"]) == 4
