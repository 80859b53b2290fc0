"""Who may see a campaign at all: the always-on holdout and the experiment bucket.

The experiments package owns bucketing and exposures; this module only asks it. A visitor in the
holdout sees no campaign; a visitor in a campaign experiment's control arm does not see that
campaign (the storefront still reports when it *would* have shown, so both arms are exposed alike).
"""

from __future__ import annotations

from dataclasses import dataclass

from personalization.experiments import selectors as experiments
from personalization.experiments.services import exposure_record
from shopapp.shops.models import Shop

DEFAULT_VARIANT = "default"
TARGET_KIND = "campaign"


@dataclass(frozen=True)
class Arm:
    variant: str
    is_control: bool = False
    experiment: str = ""
    attribution_window_hours: int = 24


def in_holdout(*, shop: Shop, visitor_key: str) -> bool:
    return experiments.in_holdout(shop, visitor_key)


def arm_for(*, shop: Shop, visitor_key: str, campaign_key: str) -> Arm:
    assignment = experiments.assignment_for(
        shop, visitor_key, target_kind=TARGET_KIND, target_key=campaign_key
    )
    if assignment is None:
        return Arm(DEFAULT_VARIANT)
    return Arm(
        variant=assignment.variant_key,
        is_control=assignment.is_control,
        experiment=assignment.experiment_key,
        attribution_window_hours=assignment.attribution_window_hours,
    )


def exposed(*, shop: Shop, visitor_key: str, campaign_key: str) -> None:
    """The campaign's trigger fired for this visitor (shown, or would have been for control)."""
    exposure_record(
        shop=shop, visitor_id=visitor_key, target_kind=TARGET_KIND, target_key=campaign_key
    )
