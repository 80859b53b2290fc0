"""Writes for experiments: create, start, stop, roll out; exposures; the holdout's size; ideas.

Every bad input raises `ExperimentInvalid(field, message)` naming the field, which the admin shows
next to it (a 4xx, never a 500).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from personalization.experiments import selectors
from personalization.experiments.models import (
    Experiment,
    ExperimentStatus,
    Exposure,
    HoldoutSettings,
    Idea,
    IdeaStatus,
    Metric,
    TargetKind,
    Variant,
)
from personalization.segments.models import Segment
from shopapp.shops.models import Shop

_KEY = re.compile(r"^[a-z0-9][a-z0-9\-_]{0,63}$")
_TARGET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_:.]{0,63}$")
MAX_VARIANTS = 6
MAX_HOLDOUT_PERCENT = 50.0
MAX_ATTRIBUTION_HOURS = 24 * 30


class ExperimentInvalid(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class VariantIn:
    key: str
    name: str
    weight: float = 1.0
    is_control: bool = False
    config: dict[str, Any] = field(default_factory=dict)


NO_PERSONALIZATION: dict[str, Any] = {"personalization": False}
# What a placement arm's {"strategy": ...} may name: the strategies decisions.compose knows.
PLACEMENT_STRATEGIES = (
    "for_you",
    "bestsellers",
    "trending",
    "new_arrivals",
    "new_in_your_categories",
    "recently_viewed",
    "related",
    "bought_together",
    "cross_sell",
    "post_purchase",
    "buy_again",
)


def _check_variants(variants: Sequence[VariantIn]) -> None:
    if len(variants) < 2:
        raise ExperimentInvalid(
            "variants", "an experiment needs a control and at least one variant"
        )
    if len(variants) > MAX_VARIANTS:
        raise ExperimentInvalid("variants", f"at most {MAX_VARIANTS} arms")
    controls = [v for v in variants if v.is_control]
    if len(controls) != 1:
        raise ExperimentInvalid("variants", "exactly one arm must be the control")
    seen: set[str] = set()
    for index, variant in enumerate(variants):
        if not _KEY.match(variant.key):
            raise ExperimentInvalid(
                f"variants[{index}].key", "lower-case letters, digits, - and _ (at most 64)"
            )
        if variant.key in seen:
            raise ExperimentInvalid(f"variants[{index}].key", f"{variant.key!r} is used twice")
        seen.add(variant.key)
        if not variant.name.strip():
            raise ExperimentInvalid(f"variants[{index}].name", "is required")
        if not math.isfinite(variant.weight) or not 0 < variant.weight <= 100:
            raise ExperimentInvalid(f"variants[{index}].weight", "must be above 0 and at most 100")
        if not isinstance(variant.config, dict):
            raise ExperimentInvalid(f"variants[{index}].config", "must be an object")
        strategy = variant.config.get("strategy")
        if strategy is not None and strategy not in PLACEMENT_STRATEGIES:
            raise ExperimentInvalid(
                f"variants[{index}].config",
                f"strategy must be one of {', '.join(PLACEMENT_STRATEGIES)}",
            )


@transaction.atomic
def experiment_create(
    *,
    shop: Shop,
    key: str,
    name: str,
    target_kind: str,
    target_key: str,
    variants: Sequence[VariantIn],
    hypothesis: str = "",
    primary_metric: str = Metric.CTR,
    min_duration_days: int = 7,
    attribution_window_hours: int = 24,
    planned_visitors_per_arm: int = 5000,
    alpha: float = 0.05,
    auto_rollout: bool = False,
) -> Experiment:
    """A draft experiment with its arms (one control)."""
    if not _KEY.match(key):
        raise ExperimentInvalid("key", "lower-case letters, digits, - and _ (at most 64)")
    if not name.strip() or len(name) > 120:
        raise ExperimentInvalid("name", "is required (at most 120 characters)")
    if target_kind not in TargetKind.values:
        raise ExperimentInvalid("target_kind", f"must be one of {', '.join(TargetKind.values)}")
    if not _TARGET.match(target_key):
        raise ExperimentInvalid("target_key", "names a placement or campaign (at most 64)")
    if primary_metric not in Metric.values:
        raise ExperimentInvalid("primary_metric", f"must be one of {', '.join(Metric.values)}")
    if not 1 <= min_duration_days <= 90:
        raise ExperimentInvalid("min_duration_days", "must be from 1 to 90 days")
    if not 1 <= attribution_window_hours <= MAX_ATTRIBUTION_HOURS:
        raise ExperimentInvalid(
            "attribution_window_hours", f"must be from 1 to {MAX_ATTRIBUTION_HOURS} hours"
        )
    if not 100 <= planned_visitors_per_arm <= 10_000_000:
        raise ExperimentInvalid("planned_visitors_per_arm", "must be from 100 to 10,000,000")
    if not 0.001 <= alpha <= 0.2:
        raise ExperimentInvalid("alpha", "must be from 0.001 to 0.2")
    _check_variants(variants)
    if Experiment.objects.filter(shop=shop, key=key).exists():
        raise ExperimentInvalid("key", f"{key!r} is already used in this shop")
    experiment = Experiment.objects.create(
        shop=shop,
        key=key,
        name=name.strip(),
        hypothesis=hypothesis,
        target_kind=target_kind,
        target_key=target_key,
        primary_metric=primary_metric,
        min_duration_days=min_duration_days,
        attribution_window_hours=attribution_window_hours,
        planned_visitors_per_arm=planned_visitors_per_arm,
        alpha=alpha,
        auto_rollout=auto_rollout,
    )
    Variant.objects.bulk_create(
        Variant(
            shop=shop,
            experiment=experiment,
            key=v.key,
            name=v.name.strip(),
            weight=v.weight,
            is_control=v.is_control,
            config=dict(v.config),
            position=index,
        )
        for index, v in enumerate(variants)
    )
    return experiment


def experiment_start(
    *, shop: Shop, experiment: Experiment, now: datetime | None = None
) -> Experiment:
    """Draft → running. Another running experiment on the same target refuses it."""
    if experiment.shop_id != shop.pk:
        raise ExperimentInvalid("experiment", "not in this shop")
    if experiment.status != ExperimentStatus.DRAFT:
        raise ExperimentInvalid(
            "status", f"only a draft can start (this one is {experiment.status})"
        )
    clash = Experiment.objects.filter(
        shop=shop,
        status=ExperimentStatus.RUNNING,
        target_kind=experiment.target_kind,
        target_key=experiment.target_key,
    ).first()
    if clash is not None:
        raise ExperimentInvalid(
            "target_key", f"{experiment.target_key} already has a running experiment ({clash.key})"
        )
    experiment.status = ExperimentStatus.RUNNING
    experiment.started_at = now or timezone.now()
    try:
        with transaction.atomic():
            experiment.save(update_fields=["status", "started_at", "updated_at"])
    except IntegrityError as exc:  # a concurrent start on the same target
        raise ExperimentInvalid("target_key", "already has a running experiment") from exc
    selectors.forget_shop(shop.pk)
    return experiment


def experiment_stop(
    *,
    shop: Shop,
    experiment: Experiment,
    winner: Variant | None = None,
    now: datetime | None = None,
) -> Experiment:
    """Running → stopped (no winner: everyone goes back to the control) or completed (a winner
    is rolled out: `winner` names the arm whose config the target should use from now on)."""
    if experiment.shop_id != shop.pk:
        raise ExperimentInvalid("experiment", "not in this shop")
    if experiment.status != ExperimentStatus.RUNNING:
        raise ExperimentInvalid(
            "status", f"only a running experiment can stop ({experiment.status})"
        )
    if winner is not None and winner.experiment_id != experiment.pk:
        raise ExperimentInvalid("winner", "is not an arm of this experiment")
    experiment.status = ExperimentStatus.COMPLETED if winner else ExperimentStatus.STOPPED
    experiment.winner = winner
    experiment.ended_at = now or timezone.now()
    experiment.save(update_fields=["status", "winner", "ended_at", "updated_at"])
    selectors.forget_shop(shop.pk)
    return experiment


def exposure_record(
    *,
    shop: Shop,
    visitor_id: str,
    target_kind: str,
    target_key: str,
    now: datetime | None = None,
) -> selectors.Assignment | None:
    """The visitor reached the target (e.g. a campaign's trigger fired), whatever their arm: the
    first time is stored, so both arms' exposures are counted alike. Returns the assignment
    (None outside any running experiment, or in the holdout)."""
    assignment = selectors.assignment_for(
        shop, visitor_id, target_kind=target_kind, target_key=target_key
    )
    if assignment is None:
        return None
    Exposure.objects.get_or_create(
        shop=shop,
        experiment_id=assignment.experiment_id,
        visitor_key=visitor_id,
        defaults={
            "variant_id": assignment.variant_id,
            "first_exposed_at": now or timezone.now(),
        },
    )
    return assignment


def holdout_percent_set(*, shop: Shop, percent: float) -> HoldoutSettings:
    """Resize the holdout. Growing it keeps everyone already held out (same salt, larger share)."""
    if not math.isfinite(percent) or not 0 <= percent <= MAX_HOLDOUT_PERCENT:
        raise ExperimentInvalid("percent", f"must be from 0 to {MAX_HOLDOUT_PERCENT:g}")
    settings, _ = HoldoutSettings.objects.update_or_create(
        shop=shop, defaults={"percent": float(percent)}
    )
    selectors.forget_shop(shop.pk)
    return settings


IMPACT_LEVELS = (0.25, 0.5, 1.0, 2.0, 3.0)


def _idea_reach(
    *,
    shop: Shop,
    title: str,
    impact: float,
    confidence: float,
    effort: float,
    segment: Segment | None,
    reach: int | None,
) -> int:
    """Validate an idea's fields (naming the wrong one) and return its reach: the given one, else
    the segment's size."""
    if not title.strip() or len(title) > 160:
        raise ExperimentInvalid("title", "is required (at most 160 characters)")
    if impact not in IMPACT_LEVELS:
        raise ExperimentInvalid("impact", "must be one of 0.25, 0.5, 1, 2, 3")
    if not 0 < confidence <= 1:
        raise ExperimentInvalid("confidence", "must be above 0 and at most 1 (100 %)")
    if not math.isfinite(effort) or not 0 < effort <= 100:
        raise ExperimentInvalid("effort", "must be above 0 and at most 100 person-weeks")
    if segment is not None and segment.shop_id != shop.pk:
        raise ExperimentInvalid("segment", "not in this shop")
    if reach is None:
        if segment is None:
            raise ExperimentInvalid("reach", "give a reach or pick a segment to estimate it")
        reach = segment.size
    if reach < 0:
        raise ExperimentInvalid("reach", "must not be negative")
    return reach


def idea_create(
    *,
    shop: Shop,
    title: str,
    impact: float,
    confidence: float,
    effort: float,
    description: str = "",
    segment: Segment | None = None,
    reach: int | None = None,
    campaign_template: str = "",
    campaign_config: dict[str, Any] | None = None,
) -> Idea:
    """A RICE-scored idea; without an explicit reach it is the segment's size."""
    reach = _idea_reach(
        shop=shop,
        title=title,
        impact=impact,
        confidence=confidence,
        effort=effort,
        segment=segment,
        reach=reach,
    )
    return Idea.objects.create(
        shop=shop,
        title=title.strip(),
        description=description,
        segment=segment,
        reach=reach,
        impact=impact,
        confidence=confidence,
        effort=effort,
        campaign_template=campaign_template,
        campaign_config=dict(campaign_config or {}),
    )


def idea_update(
    *,
    shop: Shop,
    idea: Idea,
    title: str,
    impact: float,
    confidence: float,
    effort: float,
    description: str = "",
    segment: Segment | None = None,
    reach: int | None = None,
    campaign_template: str = "",
    status: str = IdeaStatus.BACKLOG,
) -> Idea:
    """Edit an idea; without an explicit reach it is re-estimated from the segment's size."""
    if idea.shop_id != shop.pk:
        raise ExperimentInvalid("idea", "not in this shop")
    if status not in IdeaStatus.values:
        raise ExperimentInvalid("status", f"must be one of {', '.join(IdeaStatus.values)}")
    idea.reach = _idea_reach(
        shop=shop,
        title=title,
        impact=impact,
        confidence=confidence,
        effort=effort,
        segment=segment,
        reach=reach,
    )
    idea.title = title.strip()
    idea.description = description
    idea.segment = segment
    idea.impact = impact
    idea.confidence = confidence
    idea.effort = effort
    idea.campaign_template = campaign_template
    idea.status = status
    idea.save()
    return idea


BASELINE_STRATEGY = "bestsellers"


def experiment_rollout(
    *, shop: Shop, experiment: Experiment, variant: Variant, now: datetime | None = None
) -> Experiment:
    """End the experiment with `variant` as the winner. A placement experiment writes the winner's
    strategy into the placement's settings (a "no personalization" winner: the non-personalized
    bestsellers); a campaign reads `experiment.winner` itself."""
    from personalization.decisions.models import PlacementConfig
    from personalization.decisions.services import placement_config_save

    experiment = experiment_stop(shop=shop, experiment=experiment, winner=variant, now=now)
    if experiment.target_kind == TargetKind.PLACEMENT:
        strategy = variant.config.get("strategy") or (
            BASELINE_STRATEGY if variant.config.get("personalization") is False else ""
        )
        if strategy:
            current = PlacementConfig.objects.filter(
                shop=shop, placement=experiment.target_key
            ).first()
            placement_config_save(
                shop=shop,
                placement=experiment.target_key,
                is_enabled=current.is_enabled if current else True,
                strategy=str(strategy),
                title=current.title if current else "",
                rules=current.rules if current else {},
            )
    return experiment


def experiment_conclude_if_decided(
    *, shop: Shop, experiment: Experiment, now: datetime | None = None
) -> str:
    """Automatic rollout: when the sequential test has a winner on the primary metric, the minimum
    duration has passed and the sample ratio is sound, roll the winner out. Returns the
    recommendation it acted on (or saw)."""
    if experiment.status != ExperimentStatus.RUNNING or not experiment.auto_rollout:
        return "skipped"
    outcome = selectors.experiment_results(shop=shop, experiment=experiment, now=now)
    if outcome.recommendation == "winner" and outcome.winner_key:
        winner = experiment.variants.get(key=outcome.winner_key)
        experiment_rollout(shop=shop, experiment=experiment, variant=winner, now=now)
    return str(outcome.recommendation)
