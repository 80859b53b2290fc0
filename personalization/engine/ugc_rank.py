"""Rank user-generated content (customer photos, reviews) for one visitor, with reasons.

score = 0.55 * affinity + 0.25 * quality + 0.20 * recency, each in [0, 1]:

- affinity: the strongest link between the item and the visitor. A tagged product the visitor
  viewed, has in the cart or bought counts fully (1.0, 0.9, 0.7); a tagged product in one of their
  categories counts that category's share of their interest, scaled so their top category is 1.
  On a product page, an item tagged with that product counts 1.0 for everyone.
- quality: what the caller measured (rating, text length, picture size, verified buyer).
- recency: halves every `half_life_days`.

Affinity dominates so that two visitors with different tastes see a different order, while quality
and recency order what nobody has a taste for. Ties break on id for a stable order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

WEIGHTS = {"affinity": 0.55, "quality": 0.25, "recency": 0.20}
DEFAULT_HALF_LIFE_DAYS = 60.0


@dataclass(frozen=True)
class UgcItem:
    item_id: int
    product_ids: tuple[str, ...]  # tagged products, platform ids
    categories: tuple[str, ...]  # their categories
    quality: float  # 0..1
    age_days: float


@dataclass
class Visitor:
    category_affinity: Mapping[str, float] = field(default_factory=dict)  # shares
    viewed: Sequence[str] = ()
    cart: Sequence[str] = ()
    purchased: Sequence[str] = ()
    current_product: str = ""


@dataclass(frozen=True)
class Ranked:
    item_id: int
    score: float
    reason: str
    parts: dict[str, float]


def _affinity(item: UgcItem, visitor: Visitor) -> tuple[float, str]:
    best, why = 0.0, ""
    for pid in item.product_ids:
        for ids, weight, label in (
            ((visitor.current_product,), 1.0, "Shows this product"),
            (visitor.viewed, 1.0, "Features a product you viewed"),
            (visitor.cart, 0.9, "Features a product in your cart"),
            (visitor.purchased, 0.7, "Features a product you bought"),
        ):
            if pid and pid in ids and weight > best:
                best, why = weight, label
    top = max(visitor.category_affinity.values(), default=0.0)
    if top > 0:
        for category in item.categories:
            share = visitor.category_affinity.get(category, 0.0) / top
            if share > best:
                best, why = share, f"You like {category}"
    return best, why


def recency(age_days: float, half_life_days: float = DEFAULT_HALF_LIFE_DAYS) -> float:
    return float(0.5 ** (max(age_days, 0.0) / half_life_days))


def rank(
    items: Sequence[UgcItem],
    visitor: Visitor,
    *,
    limit: int | None = None,
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
) -> list[Ranked]:
    ranked = []
    for item in items:
        affinity, why = _affinity(item, visitor)
        parts = {
            "affinity": round(affinity, 4),
            "quality": round(min(max(item.quality, 0.0), 1.0), 4),
            "recency": round(recency(item.age_days, half_life_days), 4),
        }
        score = sum(WEIGHTS[k] * v for k, v in parts.items())
        if not why:
            why = "Top rated" if parts["quality"] >= parts["recency"] else "Recently shared"
        ranked.append(Ranked(item.item_id, round(score, 4), why, parts))
    ranked.sort(key=lambda r: (-r.score, r.item_id))
    return ranked[:limit] if limit is not None else ranked


def quality_score(
    *, rating: int | None, text_length: int, pixels: int, is_verified: bool, flags: int
) -> float:
    """Quality in [0, 1]: rating, enough words to be useful, a sharp picture, a verified buyer;
    each automatic flag halves it."""
    stars = (rating / 5.0) if rating else 0.6
    words = min(text_length / 200.0, 1.0)
    sharp = min(pixels / (1200 * 1200), 1.0) if pixels else 0.0
    value = 0.45 * stars + 0.2 * words + 0.2 * sharp + (0.15 if is_verified else 0.0)
    return round(value * (0.5**flags), 4)
