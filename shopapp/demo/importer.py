"""Load a parsed UCI retail file into one shop's mirror, all or nothing.

The parse (shopapp/demo/uci.py) validates the whole file first; this module then writes every row in
one transaction, so a failure leaves the shop as it was. Products, customers and orders go through
the ORM in batches; the half-million order lines go through COPY on PostgreSQL and executemany on
SQLite, which is what makes the full file load in seconds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from shopapp.catalog.bulk import bulk_append
from shopapp.catalog.models import (
    Collection,
    CollectionKind,
    CollectionMembership,
    Customer,
    Menu,
    MenuItem,
    Order,
    OrderKind,
    OrderLine,
    Product,
    Variant,
)
from shopapp.demo.categories import DEFAULT_RULES, CategoryRule, categorize
from shopapp.demo.models import ImportRun, ImportStatus
from shopapp.demo.uci import RETURN, ParsedRetail, best_title
from shopapp.shops.crypto import lookup_hash
from shopapp.shops.models import Shop

# A product unsold for this long before the file's last day is shown as out of stock.
OUT_OF_STOCK_AFTER = timedelta(days=90)
BATCH = 2000
StepReporter = Callable[[str, int, int], None]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def shop_catalog_clear(*, shop: Shop) -> None:
    """Remove a shop's mirrored rows (before re-importing a different file)."""
    for model in (
        OrderLine,
        Order,
        CollectionMembership,
        MenuItem,
        Menu,
        Collection,
        Variant,
        Product,
        Customer,
    ):
        model.objects.filter(shop=shop).delete()


@transaction.atomic
def retail_import(
    *,
    shop: Shop,
    parsed: ParsedRetail,
    source_name: str,
    source_sha256: str,
    rules: tuple[CategoryRule, ...] = DEFAULT_RULES,
    on_step: StepReporter | None = None,
    collection_url: Callable[[str], str] = lambda handle: f"/demo/collections/{handle}/",
    image_url: Callable[[str], str] = lambda handle: f"/demo/placeholder/{handle}.svg",
) -> ImportRun:
    started_at = timezone.now()
    step = on_step or (lambda name, done, total: None)
    shop_catalog_clear(shop=shop)

    product_pks, variant_pks, titles, categories_by_code = _write_products(
        shop, parsed, rules, image_url, step
    )
    collection_count = _write_collections(
        shop, parsed, rules, categories_by_code, product_pks, collection_url, step
    )
    customer_pks = _write_customers(shop, parsed, step)
    order_pks = _write_orders(shop, parsed, customer_pks, step)
    _write_lines(shop, parsed, order_pks, product_pks, variant_pks, titles, step)

    report: dict[str, Any] = parsed.reconciliation.as_report()
    report["counts"] = {
        "products": len(product_pks),
        "collections": collection_count,
        "customers": len(customer_pks),
        "orders": sum(1 for inv in parsed.invoices.values() if inv.kind != RETURN),
        "returns": sum(1 for inv in parsed.invoices.values() if inv.kind == RETURN),
        "order_lines": len(parsed.line_numbers),
    }
    return ImportRun.objects.create(
        shop=shop,
        source_name=source_name,
        source_sha256=source_sha256,
        status=ImportStatus.SUCCEEDED,
        started_at=started_at,
        finished_at=timezone.now(),
        report=report,
    )


def _unique_handle(title: str, code: str, taken: set[str]) -> str:
    handle = slugify(title)[:200] or slugify(code)
    if handle in taken:
        handle = f"{handle}-{slugify(code)}"
    taken.add(handle)
    return handle


