"""Read API over the mirror. Scoping is the base classes' job (shopapp.shops.scoping)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response

from shopapp.catalog import serializers
from shopapp.catalog.models import Collection, Customer, Order, Product
from shopapp.shops.scoping import AdminAPIView, StorefrontAPIView


class StorefrontProductList(mixins.ListModelMixin, StorefrontAPIView):
    serializer_class = serializers.ProductOut

    def base_queryset(self) -> QuerySet[Product]:
        return Product.objects.filter(deleted_at__isnull=True, is_published=True).order_by("pk")

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.list(request, *args, **kwargs)


class StorefrontProductDetail(mixins.RetrieveModelMixin, StorefrontAPIView):
    serializer_class = serializers.ProductDetailOut

    def base_queryset(self) -> QuerySet[Product]:
        return Product.objects.filter(deleted_at__isnull=True, is_published=True).prefetch_related(
            "variants"
        )

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.retrieve(request, *args, **kwargs)


class StorefrontCollectionList(mixins.ListModelMixin, StorefrontAPIView):
    serializer_class = serializers.CollectionOut

    def base_queryset(self) -> QuerySet[Collection]:
        return (
            Collection.objects.filter(deleted_at__isnull=True, is_published=True)
            .annotate(product_count=Count("memberships"))
            .order_by("position", "title")
        )

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.list(request, *args, **kwargs)


class StorefrontCollectionDetail(mixins.RetrieveModelMixin, StorefrontAPIView):
    serializer_class = serializers.CollectionOut

    def base_queryset(self) -> QuerySet[Collection]:
        return Collection.objects.filter(deleted_at__isnull=True, is_published=True).annotate(
            product_count=Count("memberships")
        )

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.retrieve(request, *args, **kwargs)


class AdminCustomerList(mixins.ListModelMixin, AdminAPIView):
    serializer_class = serializers.CustomerOut

    def base_queryset(self) -> QuerySet[Customer]:
        return Customer.objects.filter(deleted_at__isnull=True).order_by("pk")

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.list(request, *args, **kwargs)


class AdminCustomerDetail(mixins.RetrieveModelMixin, AdminAPIView):
    serializer_class = serializers.CustomerOut

    def base_queryset(self) -> QuerySet[Customer]:
        return Customer.objects.filter(deleted_at__isnull=True)

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.retrieve(request, *args, **kwargs)


class AdminOrderList(mixins.ListModelMixin, AdminAPIView):
    serializer_class = serializers.OrderOut

    def base_queryset(self) -> QuerySet[Order]:
        return Order.objects.filter(deleted_at__isnull=True).order_by("-platform_created_at", "pk")

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.list(request, *args, **kwargs)


class AdminOrderDetail(mixins.RetrieveModelMixin, AdminAPIView):
    serializer_class = serializers.OrderDetailOut

    def base_queryset(self) -> QuerySet[Order]:
        return Order.objects.filter(deleted_at__isnull=True).prefetch_related("lines")

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.retrieve(request, *args, **kwargs)
