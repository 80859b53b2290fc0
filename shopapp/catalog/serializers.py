from __future__ import annotations

from rest_framework import serializers

from shopapp.catalog.models import Collection, Customer, Order, OrderLine, Product, Variant


class VariantOut(serializers.ModelSerializer[Variant]):
    class Meta:
        model = Variant
        fields = ["id", "platform_id", "title", "sku", "price", "compare_at_price", "in_stock"]


class ProductOut(serializers.ModelSerializer[Product]):
    class Meta:
        model = Product
        fields = [
            "id",
            "platform_id",
            "title",
            "handle",
            "vendor",
            "product_type",
            "tags",
            "price_min",
            "price_max",
            "currency",
            "images",
            "in_stock",
        ]


class ProductDetailOut(ProductOut):
    variants = VariantOut(many=True, read_only=True)

    class Meta(ProductOut.Meta):
        fields = [*ProductOut.Meta.fields, "description", "variants"]


class CollectionOut(serializers.ModelSerializer[Collection]):
    product_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Collection
        fields = ["id", "platform_id", "title", "handle", "kind", "description", "product_count"]


class CustomerOut(serializers.ModelSerializer[Customer]):
    class Meta:
        model = Customer
        fields = [
            "id",
            "platform_id",
            "email",
            "name",
            "accepts_marketing",
            "tags",
            "country",
            "platform_created_at",
        ]


class OrderLineOut(serializers.ModelSerializer[OrderLine]):
    class Meta:
        model = OrderLine
        fields = ["platform_id", "product", "variant", "title", "sku", "quantity", "unit_price"]


class OrderOut(serializers.ModelSerializer[Order]):
    customer: serializers.PrimaryKeyRelatedField[Order] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )

    class Meta:
        model = Order
        fields = [
            "id",
            "platform_id",
            "name",
            "customer",
            "kind",
            "currency",
            "total",
            "financial_status",
            "cancelled_at",
            "platform_created_at",
        ]


class OrderDetailOut(OrderOut):
    lines = OrderLineOut(many=True, read_only=True)

    class Meta(OrderOut.Meta):
        fields = [*OrderOut.Meta.fields, "lines"]