def _write_products(
    shop: Shop,
    parsed: ParsedRetail,
    rules: tuple[CategoryRule, ...],
    image_url: Callable[[str], str],
    step: StepReporter,
) -> tuple[dict[str, int], dict[str, int], dict[str, str], dict[str, list[str]]]:
    latest = parsed.latest_date
    taken: set[str] = set()
    titles: dict[str, str] = {}
    categories_by_code: dict[str, list[str]] = {}
    products: list[Product] = []
    for code in sorted(parsed.products):
        aggregate = parsed.products[code]
        title = titles[code] = best_title(aggregate)
        categories = categories_by_code[code] = categorize(title, rules)
        handle = _unique_handle(title, code, taken)
        in_stock = bool(
            latest and aggregate.last_seen and latest - aggregate.last_seen < OUT_OF_STOCK_AFTER
        )
        products.append(
            Product(
                shop=shop,
                platform_id=code,
                title=title,
                handle=handle,
                # The data set names no brands; an invented one would mislead brand affinity.
                vendor="",
                product_type=categories[0],
                tags=categories,
                currency=shop.currency,
                description=f"{title}, from our {categories[0].lower()} range.",
                price_min=aggregate.price,
                price_max=aggregate.price,
                images=[{"url": image_url(handle), "alt": title}],
                is_published=True,
                in_stock=in_stock,
                platform_created_at=aggregate.first_seen,
                platform_updated_at=aggregate.last_seen,
            )
        )
    Product.objects.bulk_create(products, batch_size=BATCH)
    product_pks = {p.platform_id: p.pk for p in products}
    step("products", len(products), len(products))
    variants = [
        Variant(
            shop=shop,
            product_id=p.pk,
            platform_id=p.platform_id,
            sku=p.platform_id,
            title="Default",
            price=p.price_min,
            in_stock=p.in_stock,
            platform_updated_at=p.platform_updated_at,
        )
        for p in products
    ]
    Variant.objects.bulk_create(variants, batch_size=BATCH)
    variant_pks = {v.platform_id: v.pk for v in variants}
    return product_pks, variant_pks, titles, categories_by_code


def _write_collections(
    shop: Shop,
    parsed: ParsedRetail,
    rules: tuple[CategoryRule, ...],
    categories_by_code: dict[str, list[str]],
    product_pks: dict[str, int],
    collection_url: Callable[[str], str],
    step: StepReporter,
) -> int:
    members: dict[str, list[str]] = {}
    for code, categories in categories_by_code.items():
        for title in categories:
            members.setdefault(title, []).append(code)
    rule_by_title = {rule.title: rule for rule in rules}
    ordered_titles = [r.title for r in rules if r.title in members]
    ordered_titles += sorted(t for t in members if t not in rule_by_title)
    collections = [
        Collection(
            shop=shop,
            platform_id=f"category:{slugify(title)}",
            title=title,
            handle=slugify(title),
            kind=CollectionKind.CATEGORY,
            position=position,
            rules=[rule_by_title[title].as_json()] if title in rule_by_title else [],
            sort_order="best-selling",
            description=_collection_description(title, rule_by_title.get(title)),
            platform_updated_at=parsed.latest_date,
        )
        for position, title in enumerate(ordered_titles)
    ]
    Collection.objects.bulk_create(collections)
    memberships = []
    for collection in collections:
        codes = sorted(members[collection.title], key=lambda c: (-parsed.products[c].units_sold, c))
        memberships += [
            CollectionMembership(
                shop=shop,
                collection_id=collection.pk,
                product_id=product_pks[code],
                position=position,
            )
            for position, code in enumerate(codes)
        ]
    CollectionMembership.objects.bulk_create(memberships, batch_size=BATCH)

    menu = Menu.objects.create(
        shop=shop,
        platform_id="main-menu",
        handle="main-menu",
        title="Main menu",
        platform_updated_at=parsed.latest_date,
    )
    MenuItem.objects.bulk_create(
        MenuItem(
            shop=shop,
            menu=menu,
            title=c.title,
            url=collection_url(c.handle),
            collection_id=c.pk,
            position=position,
        )
        for position, c in enumerate(collections)
    )
    step("collections", len(collections), len(collections))
    return len(collections)


def _collection_description(title: str, rule: CategoryRule | None) -> str:
    if rule is None:
        return f"Everything in {title}: products no keyword rule placed elsewhere."
    sample = ", ".join(rule.keywords[:6])
    return f"{title}: products whose titles mention {sample} and similar."


