"""Splits of a dataset into a validation task and a test task, one per protocol.

- `loo-full`: leave-one-out next item. Each user's last item is the test target and the one before
  it the validation target; users with fewer than 3 items only train. Training for validation is
  everything but each user's last two items, for test everything but the last one (the
  validation item is known by test time, as in the published protocol where it is the model's
  input). Every item is ranked; items already in the user's history are excluded by default.
- `temporal-basket`: train on everything before a cutoff and predict each customer's first basket
  after it (customers with at least one basket before). The test cutoff is `test_days` before the
  newest basket; the validation cutoff is `test_days` before that, with training data before it.
  The query time is the time of the target basket (the moment the customer shops). Nothing is
  excluded: buying again is the point.
- `session-next`: sessions (the data's session ids, else a user's events split at 30 minutes of
  inactivity). Sessions starting in the last `test_fraction` of the time span are the test, the
  same fraction before them the validation; training is everything that happened before. Every
  prefix of a test session (length >= 2) predicts the next item; the query is the anonymous
  session so far and nothing is excluded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from personalization.engine.orders import SECONDS_PER_DAY
from personalization.engine.recs.base import Query
from personalization.engine.recs.interactions import Interactions
from personalization.evaluation.loaders import Dataset, DatasetError

PROTOCOLS = ("loo-full", "temporal-basket", "session-next")
SESSION_GAP_SECONDS = 30 * 60


@dataclass
class Task:
    """One round: fit on `train`, answer `queries`, compare with `targets` (item arrays)."""

    name: str
    train: Interactions
    queries: list[Query]
    targets: list[np.ndarray]
    exclude: list[np.ndarray] | None = None
    bought_before: list[np.ndarray] | None = None  # temporal-basket: per target item

    def __len__(self) -> int:
        return len(self.queries)

    def subset(self, rows: np.ndarray) -> Task:
        pick = [int(r) for r in rows]
        return Task(
            name=self.name,
            train=self.train,
            queries=[self.queries[r] for r in pick],
            targets=[self.targets[r] for r in pick],
            exclude=None if self.exclude is None else [self.exclude[r] for r in pick],
            bought_before=(
                None if self.bought_before is None else [self.bought_before[r] for r in pick]
            ),
        )


@dataclass
class Split:
    protocol: str
    validation: Task
    test: Task
    single_target: bool
    settings: dict[str, Any] = field(default_factory=dict)


def _user_bounds(interactions: Interactions) -> tuple[np.ndarray, np.ndarray]:
    users = interactions.user
    starts = np.searchsorted(users, np.arange(interactions.n_users), side="left")
    ends = np.searchsorted(users, np.arange(interactions.n_users), side="right")
    return starts, ends


def loo_full(dataset: Dataset, *, exclude_seen: bool = True) -> Split:
    data = dataset.interactions
    starts, ends = _user_bounds(data)
    last_of_row = ends[data.user] - 1
    from_end = last_of_row - np.arange(len(data))
    lengths = ends - starts
    evaluated = np.flatnonzero(lengths >= 3)
    if not evaluated.size:
        raise DatasetError("loo-full needs users with at least 3 interactions")

    def task(name: str, held_out: int) -> Task:
        train = data.select(from_end >= held_out)
        queries, targets, exclude = [], [], []
        for user in evaluated:
            history = data.item[starts[user] : ends[user] - held_out]
            queries.append(Query.of(user=int(user), history=history))
            targets.append(data.item[ends[user] - held_out : ends[user] - held_out + 1])
            exclude.append(np.unique(history))
        return Task(name, train, queries, targets, exclude if exclude_seen else None)

    return Split(
        protocol="loo-full",
        validation=task("validation", 2),
        test=task("test", 1),
        single_target=True,
        settings={
            "exclude_seen": exclude_seen,
            "evaluated_users": int(evaluated.size),
            "ranking": "all items, no sampled negatives",
        },
    )


def _baskets(data: Interactions) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per row its basket number, and per basket (user, time, first row), baskets in time order."""
    if data.basket is not None and (data.basket >= 0).any():
        rows = np.flatnonzero(data.basket >= 0)
        keys = data.basket[rows]
    else:
        # no basket column: a user's events at one timestamp are one basket
        rows = np.arange(len(data))
        keys = np.unique(np.stack([data.user, data.timestamp]), axis=1, return_inverse=True)[1]
    unique, inverse = np.unique(keys, return_inverse=True)
    first_row = np.full(unique.size, len(data))
    np.minimum.at(first_row, inverse, rows)
    basket_of_row = np.full(len(data), -1)
    basket_of_row[rows] = inverse
    return basket_of_row, data.user[first_row], data.timestamp[first_row], first_row


