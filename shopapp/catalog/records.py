"""The neutral shapes integrations map platform payloads into before calling catalog services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class VariantRecord:
    platform_id: str
    title: str = ""
    sku: str = ""
    price: Decimal | None = None
    compare_at_price: Decimal | None = None
    in_stock: bool = True
    inventory_quantity: int | None = None
    position: int = 0


@dataclass(frozen=True, slots=True)
class ProductRecord:
    platform_id: str
    title: str
    handle: str
    updated_at: datetime | None
    created_at: datetime | None = None
    vendor: str = ""
    product_type: str = ""
    tags: tuple[str, ...] = ()
    description: str = ""
    currency: str = ""
    images: tuple[dict[str, str], ...] = ()
    is_published: bool = True
    variants: tuple[VariantRecord, ...] = ()

    @property
    def price_range(self) -> tuple[Decimal | None, Decimal | None]:
        prices = [v.price for v in self.variants if v.price is not None]
        return (min(prices), max(prices)) if prices else (None, None)

    @property
    def in_stock(self) -> bool:
        return any(v.in_stock for v in self.variants) if self.variants else True


@dataclass(frozen=True, slots=True)
class CollectionRecord:
    platform_id: str
    title: str
    handle: str
    updated_at: datetime | None
    kind: str = "manual"
    description: str = ""
    rules: tuple[dict[str, object], ...] = ()
    position: int = 0
    is_published: bool = True
    # Product platform ids in the collection's order.
    product_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    platform_id: str
    updated_at: datetime | None
    created_at: datetime | None = None
    email: str = ""
    name: str = ""
    accepts_marketing: bool = False
    tags: tuple[str, ...] = ()
    country: str = ""


@dataclass(frozen=True, slots=True)
class OrderLineRecord:
    platform_id: str
    quantity: int
    unit_price: Decimal
    product_id: str | None = None
    variant_id: str | None = None
    title: str = ""
    sku: str = ""


@dataclass(frozen=True, slots=True)
class OrderRecord:
    platform_id: str
    currency: str
    updated_at: datetime | None
    created_at: datetime | None
    name: str = ""
    customer_id: str | None = None
    kind: str = "sale"
    total: Decimal = Decimal(0)
    subtotal: Decimal = Decimal(0)
    refunded_total: Decimal = Decimal(0)
    financial_status: str = "paid"
    cancelled_at: datetime | None = None
    country: str = ""
    lines: tuple[OrderLineRecord, ...] = field(default=())
