"""Ordering products for one shopper under the merchant's rules. Pure Python, no Django.

- `rerank_search`: reorder the platform's own search results by personal affinity and popularity
  without ever dropping a result and without moving any item more than `max_shift` places.
- `apply_rules`: pins, boosts, buries and exclusions, with diversity caps per category or brand.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field


def rerank_search(
    result_ids: Sequence[str],
    personal_score: Callable[[str], float],
    *,
    max_shift: int = 3,
    weight: float = 1.0,
) -> list[str]:
    """The same ids, reordered.

    Relevance stays the backbone: item i keeps base score -i (the platform's rank); personal
    evidence adds up to `weight` (scores are expected in [0, 1]). Then a bounded greedy pass places,
    at each position p, the best-scoring remaining item among those whose original rank is at most
    p + max_shift, and is forced to place any item that would otherwise fall more than `max_shift`
    below its original rank. No item moves more than `max_shift` places in either direction.
    """
    n = len(result_ids)
    if n <= 1 or max_shift <= 0:
        return list(result_ids)
    scores = [
        -i / n + weight * max(0.0, min(1.0, personal_score(pid)))
        for i, pid in enumerate(result_ids)
    ]
    placed: list[str] = []
    heap: list[tuple[float, int]] = []  # (-score, original index) of eligible, unplaced items
    next_eligible = 0
    taken = [False] * n
    for position in range(n):
        while next_eligible < n and next_eligible <= position + max_shift:
            heapq.heappush(heap, (-scores[next_eligible], next_eligible))
            next_eligible += 1
        # The item whose original rank is position - max_shift must be placed now at the latest.
        overdue = position - max_shift
        if overdue >= 0 and not taken[overdue]:
            choice = overdue
        else:
            while True:
                _neg, choice = heapq.heappop(heap)
                if not taken[choice]:
                    break
        taken[choice] = True
        placed.append(result_ids[choice])
    return placed


@dataclass(frozen=True)
class MerchantRules:
    pinned: tuple[str, ...] = ()  # placed first, in this order
    boosted: frozenset[str] = frozenset()
    buried: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()
    boost: float = 0.5
    bury: float = 0.5
    max_per_group: int | None = None  # diversity cap per category/brand
    groups: Mapping[str, str] = field(default_factory=dict)  # product id -> category or brand


def apply_rules(
    candidates: Sequence[tuple[str, float]], rules: MerchantRules, *, limit: int
) -> list[str]:
    """Top `limit` ids from (id, score in [0, 1]) candidates under the merchant's rules."""
    pinned = [pid for pid in rules.pinned if pid not in rules.excluded]
    seen = set(pinned)
    scored = []
    for pid, score in candidates:
        if pid in seen or pid in rules.excluded:
            continue
        seen.add(pid)
        adjusted = (
            score
            + (rules.boost if pid in rules.boosted else 0.0)
            - (rules.bury if pid in rules.buried else 0.0)
        )
        scored.append((adjusted, pid))
    scored.sort(key=lambda item: -item[0])
    chosen = pinned[:limit]
    per_group: dict[str, int] = {}
    for pid in chosen:
        group = rules.groups.get(pid)
        if group:
            per_group[group] = per_group.get(group, 0) + 1
    held_back: list[str] = []
    for _score, pid in scored:
        if len(chosen) >= limit:
            break
        group = rules.groups.get(pid)
        if (
            rules.max_per_group is not None
            and group
            and per_group.get(group, 0) >= rules.max_per_group
        ):
            held_back.append(pid)
            continue
        chosen.append(pid)
        if group:
            per_group[group] = per_group.get(group, 0) + 1
    # A cap never leaves a block short: fill from what it held back, best first.
    chosen += held_back[: max(0, limit - len(chosen))]
    return chosen