def temporal_basket(dataset: Dataset, *, test_days: float = 60.0) -> Split:
    if not dataset.has_clock:
        raise DatasetError("temporal-basket needs clock times; this data only has an order")
    data = dataset.interactions
    basket_of_row, basket_user, basket_time, _ = _baskets(data)
    newest = float(basket_time.max())
    test_cutoff = newest - test_days * SECONDS_PER_DAY
    valid_cutoff = test_cutoff - test_days * SECONDS_PER_DAY
    with_basket = np.flatnonzero(basket_of_row >= 0)
    by_basket = with_basket[np.argsort(basket_of_row[with_basket], kind="stable")]
    basket_bounds = np.searchsorted(basket_of_row[by_basket], np.arange(basket_time.size + 1))

    def task(name: str, cutoff: float, until: float) -> Task:
        train = data.select(data.timestamp < cutoff)
        starts, ends = _user_bounds(train)
        # each user's first basket in [cutoff, until)
        window = (basket_time >= cutoff) & (basket_time < until)
        order = np.lexsort((basket_time, basket_user))
        order = order[window[order]]
        first_basket: dict[int, int] = {}
        for basket in order:
            first_basket.setdefault(int(basket_user[basket]), int(basket))
        queries, targets, before = [], [], []
        for user, basket in sorted(first_basket.items()):
            if ends[user] == starts[user]:
                continue  # nothing before the cutoff: not this protocol's question
            history = train.item[starts[user] : ends[user]]
            rows = by_basket[basket_bounds[basket] : basket_bounds[basket + 1]]
            items = np.unique(data.item[rows])
            queries.append(
                Query.of(
                    user=user,
                    history=history,
                    history_times=train.timestamp[starts[user] : ends[user]],
                    time=float(basket_time[basket]),
                )
            )
            targets.append(items)
            before.append(np.isin(items, history))
        if not queries:
            raise DatasetError(f"no customer has baskets on both sides of the {name} cutoff")
        return Task(name, train, queries, targets, None, before)

    return Split(
        protocol="temporal-basket",
        validation=task("validation", valid_cutoff, test_cutoff),
        test=task("test", test_cutoff, np.inf),
        single_target=False,
        settings={
            "test_days": test_days,
            "validation_cutoff": valid_cutoff,
            "test_cutoff": test_cutoff,
            "exclude_seen": False,
        },
    )


def sessionize(data: Interactions, gap_seconds: float = SESSION_GAP_SECONDS) -> Interactions:
    """The same events with a session column: the data's own, else split at `gap_seconds`."""
    if data.session is not None and (data.session >= 0).all():
        return data
    new_user = np.r_[True, data.user[1:] != data.user[:-1]]
    pause = np.r_[True, np.diff(data.timestamp) > gap_seconds]
    session = np.cumsum(new_user | pause) - 1
    return Interactions(
        user=data.user,
        item=data.item,
        timestamp=data.timestamp,
        weight=data.weight,
        n_users=data.n_users,
        n_items=data.n_items,
        session=session,
        basket=data.basket,
    )


def session_next(
    dataset: Dataset, *, test_fraction: float = 0.1, max_queries: int = 50_000, seed: int = 0
) -> Split:
    if not dataset.has_clock:
        raise DatasetError("session-next needs clock times; this data only has an order")
    data = sessionize(dataset.interactions)
    assert data.session is not None
    sessions = data.sequences("session")
    started = sessions.times[sessions.indptr[:-1]]
    span_start, span_end = float(started.min()), float(data.timestamp.max())
    test_start = span_end - test_fraction * (span_end - span_start)
    valid_start = test_start - test_fraction * (span_end - span_start)
    rng = np.random.default_rng(seed)

    def task(name: str, begin: float, end: float) -> Task:
        train = data.select(data.timestamp < begin)
        chosen = np.flatnonzero((started >= begin) & (started < end) & (sessions.lengths() >= 2))
        queries, targets = [], []
        for group in chosen:
            items = sessions[int(group)]
            for cut in range(1, items.size):
                queries.append(Query.of(session=items[:cut]))
                targets.append(items[cut : cut + 1])
        if not queries:
            raise DatasetError(f"no {name} session has two or more events")
        if len(queries) > max_queries:
            keep = np.sort(rng.choice(len(queries), size=max_queries, replace=False))
            queries = [queries[i] for i in keep]
            targets = [targets[i] for i in keep]
        return Task(name, train, queries, targets)

    return Split(
        protocol="session-next",
        validation=task("validation", valid_start, test_start),
        test=task("test", test_start, np.inf),
        single_target=True,
        settings={
            "session_gap_minutes": SESSION_GAP_SECONDS / 60,
            "test_fraction": test_fraction,
            "max_queries": max_queries,
            "exclude_seen": False,
        },
    )


def make_split(protocol: str, dataset: Dataset, **options: Any) -> Split:
    if protocol == "loo-full":
        return loo_full(dataset, exclude_seen=options.get("exclude_seen", True))
    if protocol == "temporal-basket":
        return temporal_basket(dataset, test_days=options.get("test_days", 60.0))
    if protocol == "session-next":
        return session_next(
            dataset,
            test_fraction=options.get("test_fraction", 0.1),
            max_queries=options.get("max_queries", 50_000),
        )
    raise DatasetError(f"unknown protocol {protocol!r}; expected one of {', '.join(PROTOCOLS)}")
