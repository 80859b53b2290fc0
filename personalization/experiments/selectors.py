"""Reads for experiments: who is in which arm, who is in the holdout, and results.

The API other packages use (campaigns, decisions):

- `in_holdout(shop, visitor_id) -> bool`: the always-on holdout (default 5 % of visitors, per shop,
  `HoldoutSettings.percent`), bucketed with its own salt so it is independent of every experiment.
  Holdout visitors see no personalization and take part in no experiment.
- `assignment_for(shop, visitor_id, *, target_kind, target_key) -> Assignment | None`: the arm of
  the running experiment on that target, or None (no experiment, no visitor id, or holdout).
- `assignments_for_visitor(shop, visitor_id) -> list[Assignment]`: every running experiment's arm.
- `decision_tags(shop, visitor_id) -> dict`: what /api/v1/decide adds to its response.
- `experiment_results(shop=, experiment=)`, `incremental_revenue(shop, since)`: see `results.py`.
- `idea_list(shop=)`: the RICE backlog, best first; `Idea.campaign_template`/`campaign_config`
  are what the campaigns app needs to turn an idea into a campaign.

Writes (`services.py`): `experiment_create/start/stop/rollout`, `exposure_record` (a campaign
calls it when its trigger fires, for both arms), `holdout_percent_set`, `idea_create`. Clicks
count for an experiment when their event's `placement` is the target key.

Arms are never stored at decision time: `bucketing.bucket(experiment.salt, visitor_id, weights)`
recomputes them, so the analysis derives each visitor's arm from the visitor id on their events.
Running experiments are cached per process for CACHE_SECONDS (the decision path reads them on every
page); services forget the cache of the process that wrote.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings as django_settings
from django.db import models

from personalization.engine.bucketing import bucket, in_fraction
from personalization.experiments.models import (
    DEFAULT_HOLDOUT_PERCENT,
    Experiment,
    ExperimentStatus,
    HoldoutSettings,
    Idea,
)
from shopapp.shops.models import Shop

CACHE_SECONDS = 15.0


@dataclass(frozen=True)
class Assignment:
    experiment_id: int
    experiment_key: str
    target_kind: str
    target_key: str
    variant_id: int
    variant_key: str
    is_control: bool
    config: dict[str, Any] = field(default_factory=dict)
    attribution_window_hours: int = 24

    def as_json(self) -> dict[str, Any]:
        return {"experiment": self.experiment_key, "variant": self.variant_key}


@dataclass(frozen=True)
class _ArmSpec:
    variant_id: int
    key: str
    weight: float
    is_control: bool
    config: dict[str, Any]


@dataclass(frozen=True)
class _ExperimentSpec:
    id: int
    key: str
    target_kind: str
    target_key: str
    salt: str
    attribution_window_hours: int
    arms: tuple[_ArmSpec, ...]
    winner_id: int | None = None


@dataclass(frozen=True)
class _ShopState:
    holdout_fraction: float
    experiments: tuple[_ExperimentSpec, ...]


_state_cache: dict[int, tuple[float, _ShopState]] = {}


def forget_shop(shop_id: int) -> None:
    """Drop this process's cached experiments and holdout size for the shop (after a write)."""
    _state_cache.pop(shop_id, None)


def holdout_salt(shop: Shop) -> str:
    return f"holdout:{shop.pk}"


def holdout_percent(*, shop: Shop) -> float:
    settings = HoldoutSettings.objects.filter(shop=shop).first()
    if settings is not None:
        return settings.percent
    # A shop that never chose gets the deployment's default (DEFAULT_HOLDOUT_PERCENT unless set).
    return float(
        getattr(django_settings, "EXPERIMENTS_HOLDOUT_DEFAULT_PERCENT", DEFAULT_HOLDOUT_PERCENT)
    )


def _load(shop: Shop) -> _ShopState:
    experiments = []
    for experiment in (
        Experiment.objects.filter(shop=shop, status=ExperimentStatus.RUNNING)
        .prefetch_related("variants")
        .order_by("pk")
    ):
        arms = tuple(
            _ArmSpec(v.pk, v.key, v.weight, v.is_control, dict(v.config))
            for v in experiment.variants.all()
        )
        if not arms:
            continue
        experiments.append(
            _ExperimentSpec(
                id=experiment.pk,
                key=experiment.key,
                target_kind=experiment.target_kind,
                target_key=experiment.target_key,
                salt=experiment.salt,
                attribution_window_hours=experiment.attribution_window_hours,
                arms=arms,
            )
        )
    return _ShopState(holdout_percent(shop=shop) / 100.0, tuple(experiments))


def _state(shop: Shop) -> _ShopState:
    cached = _state_cache.get(shop.pk)
    if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    state = _load(shop)
    _state_cache[shop.pk] = (time.monotonic(), state)
    return state


def in_holdout(shop: Shop, visitor_id: str | None) -> bool:
    """Whether this visitor is in the shop's always-on holdout (no visitor id: never)."""
    if not visitor_id:
        return False
    return in_fraction(holdout_salt(shop), visitor_id, _state(shop).holdout_fraction)


def _assign(spec: _ExperimentSpec, visitor_id: str) -> Assignment:
    arm = spec.arms[bucket(spec.salt, visitor_id, [a.weight for a in spec.arms])]
    return Assignment(
        experiment_id=spec.id,
        experiment_key=spec.key,
        target_kind=spec.target_kind,
        target_key=spec.target_key,
        variant_id=arm.variant_id,
        variant_key=arm.key,
        is_control=arm.is_control,
        config=arm.config,
        attribution_window_hours=spec.attribution_window_hours,
    )


