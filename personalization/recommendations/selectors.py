"""Serving: the current models of a shop as neighbour lookups by product platform id."""

from __future__ import annotations

import time
from collections.abc import Callable

from personalization.engine.cooccurrence import Neighbours
from personalization.recommendations.models import TrainedModel
from shopapp.shops.models import Shop

Source = Callable[[str, int], list[tuple[str, float]]]
CHECK_EVERY_SECONDS = 30.0


class _Loaded:
    def __init__(self, model: TrainedModel) -> None:
        self.version = model.version
        self.neighbours = Neighbours.from_bytes(bytes(model.artifact))
        self.item_ids: list[str] = list(model.item_ids)
        self.index = {pid: i for i, pid in enumerate(self.item_ids)}

    def lookup(self, platform_id: str, k: int) -> list[tuple[str, float]]:
        row = self.index.get(platform_id)
        if row is None:
            return []
        return [(self.item_ids[i], score) for i, score in self.neighbours.of(row, k)]


_loaded: dict[tuple[int, str], tuple[float, _Loaded | None]] = {}


def _current(shop: Shop, kind: str) -> _Loaded | None:
    """The current version, loaded once per process and re-checked every half minute."""
    key = (shop.pk, kind)
    cached = _loaded.get(key)
    now = time.monotonic()
    if cached and now - cached[0] < CHECK_EVERY_SECONDS:
        return cached[1]
    version = (
        TrainedModel.objects.filter(shop=shop, kind=kind, is_current=True)
        .values_list("version", flat=True)
        .first()
    )
    if version is None:
        loaded = None
    elif cached and cached[1] is not None and cached[1].version == version:
        loaded = cached[1]
    else:
        model = TrainedModel.objects.get(shop=shop, kind=kind, version=version)
        loaded = _Loaded(model)
    _loaded[key] = (now, loaded)
    return loaded


def bought_together_source(*, shop: Shop) -> Source | None:
    model = _current(shop, "copurchase")
    return model.lookup if model else None


def related_source(*, shop: Shop) -> Source | None:
    """Co-viewed products when the shop has enough sessions, co-purchased ones otherwise."""
    model = _current(shop, "coview") or _current(shop, "copurchase")
    return model.lookup if model else None


def forget() -> None:
    _loaded.clear()
