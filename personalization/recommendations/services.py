"""Training a shop's recommendation models and swapping them in atomically.

Each model of `personalization.engine.recs` is fitted on the shop's orders, sessions and catalog,
then asked ahead of time for every row the storefront will ask about (each product for the
item-to-item models, each customer for the personal ones, the shop and each segment for
trending): serving is then a row lookup, never a model evaluation inside a page request. All
tables of one training run become current in one transaction, with a version per kind and a
training report (the engine's own report and version digest, sizes, coverage, seconds).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from personalization.engine.cooccurrence import Neighbours
from personalization.engine.recs import (
    BuyAgain,
    ContentSimilarity,
    CoPurchase,
    CrossSell,
    Interactions,
    Popularity,
    Query,
    Recommender,
    for_you_blend,
    next_item_blend,
)
from personalization.engine.toplists import top_lists
from personalization.recommendations.data import ShopData, shop_data
from personalization.recommendations.models import TrainedModel
from shopapp.shops.models import Shop

KEEP_VERSIONS = 3
ITEM_K = 40  # neighbours kept per product: enough for any block after exclusions
USER_K = 48
TRENDING_K = 200
MIN_VIEW_SESSIONS = 20  # fewer multi-view visits than this: "related" learns from orders
MIN_SEGMENT_CUSTOMERS = 20
TRENDING_HALF_LIFE_DAYS = 14.0
VIEW_WEIGHT = 0.2  # a view counts a fifth of a purchase towards trending


class _Table:
    def __init__(
        self, kind: str, table: Neighbours, rows: list[str], model: Recommender | None, **extra: Any
    ) -> None:
        self.kind, self.table, self.rows = kind, table, rows
        covered = int((table.indices[:, 0] >= 0).sum()) if table.indices.size else 0
        self.report: dict[str, Any] = {
            "rows": len(rows),
            "rows_with_items": covered,
            **({"engine": model.report, "engine_version": model.version} if model else {}),
            **extra,
        }


def _item_scores(model: Recommender) -> Callable[[int, int], np.ndarray]:
    """Each product as a one-item session: "having looked at / put this in the cart, what next"."""
    return lambda start, end: model.score([Query.of(session=[i]) for i in range(start, end)])


def _user_histories(purchases: Interactions) -> tuple[np.ndarray, np.ndarray]:
    """indptr over the rows (sorted by user, time) and the item of each row."""
    indptr = np.searchsorted(purchases.user, np.arange(purchases.n_users + 1))
    return indptr, purchases.item


def _bought_together(data: ShopData) -> _Table:
    model = CoPurchase(metric="confidence", min_support=2).fit(data.purchases)

    def pair_count(rows: np.ndarray, items: np.ndarray) -> np.ndarray:
        return np.asarray(model.pair_counts[rows, items]).ravel().astype(np.int64)

    table = top_lists(
        _item_scores(model), data.n_items, k=ITEM_K, exclude_self=True, detail=pair_count
    )
    return _Table("bought_together", table, data.item_ids, model, baskets=model.n_baskets)


def _cross_sell(data: ShopData) -> _Table:
    model = CrossSell().fit(data.purchases, data.catalog)
    table = top_lists(_item_scores(model), data.n_items, k=ITEM_K, exclude_self=True)
    return _Table("cross_sell", table, data.item_ids, model)


def _view_sessions(views: Interactions | None) -> int:
    if views is None or views.session is None:
        return 0
    return int((np.bincount(views.session) >= 2).sum())


def _related(data: ShopData) -> _Table:
    """Session neighbours, transitions and look-alikes; from visits when the shop has enough,
    else from customers' order histories; look-alikes alone for a shop with neither."""
    sessions = _view_sessions(data.views)
    if sessions >= MIN_VIEW_SESSIONS and data.views is not None:
        source, interactions = "views", data.views
    elif len(data.purchases):
        source, interactions = "orders", data.purchases
    else:
        source, interactions = "content", data.purchases
    model: Recommender = (ContentSimilarity() if source == "content" else next_item_blend()).fit(
        interactions, data.catalog
    )
    table = top_lists(_item_scores(model), data.n_items, k=ITEM_K, exclude_self=True)
    return _Table("related", table, data.item_ids, model, learned_from=source, sessions=sessions)


