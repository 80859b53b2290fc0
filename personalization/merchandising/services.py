"""Writes for merchandising: synonym groups, query rules and menu rules, validated per field.

Every write forgets this process's cached rules (`selectors.forget`); other processes pick the
change up within `selectors.RULES_SECONDS`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from django.db import transaction
from django.db.models import Max, Q

from personalization.engine.merchandising import normalize
from personalization.merchandising import selectors
from personalization.merchandising.models import (
    MatchKind,
    NavAction,
    NavRule,
    QueryRule,
    RuleAction,
    SynonymGroup,
)
from personalization.segments.models import Segment
from shopapp.catalog.models import Collection, Product
from shopapp.shops.models import Shop

MAX_TERMS = 20
MAX_TERM_LENGTH = 100
MAX_REFERENCES = 50
_SPLIT = re.compile(r"[\s,]+")


class MerchandisingInvalid(ValueError):
    """Bad input; `field` names the input the message belongs next to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _terms(field: str, raw: str | Sequence[str]) -> list[str]:
    parts = raw.split(",") if isinstance(raw, str) else list(raw)
    terms = list(dict.fromkeys(t for t in (normalize(p) for p in parts) if t))
    if len(terms) > MAX_TERMS:
        raise MerchandisingInvalid(field, f"at most {MAX_TERMS} terms")
    too_long = [t for t in terms if len(t) > MAX_TERM_LENGTH]
    if too_long:
        raise MerchandisingInvalid(field, f"a term has at most {MAX_TERM_LENGTH} characters")
    return terms


@transaction.atomic
def synonym_group_save(
    *, shop: Shop, terms: str | Sequence[str], root: str = "", group_id: int | None = None
) -> SynonymGroup:
    """Two-way when `root` is empty (at least two terms), one-way from `root` otherwise."""
    group = _own(SynonymGroup, shop, group_id) if group_id else SynonymGroup(shop=shop)
    root_term = normalize(root)
    if len(root_term) > MAX_TERM_LENGTH:
        raise MerchandisingInvalid("root", f"at most {MAX_TERM_LENGTH} characters")
    cleaned = [t for t in _terms("terms", terms) if t != root_term]
    if root_term and not cleaned:
        raise MerchandisingInvalid("terms", "enter the words a search for the root also finds")
    if not root_term and len(cleaned) < 2:
        raise MerchandisingInvalid("terms", "enter at least two words that mean the same")
    group.terms, group.root = cleaned, root_term
    group.save()
    selectors.forget(shop.pk)
    return group


def synonym_group_delete(*, shop: Shop, group_id: int) -> None:
    _own(SynonymGroup, shop, group_id).delete()
    selectors.forget(shop.pk)


M = TypeVar("M", SynonymGroup, QueryRule, NavRule)


def _own(model: type[M], shop: Shop, pk: int) -> M:
    found = model.objects.filter(shop=shop, pk=pk).first()
    if found is None:
        raise model.DoesNotExist(f"no {model.__name__} {pk} in this shop")
    return found


def references_resolve(
    *, shop: Shop, field: str, text: str | Sequence[str], collections: bool = False
) -> list[str]:
    """Platform ids for typed ids or handles, in the order typed; an unknown one (or another
    shop's) is an error naming the field."""
    raw = _SPLIT.split(text.strip()) if isinstance(text, str) else list(text)
    tokens = list(dict.fromkeys(t for t in raw if t))
    if len(tokens) > MAX_REFERENCES:
        raise MerchandisingInvalid(field, f"at most {MAX_REFERENCES} entries")
    if not tokens:
        return []
    model: type[Product] | type[Collection] = Collection if collections else Product
    rows = model.objects.filter(shop=shop, deleted_at__isnull=True).filter(
        Q(platform_id__in=tokens) | Q(handle__in=tokens)
    )
    by_token: dict[str, str] = {}
    for platform_id, handle in rows.values_list("platform_id", "handle"):
        by_token[platform_id] = platform_id
        by_token.setdefault(handle, platform_id)
    unknown = [t for t in tokens if t not in by_token]
    if unknown:
        noun = "collection" if collections else "product"
        listed = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
        raise MerchandisingInvalid(field, f"no {noun} with the id or handle {listed}")
    return list(dict.fromkeys(by_token[t] for t in tokens))