def _write_customers(shop: Shop, parsed: ParsedRetail, step: StepReporter) -> dict[str, int]:
    customers = []
    for platform_id in sorted(parsed.customers, key=int):
        aggregate = parsed.customers[platform_id]
        # The data set has no contact details: the address is synthetic, on a reserved domain.
        email = f"customer{platform_id}@example.com"
        customers.append(
            Customer(
                shop=shop,
                platform_id=platform_id,
                email=email,
                email_hash=lookup_hash(email),
                country=aggregate.country,
                accepts_marketing=False,
                platform_created_at=aggregate.first_seen,
                platform_updated_at=aggregate.last_seen,
            )
        )
    Customer.objects.bulk_create(customers, batch_size=BATCH)
    step("customers", len(customers), len(customers))
    return {c.platform_id: c.pk for c in customers}


ORDER_COLUMNS = (
    "shop_id",
    "platform_id",
    "name",
    "customer_id",
    "kind",
    "currency",
    "subtotal",
    "total",
    "refunded_total",
    "financial_status",
    "cancelled_at",
    "country",
    "platform_created_at",
    "platform_updated_at",
    "created_at",
    "updated_at",
)


def _write_orders(
    shop: Shop, parsed: ParsedRetail, customer_pks: dict[str, int], step: StepReporter
) -> list[int]:
    """Orders in invoice-index order; returns their primary keys by that index."""
    now = timezone.now()

    def rows() -> Iterator[tuple[Any, ...]]:
        for number in parsed.invoice_numbers:
            invoice = parsed.invoices[number]
            is_return = invoice.kind == RETURN
            yield (
                shop.pk,
                number,
                f"#{number}",
                customer_pks.get(invoice.customer_id) if invoice.customer_id else None,
                OrderKind.RETURN.value if is_return else OrderKind.SALE.value,
                shop.currency,
                invoice.total,
                invoice.total,
                -invoice.total if is_return else Decimal(0),
                "refunded" if is_return else "paid",
                invoice.created_at if is_return else None,
                invoice.country,
                invoice.created_at,
                invoice.created_at,
                now,
                now,
            )

    count = bulk_append(Order, ORDER_COLUMNS, rows())
    pk_by_number = dict(Order.objects.filter(shop=shop).values_list("platform_id", "pk"))
    step("orders", count, count)
    return [pk_by_number[number] for number in parsed.invoice_numbers]


LINE_COLUMNS = (
    "shop_id",
    "order_id",
    "platform_id",
    "product_id",
    "variant_id",
    "title",
    "sku",
    "quantity",
    "unit_price",
)


def _line_rows(
    shop: Shop,
    parsed: ParsedRetail,
    order_pks: list[int],
    product_pks: dict[str, int],
    variant_pks: dict[str, int],
    titles: dict[str, str],
) -> Iterator[tuple[Any, ...]]:
    codes = parsed.product_codes
    product_by_index = [product_pks[c] for c in codes]
    variant_by_index = [variant_pks[c] for c in codes]
    title_by_index = [titles[c] for c in codes]
    # Formatted once per distinct price; exact on both databases.
    price_text = [format(p, "f") for p in parsed.prices]
    shop_id = shop.pk
    for line_no, inv, prod, qty, price in zip(
        parsed.line_numbers,
        parsed.line_invoice,
        parsed.line_product,
        parsed.line_quantity,
        parsed.line_price,
        strict=True,
    ):
        yield (
            shop_id,
            order_pks[inv],
            str(line_no),
            product_by_index[prod],
            variant_by_index[prod],
            title_by_index[prod],
            codes[prod],
            qty,
            price_text[price],
        )


def _write_lines(
    shop: Shop,
    parsed: ParsedRetail,
    order_pks: list[int],
    product_pks: dict[str, int],
    variant_pks: dict[str, int],
    titles: dict[str, str],
    step: StepReporter,
) -> None:
    total = len(parsed.line_numbers)
    rows = _line_rows(shop, parsed, order_pks, product_pks, variant_pks, titles)
    bulk_append(
        OrderLine, LINE_COLUMNS, rows, on_progress=lambda done: step("order lines", done, total)
    )
    step("order lines", total, total)