def _trending(data: ShopData, segments: dict[str, tuple[str, list[int]]]) -> _Table:
    """Decayed popularity of purchases (and views, lighter) for the shop, then per segment."""
    rows: list[str] = ["*"]
    masks: list[np.ndarray] = [np.ones(len(data.purchases), dtype=bool)]
    names: dict[str, str] = {}
    customer_index = {pk: i for i, pk in enumerate(data.customer_pks)}
    for key, (name, customer_pks) in segments.items():
        users = [customer_index[pk] for pk in customer_pks if pk in customer_index]
        if len(users) < MIN_SEGMENT_CUSTOMERS:
            continue
        rows.append(f"seg:{key}")
        masks.append(np.isin(data.purchases.user, np.asarray(users)))
        names[f"seg:{key}"] = name
    views = data.views
    models: list[Popularity] = []
    for row, mask in enumerate(masks):
        purchases = data.purchases.select(mask)
        items, times = purchases.item, purchases.timestamp
        weights = np.ones(items.size)
        if row == 0 and views is not None:
            items = np.concatenate([items, views.item])
            times = np.concatenate([times, views.timestamp])
            weights = np.concatenate([weights, np.full(views.item.size, VIEW_WEIGHT)])
        combined = Interactions.from_arrays(
            np.zeros(items.size, dtype=np.int64),
            items,
            times,
            weight=weights,
            n_users=1,
            n_items=data.n_items,
        )
        models.append(Popularity(half_life_days=TRENDING_HALF_LIFE_DAYS).fit(combined))
    table = top_lists(
        lambda start, end: np.vstack([models[r].score([Query()])[0] for r in range(start, end)]),
        len(rows),
        k=min(TRENDING_K, max(data.n_items, 1)),
    )
    return _Table("trending", table, rows, models[0], segment_names=names)


def _buy_again(data: ShopData) -> _Table:
    model = BuyAgain().fit(data.purchases)
    n_users = model.indptr.size - 1
    pair_user = np.repeat(np.arange(n_users), np.diff(model.indptr))
    pair_key = pair_user * max(data.n_items, 1) + model.items
    order = np.argsort(pair_key, kind="stable")

    def interval(rows: np.ndarray, items: np.ndarray) -> np.ndarray:
        position = order[
            np.searchsorted(pair_key[order], rows.astype(np.int64) * data.n_items + items)
        ]
        days = model.interval_days(items, model.occasions[position], model.gap_sum[position])
        return np.rint(days).astype(np.int64)

    n_customers = len(data.customer_pks)
    table = top_lists(
        lambda start, end: model.score([Query.of(user=u) for u in range(start, end)]),
        n_customers,
        k=USER_K,
        detail=interval,
    )
    return _Table("buy_again", table, [str(pk) for pk in data.customer_pks], model)


def _for_you(data: ShopData) -> _Table:
    model = for_you_blend().fit(data.purchases, data.catalog)
    indptr, items = _user_histories(data.purchases)
    table = top_lists(
        lambda start, end: model.score(
            [Query.of(user=u, history=items[indptr[u] : indptr[u + 1]]) for u in range(start, end)]
        ),
        len(data.customer_pks),
        k=USER_K,
    )
    return _Table("for_you", table, [str(pk) for pk in data.customer_pks], model)


def _segments(shop: Shop) -> dict[str, tuple[str, list[int]]]:
    from personalization.segments.models import SegmentMembership

    members: dict[str, tuple[str, list[int]]] = {}
    for key, name, customer_id in SegmentMembership.objects.filter(
        shop=shop, segment__is_active=True, profile__customer__isnull=False
    ).values_list("segment__key", "segment__name", "profile__customer_id"):
        members.setdefault(key, (name, []))[1].append(customer_id)
    return members


