"""What each slot shows for one visitor, and why.

Candidates come from the catalog snapshot (popularity, trending, newness, categories) and the
visitor's context; item-to-item models plug in through `Sources` when a shop has trained
ones. Every list passes the merchant's rules (engine.rerank.apply_rules) and is topped up with
bestsellers, so no block is ever empty, even in a shop with no orders and no events.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from personalization.decisions.catalog import CatalogSnapshot, Item
from personalization.decisions.context import VisitorContext
from personalization.engine.rerank import MerchantRules, apply_rules, rerank_search


def gettext_noop(message: str) -> str:
    """Marks a reason for the catalogue extractor; the Django layer translates it on output."""
    return message


class Reason(str):
    """A reason with values: English text (what the cache, logs and tests see) plus its message
    id and values, so the Django layer can say it in the reader's language without parsing it.
    Product and category names are data, passed as values and never translated."""

    msgid: str
    params: dict[str, object]

    def __new__(cls, msgid: str, **params: object) -> Reason:
        self = super().__new__(cls, msgid % params)
        self.msgid = msgid
        self.params = params
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_reason, (self.msgid, self.params))


def _reason(msgid: str, params: dict[str, object]) -> Reason:
    return Reason(msgid, **params)


Candidate = tuple[str, float, str]  # (platform id, score in [0, 1], reason)
# Enough candidates for any block after exclusions and caps; more would only cost time.
PER_STRATEGY = 48
# (row key, k) -> [(platform id, score in (0, 1], detail)]: a trained model's precomputed row
Lookup = Callable[[str, int], list[tuple[str, float, int]]]


@dataclass(frozen=True)
class Sources:
    """A shop's trained models (recommendations.selectors), each a row lookup: by product id for
    related, bought together and cross-sell; by customer for "for you" and buy again; "*" or
    "seg:<key>" for trending. None when the shop has no such model yet."""

    related: Lookup | None = None
    together: Lookup | None = None
    cross_sell: Lookup | None = None
    trending: Lookup | None = None
    for_you: Lookup | None = None
    buy_again: Lookup | None = None
    segment_names: Mapping[str, str] = field(default_factory=dict)


@dataclass
class SlotDecision:
    slot: str
    title: str
    strategy: str
    items: list[tuple[Item, str]] = field(default_factory=list)

    def as_json(
        self,
        url_for: Callable[[Item], str],
        *,
        explain: bool,
        say: Callable[[str], str] = str,
    ) -> dict[str, Any]:
        """`say` renders a reason in the reader's language (decisions.reasons.reason_text)."""
        return {
            "title": say(self.title),
            "strategy": self.strategy,
            "items": [
                {
                    "id": item.platform_id,
                    "title": item.title,
                    "url": url_for(item),
                    "image": item.image,
                    "price": item.price,
                    **({"reason": say(reason)} if explain else {}),
                }
                for item, reason in self.items
            ],
        }


def _bestsellers(snapshot: CatalogSnapshot) -> list[Candidate]:
    ids = snapshot.bestsellers or snapshot.new_arrivals
    return [
        (pid, snapshot.items[pid].popularity, gettext_noop("Bestseller"))
        for pid in ids[:PER_STRATEGY]
    ]


def _trending(
    snapshot: CatalogSnapshot, context: VisitorContext, sources: Sources
) -> list[Candidate]:
    """Decayed popularity: among the visitor's segment first when it has its own list."""
    if sources.trending is not None:
        candidates: list[Candidate] = []
        for segment in context.segments:
            name = sources.segment_names.get(f"seg:{segment}")
            if name:
                candidates += [
                    (
                        pid,
                        0.5 + 0.5 * score,
                        Reason(gettext_noop("Popular with %(segment)s"), segment=name),
                    )
                    for pid, score, _ in sources.trending(f"seg:{segment}", PER_STRATEGY)
                ]
                break
        for pid, score, _ in sources.trending("*", PER_STRATEGY):
            item = snapshot.items.get(pid)
            if item is not None:
                reason = (
                    Reason(gettext_noop("Popular in %(category)s"), category=item.category)
                    if item.category
                    else gettext_noop("Trending now")
                )
                candidates.append((pid, 0.45 * score, reason))
        if candidates:
            return candidates
    if not snapshot.trending:
        return _bestsellers(snapshot)
    return [
        (pid, snapshot.items[pid].trending, gettext_noop("Trending this month"))
        for pid in snapshot.trending[:PER_STRATEGY]
    ]


