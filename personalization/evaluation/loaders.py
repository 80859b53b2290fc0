"""Read evaluation data into the engine's `Interactions` (+ a `Catalog` when the data has one).

Three formats:
- `sequential`: one line per user, `user item item ...` in time order (the S3-Rec Amazon files).
  There are no clock times: an event's timestamp is its position in the user's sequence. Item
  attributes are read from `<stem>_item2attributes.json` next to the file when it exists (or
  from `attributes=`), as tags.
- `uci`: the UCI Online Retail CSV (also the "Online Retail II" column names), through the demo
  importer's parser. Sales with a customer number are kept (guest checkouts cannot be followed
  to a next basket; returns and non-product lines are not purchases); each invoice is a basket.
  Titles come from the descriptions and categories from the demo's keyword rules.
- `interactions`: a CSV with a header `timestamp,user_id,item_id[,event][,session_id]`;
  timestamps in epoch seconds or ISO 8601; events weighted by `EVENT_WEIGHTS` (unknown events 1).
  Purchases (`purchase`, `order`, `buy`, `transaction`) sharing a user and a timestamp (or a
  session, when given) form a basket.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

from personalization.engine.recs.interactions import Catalog, Interactions

FORMATS = ("uci", "interactions", "sequential")
EVENT_WEIGHTS = {
    "view": 1.0,
    "click": 1.0,
    "add_to_cart": 3.0,
    "addtocart": 3.0,
    "cart": 3.0,
    "purchase": 5.0,
    "order": 5.0,
    "buy": 5.0,
    "transaction": 5.0,
}
PURCHASE_EVENTS = frozenset({"purchase", "order", "buy", "transaction"})


class DatasetError(ValueError):
    """The file cannot be evaluated; says why."""


@dataclass
class Dataset:
    name: str
    format: str
    interactions: Interactions
    user_ids: list[str]
    item_ids: list[str]
    catalog: Catalog | None = None
    has_clock: bool = True  # timestamps are times (seconds), not just positions
    has_baskets: bool = False
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        return {
            "name": self.name,
            "format": self.format,
            "users": self.interactions.n_users,
            "items": self.interactions.n_items,
            "interactions": len(self.interactions),
            "has_clock": self.has_clock,
            "has_baskets": self.has_baskets,
            "has_catalog": self.catalog is not None,
            "notes": self.notes,
        }


class _Index:
    """Dense indices for external ids, in order of first appearance."""

    def __init__(self) -> None:
        self.lookup: dict[str, int] = {}
        self.ids: list[str] = []

    def __call__(self, key: str) -> int:
        index = self.lookup.get(key)
        if index is None:
            index = self.lookup[key] = len(self.ids)
            self.ids.append(key)
        return index


def _open_text(path: Path) -> Iterator[str]:
    with path.open("rb") as probe:
        is_gzip = probe.read(2) == b"\x1f\x8b"
    opener = gzip.open if is_gzip else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        yield from handle


def load_sequential(path: Path, attributes: Path | None = None) -> Dataset:
    users = _Index()
    items = _Index()
    user_col: list[int] = []
    item_col: list[int] = []
    time_col: list[int] = []
    for number, line in enumerate(_open_text(path), start=1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) < 2:
            raise DatasetError(f"line {number}: expected 'user item item ...'")
        user = users(fields[0])
        for position, item in enumerate(fields[1:]):
            user_col.append(user)
            item_col.append(items(item))
            time_col.append(position)
    if not user_col:
        raise DatasetError(f"{path} holds no interactions")
    interactions = Interactions.from_arrays(
        user_col,
        item_col,
        np.asarray(time_col, np.float64),
        n_users=len(users.ids),
        n_items=len(items.ids),
    )
    dataset = Dataset(
        name=path.stem,
        format="sequential",
        interactions=interactions,
        user_ids=users.ids,
        item_ids=items.ids,
        has_clock=False,
        notes=["no clock times: timestamps are positions in each user's sequence"],
    )
    if attributes is None:
        candidate = path.with_name(f"{path.stem}_item2attributes.json")
        attributes = candidate if candidate.exists() else None
    if attributes is not None:
        raw = json.loads(attributes.read_text())
        tags: list[list[str]] = [[] for _ in items.ids]
        for item, values in raw.items():
            index = items.lookup.get(str(item))
            if index is not None:
                tags[index] = [f"a{value}" for value in values]
        dataset.catalog = Catalog(n_items=len(items.ids), tags=tags)
        dataset.notes.append(f"item attributes from {attributes.name} used as tags")
    return dataset


def load_uci(path: Path) -> Dataset:
    # the demo's parser and category rules are plain Python (no Django)
    from shopapp.demo.categories import categorize
    from shopapp.demo.uci import SALE, UciFormatError, best_title, read_retail_file

    try:
        parsed = read_retail_file(path)
    except UciFormatError as exc:
        raise DatasetError(str(exc)) from exc
    invoices = [parsed.invoices[number] for number in parsed.invoice_numbers]
    line_invoice = np.frombuffer(parsed.line_invoice, dtype=np.int64)
    line_product = np.frombuffer(parsed.line_product, dtype=np.int64)
    line_quantity = np.frombuffer(parsed.line_quantity, dtype=np.int64)
    is_sale = np.array([inv.kind == SALE for inv in invoices], dtype=bool)
    customer_of = [inv.customer_id for inv in invoices]
    invoice_time = np.array([inv.created_at.timestamp() for inv in invoices])
    keep = is_sale[line_invoice] & np.array([c is not None for c in customer_of])[line_invoice]
    customers = _Index()
    invoice_customer = np.array(
        [
            customers(c) if c is not None and sale else -1
            for c, sale in zip(customer_of, is_sale, strict=True)
        ],
        dtype=np.int64,
    )
    interactions = Interactions.from_arrays(
        invoice_customer[line_invoice[keep]],
        line_product[keep],
        invoice_time[line_invoice[keep]],
        weight=line_quantity[keep].astype(np.float64),
        basket=line_invoice[keep],
        n_users=len(customers.ids),
        n_items=len(parsed.product_codes),
    )
    titles = [best_title(parsed.products[code]) for code in parsed.product_codes]
    categories = [categorize(title) for title in titles]
    catalog = Catalog(
        n_items=len(titles),
        title=titles,
        category=[c[0] if c else "" for c in categories],
        tags=[c[1:] for c in categories],
    )
    skipped_lines = int(line_invoice.size - keep.sum())
    return Dataset(
        name=path.name.split(".")[0],
        format="uci",
        interactions=interactions,
        user_ids=customers.ids,
        item_ids=list(parsed.product_codes),
        catalog=catalog,
        has_clock=True,
        has_baskets=True,
        notes=[
            f"{int(keep.sum())} sale lines with a customer kept; {skipped_lines} return or guest "
            "lines left out; non-product and invalid lines skipped by the importer",
            "categories derived from titles by the demo's keyword rules",
        ],
    )


def _parse_time(text: str, line: int) -> float:
    stripped = text.strip()
    try:
        return float(stripped)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(stripped.replace("Z", "+00:00"))
    except ValueError:
        raise DatasetError(f"line {line}: {text!r} is neither epoch seconds nor ISO 8601") from None
    return moment.timestamp()


def load_interactions(path: Path) -> Dataset:
    lines = _open_text(path)
    reader = csv.reader(lines)
    try:
        header = [h.strip().lower().lstrip("\ufeff") for h in next(reader)]
    except StopIteration:
        raise DatasetError(f"{path} is empty") from None
    for required in ("timestamp", "user_id", "item_id"):
        if required not in header:
            raise DatasetError(f"the header must name timestamp,user_id,item_id; got {header}")
    i_time, i_user, i_item = (header.index(c) for c in ("timestamp", "user_id", "item_id"))
    i_event = header.index("event") if "event" in header else None
    i_session = header.index("session_id") if "session_id" in header else None
    users, items, sessions = _Index(), _Index(), _Index()
    user_col: list[int] = []
    item_col: list[int] = []
    time_col: list[float] = []
    weight_col: list[float] = []
    session_col: list[int] = []
    purchase_col: list[bool] = []
    for row in reader:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        line = reader.line_num
        if len(row) != len(header):
            raise DatasetError(f"line {line}: expected {len(header)} columns, found {len(row)}")
        user_col.append(users(row[i_user].strip()))
        item_col.append(items(row[i_item].strip()))
        time_col.append(_parse_time(row[i_time], line))
        event = row[i_event].strip().lower() if i_event is not None else "view"
        weight_col.append(EVENT_WEIGHTS.get(event, 1.0))
        purchase_col.append(event in PURCHASE_EVENTS)
        if i_session is not None:
            session_col.append(sessions(row[i_session].strip()))
    if not user_col:
        raise DatasetError(f"{path} has a header but no rows")
    purchases = np.asarray(purchase_col)
    basket = None
    if purchases.any():
        # a basket: the purchases of one user at one time (or in one session)
        keys = _Index()
        grouping = session_col if i_session is not None else time_col
        basket = np.array(
            [
                keys(f"{u}|{g}") if is_purchase else -1
                for u, g, is_purchase in zip(user_col, grouping, purchase_col, strict=True)
            ],
            dtype=np.int64,
        )
    interactions = Interactions.from_arrays(
        user_col,
        item_col,
        time_col,
        weight=weight_col,
        session=session_col if i_session is not None else None,
        basket=basket,
        n_users=len(users.ids),
        n_items=len(items.ids),
    )
    notes = []
    if i_event is not None:
        notes.append("event weights: " + ", ".join(f"{k}={v:g}" for k, v in EVENT_WEIGHTS.items()))
    return Dataset(
        name=path.name.split(".")[0],
        format="interactions",
        interactions=interactions,
        user_ids=users.ids,
        item_ids=items.ids,
        has_clock=True,
        has_baskets=basket is not None,
        notes=notes,
    )


def load(format_name: str, path: Path, attributes: Path | None = None) -> Dataset:
    if not path.exists():
        raise DatasetError(f"{path} does not exist")
    if format_name == "sequential":
        return load_sequential(path, attributes)
    if format_name == "uci":
        return load_uci(path)
    if format_name == "interactions":
        return load_interactions(path)
    raise DatasetError(f"unknown format {format_name!r}; expected one of {', '.join(FORMATS)}")
