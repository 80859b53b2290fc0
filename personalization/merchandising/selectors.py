"""Reads for merchandising: the admin's lists, and the rules applied to one search or one menu.

`search_merchandise` and `menu_arrange` run inside GET /api/v1/decide, so a shop's synonyms and
rules are loaded once per process and kept for `RULES_SECONDS` (a write here forgets them at
once; other processes catch up within that time, like the placement settings).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from personalization.engine import merchandising as engine
from personalization.merchandising.models import NavAction, NavRule, QueryRule, SynonymGroup
from shopapp.catalog.models import CollectionMembership
from shopapp.shops.models import Shop

RULES_SECONDS = 15.0
# A collection in a rule stands for its first products, in the collection's own order.
PRODUCTS_PER_COLLECTION = 100


@dataclass(frozen=True)
class ShopMerchandising:
    synonyms: tuple[engine.SynonymSet, ...] = ()
    rules: tuple[engine.QueryRule, ...] = ()
    # (segment key or "" for everyone, action, collection platform ids)
    nav_rules: tuple[tuple[str, str, tuple[str, ...]], ...] = ()


_cache: dict[int, tuple[float, ShopMerchandising]] = {}


def forget(shop_id: int) -> None:
    _cache.pop(shop_id, None)


def shop_merchandising(*, shop: Shop) -> ShopMerchandising:
    cached = _cache.get(shop.pk)
    if cached and time.monotonic() - cached[0] < RULES_SECONDS:
        return cached[1]
    loaded = _load(shop)
    _cache[shop.pk] = (time.monotonic(), loaded)
    return loaded


def _collection_products(shop: Shop, collection_ids: set[str]) -> dict[str, list[str]]:
    if not collection_ids:
        return {}
    by_collection: dict[str, list[str]] = defaultdict(list)
    rows = (
        CollectionMembership.objects.filter(
            shop=shop,
            collection__platform_id__in=collection_ids,
            product__deleted_at__isnull=True,
        )
        .order_by("collection_id", "position", "id")
        .values_list("collection__platform_id", "product__platform_id")
    )
    for collection_id, product_id in rows:
        if len(by_collection[collection_id]) < PRODUCTS_PER_COLLECTION:
            by_collection[collection_id].append(product_id)
    return by_collection


def _load(shop: Shop) -> ShopMerchandising:
    groups = SynonymGroup.objects.filter(shop=shop).order_by("id")
    rules = list(QueryRule.objects.filter(shop=shop, is_enabled=True).order_by("position", "id"))
    members = _collection_products(shop, {c for r in rules for c in r.collection_ids})
    return ShopMerchandising(
        synonyms=tuple(engine.SynonymSet(tuple(g.terms), g.root) for g in groups),
        rules=tuple(
            engine.QueryRule(
                rule_id=r.pk,
                phrase=r.phrase,
                action=r.action,
                product_ids=tuple(
                    dict.fromkeys(
                        [*r.product_ids, *(p for c in r.collection_ids for p in members.get(c, []))]
                    )
                ),
                match=r.match,
                segment=r.segment_key,
                starts_at=r.starts_at.timestamp() if r.starts_at else None,
                ends_at=r.ends_at.timestamp() if r.ends_at else None,
                label=r.name or r.phrase,
            )
            for r in rules
        ),
        nav_rules=tuple(
            (n.segment_key, n.action, tuple(n.collection_ids))
            for n in NavRule.objects.filter(shop=shop, is_enabled=True).order_by("id")
        ),
    )


@dataclass
class SearchMerchandising:
    terms: list[str]  # the normalized query, then what synonyms add
    order: list[str]
    hidden: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)
    rule_ids: list[int] = field(default_factory=list)


def search_merchandise(
    *,
    shop: Shop,
    query: str,
    result_ids: Sequence[str],
    segments: Collection[str] = (),
    now: float | None = None,
    add_pinned: bool = False,
) -> SearchMerchandising:
    """The shop's synonyms and query rules applied to results already ranked for this shopper."""
    loaded = shop_merchandising(shop=shop)
    terms = engine.expand_query(query, loaded.synonyms)
    rules = engine.matching_rules(
        loaded.rules, terms, segments=set(segments), now=time.time() if now is None else now
    )
    result = engine.merchandise(result_ids, rules, add_pinned=add_pinned)
    return SearchMerchandising(
        terms=terms,
        order=result.order,
        hidden=result.hidden,
        reasons=result.reasons,
        rule_ids=result.rule_ids,
    )