def _new_arrivals(snapshot: CatalogSnapshot) -> list[Candidate]:
    return [
        (pid, 1.0 - i / 1000, gettext_noop("New in"))
        for i, pid in enumerate(snapshot.new_arrivals[:PER_STRATEGY])
    ]


def _session_neighbours(
    snapshot: CatalogSnapshot, context: VisitorContext, sources: Sources
) -> list[Candidate]:
    """What sessions like this one went on to view: the related model around the latest items."""
    if sources.related is None:
        return []
    candidates: list[Candidate] = []
    anchors = list(dict.fromkeys(context.cart[:3] + context.recently_viewed[:5]))[:5]
    for rank, anchor in enumerate(anchors):
        item = snapshot.items.get(anchor)
        if item is None:
            continue
        for pid, score, _ in sources.related(anchor, 16):
            candidates.append(
                (
                    pid,
                    (0.4 + 0.5 * score) * 0.85**rank,
                    Reason(gettext_noop("Because you viewed %(product)s"), product=item.title),
                )
            )
    return candidates


def _for_you(
    snapshot: CatalogSnapshot, context: VisitorContext, sources: Sources
) -> list[Candidate]:
    """The trained blend for a known customer, session neighbours for this visit, and more of
    the categories they like; bestsellers for someone we know nothing about."""
    candidates: list[Candidate] = []
    if sources.for_you is not None and context.customer_key:
        for pid, score, _ in sources.for_you(context.customer_key, PER_STRATEGY):
            item = snapshot.items.get(pid)
            liked = item is not None and item.category in context.category_affinity
            reason = (
                Reason(gettext_noop("Because you like %(category)s"), category=item.category)
                if item and liked
                else gettext_noop("Picked for you")
            )
            candidates.append((pid, 0.5 + 0.5 * score, reason))
    candidates += _session_neighbours(snapshot, context, sources)
    if not context.knows_taste:
        return candidates or _bestsellers(snapshot)
    top = max(context.category_affinity.values())
    # the trained parts lead; taste alone ranks below them
    scale = 0.6 if candidates else 1.0
    items = snapshot.items
    for category in context.top_categories[:5]:
        weight = 0.65 * context.category_affinity[category] / top
        reason = Reason(gettext_noop("Because you like %(category)s"), category=category)
        candidates += [
            (pid, scale * (weight + 0.35 * items[pid].popularity), reason)
            for pid in snapshot.by_category.get(category, [])[:PER_STRATEGY]
        ]
    return candidates


def _buy_again(
    snapshot: CatalogSnapshot, context: VisitorContext, sources: Sources
) -> list[Candidate]:
    """What this customer buys repeatedly, when it is due; "for you" when there is nothing."""
    candidates: list[Candidate] = []
    if sources.buy_again is not None and context.customer_key:
        for pid, score, interval_days in sources.buy_again(context.customer_key, PER_STRATEGY):
            reason = (
                Reason(gettext_noop("You buy this about every %(days)s days"), days=interval_days)
                if interval_days > 1
                else gettext_noop("Buy it again")
            )
            candidates.append((pid, 0.5 + 0.5 * score, reason))
    return candidates or _for_you(snapshot, context, sources)


def _recently_viewed(snapshot: CatalogSnapshot, context: VisitorContext) -> list[Candidate]:
    return [
        (pid, 1.0 - i / 100, gettext_noop("You viewed this"))
        for i, pid in enumerate(context.recently_viewed)
    ]


def _new_in_your_categories(snapshot: CatalogSnapshot, context: VisitorContext) -> list[Candidate]:
    favourites = context.top_categories[:3]
    if not favourites:
        return _new_arrivals(snapshot)
    # The favourite category first, newest first within each.
    return [
        (
            pid,
            1.0 - rank / 3 - i / 100_000,
            Reason(gettext_noop("New in %(category)s"), category=category),
        )
        for rank, category in enumerate(favourites)
        for i, pid in enumerate(snapshot.new_by_category.get(category, [])[:PER_STRATEGY])
    ]


