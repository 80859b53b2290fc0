"""Parse and validate a UCI Online Retail CSV into compact aggregates, with a reconciliation.

Pure Python (no Django) so it can be benchmarked alone. The whole file is validated before anything
is written: a malformed line raises `UciFormatError` naming the line and the column. Known quirks of
the data (cancellations, guests, service codes, zero and negative prices, stock adjustments) are not
errors: each line is either imported (as a sale or a return) or skipped with a reason, and the
reconciliation proves that imported + skipped add up to the file's totals.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo

# The retailer is in the UK: invoice times are London wall-clock times.
SOURCE_TIMEZONE = ZoneInfo("Europe/London")

REQUIRED_COLUMNS = (
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
)
# "Online Retail II" names the same columns differently.
COLUMN_ALIASES = {"Invoice": "InvoiceNo", "Price": "UnitPrice", "Customer ID": "CustomerID"}

# Stock codes that are charges, fees or vouchers rather than products.
SERVICE_CODES = frozenset(
    {
        "POST",
        "DOT",
        "M",
        "C2",
        "D",
        "S",
        "B",
        "BANK CHARGES",
        "AMAZONFEE",
        "CRUK",
        "PADS",
        "ADJUST",
        "ADJUST2",
        "TEST001",
        "TEST002",
    }
)
SERVICE_CODE_PREFIXES = ("GIFT_",)

SALE, RETURN = "sale", "return"


class UciFormatError(ValueError):
    """The file cannot be imported; says where."""

    def __init__(self, message: str, *, line: int, column: str | None = None) -> None:
        where = f"line {line}" + (f", column {column}" if column else "")
        super().__init__(f"{where}: {message}")
        self.line = line
        self.column = column


@dataclass(slots=True)
class Bucket:
    lines: int = 0
    quantity: int = 0
    value: Decimal = Decimal(0)

    def add(self, quantity: int, value: Decimal) -> None:
        self.lines += 1
        self.quantity += quantity
        self.value += value


@dataclass
class Reconciliation:
    """Totals over every input line, split into imported (sale, return) and skipped-by-reason."""

    total: Bucket = field(default_factory=Bucket)
    imported: dict[str, Bucket] = field(default_factory=lambda: {SALE: Bucket(), RETURN: Bucket()})
    skipped: dict[str, Bucket] = field(default_factory=dict)

    def parts(self) -> list[Bucket]:
        return [*self.imported.values(), *self.skipped.values()]

    def check(self) -> None:
        parts = self.parts()
        sums = (
            sum(b.lines for b in parts),
            sum(b.quantity for b in parts),
            sum((b.value for b in parts), Decimal(0)),
        )
        if sums != (self.total.lines, self.total.quantity, self.total.value):
            raise AssertionError(f"reconciliation does not add up: {sums} vs {self.total}")

    def as_report(self) -> dict[str, object]:
        def section(attr: str, fmt: Callable[[object], object]) -> dict[str, object]:
            imported = {k: getattr(b, attr) for k, b in self.imported.items()}
            return {
                "total": fmt(getattr(self.total, attr)),
                "imported": fmt(sum(imported.values(), Decimal(0) if attr == "value" else 0)),
                "imported_by_kind": {k: fmt(v) for k, v in imported.items()},
                "skipped": {k: fmt(getattr(b, attr)) for k, b in sorted(self.skipped.items())},
            }

        def money(value: object) -> str:
            return f"{Decimal(str(value)).quantize(Decimal('0.01')):f}"

        return {
            "lines": section("lines", int),  # type: ignore[arg-type]
            "quantity": section("quantity", int),  # type: ignore[arg-type]
            "value": section("value", money),
        }


@dataclass(slots=True)
class ProductAggregate:
    code: str
    descriptions: Counter[str] = field(default_factory=Counter)
    price: Decimal = Decimal(0)
    price_seen_at: datetime | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    units_sold: int = 0


@dataclass(slots=True)
class CustomerAggregate:
    platform_id: str
    country: str
    first_seen: datetime
    last_seen: datetime


@dataclass(slots=True)
class InvoiceAggregate:
    number: str
    kind: str
    created_at: datetime
    customer_id: str | None
    country: str
    total: Decimal = Decimal(0)


@dataclass
class ParsedRetail:
    products: dict[str, ProductAggregate]
    customers: dict[str, CustomerAggregate]
    invoices: dict[str, InvoiceAggregate]
    # Imported lines, column-wise: compact enough for the full file in a few MiB.
    line_numbers: array[int]
    line_invoice: array[int]
    line_product: array[int]
    line_quantity: array[int]
    line_price: array[int]
    prices: list[Decimal]
    invoice_numbers: list[str]
    product_codes: list[str]
    reconciliation: Reconciliation
    latest_date: datetime | None


def open_source(path: Path) -> tuple[BinaryIO, Callable[[], int], int]:
    """Binary stream of the CSV (gzip or plain), a byte-position probe and the size, for progress."""
    raw = path.open("rb")
    size = path.stat().st_size
    magic = raw.read(2)
    raw.seek(0)
    stream: BinaryIO = gzip.GzipFile(fileobj=raw) if magic == b"\x1f\x8b" else raw  # type: ignore[assignment]
    return stream, raw.tell, size


def _decoded_lines(stream: BinaryIO) -> Iterator[str]:
    number = 0
    try:
        for number, raw_line in enumerate(stream, start=1):
            try:
                text = raw_line.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise UciFormatError("is not UTF-8 text (binary data?)", line=number) from exc
            if "\x00" in text:
                raise UciFormatError("contains a NUL byte (binary data?)", line=number)
            yield text
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise UciFormatError(f"the file is damaged: {exc}", line=number + 1) from exc


_DECIMAL_RE = re.compile(r"-?\d+(\.\d+)?|-?\.\d+")


def parse_retail_csv(
    stream: BinaryIO,
    *,
    on_progress: Callable[[int], None] | None = None,
) -> ParsedRetail:
    lines = _decoded_lines(stream)
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise UciFormatError("the file is empty; expected a header row", line=1) from None
    except csv.Error as exc:
        raise UciFormatError(f"unreadable header: {exc}", line=1) from None
    names = [
        COLUMN_ALIASES.get(h.strip().lstrip("\ufeff"), h.strip().lstrip("\ufeff")) for h in header
    ]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise UciFormatError(f"missing column(s) {', '.join(missing)} in the header", line=1)
    i_inv, i_code, i_desc, i_qty, i_date, i_price, i_cust, i_country = (
        names.index(c) for c in REQUIRED_COLUMNS
    )
    width = len(names)

    rec = Reconciliation()
    total = rec.total
    imported_sale, imported_return = rec.imported[SALE], rec.imported[RETURN]
    skipped = rec.skipped
    products: dict[str, ProductAggregate] = {}
    product_index: dict[str, int] = {}
    product_codes: list[str] = []
    customers: dict[str, CustomerAggregate] = {}
    invoices: dict[str, InvoiceAggregate] = {}
    invoice_index: dict[str, int] = {}
    invoice_numbers: list[str] = []
    price_cache: dict[str, tuple[int, Decimal]] = {}
    prices: list[Decimal] = []
    date_cache: dict[str, datetime] = {}
    customer_cache: dict[str, str | None] = {"": None}
    line_numbers, line_invoice, line_product = array("q"), array("q"), array("q")
    line_quantity, line_price = array("q"), array("q")
    latest: datetime | None = None

    line_no = 1
    row: list[str] = []
    try:
        for row in reader:
            line_no = reader.line_num
            if len(row) != width:
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue  # a blank line
                raise UciFormatError(f"expected {width} columns, found {len(row)}", line=line_no)
            invoice_no = row[i_inv].strip()
            if not invoice_no:
                raise UciFormatError("is empty", line=line_no, column="InvoiceNo")
            code = row[i_code].strip().upper()
            if not code:
                raise UciFormatError("is empty", line=line_no, column="StockCode")
            qty_text = row[i_qty]
            try:
                quantity = int(qty_text)
            except ValueError:
                raise UciFormatError(
                    f"{qty_text!r} is not a whole number", line=line_no, column="Quantity"
                ) from None
            price_text = row[i_price].strip()
            cached_price = price_cache.get(price_text)
            if cached_price is None:
                if not _DECIMAL_RE.fullmatch(price_text):
                    raise UciFormatError(
                        f"{price_text!r} is not a number", line=line_no, column="UnitPrice"
                    )
                try:
                    price_value = Decimal(price_text)
                except InvalidOperation:
                    raise UciFormatError(
                        f"{price_text!r} is not a number", line=line_no, column="UnitPrice"
                    ) from None
                cached_price = price_cache[price_text] = (len(prices), price_value)
                prices.append(price_value)
            price_id, price = cached_price
            date_text = row[i_date]
            created = date_cache.get(date_text)
            if created is None:
                created = date_cache[date_text] = _parse_date(date_text, line_no)
            cust_text = row[i_cust]
            if cust_text in customer_cache:
                customer_id = customer_cache[cust_text]
            else:
                customer_id = customer_cache[cust_text] = _parse_customer(cust_text, line_no)

            value = price * quantity
            total.add(quantity, value)
            is_return = invoice_no[0] in "Cc"
            country = row[i_country].strip() or "Unspecified"

            # Every customer number is a customer, even one whose lines are all skipped.
            if customer_id is not None:
                customer = customers.get(customer_id)
                if customer is None:
                    customers[customer_id] = CustomerAggregate(
                        customer_id, country, created, created
                    )
                elif created >= customer.last_seen:
                    customer.last_seen, customer.country = created, country
                elif created < customer.first_seen:
                    customer.first_seen = created

            reason = None
            if code in SERVICE_CODES or code.startswith(SERVICE_CODE_PREFIXES):
                reason = "not_a_product"
            elif price < 0:
                reason = "negative_price"
            elif price == 0:
                reason = "zero_price"
            elif quantity == 0:
                reason = "zero_quantity"
            elif quantity < 0 and not is_return:
                reason = "stock_adjustment"
            elif quantity > 0 and is_return:
                reason = "positive_return"
            if reason is not None:
                bucket = skipped.get(reason)
                if bucket is None:
                    bucket = skipped[reason] = Bucket()
                bucket.add(quantity, value)
                continue

            (imported_return if is_return else imported_sale).add(quantity, value)
            if latest is None or created > latest:
                latest = created

            inv_idx = invoice_index.get(invoice_no)
            if inv_idx is None:
                inv_idx = invoice_index[invoice_no] = len(invoice_numbers)
                invoice_numbers.append(invoice_no)
                invoice = invoices[invoice_no] = InvoiceAggregate(
                    invoice_no, RETURN if is_return else SALE, created, customer_id, country
                )
            else:
                invoice = invoices[invoice_no]
                if invoice.customer_id is None and customer_id is not None:
                    invoice.customer_id = customer_id
            invoice.total += value

            prod_idx = product_index.get(code)
            if prod_idx is None:
                prod_idx = product_index[code] = len(product_codes)
                product_codes.append(code)
                product = products[code] = ProductAggregate(code, first_seen=created)
            else:
                product = products[code]
            description = row[i_desc].strip()
            if description:
                product.descriptions[description] += 1
            if not is_return:
                product.units_sold += quantity
                if product.price_seen_at is None or created >= product.price_seen_at:
                    product.price, product.price_seen_at = price, created
            elif product.price_seen_at is None:
                product.price = price
            if product.last_seen is None or created > product.last_seen:
                product.last_seen = created

            line_numbers.append(line_no)
            line_invoice.append(inv_idx)
            line_product.append(prod_idx)
            line_quantity.append(quantity)
            line_price.append(price_id)
            if on_progress is not None and not line_no & 0x3FFF:
                on_progress(line_no)
    except csv.Error as exc:
        raise UciFormatError(f"malformed CSV: {exc}", line=reader.line_num or line_no) from None

    if total.lines == 0:
        raise UciFormatError("the file has a header but no data rows", line=2)
    rec.check()
    return ParsedRetail(
        products=products,
        customers=customers,
        invoices=invoices,
        line_numbers=line_numbers,
        line_invoice=line_invoice,
        line_product=line_product,
        line_quantity=line_quantity,
        line_price=line_price,
        prices=prices,
        invoice_numbers=invoice_numbers,
        product_codes=product_codes,
        reconciliation=rec,
        latest_date=latest,
    )


def _parse_date(text: str, line_no: int) -> datetime:
    stripped = text.strip()
    try:
        naive = datetime.fromisoformat(stripped)
    except ValueError:
        try:
            # The original spreadsheet export: 12/1/2010 8:26
            naive = datetime.strptime(stripped, "%m/%d/%Y %H:%M")
        except ValueError:
            raise UciFormatError(
                f"{text!r} is not a valid date and time", line=line_no, column="InvoiceDate"
            ) from None
    if naive.year < 1990 or naive.year > 2100:
        raise UciFormatError(f"{text!r} is out of range", line=line_no, column="InvoiceDate")
    if naive.tzinfo is None:
        return naive.replace(tzinfo=SOURCE_TIMEZONE)
    return naive


def _parse_customer(text: str, line_no: int) -> str | None:
    stripped = text.strip()
    if not stripped:
        return None
    number = stripped[:-2] if stripped.endswith(".0") else stripped
    if not number.isdigit():
        raise UciFormatError(
            f"{text!r} is not a customer number", line=line_no, column="CustomerID"
        )
    return number


SMALL_WORDS = frozenset({"of", "and", "the", "in", "with", "for", "a", "on", "to", "w", "or"})
KEEP_UPPER = frozenset(
    {
        "LED",
        "UK",
        "USA",
        "DVD",
        "CD",
        "PHB",
        "ABC",
        "S/2",
        "S/3",
        "S/4",
        "S/6",
        "N'",
        "M.O.P",
        "T-LIGHT",
        "T-LIGHTS",
        "B'FLY",
    }
)


def clean_title(description: str) -> str:
    """Shop-style title case for the data's SHOUTING descriptions: 'Set of 3 Cake Tins'."""
    words = description.split()
    cleaned = []
    for position, word in enumerate(words):
        lower = word.lower()
        if word in KEEP_UPPER and not word.startswith("T-LIGHT"):
            cleaned.append(word)
        elif position > 0 and lower in SMALL_WORDS:
            cleaned.append(lower)
        else:
            cleaned.append(_capitalize_parts(lower))
    return " ".join(cleaned)


def _capitalize_parts(word: str) -> str:
    # Capitalize after separators too: t-light -> T-Light, pink/white -> Pink/White.
    return re.sub(r"(^|[-/(&+])([a-z])", lambda m: m.group(1) + m.group(2).upper(), word)


def best_title(product: ProductAggregate) -> str:
    if not product.descriptions:
        return f"Item {product.code}"
    # Most frequent description wins; ties go to the alphabetically first for stability.
    description = min(product.descriptions.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    return clean_title(description)


def read_retail_file(
    path: Path, *, on_progress: Callable[[float, int], None] | None = None
) -> ParsedRetail:
    """Parse a UCI file (gzip or plain CSV); `on_progress(fraction_of_bytes, lines)`."""
    stream, position, size = open_source(path)
    with stream:

        def progress(line_no: int) -> None:
            if on_progress is not None:
                on_progress(position() / size if size else 1.0, line_no)

        return parse_retail_csv(stream, on_progress=progress if on_progress else None)


def parse_text(text: str) -> ParsedRetail:
    """Parse CSV text (tests and small inputs)."""
    return parse_retail_csv(io.BytesIO(text.encode("utf-8")))
