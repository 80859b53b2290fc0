"""Who may see a campaign at all: the always-on holdout and the experiment bucket.

The experiments package owns bucketing and exposures; this module only asks it. A visitor in the
holdout sees no campaign; a visitor in a campaign experiment's control arm does not see that
campaign (the storefront still reports when it *would* have shown, so both arms are exposed alike).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from personalization.experiments import selectors as experiments
from personalization.experiments.models import Experiment, ExperimentStatus
from personalization.experiments.services import exposure_record
from shopapp.shops.models import Shop

DEFAULT_VARIANT = "default"
TARGET_KIND = "campaign"


@dataclass(frozen=True)
class Arm:
    variant: str
    # Shows nothing: a control arm, an arm configured {"show": false}, or a rolled-out no-show.
    is_control: bool = False
    experiment: str = ""  # the running experiment, when there is one
    attribution_window_hours: int = 24
    # The arm's settings; {"content": {...}} overrides the campaign's copy for this arm.
    config: dict[str, Any] = field(default_factory=dict)


def in_holdout(*, shop: Shop, visitor_key: str) -> bool:
    return experiments.in_holdout(shop, visitor_key)


def arm_for(*, shop: Shop, visitor_key: str, campaign_key: str) -> Arm:
    assignment = experiments.assignment_for(
        shop, visitor_key, target_kind=TARGET_KIND, target_key=campaign_key
    )
    if assignment is not None:
        return Arm(
            variant=assignment.variant_key,
            is_control=assignment.is_control or assignment.config.get("show") is False,
            experiment=assignment.experiment_key,
            attribution_window_hours=assignment.attribution_window_hours,
            config=dict(assignment.config),
        )
    # After a rollout the winner's arm is everyone's (a no-show control winner hides it).
    finished = (
        Experiment.objects.filter(
            shop=shop,
            target_kind=TARGET_KIND,
            target_key=campaign_key,
            status=ExperimentStatus.COMPLETED,
            winner__isnull=False,
        )
        .select_related("winner")
        .order_by("-ended_at")
        .first()
    )
    if finished is not None and finished.winner is not None:
        winner = finished.winner
        return Arm(
            variant=winner.key,
            is_control=winner.is_control or winner.config.get("show") is False,
            config=dict(winner.config),
        )
    return Arm(DEFAULT_VARIANT)


def exposed(*, shop: Shop, visitor_key: str, campaign_key: str) -> None:
    """The campaign's trigger fired for this visitor (shown, or would have been for control)."""
    exposure_record(
        shop=shop, visitor_id=visitor_key, target_kind=TARGET_KIND, target_key=campaign_key
    )
