"""Serving: a shop's current models as row lookups, loaded once per process.

Each process keeps the current tables of every shop it has served and asks the database which
versions are current at most every `CHECK_EVERY_SECONDS` (one small query for all kinds); a new
version is read once and replaces the old one whole, so a request sees one training run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from personalization.engine.cooccurrence import Neighbours
from personalization.recommendations.models import TrainedModel
from shopapp.shops.models import Shop

# (row key, k) -> [(product platform id, score in (0, 1], detail)], best first
Lookup = Callable[[str, int], list[tuple[str, float, int]]]
CHECK_EVERY_SECONDS = 30.0
MAX_SHOPS = 200  # shops whose tables one process keeps; a busy shop is re-read within seconds


class _Loaded:
    def __init__(
        self, version: int, artifact: bytes, item_ids: list[str], row_ids: list[str], report: Any
    ) -> None:
        self.version = version
        self.table = Neighbours.from_bytes(artifact)
        self.item_ids = item_ids
        self.row_index = {key: i for i, key in enumerate(row_ids or item_ids)}
        self.report: dict[str, Any] = report if isinstance(report, dict) else {}
        # rows turned into Python tuples on first use: a hot product is converted once
        self._rows: dict[int, list[tuple[str, float, int]]] = {}

    def lookup(self, key: str, k: int) -> list[tuple[str, float, int]]:
        row = self.row_index.get(key)
        if row is None:
            return []
        entries = self._rows.get(row)
        if entries is None:
            indices = self.table.indices[row]
            keep = indices >= 0
            entries = list(
                zip(
                    [self.item_ids[i] for i in indices[keep].tolist()],
                    self.table.scores[row][keep].tolist(),
                    self.table.support[row][keep].tolist(),
                    strict=True,
                )
            )
            self._rows[row] = entries
        return entries[:k]


@dataclass(frozen=True)
class ShopModels:
    """The current tables of one shop, by kind."""

    tables: dict[str, _Loaded] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """Part of every decision's cache key: a new training run is a new answer."""
        return ".".join(f"{k[:2]}{t.version}" for k, t in sorted(self.tables.items())) or "none"

    def source(self, kind: str) -> Lookup | None:
        table = self.tables.get(kind)
        return table.lookup if table else None

    def segment_names(self) -> dict[str, str]:
        table = self.tables.get("trending")
        return dict(table.report.get("segment_names", {})) if table else {}


_loaded: dict[int, tuple[float, ShopModels]] = {}
_lock = threading.Lock()


def shop_models(*, shop: Shop) -> ShopModels:
    now = time.monotonic()
    cached = _loaded.get(shop.pk)
    if cached and now - cached[0] < CHECK_EVERY_SECONDS:
        return cached[1]
    with _lock:
        cached = _loaded.get(shop.pk)
        if cached and now - cached[0] < CHECK_EVERY_SECONDS:
            return cached[1]
        current = dict(
            TrainedModel.objects.filter(shop=shop, is_current=True).values_list("kind", "version")
        )
        old = cached[1].tables if cached else {}
        tables = {k: t for k, t in old.items() if current.get(k) == t.version}
        missing = [k for k in current if k not in tables]
        if missing:
            for kind, version, artifact, item_ids, row_ids, report in TrainedModel.objects.filter(
                shop=shop, kind__in=missing, is_current=True
            ).values_list("kind", "version", "artifact", "item_ids", "row_ids", "report"):
                tables[kind] = _Loaded(version, bytes(artifact), item_ids, row_ids, report)
        models = ShopModels(tables=tables)
        _loaded.pop(shop.pk, None)
        _loaded[shop.pk] = (now, models)  # newest last: the least recently refreshed goes first
        while len(_loaded) > MAX_SHOPS:
            _loaded.pop(next(iter(_loaded)))
        return models


def forget() -> None:
    _loaded.clear()


def forget_shop(shop_id: int) -> None:
    """Drop one shop's tables in this process (its stored tables changed in place)."""
    with _lock:
        _loaded.pop(shop_id, None)
