"""Writes on campaigns: validated saves, templates, contacts (what caps count) and coupons."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from personalization.campaigns.builtin import TEMPLATES
from personalization.campaigns.models import (
    EMAIL_TRIGGERS,
    ONSITE_TRIGGERS,
    OVERLAY_PLACEMENTS,
    Campaign,
    CampaignSettings,
    CampaignStatus,
    Contact,
    ContactKind,
    CouponPool,
    Placement,
    Trigger,
)
from personalization.engine.campaigns import Cap, caps_conflict
from personalization.segments.models import Segment, SegmentKind, SegmentSize
from shopapp.catalog.models import Customer
from shopapp.shops.models import Shop

PRODUCT_BLOCKS = ("", "cart", "recommended", "related")
_URL = re.compile(r"^(https?://[^\s]+|[A-Za-z0-9_\-./?=&#%]*)$")
OVERLAY_OR_EMBEDDED = (*OVERLAY_PLACEMENTS, Placement.EMBEDDED)
_VARIANT = re.compile(r"^[a-z0-9_\-]{1,40}$")


class CampaignInvalid(ValueError):
    """Every problem found, by field name, so the form can show each next to its input."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class CampaignInput:
    name: str
    placement: str
    trigger: str
    audience_key: str = ""
    trigger_value: int = 0
    content: dict[str, Any] = field(default_factory=dict)
    offers_coupon: bool = False
    coupon_pool_id: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    priority: int = 0
    cap_count: int = 1
    cap_hours: int = 24
    status: str = CampaignStatus.DRAFT
    template: str = ""
    key: str = ""


def campaign_settings_get(*, shop: Shop) -> CampaignSettings:
    settings, _ = CampaignSettings.objects.get_or_create(shop=shop)
    return settings


def _validate(
    shop: Shop, data: CampaignInput, campaign: Campaign | None
) -> tuple[dict[str, str], Segment | None, CouponPool | None]:
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = "A campaign needs a name."
    if data.status not in CampaignStatus.values:
        errors["status"] = f"Must be one of {', '.join(CampaignStatus.values)}."
    if data.placement not in Placement.values:
        errors["placement"] = f"Must be one of {', '.join(Placement.values)}."
    if data.trigger not in Trigger.values:
        errors["trigger"] = f"Must be one of {', '.join(Trigger.values)}."
    elif data.placement == Placement.EMAIL and data.trigger not in EMAIL_TRIGGERS:
        errors["trigger"] = (
            "An email is sent on cart or browse abandonment, an order, a lapse or a birthday."
        )
    elif data.placement in OVERLAY_OR_EMBEDDED and data.trigger not in ONSITE_TRIGGERS:
        errors["trigger"] = "This trigger is for email; pick an on-site trigger."
    if data.trigger == Trigger.TIME_ON_PAGE and not 1 <= data.trigger_value <= 600:
        errors["trigger_value"] = "Time on page is 1 to 600 seconds."
    elif data.trigger == Trigger.NTH_VISIT and not 2 <= data.trigger_value <= 100:
        errors["trigger_value"] = "The visit number is 2 to 100 (the first visit is page view)."
    elif data.trigger in EMAIL_TRIGGERS and data.trigger_value > 60 * 24 * 60:
        errors["trigger_value"] = "The delay is at most 60 days (in minutes)."

    segment = None
    if not data.audience_key:
        errors["audience"] = "Choose an audience: a campaign without a segment reaches no one."
    else:
        segment = Segment.objects.filter(shop=shop, key=data.audience_key).first()
        if segment is None:
            errors["audience"] = f"No segment '{data.audience_key}' in this shop."
        elif not segment.is_active:
            errors["audience"] = f"The segment '{segment.name}' is switched off."
        elif (
            # Built-ins are states people move into every day (a cart left, a lapse): an empty
            # count today is normal. A merchant's rule or a cluster that counted nobody is not.
            segment.kind != SegmentKind.BUILTIN
            and segment.size == 0
            and SegmentSize.objects.filter(shop=shop, segment=segment).exists()
        ):
            errors["audience"] = f"The segment '{segment.name}' had no members at its last count."

    pool = None
    if data.coupon_pool_id is not None:
        pool = CouponPool.objects.filter(shop=shop, pk=data.coupon_pool_id).first()
        if pool is None:
            errors["coupon_pool"] = "No such coupon pool in this shop."
    if data.offers_coupon and pool is None and "coupon_pool" not in errors:
        errors["coupon_pool"] = "A coupon offer needs a coupon pool to take codes from."

    shop_wide = campaign_settings_get(shop=shop)
    problem = caps_conflict(
        Cap(data.cap_count, data.cap_hours), Cap(shop_wide.cap_count, shop_wide.cap_hours)
    )
    if problem:
        errors["cap_hours" if "window" in problem else "cap_count"] = problem[:1].upper() + (
            problem[1:] + "."
        )
    if not -100 <= data.priority <= 100:
        errors["priority"] = "Priority is -100 to 100."
    if data.starts_at and data.ends_at and data.ends_at <= data.starts_at:
        errors["ends_at"] = "The end must be after the start."

    content = data.content
    headline = str(content.get("headline", "")).strip()
    if not headline:
        errors["headline"] = (
            "An email needs a subject." if data.placement == Placement.EMAIL else "Add a headline."
        )
    elif len(headline) > 150:
        errors["headline"] = "At most 150 characters."
    if len(str(content.get("body", ""))) > 1000:
        errors["body"] = "At most 1,000 characters."
    cta_url = str(content.get("cta_url", ""))
    if not _URL.match(cta_url) or cta_url.lower().startswith(("javascript", "data")):
        errors["cta_url"] = "A path in the shop (cart/) or an http(s) address."
    if content.get("products", "") not in PRODUCT_BLOCKS:
        errors["products"] = f"Must be one of: none, {', '.join(PRODUCT_BLOCKS[1:])}."
    count = content.get("product_count", 3)
    if not isinstance(count, int) or not 1 <= count <= 8:
        errors["product_count"] = "1 to 8 products."
    if "{code}" in headline + str(content.get("body", "")) and not data.offers_coupon:
        errors["body"] = "The copy shows {code} but the campaign offers no coupon."
    for variant in content.get("variants") or {}:
        if not _VARIANT.match(str(variant)):
            errors["variants"] = f"{str(variant)[:40]!r}: lower-case letters, digits, - and _."

    key = data.key or (campaign.key if campaign else slugify(data.name)[:64])
    clash = Campaign.objects.filter(shop=shop, key=key)
    if campaign is not None:
        clash = clash.exclude(pk=campaign.pk)
    if key and clash.exists():
        errors["name"] = f"Another campaign already uses the key '{key}'."
    return errors, segment, pool


