"""The platform-neutral mirror of a store.

Every table is keyed on (shop, platform_id). `platform_updated_at` is the platform's own update time:
an upsert carrying an older one never overwrites a newer row. Deletes are soft (`deleted_at`), and a
deleted row stays deleted whatever arrives late.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from shopapp.languages.text import lazy_text as _lazy
from shopapp.shops.fields import EncryptedTextField
from shopapp.shops.models import Shop, ShopOwned


def money_field(**options: object) -> models.DecimalField:
    """Amounts keep three decimals: some source prices (UCI) have them, and totals must reconcile."""
    return models.DecimalField(max_digits=14, decimal_places=3, **options)  # type: ignore[arg-type]


class Mirrored(ShopOwned):
    # The (shop, platform_id) unique constraint leads with shop and serves every shop-scoped scan,
    # so a separate index on shop alone would only slow writes.
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+", db_index=False)
    platform_id = models.CharField(max_length=64)
    platform_created_at = models.DateTimeField(null=True, blank=True)
    platform_updated_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


def _unique_platform_id(name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(fields=["shop", "platform_id"], name=name)


class Product(Mirrored):
    title = models.CharField(max_length=512)
    handle = models.CharField(max_length=255)
    vendor = models.CharField(max_length=255, blank=True)
    product_type = models.CharField(max_length=255, blank=True)
    tags = models.JSONField(default=list, blank=True)
    description = models.TextField(blank=True)
    price_min = money_field(null=True, blank=True)
    price_max = money_field(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    images = models.JSONField(default=list, blank=True, help_text='[{"url": ..., "alt": ...}]')
    is_published = models.BooleanField(default=True)
    in_stock = models.BooleanField(default=True)

    class Meta:
        constraints = [_unique_platform_id("product_unique_platform_id")]
        indexes = [
            models.Index(fields=["shop", "handle"], name="product_shop_handle"),
            models.Index(
                fields=["shop", "is_published", "in_stock"],
                name="product_shop_sellable",
                condition=Q(deleted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Variant(Mirrored):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    title = models.CharField(max_length=255, blank=True)
    sku = models.CharField(max_length=128, blank=True)
    price = money_field(null=True, blank=True)
    compare_at_price = money_field(null=True, blank=True)
    in_stock = models.BooleanField(default=True)
    inventory_quantity = models.IntegerField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [_unique_platform_id("variant_unique_platform_id")]


class CollectionKind(models.TextChoices):
    MANUAL = "manual", _lazy("Manual collection")
    SMART = "smart", _lazy("Smart (rule-based) collection")
    CATEGORY = "category", _lazy("Category")


class Collection(Mirrored):
    title = models.CharField(max_length=255)
    handle = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    kind = models.CharField(
        max_length=16, choices=CollectionKind.choices, default=CollectionKind.MANUAL
    )
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)
    # Keyword rules that derived this collection (demo tagging); merchants read and correct them.
    rules = models.JSONField(default=list, blank=True)
    sort_order = models.CharField(max_length=32, blank=True)
    position = models.PositiveIntegerField(default=0)
    image_url = models.URLField(max_length=1024, blank=True)
    is_published = models.BooleanField(default=True)
    products = models.ManyToManyField(
        Product, through="CollectionMembership", related_name="collections"
    )

    class Meta:
        constraints = [_unique_platform_id("collection_unique_platform_id")]
        indexes = [models.Index(fields=["shop", "handle"], name="collection_shop_handle")]

    def __str__(self) -> str:
        return self.title


class CollectionMembership(ShopOwned):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="memberships")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="memberships")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "collection", "product"], name="membership_unique_product"
            )
        ]
        indexes = [models.Index(fields=["collection", "position"], name="membership_order")]


class Customer(Mirrored):
    email_hash = models.CharField(max_length=64, blank=True, db_index=True)
    email = EncryptedTextField(blank=True)
    name = EncryptedTextField(blank=True)
    accepts_marketing = models.BooleanField(default=False)
    tags = models.JSONField(default=list, blank=True)
    country = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [_unique_platform_id("customer_unique_platform_id")]


class OrderKind(models.TextChoices):
    SALE = "sale", _lazy("Sale")
    # A stand-alone return/cancellation document (UCI "C" invoices): negative quantities.
    RETURN = "return", _lazy("Return")


class FinancialStatus(models.TextChoices):
    PAID = "paid", _lazy("Paid")
    PENDING = "pending", _lazy("Pending")
    PARTIALLY_REFUNDED = "partially_refunded", _lazy("Partially refunded")
    REFUNDED = "refunded", _lazy("Refunded")
    VOIDED = "voided", _lazy("Voided")


class Order(Mirrored):
    name = models.CharField(max_length=64, blank=True)
    # Indexed through (customer, platform_created_at) below.
    customer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        db_index=False,
    )
    kind = models.CharField(max_length=8, choices=OrderKind.choices, default=OrderKind.SALE)
    currency = models.CharField(max_length=3)
    subtotal = money_field(default=0)
    total = money_field(default=0)
    refunded_total = money_field(default=0)
    financial_status = models.CharField(
        max_length=24, choices=FinancialStatus.choices, default=FinancialStatus.PAID
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    country = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [_unique_platform_id("order_unique_platform_id")]
        indexes = [
            models.Index(fields=["shop", "platform_created_at"], name="order_shop_created"),
            models.Index(fields=["customer", "platform_created_at"], name="order_customer_created"),
        ]

    @property
    def is_guest(self) -> bool:
        return self.customer_id is None


class OrderLine(ShopOwned):
    """The largest table, so each index and foreign-key check is paid half a million times on a
    first load. Kept: the unique constraint (leads with shop), the order and product indexes, and
    the order foreign key. Dropped: indexes nothing queries, and database-level checks on `shop`
    (always the order's shop; services set both), `product` and `variant` (soft-deleted rows that
    Django's on_delete handling keeps consistent)."""

    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    platform_id = models.CharField(max_length=64)
    product = models.ForeignKey(
        Product,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="order_lines",
        db_constraint=False,
    )
    variant = models.ForeignKey(
        Variant,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="order_lines",
        db_index=False,
        db_constraint=False,
    )
    title = models.CharField(max_length=512, blank=True)
    sku = models.CharField(max_length=128, blank=True)
    quantity = models.IntegerField()
    unit_price = money_field()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "order", "platform_id"], name="orderline_unique"
            )
        ]


class Menu(Mirrored):
    handle = models.CharField(max_length=255)
    title = models.CharField(max_length=255)

    class Meta:
        constraints = [_unique_platform_id("menu_unique_platform_id")]


class MenuItem(ShopOwned):
    menu = models.ForeignKey(Menu, on_delete=models.CASCADE, related_name="items")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE)
    title = models.CharField(max_length=255)
    url = models.CharField(max_length=1024)
    collection = models.ForeignKey(Collection, null=True, blank=True, on_delete=models.SET_NULL)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["menu", "position"]
        indexes = [models.Index(fields=["menu", "position"], name="menuitem_order")]