def _segment_key(shop: Shop, key: str) -> str:
    key = key.strip()
    if key and not Segment.objects.filter(shop=shop, key=key).exists():
        raise MerchandisingInvalid("segment", "no segment with that key in this shop")
    return key


@dataclass(frozen=True)
class QueryRuleInput:
    phrase: str
    action: str
    products: str | Sequence[str] = ""
    collections: str | Sequence[str] = ""
    match: str = MatchKind.CONTAINS
    segment_key: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    name: str = ""
    is_enabled: bool = True


@transaction.atomic
def query_rule_save(*, shop: Shop, data: QueryRuleInput, rule_id: int | None = None) -> QueryRule:
    rule = _own(QueryRule, shop, rule_id) if rule_id else QueryRule(shop=shop)
    phrase = normalize(data.phrase)
    if not phrase:
        raise MerchandisingInvalid("phrase", "enter the words the query contains")
    if len(phrase) > MAX_TERM_LENGTH:
        raise MerchandisingInvalid("phrase", f"at most {MAX_TERM_LENGTH} characters")
    if data.match not in MatchKind.values:
        raise MerchandisingInvalid("match", "choose contains or is exactly")
    if data.action not in RuleAction.values:
        raise MerchandisingInvalid("action", "choose pin, boost, bury or hide")
    if len(data.name) > 120:
        raise MerchandisingInvalid("name", "at most 120 characters")
    product_ids = references_resolve(shop=shop, field="products", text=data.products)
    collection_ids = references_resolve(
        shop=shop, field="collections", text=data.collections, collections=True
    )
    if not product_ids and not collection_ids:
        raise MerchandisingInvalid("products", "name at least one product or collection")
    if data.starts_at and data.ends_at and data.ends_at <= data.starts_at:
        raise MerchandisingInvalid("ends_at", "the end must come after the start")
    rule.name = data.name.strip()
    rule.phrase, rule.match, rule.action = phrase, data.match, data.action
    rule.product_ids, rule.collection_ids = product_ids, collection_ids
    rule.segment_key = _segment_key(shop, data.segment_key)
    rule.starts_at, rule.ends_at = data.starts_at, data.ends_at
    rule.is_enabled = data.is_enabled
    if rule.pk is None:
        last = QueryRule.objects.filter(shop=shop).aggregate(last=Max("position"))["last"]
        rule.position = 0 if last is None else last + 1
    rule.save()
    selectors.forget(shop.pk)
    return rule


def query_rule_delete(*, shop: Shop, rule_id: int) -> None:
    _own(QueryRule, shop, rule_id).delete()
    selectors.forget(shop.pk)


@transaction.atomic
def nav_rule_save(
    *,
    shop: Shop,
    action: str,
    collections: str | Sequence[str],
    segment_key: str = "",
    rule_id: int | None = None,
) -> NavRule:
    rule = _own(NavRule, shop, rule_id) if rule_id else NavRule(shop=shop)
    if action not in NavAction.values:
        raise MerchandisingInvalid("nav_action", "choose pin or hide")
    ids = references_resolve(shop=shop, field="nav_collections", text=collections, collections=True)
    if not ids:
        raise MerchandisingInvalid("nav_collections", "name at least one collection")
    rule.action, rule.collection_ids = action, ids
    try:
        rule.segment_key = _segment_key(shop, segment_key)
    except MerchandisingInvalid as exc:
        raise MerchandisingInvalid("nav_segment", exc.message) from exc
    rule.save()
    selectors.forget(shop.pk)
    return rule


def nav_rule_delete(*, shop: Shop, rule_id: int) -> None:
    _own(NavRule, shop, rule_id).delete()
    selectors.forget(shop.pk)


@transaction.atomic
def query_rule_move_up(*, shop: Shop, rule_id: int) -> QueryRule:
    """Swap a rule with the one before it: the earlier rule decides for a product both name."""
    rules = list(QueryRule.objects.select_for_update().filter(shop=shop).order_by("position", "id"))
    index = next((i for i, r in enumerate(rules) if r.pk == rule_id), None)
    if index is None:
        raise QueryRule.DoesNotExist(f"no QueryRule {rule_id} in this shop")
    if index > 0:
        rules[index - 1], rules[index] = rules[index], rules[index - 1]
        for position, rule in enumerate(rules):
            if rule.position != position:
                rule.position = position
                rule.save(update_fields=["position", "updated_at"])
        selectors.forget(shop.pk)
    return rules[max(index - 1, 0)]
