"""The admin's "new experiment" form: parse the POST into `experiments.services` arguments.

Arms are rows `arm-<i>-name`, `arm-<i>-does`, `arm-<i>-weight` (i from 0; row 0 is the control,
rows with an empty name are skipped). What an arm does is a choice that maps to the variant config
the decision path and campaigns read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.text import slugify

from personalization.experiments.models import Metric, TargetKind
from personalization.experiments.services import (
    NO_PERSONALIZATION,
    PLACEMENT_STRATEGIES,
    VariantIn,
)
from shopapp.adminui.placements import PLACEMENTS, STRATEGY_LABELS

ARM_ROWS = 4
ARM_CHOICES: dict[str, tuple[str, dict[str, Any]]] = {
    "baseline": ("No personalization (bestsellers for everyone)", NO_PERSONALIZATION),
    "personalized": ("Personalized (the placement's current settings)", {}),
    "hide": ("Campaign not shown", {"show": False}),
    "show": ("Campaign shown", {"show": True}),
    # A placement's strategy for this arm's visitors only (applied per request in /api/v1/decide).
    **{
        f"strategy-{key}": (f"Strategy: {label}", {"strategy": key})
        for key, label in STRATEGY_LABELS.items()
        if key and key in PLACEMENT_STRATEGIES
    },
}
SLOT_PLACEMENTS = [(p.key, f"{p.group}: {p.name}") for p in PLACEMENTS if p.kind == "slot"]


@dataclass
class ArmRow:
    index: int
    name: str = ""
    does: str = ""
    weight: str = "1"


@dataclass
class ExperimentForm:
    name: str = ""
    key: str = ""
    target_kind: str = TargetKind.PLACEMENT
    placement: str = "home-recommended"
    campaign: str = ""
    primary_metric: str = Metric.CTR
    min_duration_days: str = "7"
    attribution_window_hours: str = "24"
    planned_visitors_per_arm: str = "5000"
    auto_rollout: bool = False
    arms: list[ArmRow] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def arm_rows(self) -> list[dict[str, Any]]:
        """Each arm with its field errors, for the template."""
        return [
            {
                "arm": arm,
                "label": "the control" if arm.index == 0 else f"arm {arm.index}",
                **{
                    f"{part}_error": self.errors.get(f"arm-{arm.index}-{part}", "")
                    for part in ("name", "does", "weight")
                },
            }
            for arm in self.arms
        ]

    @property
    def target_key(self) -> str:
        return self.placement if self.target_kind == TargetKind.PLACEMENT else self.campaign


def blank_form() -> ExperimentForm:
    return ExperimentForm(
        arms=[
            ArmRow(0, "Control: no personalization", "baseline"),
            ArmRow(1, "Personalized", "personalized"),
            *[ArmRow(i) for i in range(2, ARM_ROWS)],
        ]
    )


def _number(form: ExperimentForm, name: str, raw: str) -> int | None:
    if not raw.strip().isdigit():
        form.errors[name] = "a whole number"
        return None
    return int(raw)


def parse(data: QueryDict) -> tuple[ExperimentForm, dict[str, Any] | None]:
    """The form as typed, and the service's keyword arguments (None when a field is wrong)."""
    form = ExperimentForm(
        name=data.get("name", "").strip(),
        key=data.get("key", "").strip(),
        target_kind=data.get("target_kind", ""),
        placement=data.get("placement", ""),
        campaign=data.get("campaign", "").strip(),
        primary_metric=data.get("primary_metric", ""),
        min_duration_days=data.get("min_duration_days", ""),
        attribution_window_hours=data.get("attribution_window_hours", ""),
        planned_visitors_per_arm=data.get("planned_visitors_per_arm", ""),
        auto_rollout=data.get("auto_rollout") == "on",
        arms=[
            ArmRow(
                i,
                data.get(f"arm-{i}-name", "").strip(),
                data.get(f"arm-{i}-does", ""),
                data.get(f"arm-{i}-weight", "1").strip() or "1",
            )
            for i in range(ARM_ROWS)
        ],
    )
    if not form.name:
        form.errors["name"] = "Give the experiment a name."
    key = form.key or slugify(form.name)[:64]
    if form.target_kind == TargetKind.PLACEMENT and form.placement not in dict(SLOT_PLACEMENTS):
        form.errors["placement"] = "Pick a placement."
    if form.target_kind == TargetKind.CAMPAIGN and not form.campaign:
        form.errors["campaign"] = "Name the campaign (its key)."
    if form.target_kind not in TargetKind.values:
        form.errors["target_kind"] = "Pick a placement or a campaign."
    numbers = {
        name: _number(form, name, getattr(form, name))
        for name in ("min_duration_days", "attribution_window_hours", "planned_visitors_per_arm")
    }
    variants: list[VariantIn] = []
    for arm in form.arms:
        if not arm.name:
            if arm.index == 0:
                form.errors["arm-0-name"] = "The control needs a name."
            continue
        if arm.does not in ARM_CHOICES:
            form.errors[f"arm-{arm.index}-does"] = "Pick what this arm does."
            continue
        if arm.does.startswith("strategy-") and form.target_kind != TargetKind.PLACEMENT:
            form.errors[f"arm-{arm.index}-does"] = "A strategy is for a placement experiment."
            continue
        try:
            weight = float(arm.weight)
        except ValueError:
            weight = math.nan
        if not math.isfinite(weight) or weight <= 0:
            form.errors[f"arm-{arm.index}-weight"] = "A positive number."
            continue
        variants.append(
            VariantIn(
                key=slugify(arm.name)[:32] or f"arm-{arm.index}",
                name=arm.name,
                weight=weight,
                is_control=arm.index == 0,
                config=dict(ARM_CHOICES[arm.does][1]),
            )
        )
    if len(variants) < 2 and not any(k.startswith("arm-") for k in form.errors):
        form.errors["arm-1-name"] = "Add at least one arm to compare with the control."
    if form.errors:
        return form, None
    return form, {
        "key": key,
        "name": form.name,
        "target_kind": form.target_kind,
        "target_key": form.target_key,
        "variants": variants,
        "primary_metric": form.primary_metric,
        "min_duration_days": numbers["min_duration_days"],
        "attribution_window_hours": numbers["attribution_window_hours"],
        "planned_visitors_per_arm": numbers["planned_visitors_per_arm"],
        "auto_rollout": form.auto_rollout,
    }


def field_for(service_field: str) -> str:
    """The form field that shows a service error (`variants[1].key` -> the arm's name)."""
    if service_field.startswith("variants["):
        index = service_field.split("[", 1)[1].split("]", 1)[0]
        return f"arm-{index}-name"
    if service_field in ("variants",):
        return "arm-1-name"
    if service_field == "target_key":
        return "placement"
    return service_field
