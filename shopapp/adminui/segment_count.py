"""The segment builder's live count: how many profiles a draft rule matches, as the admin types.

The count runs over the same people a batch refresh evaluates (customers, and anonymous visitors
seen in the last `ACTIVE_VISITOR_DAYS`), so a saved segment's size matches what the builder said.
Turning profiles into facts is the expensive part, so each process keeps the shop's facts and
rebuilds them only when a profile changed (checked at most every few seconds); each keystroke then
costs one compiled rule over a list of dicts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, Max, Q
from django.utils import timezone

from personalization.engine.segment_rules import Facts, compile_rule, evaluate_many
from personalization.profiles.history import shop_now
from personalization.profiles.models import Profile
from personalization.segments.facts import profile_facts
from personalization.segments.services import ACTIVE_VISITOR_DAYS
from shopapp.shops.models import Shop

CHECK_EVERY_SECONDS = 5.0
_MAX_SHOPS_CACHED = 64


@dataclass(frozen=True)
class Population:
    stamp: tuple[Any, ...]
    facts: list[Facts]


_cache: dict[int, tuple[float, Population]] = {}


def _population_filter(shop: Shop) -> Q:
    active_since = timezone.now() - timedelta(days=ACTIVE_VISITOR_DAYS)
    return Q(shop=shop) & (
        Q(customer__isnull=False) | Q(customer__isnull=True, last_seen_at__gte=active_since)
    )


def population(shop: Shop) -> Population:
    checked = time.monotonic()
    cached = _cache.get(shop.pk)
    if cached and checked - cached[0] < CHECK_EVERY_SECONDS:
        return cached[1]
    where = _population_filter(shop)
    summary = Profile.objects.filter(where).aggregate(n=Count("pk"), latest=Max("updated_at"))
    now = shop_now(shop)
    # The shop's clock moves the event windows; a minute's drift is fine for a count.
    stamp = (summary["n"], summary["latest"], int(now // 60))
    if cached and cached[1].stamp == stamp:
        _cache[shop.pk] = (checked, cached[1])
        return cached[1]
    facts = [profile_facts(profile, now=now) for profile in Profile.objects.filter(where)]
    result = Population(stamp=stamp, facts=facts)
    if len(_cache) >= _MAX_SHOPS_CACHED:
        _cache.clear()
    _cache[shop.pk] = (checked, result)
    return result


@dataclass(frozen=True)
class LiveCount:
    matched: int
    total: int

    @property
    def share_pct(self) -> float:
        return 100.0 * self.matched / self.total if self.total else 0.0


def rule_count(*, shop: Shop, rule: dict[str, Any]) -> LiveCount:
    """Profiles matching a rule; raises RuleError for an invalid one."""
    predicate = compile_rule(rule)
    facts = population(shop).facts
    return LiveCount(matched=int(evaluate_many(predicate, facts).size), total=len(facts))


def forget(shop_id: int | None = None) -> None:
    if shop_id is None:
        _cache.clear()
    else:
        _cache.pop(shop_id, None)
