"""The search and navigation merchandising page: forms in and out of the merchandising domain,
and the "test a query" preview (the platform's search stands in as the catalog's own search)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Max
from django.utils import timezone

from personalization.merchandising import selectors as merch
from personalization.merchandising.models import (
    MatchKind,
    NavAction,
    NavRule,
    QueryRule,
    RuleAction,
    SynonymGroup,
)
from personalization.merchandising.services import MerchandisingInvalid, QueryRuleInput
from personalization.segments.selectors import segment_list
from shopapp.adminui.selectors import shop_zone
from shopapp.catalog.models import Collection, Product
from shopapp.catalog.selectors import product_search
from shopapp.shops.models import Shop

DATETIME_INPUT = "%Y-%m-%dT%H:%M"
PREVIEW_RESULTS = 12


def message(exc: MerchandisingInvalid) -> str:
    return exc.message[:1].upper() + exc.message[1:] + "."


@dataclass
class RuleForm:
    """A query rule's inputs as typed, and the messages next to them."""

    rule_id: int | None = None
    name: str = ""
    phrase: str = ""
    match: str = MatchKind.CONTAINS
    action: str = RuleAction.PIN
    products: str = ""
    collections: str = ""
    segment: str = ""
    starts_at: str = ""
    ends_at: str = ""
    is_enabled: bool = True
    errors: dict[str, str] = field(default_factory=dict)


def rule_form_for(*, shop: Shop, rule: QueryRule | None) -> RuleForm:
    if rule is None:
        return RuleForm()
    zone = shop_zone(shop)
    return RuleForm(
        rule_id=rule.pk,
        name=rule.name,
        phrase=rule.phrase,
        match=rule.match,
        action=rule.action,
        products=", ".join(rule.product_ids),
        collections=", ".join(rule.collection_ids),
        segment=rule.segment_key,
        starts_at=rule.starts_at.astimezone(zone).strftime(DATETIME_INPUT)
        if rule.starts_at
        else "",
        ends_at=rule.ends_at.astimezone(zone).strftime(DATETIME_INPUT) if rule.ends_at else "",
        is_enabled=rule.is_enabled,
    )


def _when(shop: Shop, field_name: str, raw: str) -> datetime | None:
    if not raw.strip():
        return None
    try:
        naive = datetime.strptime(raw.strip()[:16], DATETIME_INPUT)
    except ValueError as exc:
        raise MerchandisingInvalid(
            field_name, "enter a date and time like 2025-12-01T09:00"
        ) from exc
    return naive.replace(tzinfo=shop_zone(shop))


def rule_form_parse(
    *, shop: Shop, data: Mapping[str, str], rule_id: int | None
) -> tuple[RuleForm, QueryRuleInput | None]:
    form = RuleForm(
        rule_id=rule_id,
        name=data.get("name", "").strip()[:200],
        phrase=data.get("phrase", "")[:200],
        match=data.get("match", ""),
        action=data.get("action", ""),
        products=data.get("products", "")[:4000],
        collections=data.get("collections", "")[:4000],
        segment=data.get("segment", "")[:64],
        starts_at=data.get("starts_at", "")[:32],
        ends_at=data.get("ends_at", "")[:32],
        is_enabled=data.get("is_enabled") == "on",
    )
    times: dict[str, datetime | None] = {}
    for name in ("starts_at", "ends_at"):
        try:
            times[name] = _when(shop, name, getattr(form, name))
        except MerchandisingInvalid as exc:
            form.errors[exc.field] = message(exc)
    if form.errors:
        return form, None
    return form, QueryRuleInput(
        phrase=form.phrase,
        action=form.action,
        products=form.products,
        collections=form.collections,
        match=form.match,
        segment_key=form.segment,
        starts_at=times["starts_at"],
        ends_at=times["ends_at"],
        name=form.name,
        is_enabled=form.is_enabled,
    )


@dataclass(frozen=True)
class RuleRow:
    rule: QueryRule
    products: list[str]  # titles, in the rule's order
    collections: list[str]
    segment: str  # its name, or "" for everyone
    state: str = "on"  # on, off, scheduled (not started yet), ended


def _state(rule: QueryRule, now: datetime) -> str:
    if not rule.is_enabled:
        return "off"
    if rule.ends_at and rule.ends_at <= now:
        return "ended"
    if rule.starts_at and rule.starts_at > now:
        return "scheduled"
    return "on"