def _related(snapshot: CatalogSnapshot, product_id: str, sources: Sources) -> list[Candidate]:
    anchor = snapshot.items.get(product_id)
    candidates: list[Candidate] = []
    if sources.related is not None and anchor is not None:
        candidates += [
            (
                pid,
                0.5 + 0.5 * score,
                Reason(gettext_noop("Because you viewed %(product)s"), product=anchor.title),
            )
            for pid, score, _ in sources.related(product_id, 40)
        ]
    if anchor is not None:
        candidates += [
            (
                pid,
                0.5 * snapshot.items[pid].popularity,
                Reason(gettext_noop("More in %(category)s"), category=anchor.category),
            )
            for pid in snapshot.by_category.get(anchor.category, [])[:PER_STRATEGY]
            if pid != product_id
        ]
    return candidates


def _bought_together(
    snapshot: CatalogSnapshot,
    anchors: Sequence[str],
    sources: Sources,
    *,
    complements_first: bool = False,
) -> list[Candidate]:
    """Association rules from the anchors (a product, a cart, an order just placed). After a
    purchase, the cross-sell model's complements lead: another of what was just bought is a
    substitute, not a suggestion."""
    candidates: list[Candidate] = []
    for rank, anchor in enumerate(anchors[:5]):
        item = snapshot.items.get(anchor)
        title = item.title if item else "this"
        decay = 0.9**rank
        if complements_first and sources.cross_sell is not None:
            candidates += [
                (
                    pid,
                    (0.6 + 0.4 * score) * decay,
                    Reason(gettext_noop("Goes well with %(product)s"), product=title),
                )
                for pid, score, _ in sources.cross_sell(anchor, 30)
            ]
        if sources.together is not None:
            weight = 0.8 if complements_first else 1.0
            candidates += [
                (
                    pid,
                    weight * (0.5 + 0.5 * score) * decay,
                    Reason(gettext_noop("Bought together with %(product)s"), product=title),
                )
                for pid, score, _ in sources.together(anchor, 30)
            ]
    # Complements, not substitutes: bestsellers from the other categories.
    categories = {snapshot.items[a].category for a in anchors if a in snapshot.items}
    candidates += [
        (pid, 0.4 * snapshot.items[pid].popularity, gettext_noop("Popular with shoppers like you"))
        for pid in snapshot.bestsellers[: 2 * PER_STRATEGY]
        if snapshot.items[pid].category not in categories
    ]
    return candidates


@dataclass(frozen=True)
class SlotPlan:
    title: str
    strategy: str


def homepage_plan(context: VisitorContext) -> dict[str, SlotPlan]:
    """Which section each homepage slot holds for this visitor. A newcomer is never greeted like
    an old friend; a lapsed customer sees what is new where they used to shop, and an offer."""
    top = context.top_categories[0] if context.top_categories else None
    if context.lifecycle == "lapsed":
        return {
            "home-hero": SlotPlan(gettext_noop("Welcome back"), "new_in_your_categories"),
            "home-recommended": SlotPlan(
                Reason(gettext_noop("New in %(category)s"), category=top)
                if top
                else gettext_noop("New since your last visit"),
                "new_in_your_categories",
            ),
            "home-new-arrivals": SlotPlan(gettext_noop("An offer to welcome you back"), "for_you"),
        }
    if context.lifecycle in ("first_time_customer", "repeat_customer", "vip"):
        return {
            "home-hero": SlotPlan(gettext_noop("Good to see you again"), "for_you"),
            "home-recommended": SlotPlan(gettext_noop("Picked for you"), "for_you"),
            "home-new-arrivals": SlotPlan(
                gettext_noop("New in your favourite categories"), "new_in_your_categories"
            ),
        }
    if context.lifecycle == "returning_visitor" or context.recently_viewed:
        return {
            "home-hero": SlotPlan(gettext_noop("Welcome back"), "for_you"),
            "home-recommended": SlotPlan(gettext_noop("Picked for you"), "for_you"),
            "home-new-arrivals": SlotPlan(gettext_noop("Recently viewed"), "recently_viewed"),
        }
    return {
        "home-hero": SlotPlan(gettext_noop("Gifts people love"), "bestsellers"),
        "home-recommended": SlotPlan(gettext_noop("Bestsellers"), "bestsellers"),
        "home-new-arrivals": SlotPlan(gettext_noop("Trending this month"), "trending"),
    }


