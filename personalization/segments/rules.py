"""Compiled rules per shop, cached per process and refreshed when a segment changes."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Max

from personalization.engine.segment_rules import Predicate, compile_rule
from personalization.segments.models import Segment, SegmentKind
from shopapp.shops.models import Shop

_CHECK_EVERY_SECONDS = 5.0


@dataclass(frozen=True)
class CompiledSegment:
    key: str
    kind: str
    predicate: Predicate | None  # None for clusters: membership is the profile's cluster key
    cluster_key: str


_cache: dict[int, tuple[float, Any, list[CompiledSegment]]] = {}


def compiled_segments(shop: Shop) -> list[CompiledSegment]:
    now = time.monotonic()
    cached = _cache.get(shop.pk)
    if cached and now - cached[0] < _CHECK_EVERY_SECONDS:
        return cached[2]
    stamp = Segment.objects.filter(shop=shop).aggregate(latest=Max("updated_at"))["latest"]
    if cached and cached[1] == stamp:
        _cache[shop.pk] = (now, stamp, cached[2])
        return cached[2]
    compiled = [
        CompiledSegment(
            key=segment.key,
            kind=segment.kind,
            predicate=None if segment.kind == SegmentKind.CLUSTER else compile_rule(segment.rule),
            cluster_key=segment.cluster_key,
        )
        for segment in Segment.objects.filter(shop=shop, is_active=True).order_by("pk")
    ]
    _cache[shop.pk] = (now, stamp, compiled)
    return compiled


def matching_keys(
    segments: list[CompiledSegment], facts: Mapping[str, Any], cluster_key: str
) -> list[str]:
    """The segments one visitor is in right now (live evaluation)."""
    keys = []
    for segment in segments:
        if segment.predicate is None:
            if cluster_key and segment.cluster_key == cluster_key:
                keys.append(segment.key)
        elif segment.predicate(facts):
            keys.append(segment.key)
    return keys


def forget(shop_id: int) -> None:
    _cache.pop(shop_id, None)
