"""Reads on the store mirror; every one takes the shop and filters by it."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from shopapp.catalog.models import (
    Collection,
    CollectionMembership,
    Customer,
    Menu,
    MenuItem,
    Order,
    Product,
)
from shopapp.shops.crypto import lookup_hash
from shopapp.shops.models import Shop


def product_list(*, shop: Shop, sellable_only: bool = False) -> QuerySet[Product]:
    products = Product.objects.filter(shop=shop, deleted_at__isnull=True)
    if sellable_only:
        products = products.filter(is_published=True, in_stock=True)
    return products


def product_get(*, shop: Shop, product_id: int) -> Product | None:
    return product_list(shop=shop).filter(pk=product_id).first()


def product_get_by_handle(*, shop: Shop, handle: str) -> Product | None:
    return product_list(shop=shop).filter(handle=handle).first()


def product_search(*, shop: Shop, query: str, limit: int = 48) -> QuerySet[Product]:
    """Plain substring search over title, type and tags (the platform's own search stands in)."""
    words = [w for w in query.split() if w][:8]
    products = product_list(shop=shop, sellable_only=True)
    for word in words:
        products = products.filter(
            Q(title__icontains=word) | Q(product_type__icontains=word) | Q(vendor__icontains=word)
        )
    return products.order_by("title")[:limit]


def collection_list(*, shop: Shop) -> QuerySet[Collection]:
    return (
        Collection.objects.filter(shop=shop, deleted_at__isnull=True, is_published=True)
        .annotate(product_count=Count("memberships"))
        .order_by("position", "title")
    )


def collection_get_by_handle(*, shop: Shop, handle: str) -> Collection | None:
    return collection_list(shop=shop).filter(handle=handle).first()


def collection_products(*, shop: Shop, collection: Collection) -> QuerySet[Product]:
    return (
        product_list(shop=shop, sellable_only=True)
        .filter(memberships__collection=collection)
        .order_by("memberships__position")
    )


def product_collections(*, shop: Shop, product: Product) -> QuerySet[Collection]:
    return collection_list(shop=shop).filter(memberships__product=product)


def customer_list(*, shop: Shop) -> QuerySet[Customer]:
    return Customer.objects.filter(shop=shop, deleted_at__isnull=True)


def customer_get_by_email(*, shop: Shop, email: str) -> Customer | None:
    return customer_list(shop=shop).filter(email_hash=lookup_hash(email)).first()


def order_list(*, shop: Shop) -> QuerySet[Order]:
    return Order.objects.filter(shop=shop, deleted_at__isnull=True)


def bestseller_list(*, shop: Shop, limit: int = 12) -> QuerySet[Product]:
    """Products by net units sold (returns subtract): the non-personalized fallback everywhere."""
    return (
        product_list(shop=shop, sellable_only=True)
        .annotate(units_sold=Sum("order_lines__quantity", filter=Q(order_lines__shop=shop)))
        .filter(units_sold__gt=0)
        .order_by("-units_sold", "pk")[:limit]
    )


def menu_get(*, shop: Shop, handle: str) -> Menu | None:
    items = MenuItem.objects.filter(shop=shop).order_by("position")
    return (
        Menu.objects.filter(shop=shop, handle=handle, deleted_at__isnull=True)
        .prefetch_related(Prefetch("items", queryset=items))
        .first()
    )


def shop_counts(*, shop: Shop) -> dict[str, int]:
    return {
        "products": product_list(shop=shop).count(),
        "collections": collection_list(shop=shop).count(),
        "customers": customer_list(shop=shop).count(),
        "orders": order_list(shop=shop).filter(kind="sale").count(),
        "returns": order_list(shop=shop).filter(kind="return").count(),
        "memberships": CollectionMembership.objects.filter(shop=shop).count(),
    }
