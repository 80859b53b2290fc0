"""Which product platform ids a shop has: a small per-process cache in front of one query."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from shopapp.catalog.models import Product

_MAX_ENTRIES = 200_000
_known: OrderedDict[tuple[int, str], int] = OrderedDict()


def product_pks(shop_id: int, platform_ids: Iterable[str]) -> dict[str, int]:
    """{platform_id: pk} for the ids the shop has (deleted products count as unknown)."""
    wanted = set(platform_ids)
    found: dict[str, int] = {}
    missing = []
    for platform_id in wanted:
        pk = _known.get((shop_id, platform_id))
        if pk is None:
            missing.append(platform_id)
        else:
            found[platform_id] = pk
    if missing:
        for platform_id, pk in Product.objects.filter(
            shop_id=shop_id, platform_id__in=missing, deleted_at__isnull=True
        ).values_list("platform_id", "pk"):
            found[platform_id] = pk
            _known[(shop_id, platform_id)] = pk
        while len(_known) > _MAX_ENTRIES:
            _known.popitem(last=False)
    return found


def forget(shop_id: int | None = None) -> None:
    """Drop cached ids (a product was deleted, or a test resets state)."""
    if shop_id is None:
        _known.clear()
        return
    for key in [k for k in _known if k[0] == shop_id]:
        del _known[key]
