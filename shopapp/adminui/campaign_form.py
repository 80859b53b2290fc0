"""The campaign form: POST data to a `CampaignInput`, and a campaign back to form values. Numbers
and dates that do not parse are field errors here; the rules live in the campaigns service."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from personalization.campaigns.models import Campaign
from personalization.campaigns.services import CampaignInput

CONTENT_FIELDS = ("headline", "body", "cta_label", "cta_url", "products")
INT_FIELDS = {
    "trigger_value": (0, 1_000_000),
    "priority": (-100, 100),
    "cap_count": (0, 1000),
    "cap_hours": (0, 24 * 365),
    "product_count": (1, 8),
}


def _int(data: QueryDict, name: str, default: int, errors: dict[str, str]) -> int:
    raw = (data.get(name) or "").strip()
    if raw == "":
        return default
    low, high = INT_FIELDS[name]
    try:
        value = int(raw)
    except ValueError:
        errors[name] = "A whole number, please."
        return default
    if not low <= value <= high:
        errors[name] = f"From {low} to {high}."
    return value


def _when(data: QueryDict, name: str, errors: dict[str, str]) -> datetime | None:
    raw = (data.get(name) or "").strip()
    if not raw:
        return None
    parsed = parse_datetime(raw)
    if parsed is None:
        errors[name] = "A date and time, like 2026-12-01T09:00."
        return None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def input_from_post(data: QueryDict, base: CampaignInput) -> tuple[CampaignInput, dict[str, str]]:
    errors: dict[str, str] = {}
    content: dict[str, Any] = dict(base.content)
    for name in CONTENT_FIELDS:
        content[name] = (data.get(name) or "").strip()
    content["product_count"] = _int(
        data, "product_count", int(content.get("product_count", 3)), errors
    )
    pool_raw = (data.get("coupon_pool") or "").strip()
    pool_id = int(pool_raw) if pool_raw.isdigit() else None
    if pool_raw and pool_id is None:
        errors["coupon_pool"] = "Choose a pool from the list."
    parsed = replace(
        base,
        name=(data.get("name") or "").strip(),
        status=data.get("status") or base.status,
        placement=data.get("placement") or base.placement,
        trigger=data.get("trigger") or base.trigger,
        trigger_value=_int(data, "trigger_value", base.trigger_value, errors),
        audience_key=(data.get("audience") or "").strip(),
        content=content,
        offers_coupon=data.get("offers_coupon") == "on",
        coupon_pool_id=pool_id,
        starts_at=_when(data, "starts_at", errors),
        ends_at=_when(data, "ends_at", errors),
        priority=_int(data, "priority", base.priority, errors),
        cap_count=_int(data, "cap_count", base.cap_count, errors),
        cap_hours=_int(data, "cap_hours", base.cap_hours, errors),
    )
    return parsed, errors


def input_from_campaign(campaign: Campaign) -> CampaignInput:
    return CampaignInput(
        name=campaign.name,
        placement=campaign.placement,
        trigger=campaign.trigger,
        audience_key=campaign.audience.key if campaign.audience else "",
        trigger_value=campaign.trigger_value,
        content=dict(campaign.content),
        offers_coupon=campaign.offers_coupon,
        coupon_pool_id=campaign.coupon_pool_id,
        starts_at=campaign.starts_at,
        ends_at=campaign.ends_at,
        priority=campaign.priority,
        cap_count=campaign.cap_count,
        cap_hours=campaign.cap_hours,
        status=campaign.status,
        template=campaign.template,
        key=campaign.key,
    )