def campaign_validate(
    *, shop: Shop, data: CampaignInput, campaign: Campaign | None = None
) -> dict[str, str]:
    """Every problem with `data`, by field; empty when it would save."""
    return _validate(shop, data, campaign)[0]


@transaction.atomic
def campaign_save(*, shop: Shop, data: CampaignInput, campaign: Campaign | None = None) -> Campaign:
    """Create or update a campaign; every invalid field is reported at once."""
    if campaign is not None and campaign.shop_id != shop.pk:
        raise CampaignInvalid({"campaign": "No such campaign in this shop."})
    errors, segment, pool = _validate(shop, data, campaign)
    if errors:
        raise CampaignInvalid(errors)
    campaign = campaign or Campaign(shop=shop, key=data.key or slugify(data.name)[:64])
    campaign.name = data.name.strip()
    campaign.template = data.template or campaign.template
    campaign.status = data.status
    campaign.placement = data.placement
    campaign.trigger = data.trigger
    campaign.trigger_value = data.trigger_value
    campaign.audience = segment
    campaign.content = dict(data.content)
    campaign.offers_coupon = data.offers_coupon
    campaign.coupon_pool = pool
    campaign.starts_at = data.starts_at
    campaign.ends_at = data.ends_at
    campaign.priority = data.priority
    campaign.cap_count = data.cap_count
    campaign.cap_hours = data.cap_hours
    campaign.save()
    return campaign


def template_input(template_key: str, **overrides: Any) -> CampaignInput:
    template = TEMPLATES.get(template_key)
    if template is None:
        raise CampaignInvalid({"template": f"No template '{template_key}'."})
    base = CampaignInput(
        name=str(template.name),  # translated once, in the language of the merchant creating it
        placement=template.placement,
        trigger=template.trigger,
        audience_key=template.audience_key,
        trigger_value=template.trigger_value,
        content=dict(template.content),
        offers_coupon=template.offers_coupon,
        priority=template.priority,
        cap_count=template.cap_count,
        cap_hours=template.cap_hours,
        template=template.key,
    )
    return replace(base, **overrides)


def campaign_create_from_template(*, shop: Shop, template_key: str, **overrides: Any) -> Campaign:
    return campaign_save(shop=shop, data=template_input(template_key, **overrides))


def contact_record(
    *,
    shop: Shop,
    campaign: Campaign,
    kind: str,
    variant: str = "default",
    visitor_key: str = "",
    customer: Customer | None = None,
    at: datetime | None = None,
) -> Contact:
    if kind not in ContactKind.values:
        raise ValueError(f"kind: must be one of {', '.join(ContactKind.values)}")
    if campaign.shop_id != shop.pk or (customer is not None and customer.shop_id != shop.pk):
        raise ValueError("campaign: not in this shop")
    return Contact.objects.create(
        shop=shop,
        campaign=campaign,
        kind=kind,
        variant=variant[:40],
        visitor_key=visitor_key,
        customer=customer,
        occurred_at=at or timezone.now(),
    )


_IDEA_OVERRIDES = ("priority", "cap_count", "cap_hours", "trigger_value", "offers_coupon")


@transaction.atomic
def campaign_from_idea(*, shop: Shop, idea_id: int) -> Campaign:
    """One click from a RICE idea to a draft campaign: the idea's template, its segment as the
    audience, its title as the name and its settings on top; the idea is marked launched."""
    from personalization.experiments.models import Idea, IdeaStatus

    idea = Idea.objects.filter(shop=shop, pk=idea_id).select_related("segment").first()
    if idea is None:
        raise CampaignInvalid({"idea": "No such idea in this shop."})
    if not idea.campaign_template:
        raise CampaignInvalid({"template": "The idea names no campaign template."})
    config = dict(idea.campaign_config or {})
    overrides: dict[str, Any] = {k: config[k] for k in _IDEA_OVERRIDES if k in config}
    base = template_input(idea.campaign_template)
    if isinstance(config.get("content"), dict):
        overrides["content"] = {**base.content, **config["content"]}
    if config.get("coupon_pool_id") is not None:
        overrides["coupon_pool_id"] = int(config["coupon_pool_id"])
    campaign = campaign_save(
        shop=shop,
        data=replace(
            base,
            name=idea.title[:120],
            audience_key=idea.segment.key if idea.segment else base.audience_key,
            **overrides,
        ),
    )
    Idea.objects.filter(shop=shop, pk=idea.pk).update(status=IdeaStatus.LAUNCHED)
    return campaign
