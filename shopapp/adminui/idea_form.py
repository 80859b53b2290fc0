"""The idea backlog's form: parse the POST into `experiments.services.idea_create/update` arguments.

Confidence is typed as a percentage (the service stores a fraction); an empty reach means "the
segment's size", so picking a segment is enough.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from personalization.campaigns.builtin import TEMPLATES
from personalization.experiments.models import Idea, IdeaStatus
from personalization.experiments.services import IMPACT_LEVELS
from personalization.segments.models import Segment

IMPACT_CHOICES = [
    ("0.25", "Minimal (0.25)"),
    ("0.5", "Low (0.5)"),
    ("1", "Medium (1)"),
    ("2", "High (2)"),
    ("3", "Massive (3)"),
]


@dataclass
class IdeaForm:
    title: str = ""
    description: str = ""
    segment: str = ""  # a segment's key
    reach: str = ""
    impact: str = "1"
    confidence: str = "50"
    effort: str = "1"
    campaign_template: str = ""
    status: str = IdeaStatus.BACKLOG
    errors: dict[str, str] = field(default_factory=dict)


def form_from_idea(idea: Idea) -> IdeaForm:
    return IdeaForm(
        title=idea.title,
        description=idea.description,
        segment=idea.segment.key if idea.segment else "",
        reach=str(idea.reach),
        impact=f"{idea.impact:g}",
        confidence=f"{idea.confidence * 100:g}",
        effort=f"{idea.effort:g}",
        campaign_template=idea.campaign_template,
        status=idea.status,
    )


def _number(form: IdeaForm, name: str, message: str) -> float | None:
    raw = getattr(form, name).strip().replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        form.errors[name] = message
        return None
    return value


def parse(data: QueryDict, segments: dict[str, Segment]) -> tuple[IdeaForm, dict[str, Any] | None]:
    """The form as typed, and the service's keyword arguments (None when a field is wrong).
    `segments` are the shop's segments by key: another shop's cannot be named."""
    form = IdeaForm(
        title=data.get("title", "").strip(),
        description=data.get("description", "").strip(),
        segment=data.get("segment", ""),
        reach=data.get("reach", "").strip(),
        impact=data.get("impact", ""),
        confidence=data.get("confidence", "").strip(),
        effort=data.get("effort", "").strip(),
        campaign_template=data.get("campaign_template", ""),
        status=data.get("status", IdeaStatus.BACKLOG),
    )
    if not form.title:
        form.errors["title"] = "Give the idea a title."
    segment = segments.get(form.segment) if form.segment else None
    if form.segment and segment is None:
        form.errors["segment"] = "Pick one of the shop's segments."
    reach: int | None = None
    if form.reach:
        if not form.reach.isdigit():
            form.errors["reach"] = "A whole number of people per month, or empty for the segment."
        else:
            reach = int(form.reach)
    elif segment is None:
        form.errors["reach"] = "Give a reach, or pick a segment to estimate it from its size."
    impact = _number(form, "impact", "Pick an impact.")
    if impact is not None and impact not in IMPACT_LEVELS:
        form.errors["impact"] = "Pick an impact."
    confidence = _number(form, "confidence", "A percentage from 1 to 100.")
    if confidence is not None and not 0 < confidence <= 100:
        form.errors["confidence"] = "A percentage from 1 to 100."
    effort = _number(form, "effort", "Person-weeks, above 0 and at most 100.")
    if effort is not None and not 0 < effort <= 100:
        form.errors["effort"] = "Person-weeks, above 0 and at most 100."
    if form.campaign_template and form.campaign_template not in TEMPLATES:
        form.errors["campaign_template"] = "Pick one of the campaign templates, or none."
    if form.status not in IdeaStatus.values:
        form.errors["status"] = "Pick a status."
    if form.errors or impact is None or confidence is None or effort is None:
        return form, None
    return form, {
        "title": form.title,
        "description": form.description,
        "segment": segment,
        "reach": reach,
        "impact": impact,
        "confidence": confidence / 100.0,
        "effort": effort,
        "campaign_template": form.campaign_template,
    }
