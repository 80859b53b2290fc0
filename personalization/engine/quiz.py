"""Rank products from a shopper's quiz answers, blended with behaviour when there is any.

Each answer maps to a target: a category, a tag, a brand or a price band. A product's match is
the share of the asked *kinds* it satisfies (a product in the chosen category and price band
matches fully; one in the category only, half), so a quiz with three questions is not dominated
by whichever question allowed most answers. Only products matching something are candidates: the
answers come first, behaviour and popularity only order what matches. No Django here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

TARGET_KINDS = ("category", "tag", "brand", "price_band")
# What the answers, behaviour and popularity weigh when there is behaviour; without it the
# behaviour share goes to the answers.
WEIGHT_ANSWERS = 0.75
WEIGHT_BEHAVIOUR = 0.15
WEIGHT_POPULARITY = 0.10


@dataclass(frozen=True, slots=True)
class Target:
    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class QuizItem:
    id: str
    category: str
    brand: str
    price_band: str
    tags: frozenset[str]
    popularity: float  # [0, 1]


@dataclass(frozen=True, slots=True)
class Ranked:
    id: str
    score: float
    matched: tuple[str, ...]  # the target values this product satisfies, in answer order


def _item_values(item: QuizItem, kind: str) -> frozenset[str]:
    if kind == "tag":
        return frozenset(t.lower() for t in item.tags)
    value = {"category": item.category, "brand": item.brand, "price_band": item.price_band}[kind]
    return frozenset({value.lower()}) if value else frozenset()


def targets_by_kind(targets: Iterable[Target]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for target in targets:
        if target.kind not in TARGET_KINDS:
            raise ValueError(f"unknown target kind {target.kind!r}")
        values = grouped.setdefault(target.kind, [])
        if target.value not in values:
            values.append(target.value)
    return grouped


def quiz_rank(
    items: Sequence[QuizItem],
    targets: Iterable[Target],
    *,
    behaviour: Mapping[str, float] | None = None,
    limit: int = 8,
) -> list[Ranked]:
    """The `limit` best products for these answers; `behaviour` is category -> share."""
    grouped = targets_by_kind(targets)
    if not grouped or limit <= 0:
        return []
    top_share = max(behaviour.values(), default=0.0) if behaviour else 0.0
    answers_weight = WEIGHT_ANSWERS if top_share > 0 else WEIGHT_ANSWERS + WEIGHT_BEHAVIOUR
    ranked: list[Ranked] = []
    for item in items:
        matched: list[str] = []
        kinds_matched = 0
        for kind, values in grouped.items():
            have = _item_values(item, kind)
            hits = [v for v in values if v.lower() in have]
            if hits:
                kinds_matched += 1
                matched.extend(hits)
        if not kinds_matched:
            continue
        score = answers_weight * kinds_matched / len(grouped)
        if top_share > 0 and behaviour is not None:
            score += WEIGHT_BEHAVIOUR * behaviour.get(item.category, 0.0) / top_share
        score += WEIGHT_POPULARITY * item.popularity
        ranked.append(Ranked(item.id, round(score, 6), tuple(matched)))
    ranked.sort(key=lambda r: (-r.score, r.id))
    return ranked[:limit]