def _store_all(shop: Shop, tables: list[_Table], item_ids: list[str]) -> dict[str, int]:
    """Every table of this run becomes current together: a page never mixes two trainings."""
    versions: dict[str, int] = {}
    now = timezone.now()
    with transaction.atomic():
        for table in tables:
            latest = (
                TrainedModel.objects.select_for_update()
                .filter(shop=shop, kind=table.kind)
                .order_by("-version")
                .first()
            )
            model = TrainedModel.objects.create(
                shop=shop,
                kind=table.kind,
                version=(latest.version + 1) if latest else 1,
                artifact=table.table.to_bytes(compress=False),
                item_ids=item_ids,
                row_ids=[] if table.rows is item_ids else table.rows,
                report=table.report,
                trained_at=now,
                is_current=False,
            )
            TrainedModel.objects.filter(shop=shop, kind=table.kind, is_current=True).update(
                is_current=False
            )
            TrainedModel.objects.filter(pk=model.pk).update(is_current=True)
            stale = TrainedModel.objects.filter(shop=shop, kind=table.kind).order_by("-version")[
                KEEP_VERSIONS:
            ]
            TrainedModel.objects.filter(pk__in=[m.pk for m in stale]).delete()
            versions[table.kind] = model.version
        # kinds this run did not produce (no customers any more) stop being served
        TrainedModel.objects.filter(shop=shop, is_current=True).exclude(
            kind__in=[t.kind for t in tables]
        ).update(is_current=False)
    return versions


def models_train(*, shop: Shop) -> dict[str, Any]:
    """Fit every model on the shop's data, precompute its tables and swap them in together.

    Returns the training report: per kind, the table sizes and coverage, the engine's report,
    the stored version and the seconds it took."""
    started = time.perf_counter()
    data = shop_data(shop=shop)
    report: dict[str, Any] = {
        "items": data.n_items,
        "orders": data.orders,
        "customers": len(data.customer_pks),
        "purchase_lines": len(data.purchases),
        "views": 0 if data.views is None else len(data.views),
        "load_seconds": round(time.perf_counter() - started, 2),
    }
    if not data.n_items:
        return report
    has_orders = len(data.purchases) > 0
    segments = _segments(shop)  # read here: the steps below touch no database
    steps: list[tuple[str, Callable[[], _Table]]] = [("related", lambda: _related(data))]
    if has_orders:
        steps.append(("for_you", lambda: _for_you(data)))
    if has_orders or data.views is not None:
        # views alone (a new shop with traffic, no sales yet) already say what is trending
        steps.append(("trending", lambda: _trending(data, segments)))
    if has_orders:
        steps += [
            ("bought_together", lambda: _bought_together(data)),
            ("cross_sell", lambda: _cross_sell(data)),
            ("buy_again", lambda: _buy_again(data)),
        ]

    def timed(step: Callable[[], _Table]) -> _Table:
        step_started = time.perf_counter()
        table = step()
        table.report["seconds"] = round(time.perf_counter() - step_started, 2)
        return table

    # One after another: two threads measured no faster (the models' Python loops hold the GIL)
    # and their peaks add up.
    tables = [timed(step) for _, step in steps]
    for table in tables:
        report[table.kind] = table.report
    versions = _store_all(shop, tables, data.item_ids)
    for kind, version in versions.items():
        report[kind]["version"] = version
    report["seconds"] = round(time.perf_counter() - started, 2)
    return report


PERSONAL_KINDS = ("buy_again", "for_you")


def models_forget_customer(*, shop: Shop, customer_pk: int) -> int:
    """Drop one customer's rows from every stored version of the personal tables (for an
    erasure request; the item-to-item tables hold no per-person rows, and the next training no
    longer sees their orders). Returns how many stored tables changed."""
    key = str(customer_pk)
    changed = 0
    with transaction.atomic():
        for model in TrainedModel.objects.select_for_update().filter(
            shop=shop, kind__in=PERSONAL_KINDS
        ):
            rows = list(model.row_ids or [])
            if key not in rows:
                continue
            row = rows.index(key)
            table = Neighbours.from_bytes(bytes(model.artifact))
            indices, scores, support = (
                table.indices.copy(),
                table.scores.copy(),
                table.support.copy(),
            )
            indices[row], scores[row], support[row] = -1, 0.0, 0
            rows[row] = ""
            model.artifact = Neighbours(indices, scores, support).to_bytes(compress=False)
            model.row_ids = rows
            model.save(update_fields=["artifact", "row_ids"])
            changed += 1
    return changed
