"""The fake store's data: what a WooCommerce site would hold, in the REST API's JSON shapes (the
examples of woocommerce-rest-api-docs, wp-api-v3), and the webhook hooks each change fires.

Rules kept from WooCommerce:

- products, variations and orders share one id sequence (WordPress posts); customers are users;
  reviews are comments; categories are terms. Ids are never reused.
- dates come twice: `date_modified` in the site's time zone (UTC-3 here, so a client that forgets
  `dates_are_gmt=true` is three hours off) and `date_modified_gmt`, both without an offset.
- trashing is a status (`trash`) and fires `*.deleted` with `{"id": N}`; restoring fires
  `*.restored`; deleting for good (`force=true`) fires nothing; deleting a user fires
  `customer.deleted`.
- a variation's change fires `product.updated` *with the variation's id* (the payload is the
  variation as `GET products/<id>` shows it: `type: variation`, `parent_id`), and does not touch
  the parent's `date_modified`.
- every change moves the clock one second, so `date_modified_gmt` grows with each write.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

SITE_OFFSET = timedelta(hours=-3)
HOME = "https://store.example"
COUNTRIES = ("GB", "FR", "DE", "US", "NL", "ES", "IE", "BR")
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
    "retro",
    "spot",
    "pink",
    "blue",
    "linen",
    "apron",
]
CATEGORY_NAMES = (
    "Kitchen",
    "Garden",
    "Home decor",
    "Lighting",
    "Stationery",
    "Toys",
    "Gifts",
    "Textiles",
)


def gmt(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def local(moment: datetime) -> str:
    return (moment.astimezone(UTC) + SITE_OFFSET).strftime("%Y-%m-%dT%H:%M:%S")


def money(value: Decimal) -> str:
    return f"{value:.2f}"


@dataclass
class FakeCategory:
    id: int
    name: str
    slug: str
    parent: int = 0
    menu_order: int = 0


@dataclass
class FakeVariation:
    id: int
    parent_id: int
    sku: str
    regular_price: Decimal
    sale_price: Decimal | None
    stock_quantity: int | None
    attributes: list[tuple[str, str]]
    menu_order: int
    created: datetime
    modified: datetime
    status: str = "publish"

    @property
    def price(self) -> Decimal:
        return self.sale_price if self.sale_price is not None else self.regular_price

    @property
    def stock_status(self) -> str:
        if self.stock_quantity is None:
            return "instock"
        return "instock" if self.stock_quantity > 0 else "outofstock"


@dataclass
class FakeProduct:
    id: int
    name: str
    slug: str
    type: str
    status: str
    description: str
    sku: str
    regular_price: Decimal
    sale_price: Decimal | None
    stock_quantity: int | None
    categories: list[int]
    tags: list[str]
    image_ids: list[int]
    created: datetime
    modified: datetime
    variation_ids: list[int] = field(default_factory=list)
    brand: str = ""

    @property
    def price(self) -> Decimal:
        return self.sale_price if self.sale_price is not None else self.regular_price

    @property
    def stock_status(self) -> str:
        if self.stock_quantity is None:
            return "instock"
        return "instock" if self.stock_quantity > 0 else "outofstock"


@dataclass
class FakeCustomer:
    id: int
    email: str
    first_name: str
    last_name: str
    username: str
    country: str
    created: datetime
    modified: datetime
    role: str = "customer"


@dataclass
class FakeLine:
    id: int
    product_id: int
    variation_id: int
    name: str
    sku: str
    quantity: int
    subtotal: Decimal
    total: Decimal


@dataclass
class FakeOrder:
    id: int
    status: str
    currency: str
    customer_id: int
    email: str
    first_name: str
    last_name: str
    country: str
    lines: list[FakeLine]
    created: datetime
    modified: datetime
    shipping_total: Decimal = Decimal("4.95")
    refunds: list[tuple[int, Decimal]] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((ln.total for ln in self.lines), Decimal(0)) + self.shipping_total


@dataclass
class FakeReview:
    id: int
    product_id: int
    reviewer: str
    reviewer_email: str
    review: str
    rating: int
    verified: bool
    created: datetime
    status: str = "approved"


class FakeStoreData:
    def __init__(self, home: str = HOME, currency: str = "GBP") -> None:
        self.home = home
        self.currency = currency
        self.clock = datetime(2024, 5, 1, 10, 0, 0, tzinfo=UTC)
        self._post_id = 100
        self._user_id = 1
        self._term_id = 14
        self._comment_id = 0
        self._item_id = 0
        self.categories: dict[int, FakeCategory] = {}
        self.products: dict[int, FakeProduct] = {}
        self.variations: dict[int, FakeVariation] = {}
        self.customers: dict[int, FakeCustomer] = {}
        self.orders: dict[int, FakeOrder] = {}
        self.reviews: dict[int, FakeReview] = {}
        # Hooks fired since the last flush: (topic, resource id), as WC_Webhook::process sees them.
        self.fired: list[tuple[str, int]] = []

    # Clock and ids

    def tick(self, seconds: int = 1) -> datetime:
        self.clock += timedelta(seconds=seconds)
        return self.clock

    def _next_post_id(self) -> int:
        self._post_id += 1
        return self._post_id

    def _next_item_id(self) -> int:
        self._item_id += 1
        return self._item_id

    # Generating a store

    def generate(
        self,
        *,
        products: int,
        orders: int,
        customers: int | None = None,
        reviews: int | None = None,
        seed: int = 1,
        variable_share: float = 0.3,
    ) -> None:
        rng = random.Random(seed)
        for index, name in enumerate(CATEGORY_NAMES):
            self.add_category(name, parent=0, menu_order=index, fire=False)
        parents = list(self.categories)
        for parent in parents[:3]:
            self.add_category(
                f"{self.categories[parent].name} sale", parent=parent, menu_order=9, fire=False
            )
        for _ in range(products):
            self.add_product(rng, variable=rng.random() < variable_share, fire=False)
        for _ in range(customers if customers is not None else max(orders // 4, 1)):
            self.add_customer(rng, fire=False)
        for _ in range(orders):
            self.add_order(rng, fire=False)
        for _ in range(reviews if reviews is not None else products // 2):
            self.add_review(rng)
        self.fired.clear()

    def _title(self, rng: random.Random) -> str:
        return " ".join(w.capitalize() for w in rng.sample(WORDS, 3))

    def add_category(
        self, name: str, *, parent: int = 0, menu_order: int = 0, fire: bool = True
    ) -> FakeCategory:
        self._term_id += 1
        category = FakeCategory(
            id=self._term_id,
            name=name,
            slug=name.lower().replace(" ", "-"),
            parent=parent,
            menu_order=menu_order,
        )
        self.categories[category.id] = category
        return category

    def add_product(
        self, rng: random.Random, *, variable: bool = False, fire: bool = True
    ) -> FakeProduct:
        moment = self.tick()
        pid = self._next_post_id()
        title = self._title(rng)
        price = Decimal(rng.randrange(150, 9000)) / 100
        product = FakeProduct(
            id=pid,
            name=title,
            slug=f"{title.lower().replace(' ', '-')}-{pid}",
            type="variable" if variable else "simple",
            status=rng.choices(["publish", "draft", "private"], [0.9, 0.07, 0.03])[0],
            description=f"<p>{title}, made with care.</p>\n",
            sku=f"SKU-{pid}",
            regular_price=price,
            sale_price=(price * Decimal("0.8")).quantize(Decimal("0.01"))
            if rng.random() < 0.15
            else None,
            stock_quantity=rng.choice([None, None, rng.randrange(0, 40)]),
            categories=rng.sample(list(self.categories), rng.choice([1, 1, 2])),
            tags=rng.sample(WORDS, rng.randrange(0, 3)),
            image_ids=[pid * 10 + i for i in range(rng.randrange(1, 3))],
            created=moment,
            modified=moment,
            brand=rng.choice(["", "", "Acme", "Northwind"]),
        )
        self.products[pid] = product
        if variable:
            for position, (color, size) in enumerate(
                rng.sample(
                    [(c, s) for c in ("Red", "Blue", "Green") for s in ("S", "M", "L")],
                    rng.randrange(2, 5),
                )
            ):
                vid = self._next_post_id()
                self.variations[vid] = FakeVariation(
                    id=vid,
                    parent_id=pid,
                    sku=f"SKU-{pid}-{color[0]}{size}",
                    regular_price=price + Decimal(position),
                    sale_price=None,
                    stock_quantity=rng.choice([None, rng.randrange(0, 20)]),
                    attributes=[("Color", color), ("Size", size)],
                    menu_order=position,
                    created=moment,
                    modified=moment,
                )
                product.variation_ids.append(vid)
        if fire:
            self.fired.append(("product.created", pid))
        return product

    def add_customer(self, rng: random.Random, *, fire: bool = True) -> FakeCustomer:
        moment = self.tick()
        self._user_id += 1
        first, last = rng.choice(WORDS).capitalize(), rng.choice(WORDS).capitalize() + "son"
        customer = FakeCustomer(
            id=self._user_id,
            email=f"{first.lower()}.{last.lower()}.{self._user_id}@example.com",
            first_name=first,
            last_name=last,
            username=f"{first.lower()}{self._user_id}",
            country=rng.choice(COUNTRIES),
            created=moment,
            modified=moment,
        )
        self.customers[customer.id] = customer
        if fire:
            self.fired.append(("customer.created", customer.id))
        return customer

    def _live_products(self) -> list[FakeProduct]:
        return [p for p in self.products.values() if p.status == "publish"]

    def _lines(self, rng: random.Random) -> list[FakeLine]:
        live = self._live_products()
        lines = []
        for product in rng.sample(live, min(len(live), rng.randrange(1, 5))):
            variation = (
                self.variations[rng.choice(product.variation_ids)]
                if product.variation_ids
                else None
            )
            unit = variation.price if variation else product.price
            quantity = rng.randrange(1, 4)
            subtotal = unit * quantity
            discount = (subtotal * Decimal("0.1")).quantize(Decimal("0.01"))
            lines.append(
                FakeLine(
                    id=self._next_item_id(),
                    product_id=product.id,
                    variation_id=variation.id if variation else 0,
                    name=product.name,
                    sku=variation.sku if variation else product.sku,
                    quantity=quantity,
                    subtotal=subtotal,
                    total=subtotal - discount if rng.random() < 0.1 else subtotal,
                )
            )
        return lines

    def add_order(self, rng: random.Random, *, fire: bool = True) -> FakeOrder:
        moment = self.tick()
        oid = self._next_post_id()
        customer = (
            self.customers[rng.choice(list(self.customers))]
            if self.customers and rng.random() < 0.7
            else None
        )
        first = customer.first_name if customer else rng.choice(WORDS).capitalize()
        last = customer.last_name if customer else "Guest"
        order = FakeOrder(
            id=oid,
            status=rng.choices(
                ["completed", "processing", "on-hold", "cancelled", "refunded", "pending"],
                [0.6, 0.2, 0.05, 0.05, 0.05, 0.05],
            )[0],
            currency=self.currency,
            customer_id=customer.id if customer else 0,
            email=customer.email if customer else f"guest{oid}@example.net",
            first_name=first,
            last_name=last,
            country=customer.country if customer else rng.choice(COUNTRIES),
            lines=self._lines(rng),
            created=moment,
            modified=moment,
        )
        if order.status == "refunded":
            order.refunds.append((self._next_post_id(), -order.total))
        elif order.status == "completed" and rng.random() < 0.05:
            order.refunds.append((self._next_post_id(), -order.lines[0].total))
        self.orders[oid] = order
        if fire:
            self.fired.append(("order.created", oid))
        return order

    def add_review(self, rng: random.Random) -> FakeReview:
        moment = self.tick()
        self._comment_id += 1
        product = rng.choice(list(self.products.values()))
        customer = rng.choice(list(self.customers.values())) if self.customers else None
        review = FakeReview(
            id=self._comment_id,
            product_id=product.id,
            reviewer=f"{customer.first_name} {customer.last_name}" if customer else "Anon",
            reviewer_email=customer.email if customer else f"anon{self._comment_id}@example.org",
            review=f"<p>Lovely {rng.choice(WORDS)}.</p>\n",
            rating=rng.randrange(1, 6),
            verified=rng.random() < 0.5,
            created=moment,
            status=rng.choices(["approved", "hold"], [0.9, 0.1])[0],
        )
        self.reviews[review.id] = review
        return review

    # Changes (each fires the hooks WooCommerce would)

    def update_product(self, rng: random.Random, pid: int) -> None:
        product = self.products[pid]
        product.modified = self.tick()
        product.regular_price = Decimal(rng.randrange(150, 9000)) / 100
        product.name = self._title(rng)
        if rng.random() < 0.3:
            product.stock_quantity = rng.randrange(0, 10)
        if rng.random() < 0.2:
            product.categories = rng.sample(list(self.categories), rng.choice([1, 2]))
        self.fired.append(("product.updated", pid))

    def update_variation(self, rng: random.Random, vid: int) -> None:
        variation = self.variations[vid]
        variation.modified = self.tick()
        variation.regular_price = Decimal(rng.randrange(150, 9000)) / 100
        variation.stock_quantity = rng.randrange(0, 10)
        self.fired.append(("product.updated", vid))

    def trash_product(self, pid: int) -> None:
        self.products[pid].status = "trash"
        self.products[pid].modified = self.tick()
        self.fired.append(("product.deleted", pid))

    def restore_product(self, pid: int) -> None:
        self.products[pid].status = "publish"
        self.products[pid].modified = self.tick()
        self.fired.append(("product.restored", pid))

    def delete_product_for_good(self, pid: int) -> None:
        product = self.products.pop(pid)
        for vid in product.variation_ids:
            self.variations.pop(vid, None)
        self.tick()

    def update_customer(self, rng: random.Random, cid: int) -> None:
        customer = self.customers[cid]
        customer.modified = self.tick()
        customer.last_name = rng.choice(WORDS).capitalize() + "ton"
        customer.country = rng.choice(COUNTRIES)
        self.fired.append(("customer.updated", cid))

    def delete_customer(self, cid: int) -> None:
        # WordPress keeps the user's orders, still naming the deleted user's id.
        self.customers.pop(cid)
        self.tick()
        self.fired.append(("customer.deleted", cid))

    def update_order(self, rng: random.Random, oid: int) -> None:
        order = self.orders[oid]
        order.modified = self.tick()
        if rng.random() < 0.3 and order.status != "refunded":
            order.refunds.append((self._next_post_id(), -order.lines[0].total))
        else:
            order.status = rng.choice(["completed", "processing", "cancelled", "on-hold"])
        self.fired.append(("order.updated", oid))

    def trash_order(self, oid: int) -> None:
        self.orders[oid].status = "trash"
        self.orders[oid].modified = self.tick()
        self.fired.append(("order.deleted", oid))

    def restore_order(self, oid: int, status: str = "completed") -> None:
        self.orders[oid].status = status
        self.orders[oid].modified = self.tick()
        self.fired.append(("order.restored", oid))

    def delete_order_for_good(self, oid: int) -> None:
        self.orders.pop(oid)
        self.tick()

    def change_random(self, rng: random.Random) -> None:
        """One merchant or shopper action, with the hooks it fires."""
        roll = rng.random()
        products = [p for p in self.products.values() if p.status != "trash"]
        trashed = [p for p in self.products.values() if p.status == "trash"]
        if roll < 0.22:
            self.update_product(rng, rng.choice(products).id)
        elif roll < 0.32 and self.variations:
            self.update_variation(rng, rng.choice(list(self.variations)))
        elif roll < 0.38:
            self.add_product(rng, variable=rng.random() < 0.3)
        elif roll < 0.43:
            self.trash_product(rng.choice(products).id)
        elif roll < 0.46 and trashed:
            self.restore_product(rng.choice(trashed).id)
        elif roll < 0.53:
            self.add_customer(rng)
        elif roll < 0.60 and self.customers:
            self.update_customer(rng, rng.choice(list(self.customers)))
        elif roll < 0.62 and self.customers:
            self.delete_customer(rng.choice(list(self.customers)))
        elif roll < 0.80:
            self.add_order(rng)
        elif roll < 0.93:
            live = [o for o in self.orders.values() if o.status != "trash"]
            self.update_order(rng, rng.choice(live).id)
        elif roll < 0.97:
            live = [o for o in self.orders.values() if o.status != "trash"]
            self.trash_order(rng.choice(live).id)
        else:
            trashed_orders = [o for o in self.orders.values() if o.status == "trash"]
            if trashed_orders:
                self.restore_order(rng.choice(trashed_orders).id)
            else:
                self.add_order(rng)

    # REST shapes

    def _link(self, path: str) -> dict[str, Any]:
        return {
            "self": [{"href": f"{self.home}/wp-json/wc/v3/{path}"}],
            "collection": [{"href": f"{self.home}/wp-json/wc/v3/{path.rsplit('/', 1)[0]}"}],
        }

    def _image(self, image_id: int, moment: datetime) -> dict[str, Any]:
        return {
            "id": image_id,
            "date_created": local(moment),
            "date_created_gmt": gmt(moment),
            "date_modified": local(moment),
            "date_modified_gmt": gmt(moment),
            "src": f"{self.home}/wp-content/uploads/2024/05/img-{image_id}.jpg",
            "name": f"img-{image_id}",
            "alt": "",
        }

    def product_json(self, product: FakeProduct) -> dict[str, Any]:
        variations = [self.variations[v] for v in product.variation_ids]
        if variations:
            prices = [v.price for v in variations]
            price, regular, sale = min(prices), min(v.regular_price for v in variations), None
            stock_status = (
                "instock" if any(v.stock_status == "instock" for v in variations) else "outofstock"
            )
        else:
            price, regular, sale = product.price, product.regular_price, product.sale_price
            stock_status = product.stock_status
        return {
            "id": product.id,
            "name": product.name,
            "slug": product.slug,
            "permalink": f"{self.home}/product/{product.slug}/",
            "date_created": local(product.created),
            "date_created_gmt": gmt(product.created),
            "date_modified": local(product.modified),
            "date_modified_gmt": gmt(product.modified),
            "type": product.type,
            "status": product.status,
            "featured": False,
            "catalog_visibility": "visible",
            "description": product.description,
            "short_description": "",
            "sku": product.sku,
            "price": money(price),
            "regular_price": money(regular) if not variations else "",
            "sale_price": money(sale) if sale is not None else "",
            "on_sale": sale is not None,
            "purchasable": True,
            "total_sales": 0,
            "virtual": False,
            "downloadable": False,
            "tax_status": "taxable",
            "manage_stock": product.stock_quantity is not None and not variations,
            "stock_quantity": product.stock_quantity if not variations else None,
            "stock_status": stock_status,
            "backorders": "no",
            "reviews_allowed": True,
            "average_rating": "0.00",
            "rating_count": 0,
            "parent_id": 0,
            "categories": [
                {
                    "id": c,
                    "name": self.categories[c].name,
                    "slug": self.categories[c].slug,
                }
                for c in product.categories
                if c in self.categories
            ],
            "tags": [{"id": 100 + i, "name": t, "slug": t} for i, t in enumerate(product.tags)],
            "brands": [{"id": 7, "name": product.brand, "slug": product.brand.lower()}]
            if product.brand
            else [],
            "images": [self._image(i, product.created) for i in product.image_ids],
            "attributes": [],
            "default_attributes": [],
            "variations": list(product.variation_ids),
            "grouped_products": [],
            "menu_order": 0,
            "meta_data": [],
            # Newer stores answer with fields the 2017 examples lack: parsers must not care.
            "global_unique_id": "",
            "post_password": "",
            "_links": self._link(f"products/{product.id}"),
        }

    def variation_json(
        self, variation: FakeVariation, *, as_product: bool = False
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": variation.id,
            "date_created": local(variation.created),
            "date_created_gmt": gmt(variation.created),
            "date_modified": local(variation.modified),
            "date_modified_gmt": gmt(variation.modified),
            "description": "",
            "permalink": f"{self.home}/?p={variation.parent_id}&variation={variation.id}",
            "sku": variation.sku,
            "price": money(variation.price),
            "regular_price": money(variation.regular_price),
            "sale_price": money(variation.sale_price) if variation.sale_price else "",
            "on_sale": variation.sale_price is not None,
            "status": variation.status,
            "purchasable": True,
            "manage_stock": variation.stock_quantity is not None,
            "stock_quantity": variation.stock_quantity,
            "stock_status": variation.stock_status,
            "image": None,
            "attributes": [
                {"id": 0, "name": name, "option": option} for name, option in variation.attributes
            ],
            "menu_order": variation.menu_order,
            "meta_data": [],
            "_links": self._link(f"products/{variation.parent_id}/variations/{variation.id}"),
        }
        if as_product:
            # What GET products/<variation id> (and so a webhook payload) shows.
            body.update(
                type="variation",
                parent_id=variation.parent_id,
                name=self.products[variation.parent_id].name
                + " - "
                + ", ".join(o for _n, o in variation.attributes),
                categories=[],
                images=[],
                variations=[],
            )
        return body

    def category_json(self, category: FakeCategory) -> dict[str, Any]:
        count = sum(
            1
            for p in self.products.values()
            if category.id in p.categories and p.status == "publish"
        )
        return {
            "id": category.id,
            "name": category.name,
            "slug": category.slug,
            "parent": category.parent,
            "description": "",
            "display": "default",
            "image": None,
            "menu_order": category.menu_order,
            "count": count,
            "_links": self._link(f"products/categories/{category.id}"),
        }

    def customer_json(self, customer: FakeCustomer) -> dict[str, Any]:
        address = {
            "first_name": customer.first_name,
            "last_name": customer.last_name,
            "company": "",
            "address_1": "1 High Street",
            "address_2": "",
            "city": "Town",
            "state": "",
            "postcode": "AB1 2CD",
            "country": customer.country,
        }
        return {
            "id": customer.id,
            "date_created": local(customer.created),
            "date_created_gmt": gmt(customer.created),
            "date_modified": local(customer.modified),
            "date_modified_gmt": gmt(customer.modified),
            "email": customer.email,
            "first_name": customer.first_name,
            "last_name": customer.last_name,
            "role": customer.role,
            "username": customer.username,
            "billing": {**address, "email": customer.email, "phone": "01234 567890"},
            "shipping": {**address, "phone": ""},
            "is_paying_customer": True,
            "avatar_url": "https://secure.gravatar.com/avatar/0?s=96",
            "meta_data": [],
            "_links": self._link(f"customers/{customer.id}"),
        }

    def order_json(self, order: FakeOrder) -> dict[str, Any]:
        address = {
            "first_name": order.first_name,
            "last_name": order.last_name,
            "company": "",
            "address_1": "2 Station Road",
            "address_2": "",
            "city": "City",
            "state": "",
            "postcode": "XY9 8ZW",
            "country": order.country,
        }
        return {
            "id": order.id,
            "parent_id": 0,
            "number": str(order.id),
            "order_key": f"wc_order_{order.id:x}",
            "created_via": "checkout",
            "version": "9.4.0",
            "status": order.status,
            "currency": order.currency,
            "date_created": local(order.created),
            "date_created_gmt": gmt(order.created),
            "date_modified": local(order.modified),
            "date_modified_gmt": gmt(order.modified),
            "discount_total": money(
                sum((ln.subtotal - ln.total for ln in order.lines), Decimal(0))
            ),
            "discount_tax": "0.00",
            "shipping_total": money(order.shipping_total),
            "shipping_tax": "0.00",
            "cart_tax": "0.00",
            "total": money(order.total),
            "total_tax": "0.00",
            "prices_include_tax": False,
            "customer_id": order.customer_id,
            "customer_ip_address": "",
            "customer_user_agent": "",
            "customer_note": "",
            "billing": {**address, "email": order.email, "phone": "(555) 555-5555"},
            "shipping": address,
            "payment_method": "bacs",
            "payment_method_title": "Direct Bank Transfer",
            "transaction_id": "",
            "date_paid": local(order.created)
            if order.status in ("completed", "processing")
            else None,
            "date_paid_gmt": gmt(order.created)
            if order.status in ("completed", "processing")
            else None,
            "date_completed": None,
            "date_completed_gmt": None,
            "cart_hash": "",
            "meta_data": [],
            "line_items": [
                {
                    "id": line.id,
                    "name": line.name,
                    "product_id": line.product_id,
                    "variation_id": line.variation_id,
                    "quantity": line.quantity,
                    "tax_class": "",
                    "subtotal": money(line.subtotal),
                    "subtotal_tax": "0.00",
                    "total": money(line.total),
                    "total_tax": "0.00",
                    "taxes": [],
                    "meta_data": [],
                    "sku": line.sku,
                    # A number, not a string: the line total over the quantity.
                    "price": float(line.total / line.quantity),
                    "image": {"id": "", "src": ""},
                    "parent_name": None,
                }
                for line in order.lines
            ],
            "tax_lines": [],
            "shipping_lines": [
                {
                    "id": order.id * 10,
                    "method_title": "Flat Rate",
                    "method_id": "flat_rate",
                    "total": money(order.shipping_total),
                    "total_tax": "0.00",
                    "taxes": [],
                    "meta_data": [],
                }
            ],
            "fee_lines": [],
            "coupon_lines": [],
            "refunds": [
                {"id": rid, "reason": "", "total": money(amount)} for rid, amount in order.refunds
            ],
            "payment_url": f"{self.home}/checkout/order-pay/{order.id}/",
            "is_editable": False,
            "needs_payment": False,
            "needs_processing": True,
            "_links": self._link(f"orders/{order.id}"),
        }

    def review_json(self, review: FakeReview) -> dict[str, Any]:
        return {
            "id": review.id,
            "date_created": local(review.created),
            "date_created_gmt": gmt(review.created),
            "product_id": review.product_id,
            "product_name": self.products[review.product_id].name
            if review.product_id in self.products
            else "",
            "product_permalink": "",
            "status": review.status,
            "reviewer": review.reviewer,
            "reviewer_email": review.reviewer_email,
            "review": review.review,
            "rating": review.rating,
            "verified": review.verified,
            "reviewer_avatar_urls": {
                "24": "https://secure.gravatar.com/avatar/0?s=24&d=mm&r=g",
                "48": "https://secure.gravatar.com/avatar/0?s=48&d=mm&r=g",
            },
            "_links": self._link(f"products/reviews/{review.id}"),
        }

    def resource_json(self, resource: str, rid: int) -> dict[str, Any] | None:
        """What `GET /wc/v3/{resource}s/{id}` shows now (None for 404): the webhook payload."""
        if resource == "product":
            if rid in self.products:
                return self.product_json(self.products[rid])
            if rid in self.variations:
                return self.variation_json(self.variations[rid], as_product=True)
            return None
        if resource == "order":
            return self.order_json(self.orders[rid]) if rid in self.orders else None
        if resource == "customer":
            return self.customer_json(self.customers[rid]) if rid in self.customers else None
        return None
