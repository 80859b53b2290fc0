"""A shop's orders, sessions and catalog as the engine's arrays (`Interactions`, `Catalog`).

Items are the shop's live products in primary-key order; purchase users are its customers (a
guest order becomes a one-order user of its own, so its basket still teaches "bought together");
view users are visitors and their sessions are the visits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from personalization.engine.recs import Catalog, Interactions
from personalization.events.models import Event
from shopapp.catalog.models import Order, OrderLine, Product
from shopapp.shops.models import Shop

VIEW_TYPES = ("product_view", "add_to_cart")


@dataclass(frozen=True)
class ShopData:
    item_ids: list[str]  # item index -> product platform id
    customer_pks: list[int]  # purchase user index -> customer pk (the first n users)
    purchases: Interactions  # one row per sale line: user, item, order time, basket = order
    views: Interactions | None  # one row per product view: user = visitor, session = visit
    catalog: Catalog
    orders: int

    @property
    def n_items(self) -> int:
        return len(self.item_ids)


def _dense(values: list[int]) -> tuple[np.ndarray, list[int]]:
    """Dense indices 0..n-1 for arbitrary keys, and the keys in index order."""
    keys, inverse = np.unique(np.asarray(values, dtype=np.int64), return_inverse=True)
    return inverse.astype(np.int64), keys.tolist()


def shop_data(*, shop: Shop) -> ShopData:
    products = list(
        Product.objects.filter(shop=shop, deleted_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "platform_id", "title", "description", "tags", "product_type", "vendor")
    )
    item_of = {pk: i for i, (pk, *_) in enumerate(products)}
    catalog = Catalog(
        n_items=len(products),
        title=[p[2] or "" for p in products],
        description=[(p[3] or "")[:2000] for p in products],
        tags=[
            [str(t) for t in (p[4] if isinstance(p[4], list) else [])] + ([p[6]] if p[6] else [])
            for p in products
        ],
        category=[p[5] or "" for p in products],
    )
    # Orders apart from their lines: half a million lines then carry two integers each, and
    # each order's time is parsed once, not once per line.
    order_owner: dict[int, tuple[int, float]] = {}
    for order_id, customer_id, created in (
        Order.objects.filter(shop=shop, kind="sale")
        .values_list("pk", "customer_id", "platform_created_at")
        .iterator(chunk_size=50_000)
    ):
        # guests: a negative key per order, so each guest order is its own "customer"
        owner = customer_id if customer_id is not None else -order_id
        order_owner[order_id] = (owner, created.timestamp() if created else 0.0)
    order_ids: list[int] = []
    items: list[int] = []
    for order_id, product_id in (
        # in file order: lines of one order share a timestamp, and their order decides the
        # sequence models' ties, so the same data always gives the same model version
        OrderLine.objects.filter(shop=shop, product__isnull=False)
        .order_by("pk")
        .values_list("order_id", "product_id")
        .iterator(chunk_size=50_000)
    ):
        item = item_of.get(product_id)
        if item is None or order_id not in order_owner:
            continue
        order_ids.append(order_id)
        items.append(item)
    owners = [order_owner[order_id] for order_id in order_ids]
    customers = [owner for owner, _ in owners]
    times = [when for _, when in owners]
    basket, _ = _dense(order_ids)
    user_keys = np.asarray(customers, dtype=np.int64)
    # known customers first (their pks in order), then the guest orders
    known = np.unique(user_keys[user_keys > 0])
    guests = np.unique(user_keys[user_keys <= 0])
    user = np.where(
        user_keys > 0,
        np.searchsorted(known, user_keys),
        known.size + np.searchsorted(guests, user_keys),
    ).astype(np.int64)
    purchases = Interactions.from_arrays(
        user,
        np.asarray(items, dtype=np.int64),
        np.asarray(times, dtype=np.float64),
        basket=basket,
        n_users=int(known.size + guests.size),
        n_items=len(products),
    )
    return ShopData(
        item_ids=[p[1] for p in products],
        customer_pks=known.tolist(),
        purchases=purchases,
        views=_views(shop, item_of),
        catalog=catalog,
        orders=int(basket.max()) + 1 if basket.size else 0,
    )


def _views(shop: Shop, item_of: dict[int, int]) -> Interactions | None:
    visitors: list[int] = []
    sessions: list[int] = []
    times: list[float] = []
    items: list[int] = []
    for visitor_id, session_id, occurred, product_id in (
        Event.objects.filter(shop=shop, type__in=VIEW_TYPES, product__isnull=False)
        .order_by("pk")
        .values_list("visitor_id", "session_id", "occurred_at", "product_id")
        .iterator(chunk_size=50_000)
    ):
        item = item_of.get(product_id)
        if item is None:
            continue
        visitors.append(visitor_id)
        # an event without a visit is a visit of its own
        sessions.append(session_id if session_id is not None else -len(sessions) - 1)
        times.append(occurred.timestamp())
        items.append(item)
    if not items:
        return None
    user, _ = _dense(visitors)
    session, _ = _dense(sessions)
    return Interactions.from_arrays(
        user,
        np.asarray(items, dtype=np.int64),
        np.asarray(times, dtype=np.float64),
        session=session,
        n_items=len(item_of),
    )