def search_terms(*, shop: Shop, query: str) -> list[str]:
    """The normalized query, then the words the shop's synonyms add: for a storefront search
    that can look for them too (the demo's, a WooCommerce or headless search)."""
    return engine.expand_query(query, shop_merchandising(shop=shop).synonyms)


def menu_arrange(
    *, shop: Shop, order: Sequence[str], segments: Collection[str] = ()
) -> tuple[list[str], list[str]]:
    """The menu with this shopper's segment pins first and hidden items out: (shown, hidden)."""
    pinned: list[str] = []
    hidden: set[str] = set()
    for segment, action, ids in shop_merchandising(shop=shop).nav_rules:
        if segment and segment not in segments:
            continue
        if action == NavAction.HIDE:
            hidden.update(ids)
        else:
            pinned.extend(ids)
    if not pinned and not hidden:
        return list(order), []
    return engine.arrange_menu(order, pinned=pinned, hidden=hidden)


def synonym_group_list(*, shop: Shop) -> list[SynonymGroup]:
    return list(SynonymGroup.objects.filter(shop=shop).order_by("id"))


def query_rule_list(*, shop: Shop) -> list[QueryRule]:
    return list(QueryRule.objects.filter(shop=shop).order_by("position", "id"))


def nav_rule_list(*, shop: Shop) -> list[NavRule]:
    return list(NavRule.objects.filter(shop=shop).order_by("id"))


def synonym_group_get(*, shop: Shop, group_id: int) -> SynonymGroup | None:
    return SynonymGroup.objects.filter(shop=shop, pk=group_id).first()


def query_rule_get(*, shop: Shop, rule_id: int) -> QueryRule | None:
    return QueryRule.objects.filter(shop=shop, pk=rule_id).first()


def decision_search(
    *,
    shop: Shop,
    query: str,
    ranked: Sequence[str],
    segments: Collection[str] = (),
    explain: bool = False,
) -> dict[str, Any]:
    """The decide response's search fields for a query.

    `search` keeps every result id: the storefront script reorders the cards it has and leaves
    the ones missing from the list in front, so hidden results go last and are also named in
    `search_hidden` for a storefront that removes them. `search_terms` are the query and its
    synonyms, for a storefront search that can use them (on Shopify our synonyms only reorder;
    Shopify's own search does not read them).
    """
    found = search_merchandise(shop=shop, query=query, result_ids=ranked, segments=segments)
    answer: dict[str, Any] = {
        "search_terms": found.terms,
        "search_hidden": found.hidden,
    }
    if ranked:
        answer["search"] = found.order + found.hidden
    if explain:
        answer["search_reasons"] = found.reasons
    return answer


def decision_nav(
    *, shop: Shop, order: Sequence[str], segments: Collection[str] = ()
) -> dict[str, Any]:
    """The decide response's menu fields: segment pins first, hidden items last and named."""
    shown, hidden = menu_arrange(shop=shop, order=order, segments=segments)
    return {"nav": shown + hidden, "nav_hidden": hidden} if hidden else {"nav": shown}


# The search parameter of each platform's search page: Shopify and the demo `q`, WordPress `s`.
_SEARCH_PARAMS = ("q", "s")


def search_query_from_referrer(referrer: str) -> str:
    """The query of the search page that asked for a decision, read from its URL.

    The storefront script calls /api/v1/decide from the search page itself; same-origin calls
    (the demo, Shopify's app proxy) carry the page's full URL as the referrer, so the query comes
    along without a parameter of its own. Cross-origin calls carry only the origin: none then.
    """
    if not referrer:
        return ""
    params = parse_qs(urlsplit(referrer[:2048]).query)
    for name in _SEARCH_PARAMS:
        values = params.get(name)
        if values and values[0].strip():
            return values[0].strip()[:200]
    return ""
