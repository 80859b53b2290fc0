"""Search merchandising: synonyms and query rules applied to one search. Pure Python, no Django.

- `expand_query`: the query's terms plus what the shop's synonyms add. A two-way group makes its
  terms equivalent ("sofa" = "couch" = "settee"); a one-way group adds its terms to searches for
  its root only ("candle" also finds "tealight", not the reverse).
- `matching_rules`: the query rules that fire for this query (its phrase occurs in the query or
  in one of its synonyms), for this shopper's segments, at this time.
- `merchandise`: a ranked result list under those rules: pinned first (in the rule's order),
  boosted next, the rest in their ranked order, buried last, hidden removed; with a reason each.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

ACTIONS = ("pin", "boost", "bury", "hide")
MATCH_KINDS = ("contains", "exact")
_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)


def normalize(text: str) -> str:
    """Lower case, punctuation as spaces, single spaces: "Tea-Light  Holder!" -> "tea light holder"."""
    return " ".join(_NOT_WORD.sub(" ", text.casefold()).split())


def _contains_phrase(text: str, phrase: str) -> bool:
    """Whole words only: "tea" is in "green tea cup", not in "teapot"."""
    return bool(phrase) and f" {phrase} " in f" {text} "


@dataclass(frozen=True)
class SynonymSet:
    terms: tuple[str, ...]  # normalized
    root: str = ""  # one-way: only a search for the root gains the terms; empty: two-way


def expand_query(query: str, synonyms: Iterable[SynonymSet]) -> list[str]:
    """The normalized query first, then each added term once, in the groups' order."""
    text = normalize(query)
    if not text:
        return []
    expanded = [text]
    for group in synonyms:
        if group.root:
            added = group.terms if _contains_phrase(text, group.root) else ()
        elif any(_contains_phrase(text, term) for term in group.terms):
            added = group.terms
        else:
            added = ()
        for term in added:
            if term and term not in expanded and not _contains_phrase(text, term):
                expanded.append(term)
    return expanded


@dataclass(frozen=True)
class QueryRule:
    rule_id: int
    phrase: str  # normalized
    action: str  # one of ACTIONS
    product_ids: tuple[str, ...]  # platform ids, in the merchant's order
    match: str = "contains"  # one of MATCH_KINDS
    segment: str = ""  # a segment key; empty: everyone
    starts_at: float | None = None  # epoch seconds; None: open
    ends_at: float | None = None
    label: str = ""  # how the reason names the rule

    def is_live(self, now: float) -> bool:
        return (self.starts_at is None or self.starts_at <= now) and (
            self.ends_at is None or now < self.ends_at
        )

    def matches(self, terms: Sequence[str]) -> bool:
        if self.match == "exact":
            return self.phrase in terms
        return any(_contains_phrase(term, self.phrase) for term in terms)


def matching_rules(
    rules: Iterable[QueryRule], terms: Sequence[str], *, segments: Collection[str], now: float
) -> list[QueryRule]:
    """Rules for this query, shopper and moment, in the given order (the merchant's)."""
    if not terms:
        return []
    return [
        rule
        for rule in rules
        if rule.is_live(now)
        and (not rule.segment or rule.segment in segments)
        and rule.matches(terms)
    ]


@dataclass
class Merchandised:
    order: list[str]  # what to show, best first
    hidden: list[str] = field(default_factory=list)  # results a rule hid, in their ranked order
    reasons: dict[str, str] = field(default_factory=dict)  # product id -> why it moved
    rule_ids: list[int] = field(default_factory=list)  # the rules that changed something


def merchandise(
    ranked_ids: Sequence[str], rules: Sequence[QueryRule], *, add_pinned: bool = True
) -> Merchandised:
    """Apply matched rules to results already ranked (by relevance and taste).

    The first rule to name a product decides what happens to it, so a merchant reads the rules
    top to bottom. Pinned products missing from the results are added at the top when
    `add_pinned` (a storefront that only reorders its own cards skips ids it does not have).
    """
    action_of: dict[str, tuple[str, QueryRule]] = {}
    pins: list[str] = []
    for rule in rules:
        for pid in rule.product_ids:
            if pid in action_of:
                continue
            action_of[pid] = (rule.action, rule)
            if rule.action == "pin":
                pins.append(pid)
    present = set(ranked_ids)
    result = Merchandised(order=[])
    used: set[int] = set()

    def note(pid: str, verb: str, rule: QueryRule) -> None:
        result.reasons[pid] = f"{verb} for “{rule.label or rule.phrase}”"
        used.add(rule.rule_id)

    for pid in pins:
        if pid in present or add_pinned:
            result.order.append(pid)
            note(pid, "Pinned", action_of[pid][1])
    boosted, middle, buried = [], [], []
    for pid in ranked_ids:
        entry = action_of.get(pid)
        if entry is None:
            middle.append(pid)
            continue
        action, rule = entry
        if action == "pin":
            continue
        if action == "hide":
            result.hidden.append(pid)
            note(pid, "Hidden", rule)
        elif action == "boost":
            boosted.append(pid)
            note(pid, "Boosted", rule)
        elif action == "bury":
            buried.append(pid)
            note(pid, "Buried", rule)
        else:
            middle.append(pid)
    result.order += boosted + middle + buried
    result.rule_ids = [rule.rule_id for rule in rules if rule.rule_id in used]
    return result


def arrange_menu(
    order: Sequence[str], *, pinned: Sequence[str], hidden: Collection[str]
) -> tuple[list[str], list[str]]:
    """A menu order (already personalized) with the segment's pins first and its hidden items
    taken out: (shown, hidden). Pins name only items the menu has."""
    present = set(order)
    pins = [c for c in dict.fromkeys(pinned) if c in present and c not in hidden]
    shown = pins + [c for c in order if c not in hidden and c not in pins]
    return shown, [c for c in order if c in hidden]