PRODUCT_SLOTS = {
    "product-related": SlotPlan(gettext_noop("You may also like"), "related"),
    "product-bought-together": SlotPlan(
        gettext_noop("Frequently bought together"), "bought_together"
    ),
    "product-recently-viewed": SlotPlan(gettext_noop("Recently viewed"), "recently_viewed"),
    "cart-cross-sell": SlotPlan(gettext_noop("Complete your order"), "cross_sell"),
    "post-purchase": SlotPlan(gettext_noop("Goes well with your order"), "post_purchase"),
    "buy-again": SlotPlan(gettext_noop("Buy it again"), "buy_again"),
    "search-suggestions": SlotPlan(gettext_noop("Popular right now"), "bestsellers"),
    "ugc-gallery": SlotPlan(gettext_noop("Shop the look"), "for_you"),
}


def candidates_for(
    strategy: str,
    snapshot: CatalogSnapshot,
    context: VisitorContext,
    *,
    product_id: str | None,
    sources: Sources,
) -> list[Candidate]:
    if strategy == "bestsellers":
        return _bestsellers(snapshot)
    if strategy == "trending":
        return _trending(snapshot, context, sources)
    if strategy == "new_arrivals":
        return _new_arrivals(snapshot)
    if strategy == "for_you":
        return _for_you(snapshot, context, sources)
    if strategy == "buy_again":
        return _buy_again(snapshot, context, sources)
    if strategy == "recently_viewed":
        # what they viewed, then (never above it) what sessions like theirs went on to view
        remembered = [c for c in _recently_viewed(snapshot, context) if c[0] != product_id]
        return remembered + [
            (pid, 0.5 * score, reason)
            for pid, score, reason in _session_neighbours(snapshot, context, sources)
        ]
    if strategy == "new_in_your_categories":
        return _new_in_your_categories(snapshot, context)
    if strategy == "related":
        return _related(snapshot, product_id or "", sources)
    if strategy == "bought_together":
        return _bought_together(snapshot, [product_id] if product_id else [], sources)
    if strategy == "cross_sell":
        return _bought_together(snapshot, context.cart, sources, complements_first=True)
    if strategy == "post_purchase":
        # the order just placed arrives as the cart; a known customer's recent buys otherwise
        anchors = context.cart or context.recent_purchases
        return _bought_together(snapshot, anchors, sources, complements_first=True)
    raise ValueError(f"unknown strategy {strategy!r}")


class _CategoryOf(Mapping[str, str]):
    """Product id -> category, read from the snapshot on demand (no per-request dict of the catalog)."""

    def __init__(self, snapshot: CatalogSnapshot) -> None:
        self._products = snapshot.items

    def __getitem__(self, key: str) -> str:
        return self._products[key].category

    def get(self, key: str, default: Any = None) -> Any:
        item = self._products.get(key)
        return item.category if item else default

    def __iter__(self) -> Any:
        return iter(self._products)

    def __len__(self) -> int:
        return len(self._products)


def rules_from_config(
    config: Mapping[str, Any], snapshot: CatalogSnapshot, context: VisitorContext, exclude: set[str]
) -> MerchantRules:
    excluded = set(config.get("excluded", [])) | exclude
    if config.get("exclude_purchased"):
        excluded |= context.purchased
    cap = config.get("max_per_category")
    return MerchantRules(
        pinned=tuple(config.get("pinned", [])),
        boosted=frozenset(config.get("boosted", [])),
        buried=frozenset(config.get("buried", [])),
        excluded=frozenset(excluded),
        max_per_group=int(cap) if cap else None,
        groups=_CategoryOf(snapshot) if cap else {},
    )


