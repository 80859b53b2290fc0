"""Experiments on the decision path: /api/v1/decide calls `decide_with_experiments` instead of
`page_decide`, so the holdout and placement arms are applied in one place, outside decisions: a
{"personalization": false} arm gets the baseline, a {"strategy": ...} arm passes its strategy in
the request (`PageRequest.strategies`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from personalization.decisions.context import VisitorContext
from personalization.decisions.services import PageRequest, page_decide
from personalization.experiments.selectors import (
    decision_tags,
    placement_baseline_slots,
    placement_strategies,
)
from shopapp.shops.models import Shop


def baseline_context() -> VisitorContext:
    """Nobody in particular: every slot falls back to its non-personalized default (bestsellers,
    trending, new arrivals), which compose never leaves empty. One cache entry for all."""
    return VisitorContext(label="baseline", cache_key="baseline")


def decide_with_experiments(
    *,
    shop: Shop,
    visitor_id: str | None,
    request: PageRequest,
    decide: Callable[[PageRequest], dict[str, Any]],
) -> dict[str, Any]:
    """The page's decision, with the holdout and experiment arms applied, tagged with
    {"holdout": bool, "experiments": [{"experiment", "variant"}]}. `decide` is the personalized
    path (the visitor's cached decision or one for a given context); it is skipped entirely for a
    visitor in the holdout."""
    baseline = placement_baseline_slots(shop, visitor_id)
    strategies = placement_strategies(shop, visitor_id)
    if strategies:  # strategy arms: the placement's strategy for this visitor's request only
        request = replace(request, strategies=strategies)
    if "*" in baseline:
        decision = page_decide(shop=shop, request=request, context=baseline_context())
    else:
        decision = decide(request)
        plain_slots = tuple(slot for slot in decision.get("slots", {}) if slot in baseline)
        if plain_slots:
            plain = page_decide(
                shop=shop, request=replace(request, slots=plain_slots), context=baseline_context()
            )
            # page_decide hands out cached dicts: build new ones rather than mutate.
            decision = {**decision, "slots": {**decision["slots"], **plain["slots"]}}
    return {**decision, **decision_tags(shop, visitor_id)}
