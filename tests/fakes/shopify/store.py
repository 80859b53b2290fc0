"""The fake shop's data: what Shopify would hold, and the webhooks each change produces.

Every change moves the fake clock forward one second, so `updated_at` grows with each write as it
does on Shopify (second precision), and yields the REST-shaped webhook payload Shopify would send.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

COUNTRIES = ("GB", "FR", "DE", "US", "NL", "ES", "IE")
WORDS = [
    "lantern",
    "heart",
    "mug",
    "candle",
    "tin",
    "glass",
    "star",
    "cushion",
    "vintage",
    "paper",
    "garden",
    "tea",
    "cup",
    "bird",
    "wooden",
    "rose",
    "jar",
    "clock",
    "bag",
    "doormat",
    "frame",
    "bottle",
    "union",
    "jack",
    "retro",
    "spot",
    "pink",
    "blue",
]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def gid(kind: str, number: int) -> str:
    return f"gid://shopify/{kind}/{number}"


@dataclass
class FakeVariant:
    id: int
    title: str
    sku: str
    price: str
    compare_at_price: str | None
    inventory_quantity: int
    inventory_policy: str
    position: int
    inventory_item_id: int

    @property
    def available_for_sale(self) -> bool:
        return self.inventory_policy == "continue" or self.inventory_quantity > 0


@dataclass
class FakeProduct:
    id: int
    title: str
    handle: str
    vendor: str
    product_type: str
    tags: list[str]
    body_html: str
    status: str
    created_at: datetime
    updated_at: datetime
    image: dict[str, str] | None
    variants: list[FakeVariant]
    deleted: bool = False


@dataclass
class FakeCollection:
    id: int
    title: str
    handle: str
    body_html: str
    updated_at: datetime
    product_ids: list[int]
    deleted: bool = False


@dataclass
class FakeCustomer:
    id: int
    email: str
    first_name: str
    last_name: str
    tags: list[str]
    marketing_state: str
    country: str
    created_at: datetime
    updated_at: datetime
    deleted: bool = False


@dataclass
class FakeLine:
    id: int
    product_id: int | None
    variant_id: int | None
    title: str
    sku: str
    quantity: int
    price: str


@dataclass
class FakeOrder:
    id: int
    name: str
    customer_id: int | None
    currency: str
    financial_status: str
    subtotal: str
    total: str
    refunded: str
    country: str
    cancelled_at: datetime | None
    created_at: datetime
    updated_at: datetime
    lines: list[FakeLine]
    deleted: bool = False


@dataclass
class FakeShopData:
    domain: str
    name: str = "Fake Gifts"
    currency: str = "GBP"
    timezone: str = "Europe/London"
    products: dict[int, FakeProduct] = field(default_factory=dict)
    collections: dict[int, FakeCollection] = field(default_factory=dict)
    customers: dict[int, FakeCustomer] = field(default_factory=dict)
    orders: dict[int, FakeOrder] = field(default_factory=dict)
    clock: datetime = field(default_factory=lambda: datetime(2026, 1, 1, tzinfo=UTC))
    _next_id: int = 1_000_000

    def tick(self) -> datetime:
        self.clock += timedelta(seconds=1)
        return self.clock

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    # The store generator

    def generate(
        self,
        *,
        products: int,
        orders: int,
        customers: int | None = None,
        collections: int | None = None,
        seed: int = 7,
    ) -> None:
        rng = random.Random(seed)
        customers = customers if customers is not None else max(orders // 5, 1)
        collections = collections if collections is not None else max(products // 200, 2)
        for _ in range(products):
            self._product(rng)
        product_ids = list(self.products)
        for c in range(collections):
            members = rng.sample(product_ids, min(len(product_ids), rng.randint(3, 40)))
            self._collection(rng, f"Collection {c}", members)
        for _ in range(customers):
            self._customer(rng)
        customer_ids = list(self.customers)
        for _ in range(orders):
            self._order(rng, rng.choice(customer_ids) if rng.random() < 0.85 else None)

    def _product(self, rng: random.Random) -> FakeProduct:
        now = self.tick()
        number = self.new_id()
        title = " ".join(rng.choice(WORDS) for _ in range(3)).title()
        variants = [
            FakeVariant(
                id=self.new_id(),
                title=["Default", "Small", "Large"][i],
                sku=f"SKU{number}-{i}",
                price=f"{rng.randint(100, 5000) / 100:.2f}",
                compare_at_price=None
                if rng.random() < 0.8
                else f"{rng.randint(5000, 9000) / 100:.2f}",
                inventory_quantity=rng.randint(0, 40),
                inventory_policy="deny",
                position=i + 1,
                inventory_item_id=self.new_id(),
            )
            for i in range(rng.randint(1, 3))
        ]
        product = FakeProduct(
            id=number,
            title=title,
            handle=f"{title.lower().replace(' ', '-')}-{number}",
            vendor=rng.choice(["Acme", "Regency", "Homeware Co", ""]),
            product_type=rng.choice(["Mug", "Candle", "Decor", "Bag"]),
            tags=sorted(rng.sample(WORDS, 2)),
            body_html=f"<p>{title}</p>",
            status="active" if rng.random() < 0.95 else "draft",
            created_at=now,
            updated_at=now,
            image={"src": f"https://cdn.example/{number}.jpg", "alt": title}
            if rng.random() < 0.9
            else None,
            variants=variants,
        )
        self.products[number] = product
        return product

    def _collection(self, rng: random.Random, title: str, members: list[int]) -> FakeCollection:
        number = self.new_id()
        collection = FakeCollection(
            id=number,
            title=title,
            handle=f"{title.lower().replace(' ', '-')}-{number}",
            body_html="",
            updated_at=self.tick(),
            product_ids=list(members),
        )
        self.collections[number] = collection
        return collection

    def _customer(self, rng: random.Random) -> FakeCustomer:
        now = self.tick()
        number = self.new_id()
        first, last = rng.choice(["Ada", "Alan", "Grace", "Edsger", "Barbara"]), f"Tester{number}"
        customer = FakeCustomer(
            id=number,
            email=f"{first.lower()}.{number}@example.com",
            first_name=first,
            last_name=last,
            tags=["vip"] if rng.random() < 0.1 else [],
            marketing_state="subscribed" if rng.random() < 0.4 else "not_subscribed",
            country=rng.choice(COUNTRIES),
            created_at=now,
            updated_at=now,
        )
        self.customers[number] = customer
        return customer

    def _order(self, rng: random.Random, customer_id: int | None) -> FakeOrder:
        now = self.tick()
        number = self.new_id()
        live = [p for p in self.products.values() if not p.deleted]
        lines = []
        for _ in range(rng.randint(1, 3)):
            product = rng.choice(live)
            variant = rng.choice(product.variants)
            lines.append(
                FakeLine(
                    id=self.new_id(),
                    product_id=product.id,
                    variant_id=variant.id,
                    title=product.title,
                    sku=variant.sku,
                    quantity=rng.randint(1, 4),
                    price=variant.price,
                )
            )
        subtotal = sum(Decimal(ln.price) * ln.quantity for ln in lines)
        order = FakeOrder(
            id=number,
            name=f"#{1000 + len(self.orders)}",
            customer_id=customer_id,
            currency=self.currency,
            financial_status="paid",
            subtotal=f"{subtotal:.2f}",
            total=f"{subtotal + Decimal('4.99'):.2f}",
            refunded="0.00",
            country=rng.choice(COUNTRIES),
            cancelled_at=None,
            created_at=now,
            updated_at=now,
            lines=lines,
        )
        self.orders[number] = order
        return order

    # Changes, each with the webhook Shopify would send: (topic, REST payload)

    def change_random(self, rng: random.Random) -> list[tuple[str, dict[str, Any]]]:
        """One merchant or shopper action, picked at random, and its webhooks."""
        live_products = [p for p in self.products.values() if not p.deleted]
        live_customers = [c for c in self.customers.values() if not c.deleted]
        live_orders = [o for o in self.orders.values() if not o.deleted]
        live_collections = [c for c in self.collections.values() if not c.deleted]
        roll = rng.random()
        if roll < 0.08:
            product = self._product(rng)
            return [("products/create", self.product_rest(product))]
        if roll < 0.22:
            product = rng.choice(live_products)
            product.title = product.title + " II"
            product.variants[0].price = f"{Decimal(product.variants[0].price) + 1:.2f}"
            product.updated_at = self.tick()
            return [("products/update", self.product_rest(product))]
        if roll < 0.30:
            product = rng.choice(live_products)
            variant = rng.choice(product.variants)
            variant.inventory_quantity = rng.randint(0, 5)
            product.updated_at = self.tick()  # Shopify bumps the product with its inventory
            return [
                (
                    "inventory_levels/update",
                    {
                        "inventory_item_id": variant.inventory_item_id,
                        "location_id": 24826418,
                        "available": variant.inventory_quantity,
                        "updated_at": iso(product.updated_at),
                    },
                )
            ]
        if roll < 0.33:
            product = rng.choice(live_products)
            product.deleted = True
            self.tick()
            for collection in self.collections.values():
                if product.id in collection.product_ids:
                    collection.product_ids.remove(product.id)
            return [("products/delete", {"id": product.id})]
        if roll < 0.40:
            collection = rng.choice(live_collections)
            collection.product_ids.append(rng.choice(live_products).id)
            collection.product_ids = list(dict.fromkeys(collection.product_ids))
            collection.title += " *"
            collection.updated_at = self.tick()
            return [("collections/update", self.collection_rest(collection))]
        if roll < 0.42:
            collection = self._collection(
                rng, f"New {len(self.collections)}", [p.id for p in rng.sample(live_products, 3)]
            )
            return [("collections/create", self.collection_rest(collection))]
        if roll < 0.50:
            customer = self._customer(rng)
            return [("customers/create", self.customer_rest(customer))]
        if roll < 0.58:
            customer = rng.choice(live_customers)
            customer.last_name += "-Smith"
            customer.marketing_state = "subscribed"
            customer.updated_at = self.tick()
            return [("customers/update", self.customer_rest(customer))]
        if roll < 0.78:
            customer = rng.choice(live_customers) if rng.random() < 0.8 else None
            order = self._order(rng, customer.id if customer else None)
            return [
                ("orders/create", self.order_rest(order)),
                ("orders/paid", self.order_rest(order)),
            ]
        if roll < 0.88:
            order = rng.choice(live_orders)
            order.refunded = order.lines[0].price
            order.financial_status = "partially_refunded"
            order.updated_at = self.tick()
            return [("orders/updated", self.order_rest(order))]
        if roll < 0.94:
            order = rng.choice(live_orders)
            order.cancelled_at = self.tick()
            order.financial_status = "voided"
            order.updated_at = order.cancelled_at
            return [("orders/cancelled", self.order_rest(order))]
        order = rng.choice(live_orders)
        order.deleted = True
        self.tick()
        return [("orders/delete", {"id": order.id})]

    def product_alive(self, product_id: int | None) -> bool:
        product = self.products.get(product_id) if product_id else None
        return product is not None and not product.deleted

    # REST payloads (what webhooks carry)

    def product_rest(self, p: FakeProduct) -> dict[str, Any]:
        return {
            "id": p.id,
            "title": p.title,
            "handle": p.handle,
            "vendor": p.vendor,
            "product_type": p.product_type,
            "tags": ", ".join(p.tags),
            "body_html": p.body_html,
            "status": p.status,
            "created_at": iso(p.created_at),
            "updated_at": iso(p.updated_at),
            "admin_graphql_api_id": gid("Product", p.id),
            "image": {"src": p.image["src"], "alt": p.image["alt"]} if p.image else None,
            "images": [p.image] if p.image else [],
            "variants": [
                {
                    "id": v.id,
                    "product_id": p.id,
                    "title": v.title,
                    "sku": v.sku,
                    "price": v.price,
                    "compare_at_price": v.compare_at_price,
                    "inventory_quantity": v.inventory_quantity,
                    "inventory_management": "shopify",
                    "inventory_policy": v.inventory_policy,
                    "inventory_item_id": v.inventory_item_id,
                    "position": v.position,
                }
                for v in p.variants
            ],
        }

    def collection_rest(self, c: FakeCollection) -> dict[str, Any]:
        return {
            "id": c.id,
            "handle": c.handle,
            "title": c.title,
            "body_html": c.body_html,
            "updated_at": iso(c.updated_at),
            "sort_order": "manual",
            "published_scope": "web",
            "admin_graphql_api_id": gid("Collection", c.id),
        }

    def customer_rest(self, c: FakeCustomer) -> dict[str, Any]:
        return {
            "id": c.id,
            "email": c.email,
            "first_name": c.first_name,
            "last_name": c.last_name,
            "tags": ", ".join(c.tags),
            "created_at": iso(c.created_at),
            "updated_at": iso(c.updated_at),
            "email_marketing_consent": {
                "state": c.marketing_state,
                "opt_in_level": "single_opt_in",
            },
            "default_address": {"country_code": c.country},
            "admin_graphql_api_id": gid("Customer", c.id),
        }

    def order_rest(self, o: FakeOrder) -> dict[str, Any]:
        customer = self.customers.get(o.customer_id) if o.customer_id else None
        return {
            "id": o.id,
            "name": o.name,
            "email": customer.email if customer else "",
            "created_at": iso(o.created_at),
            "updated_at": iso(o.updated_at),
            "cancelled_at": iso(o.cancelled_at) if o.cancelled_at else None,
            "currency": o.currency,
            "financial_status": o.financial_status,
            "subtotal_price": o.subtotal,
            "total_price": o.total,
            "customer": {
                "id": customer.id,
                "email": customer.email,
                "first_name": customer.first_name,
                "last_name": customer.last_name,
                "updated_at": iso(customer.updated_at),
            }
            if customer
            else None,
            "shipping_address": {"country_code": o.country},
            "refunds": [
                {"transactions": [{"kind": "refund", "status": "success", "amount": o.refunded}]}
            ]
            if Decimal(o.refunded)
            else [],
            "line_items": [
                {
                    "id": ln.id,
                    # A deleted product leaves its order lines without one.
                    "product_id": ln.product_id if self.product_alive(ln.product_id) else None,
                    "variant_id": ln.variant_id if self.product_alive(ln.product_id) else None,
                    "title": ln.title,
                    "sku": ln.sku,
                    "quantity": ln.quantity,
                    "price": ln.price,
                }
                for ln in o.lines
            ],
            "admin_graphql_api_id": gid("Order", o.id),
        }