def _titles(model: type[Product] | type[Collection], shop: Shop, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(
        model.objects.filter(shop=shop, platform_id__in=ids).values_list("platform_id", "title")
    )


def page_context(shop: Shop) -> dict[str, Any]:
    """Everything the page lists, titles resolved in one query per table."""
    rules = merch.query_rule_list(shop=shop)
    nav_rules = merch.nav_rule_list(shop=shop)
    products = _titles(Product, shop, {p for r in rules for p in r.product_ids})
    collections = _titles(
        Collection,
        shop,
        {c for r in rules for c in r.collection_ids}
        | {c for n in nav_rules for c in n.collection_ids},
    )
    segments = {s.key: s.name for s in segment_list(shop=shop)}
    gone = "(no longer in the store)"
    now = timezone.now()
    return {
        "rule_rows": [
            RuleRow(
                rule=r,
                products=[products.get(p, gone) for p in r.product_ids],
                collections=[collections.get(c, gone) for c in r.collection_ids],
                segment=segments.get(r.segment_key, "(deleted segment)") if r.segment_key else "",
                state=_state(r, now),
            )
            for r in rules
        ],
        "synonyms": merch.synonym_group_list(shop=shop),
        "nav_rows": [
            (
                n,
                [collections.get(c, gone) for c in n.collection_ids],
                segments.get(n.segment_key, "(deleted segment)") if n.segment_key else "",
            )
            for n in nav_rules
        ],
        "segments": segments,
        "match_choices": MatchKind.choices,
        "action_choices": RuleAction.choices,
        "nav_action_choices": NavAction.choices,
    }


def rules_version(shop: Shop) -> str:
    """Changes whenever a rule, synonym or menu rule changes: previews must not be served from
    a decision cached before the merchant's last save."""
    stamps = [
        model.objects.filter(shop=shop).aggregate(at=Max("updated_at"))["at"]
        for model in (QueryRule, SynonymGroup, NavRule)
    ]
    counts = [
        model.objects.filter(shop=shop).count() for model in (QueryRule, SynonymGroup, NavRule)
    ]
    return (
        ":".join(str(s.timestamp() if s else 0) for s in stamps) + ":" + ",".join(map(str, counts))
    )


@dataclass(frozen=True)
class PreviewRow:
    id: str
    title: str
    reason: str
    moved: int  # places up (+) or down (-) from the search's own order
    is_hidden: bool = False


@dataclass(frozen=True)
class SearchPreview:
    query: str
    visitor: str = ""
    terms: tuple[str, ...] = ()
    rows: tuple[PreviewRow, ...] = ()
    message: str = ""


def search_preview(*, shop: Shop, query: str, persona: str) -> SearchPreview:
    """What a persona would see for a search: the catalog's matches for the query and each
    synonym (standing in for the platform's search), then the decision engine's rerank and the
    merchant's rules, with the reason each product moved."""
    from personalization.decisions.catalog import catalog_snapshot
    from personalization.decisions.context import persona_context
    from personalization.decisions.services import PageRequest, page_decide

    query = query.strip()[:200]
    if not query:
        return SearchPreview(query="", message="Type a search to see its results.")
    snapshot = catalog_snapshot(shop)
    context = persona_context(shop, snapshot, persona)
    if context is None:
        return SearchPreview(
            query=query, message="This shop has no shopper who fits that persona yet."
        )
    terms = merch.search_merchandise(shop=shop, query=query, result_ids=()).terms
    found: list[str] = []
    for term in terms:
        for product in product_search(shop=shop, query=term, limit=PREVIEW_RESULTS):
            if product.platform_id not in found:
                found.append(product.platform_id)
    results = tuple(found[:PREVIEW_RESULTS])
    if not results:
        return SearchPreview(
            query=query,
            visitor=context.label,
            terms=tuple(terms),
            message="The search finds no products for this query.",
        )
    context.cache_key = f"{context.cache_key}:admin-search:{rules_version(shop)}"
    decided = page_decide(
        shop=shop,
        request=PageRequest(page="search", results=results, explain=True, query=query),
        context=context,
    )
    hidden = set(decided.get("search_hidden", []))
    reasons: dict[str, str] = decided.get("search_reasons", {})
    order = decided.get("search", list(results))
    rows = []
    for position, pid in enumerate(order):
        item = snapshot.items.get(pid)
        moved = results.index(pid) - position if pid in results else 0
        reason = reasons.get(pid, "")
        rows.append(
            PreviewRow(
                id=pid,
                title=item.title if item else pid,
                reason=reason,
                moved=0 if pid in hidden else moved,
                is_hidden=pid in hidden,
            )
        )
    return SearchPreview(
        query=query,
        visitor=context.label,
        terms=tuple(decided.get("search_terms", terms)),
        rows=tuple(rows),
    )