def decide_slot(
    slot: str,
    plan: SlotPlan,
    snapshot: CatalogSnapshot,
    context: VisitorContext,
    *,
    limit: int,
    product_id: str | None,
    config: Mapping[str, Any],
    sources: Sources,
    exclude: set[str],
) -> SlotDecision:
    strategy = config.get("strategy") or plan.strategy
    candidates = candidates_for(strategy, snapshot, context, product_id=product_id, sources=sources)
    reasons: dict[str, str] = {}
    best: dict[str, float] = {}
    for pid, score, reason in candidates:
        if pid in snapshot.items and score > best.get(pid, -1.0):
            best[pid], reasons[pid] = score, reason
    rules = rules_from_config(config, snapshot, context, {product_id} if product_id else set())
    # Never empty: bestsellers, then new arrivals, fill what the strategy could not. Only as many
    # as could be needed, so a big catalog costs no more than a small one.
    wanted = limit + len(exclude) + len(rules.excluded) + len(rules.buried) + len(rules.pinned) + 8
    for ids, reason in (
        (snapshot.bestsellers, gettext_noop("Bestseller")),
        (snapshot.new_arrivals, gettext_noop("New in")),
    ):
        if len(best) >= 2 * wanted and rules.max_per_group is None:
            break  # plenty to choose from: only a per-category cap could still run short
        for pid in ids[:wanted]:
            if pid not in best:
                best[pid], reasons[pid] = 0.01 * snapshot.items[pid].popularity, reason
    if rules.boosted:
        boost, boosted = rules.boost, rules.boosted
        ranked = heapq.nlargest(
            wanted * 3, best.items(), key=lambda kv: kv[1] + (boost if kv[0] in boosted else 0.0)
        )
    else:
        ranked = heapq.nlargest(wanted * 3, best.items(), key=itemgetter(1))
    # Prefer what other blocks on the page do not show; repeat only when the catalog is too small.
    chosen = apply_rules([kv for kv in ranked if kv[0] not in exclude], rules, limit=limit)
    if len(chosen) < limit:
        repeats = apply_rules(
            [kv for kv in ranked if kv[0] in exclude and kv[0] not in chosen],
            rules,
            limit=limit - len(chosen),
        )
        chosen += [pid for pid in repeats if pid not in chosen]
    pinned = set(rules.pinned)
    return SlotDecision(
        slot=slot,
        title=config.get("title") or plan.title,
        strategy=strategy,
        items=[
            (
                snapshot.items[pid],
                gettext_noop("Chosen by the shop") if pid in pinned else reasons.get(pid, ""),
            )
            for pid in chosen
            if pid in snapshot.items
        ],
    )


def order_navigation(
    collection_ids: Sequence[str],
    snapshot: CatalogSnapshot,
    context: VisitorContext,
    *,
    pinned: Sequence[str] = (),
) -> list[str]:
    """Menu collections by the visitor's taste, inside the merchant's pins; unknown ids keep place
    after the known ones, in their original order."""
    pins = [c for c in pinned if c in collection_ids]
    rest = [c for c in collection_ids if c not in pins]
    if not context.knows_taste:
        return pins + rest
    position = {c: i for i, c in enumerate(rest)}

    def score(collection_id: str) -> tuple[float, int]:
        title = snapshot.collections.get(collection_id, "")
        return (-context.category_affinity.get(title, 0.0), position[collection_id])

    return pins + sorted(rest, key=score)


def rerank_results(
    result_ids: Sequence[str],
    snapshot: CatalogSnapshot,
    context: VisitorContext,
    *,
    max_shift: int = 3,
    sources: Sources | None = None,
) -> list[str]:
    """Taste and popularity, and, with trained models, what they pick for this shopper (the
    customer's "for you" row, or what followed this session's views): still within max_shift."""
    top = max(context.category_affinity.values(), default=0.0)
    picks: dict[str, float] = {}
    if sources is not None:
        if sources.for_you is not None and context.customer_key:
            picks = {
                pid: score for pid, score, _ in sources.for_you(context.customer_key, PER_STRATEGY)
            }
        for pid, score, _ in _session_neighbours(snapshot, context, sources):
            picks[pid] = max(picks.get(pid, 0.0), score)

    def personal(pid: str) -> float:
        item = snapshot.items.get(pid)
        if item is None:
            return 0.0
        taste = context.category_affinity.get(item.category, 0.0) / top if top else 0.0
        base = 0.7 * taste + 0.3 * item.popularity
        return 0.6 * base + 0.4 * picks.get(pid, 0.0) if picks else base

    return rerank_search(result_ids, personal, max_shift=max_shift, weight=0.6)
