"""Tenant isolation: two shops with overlapping platform ids never see each other's rows."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework import generics

from shopapp.catalog import selectors
from shopapp.catalog.models import Product
from shopapp.shops.scoping import ShopScopedMixin, StorefrontAPIView
from tests.factories import (
    CollectionFactory,
    CustomerFactory,
    MembershipFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
)


@pytest.fixture
def two_stores(shop, other_shop):
    """The same platform ids in both shops: only the shop tells the rows apart."""
    rows = {}
    for owner, label in ((shop, "alpha"), (other_shop, "beta")):
        product = ProductFactory(shop=owner, platform_id="42", title=f"{label} mug", handle="mug")
        collection = CollectionFactory(
            shop=owner, platform_id="7", title=f"{label} kitchen", handle="kitchen"
        )
        MembershipFactory(shop=owner, collection=collection, product=product)
        customer = CustomerFactory(
            shop=owner, platform_id="17850", email=f"ada@{label}.example.com"
        )
        order = OrderFactory(shop=owner, platform_id="536365", customer=customer)
        OrderLineFactory(shop=owner, order=order, product=product, quantity=3)
        rows[label] = {
            "product": product,
            "collection": collection,
            "customer": customer,
            "order": order,
        }
    return rows


@pytest.mark.django_db
def test_selectors_return_only_the_shops_own_rows(shop, other_shop, two_stores):
    assert [p.title for p in selectors.product_list(shop=shop)] == ["alpha mug"]
    assert selectors.product_get_by_handle(shop=other_shop, handle="mug").title == "beta mug"
    assert selectors.product_get(shop=shop, product_id=two_stores["beta"]["product"].pk) is None
    assert [c.title for c in selectors.collection_list(shop=shop)] == ["alpha kitchen"]
    kitchen = selectors.collection_get_by_handle(shop=shop, handle="kitchen")
    assert [p.title for p in selectors.collection_products(shop=shop, collection=kitchen)] == [
        "alpha mug"
    ]
    assert [c.email for c in selectors.customer_list(shop=shop)] == ["ada@alpha.example.com"]
    assert selectors.customer_get_by_email(shop=shop, email="ada@beta.example.com") is None
    assert [o.customer.email for o in selectors.order_list(shop=other_shop)] == [
        "ada@beta.example.com"
    ]
    assert [(p.title, p.units_sold) for p in selectors.bestseller_list(shop=shop)] == [
        ("alpha mug", 3)
    ]
    assert [p.title for p in selectors.product_search(shop=other_shop, query="mug")] == ["beta mug"]
    assert selectors.shop_counts(shop=shop) == {
        "products": 1,
        "collections": 1,
        "customers": 1,
        "orders": 1,
        "returns": 0,
        "memberships": 1,
    }


@pytest.mark.django_db
def test_storefront_api_lists_only_the_keys_shop(client, shop, two_stores):
    response = client.get(
        reverse("catalog:storefront-products"), HTTP_X_STOREFRONT_KEY=shop.storefront_key
    )
    assert response.status_code == 200
    assert [p["title"] for p in response.json()["results"]] == ["alpha mug"]
    response = client.get(
        reverse("catalog:storefront-collections"), HTTP_X_STOREFRONT_KEY=shop.storefront_key
    )
    assert [(c["title"], c["product_count"]) for c in response.json()["results"]] == [
        ("alpha kitchen", 1)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("catalog:storefront-product", "product"),
        ("catalog:storefront-collection", "collection"),
    ],
)
def test_storefront_api_gives_404_for_another_shops_id(client, shop, two_stores, name, kind):
    own = two_stores["alpha"][kind]
    foreign = two_stores["beta"][kind]
    headers = {"HTTP_X_STOREFRONT_KEY": shop.storefront_key}
    assert client.get(reverse(name, args=[own.pk]), **headers).status_code == 200
    response = client.get(reverse(name, args=[foreign.pk]), **headers)
    assert response.status_code == 404
    assert response.json() == {
        "error": "not_found",
        "message": "No Product matches the given query."
        if kind == "product"
        else "No Collection matches the given query.",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("list_name", "detail_name", "kind", "field", "expected"),
    [
        (
            "catalog:admin-customers",
            "catalog:admin-customer",
            "customer",
            "email",
            "ada@alpha.example.com",
        ),
        ("catalog:admin-orders", "catalog:admin-order", "order", "platform_id", "536365"),
    ],
)
def test_admin_api_is_scoped_to_the_session_shop(
    admin_client_for, shop, two_stores, list_name, detail_name, kind, field, expected
):
    client = admin_client_for(shop)
    listing = client.get(reverse(list_name)).json()["results"]
    assert [row[field] for row in listing] == [expected]
    assert [row["id"] for row in listing] == [two_stores["alpha"][kind].pk]
    assert client.get(reverse(detail_name, args=[two_stores["alpha"][kind].pk])).status_code == 200
    assert client.get(reverse(detail_name, args=[two_stores["beta"][kind].pk])).status_code == 404


@pytest.mark.django_db
def test_customer_data_is_not_served_to_the_public_storefront_key(client, shop, two_stores):
    response = client.get(
        reverse("catalog:admin-customers"), HTTP_X_STOREFRONT_KEY=shop.storefront_key
    )
    assert response.status_code in (401, 403)
    assert "ada@" not in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_key_is_401_and_no_key_is_refused(client, two_stores):
    response = client.get(reverse("catalog:storefront-products"), HTTP_X_STOREFRONT_KEY="pk_forged")
    assert response.status_code == 401
    assert response.json() == {
        "error": "authentication_failed",
        "message": "Unknown storefront key.",
    }
    response = client.get(reverse("catalog:storefront-products"))
    assert response.status_code in (401, 403)
    assert "mug" not in response.content.decode()


@pytest.mark.django_db
def test_a_shop_id_in_the_query_string_is_ignored(client, shop, other_shop, two_stores):
    response = client.get(
        reverse("catalog:storefront-products") + f"?shop={other_shop.pk}&shop_id={other_shop.pk}",
        HTTP_X_STOREFRONT_KEY=shop.storefront_key,
    )
    assert [p["title"] for p in response.json()["results"]] == ["alpha mug"]


@pytest.mark.parametrize("method", ["get_queryset", "get_object", "get_shop"])
def test_a_view_cannot_override_the_scoping(method):
    with pytest.raises(TypeError, match=f"overrides {method}"):
        type("Leaky", (StorefrontAPIView,), {method: lambda self: Product.objects.all()})


@pytest.mark.django_db
def test_a_view_over_a_model_without_a_shop_is_refused(rf, shop):
    from shopapp.shops.auth import ShopCredential
    from shopapp.shops.models import Shop

    class ShopsEverywhere(StorefrontAPIView):
        queryset = Shop.objects.all()

    view = ShopsEverywhere()
    view.request = rf.get("/")
    view.request.auth = ShopCredential(shop=shop, kind="storefront_key")
    with pytest.raises(TypeError, match="Shop is not ShopOwned"):
        view.get_queryset()


def test_every_api_view_is_shop_scoped():
    """Each DRF view under /api/ derives from the scoping base (no unscoped endpoint slips in)."""
    from django.urls import get_resolver

    def views(patterns, prefix=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from views(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), getattr(pattern.callback, "view_class", None)

    api_views = [
        (route, cls)
        for route, cls in views(get_resolver().url_patterns)
        if route.startswith("api/")
    ]
    assert len(api_views) >= 8
    for route, cls in api_views:
        if cls is not None and issubclass(cls, generics.GenericAPIView):
            assert issubclass(cls, ShopScopedMixin), route