def assignment_for(
    shop: Shop, visitor_id: str | None, *, target_kind: str, target_key: str
) -> Assignment | None:
    """The visitor's arm in the running experiment on this target, if any."""
    if not visitor_id or in_holdout(shop, visitor_id):
        return None
    for spec in _state(shop).experiments:
        if spec.target_kind == target_kind and spec.target_key == target_key:
            return _assign(spec, visitor_id)
    return None


def assignments_for_visitor(shop: Shop, visitor_id: str | None) -> list[Assignment]:
    if not visitor_id or in_holdout(shop, visitor_id):
        return []
    return [_assign(spec, visitor_id) for spec in _state(shop).experiments]


def assignment_for_experiment(experiment: Experiment, visitor_id: str) -> str | None:
    """The variant key a visitor has (or had) in this experiment; None for the holdout. Used by
    the analysis, for running and finished experiments alike."""
    if in_fraction(
        holdout_salt(experiment.shop), visitor_id, _state(experiment.shop).holdout_fraction
    ):
        return None
    variants = list(experiment.variants.all())
    return variants[bucket(experiment.salt, visitor_id, [v.weight for v in variants])].key


def decision_tags(shop: Shop, visitor_id: str | None) -> dict[str, Any]:
    """What a decision carries so the storefront's impressions and clicks can be attributed:
    {"holdout": bool, "experiments": [{"experiment": key, "variant": key}, ...]}."""
    holdout = in_holdout(shop, visitor_id)
    assignments = [] if holdout else assignments_for_visitor(shop, visitor_id)
    return {"holdout": holdout, "experiments": [a.as_json() for a in assignments]}


def placement_baseline_slots(shop: Shop, visitor_id: str | None) -> set[str]:
    """The placements this visitor sees without personalization: all of them in the holdout
    (returned as {"*"}), else those whose experiment put the visitor in a
    {"personalization": false} arm."""
    if in_holdout(shop, visitor_id):
        return {"*"}
    return {
        a.target_key
        for a in assignments_for_visitor(shop, visitor_id)
        if a.target_kind == "placement" and a.config.get("personalization") is False
    }


def placement_strategies(shop: Shop, visitor_id: str | None) -> tuple[tuple[str, str], ...]:
    """(placement, strategy) for each placement whose experiment put this visitor in an arm
    configured {"strategy": ...}: applied to this visitor's request only."""
    if in_holdout(shop, visitor_id):
        return ()
    return tuple(
        (a.target_key, str(a.config["strategy"]))
        for a in assignments_for_visitor(shop, visitor_id)
        if a.target_kind == "placement"
        and a.config.get("strategy")
        and a.config.get("personalization") is not False
    )


DEFAULT_ATTRIBUTION_HOURS = 24


def attribution_window_hours_for(*, shop: Shop, target_kind: str, target_key: str) -> int:
    """The attribution window results on this target use: its running experiment's, else its
    latest experiment's, else DEFAULT_ATTRIBUTION_HOURS."""
    experiment = (
        Experiment.objects.filter(shop=shop, target_kind=target_kind, target_key=target_key)
        .order_by(
            # the running one first, then the most recent
            models.Case(models.When(status=ExperimentStatus.RUNNING, then=0), default=1),
            "-created_at",
            "-pk",
        )
        .first()
    )
    return experiment.attribution_window_hours if experiment else DEFAULT_ATTRIBUTION_HOURS


def experiment_list(*, shop: Shop) -> list[Experiment]:
    return list(
        Experiment.objects.filter(shop=shop).prefetch_related("variants").order_by("-created_at")
    )


def experiment_get(*, shop: Shop, experiment_id: int) -> Experiment | None:
    return (
        Experiment.objects.filter(shop=shop, pk=experiment_id).prefetch_related("variants").first()
    )


def experiment_results(*, shop: Shop, experiment: Experiment, now: Any = None) -> Any:
    """Per-arm metrics, intervals, SRM and the recommendation: see `results.experiment_results`."""
    from personalization.experiments import results  # results reads this module's helpers

    return results.experiment_results(shop=shop, experiment=experiment, now=now)


INCREMENTAL_CACHE_SECONDS = 300


def incremental_revenue(shop: Shop, since: Any) -> dict[str, Any]:
    """{value, low, high, measured, ...}: see `results.incremental_revenue`.

    Cached per shop, window start and the latest purchase in the window: reading every visitor
    in the window costs hundreds of ms on a big shop, and the dashboard asks on every build. A
    new purchase is a new key at once; new visitors without a purchase and a changed holdout
    share show within INCREMENTAL_CACHE_SECONDS."""
    from django.core.cache import cache

    from personalization.events.models import Event
    from personalization.experiments import results

    latest = (
        Event.objects.filter(shop=shop, type="purchase", occurred_at__gte=since)
        .order_by("-occurred_at")
        .values_list("pk", flat=True)
        .first()
    )
    key = f"pz:{shop.pk}:incremental:{since.isoformat()}:{latest}"
    cached = cache.get(key)
    if isinstance(cached, dict):
        return cached
    result = results.incremental_revenue(shop, since)
    cache.set(key, result, INCREMENTAL_CACHE_SECONDS)
    return result


def idea_list(*, shop: Shop) -> list[Idea]:
    """The backlog, best RICE score first (reach x impact x confidence / effort); launched and
    discarded ideas after the open ones."""
    ideas = list(Idea.objects.filter(shop=shop).select_related("segment"))
    return sorted(ideas, key=lambda idea: (idea.status != "backlog", -idea.rice_score, idea.pk))


def idea_get(*, shop: Shop, idea_id: int) -> Idea | None:
    return Idea.objects.filter(shop=shop, pk=idea_id).select_related("segment").first()
