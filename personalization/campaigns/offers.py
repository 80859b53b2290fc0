"""What the storefront shows this visitor on this page: at most one overlay and one embedded
block, after consent, the holdout, audience, trigger, caps, schedule and the experiment arm.

A service, not a selector: handing out a coupon code is a write.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from personalization.campaigns.assignment import Arm, arm_for, exposed, in_holdout
from personalization.campaigns.coupons import coupon_issue
from personalization.campaigns.models import (
    Campaign,
    Contact,
    ContactKind,
)
from personalization.campaigns.selectors import live_campaigns
from personalization.campaigns.services import campaign_settings_get, contact_record
from personalization.campaigns.tasks import coupon_pool_refill_later
from personalization.decisions.catalog import CatalogSnapshot, catalog_snapshot
from personalization.decisions.context import profile_context, session_context
from personalization.decisions.services import PageRequest, page_decide, product_url
from personalization.engine.campaigns import (
    Candidate,
    Cap,
    free_shipping_remaining,
    group_of,
    rank,
    trigger_matches,
    under_cap,
)
from personalization.profiles.history import shop_now
from personalization.profiles.models import Profile
from personalization.profiles.selectors import profile_for_visitor_key
from personalization.segments.selectors import segments_for_profile
from shopapp.shops.models import Shop

# Contacts that count against caps: a dismissal or a click is the same contact as its impression.
CAPPED_KINDS = (ContactKind.IMPRESSION, ContactKind.SENT)


@dataclass(frozen=True)
class PageContext:
    page: str = "other"
    visit: int = 1
    cart: tuple[str, ...] = ()
    product_id: str | None = None


@dataclass
class Offer:
    overlay: dict[str, Any] | None = None
    embedded: dict[str, Any] | None = None
    # Campaigns this visitor would have seen but for their control arm: the script reports when
    # the trigger fires, so both arms are exposed alike.
    control: list[dict[str, Any]] = field(default_factory=list)
    reason: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "overlay": self.overlay,
            "embedded": self.embedded,
            "control": self.control,
            **({"reason": self.reason} if self.reason else {}),
        }


def storefront_root(shop: Shop) -> str:
    return "/demo/" if shop.is_demo and settings.DEMO_ENABLED else "/"


def person_contacts(
    *, shop: Shop, visitor_key: str, customer_id: int | None, since: datetime
) -> list[tuple[int, datetime]]:
    """(campaign id, when) of every capped contact with this person since `since`, on site under
    this browser's id or by email to the customer it is stitched to: caps are shared."""
    who = Q(visitor_key=visitor_key)
    if customer_id is not None:
        who |= Q(customer_id=customer_id)
    return list(
        Contact.objects.filter(shop=shop, occurred_at__gte=since, kind__in=CAPPED_KINDS)
        .filter(who)
        .values_list("campaign_id", "occurred_at")
    )


def product_block(
    shop: Shop,
    snapshot: CatalogSnapshot,
    block: str,
    count: int,
    profile: Profile | None,
    page: PageContext,
    cart_ids: list[str],
) -> list[dict[str, Any]]:
    if not block:
        return []
    if block == "cart":
        items = [snapshot.items[pid] for pid in cart_ids if pid in snapshot.items][:count]
        return [
            {
                "id": i.platform_id,
                "title": i.title,
                "url": product_url(shop, i),
                "image": i.image,
                "price": i.price,
            }
            for i in items
        ]
    context = (
        profile_context(shop, snapshot, profile, label="campaign")
        if profile is not None
        else session_context(snapshot, recent=[], cart=cart_ids)
    )
    if block == "related" and page.product_id:
        request = PageRequest(
            page="product",
            slots=("product-related",),
            product_id=page.product_id,
            limits={"product-related": count},
        )
    else:
        request = PageRequest(
            page="home", slots=("home-recommended",), limits={"home-recommended": count}
        )
    decision = page_decide(shop=shop, request=request, context=context)
    slot = next(iter(decision.get("slots", {}).values()), None)
    return list(slot["items"])[:count] if slot else []


def _money(amount: float, currency: str) -> str:
    symbols = {"GBP": "£", "USD": "$", "EUR": "€"}
    symbol = symbols.get(currency)
    return f"{symbol}{amount:.2f}" if symbol else f"{amount:.2f} {currency}"


def _cart(profile: Profile | None, snapshot: CatalogSnapshot, page: PageContext) -> list[str]:
    """The browser's cart when it sent one, else the one the profile remembers."""
    if page.cart:
        return [pid for pid in page.cart if pid in snapshot.items]
    items = (profile.cart or {}).get("items", {}) if profile is not None else {}
    return [snapshot.by_pk[int(pk)] for pk in items if int(pk) in snapshot.by_pk]


def variant_content(campaign: Campaign, arm: Arm) -> dict[str, Any]:
    """The campaign's copy, with the arm's overrides: from the campaign's own `variants`, then
    from the experiment arm's `config["content"]`."""
    own = (campaign.content.get("variants") or {}).get(arm.variant, {})
    from_arm = arm.config.get("content")
    return {**campaign.content, **own, **(from_arm if isinstance(from_arm, dict) else {})}


def _render(
    shop: Shop,
    campaign: Campaign,
    arm: Arm,
    *,
    visitor_key: str,
    profile: Profile | None,
    snapshot: CatalogSnapshot,
    page: PageContext,
    cart_ids: list[str],
) -> dict[str, Any] | None:
    """The campaign as the script renders it; None when it has nothing to say (no code left in
    its pool, a free-shipping nudge with no cart)."""
    content = variant_content(campaign, arm)
    fill: dict[str, str] = {}
    threshold = content.get("free_shipping_threshold")
    if threshold:
        value = sum(float(snapshot.items[pid].price or 0) for pid in cart_ids)
        remaining = free_shipping_remaining(float(threshold), value)
        if remaining is None:
            return None
        fill["remaining"] = _money(remaining, shop.currency)
    coupon_code = None
    if campaign.offers_coupon and campaign.coupon_pool is not None:
        coupon = coupon_issue(
            shop=shop,
            pool=campaign.coupon_pool,
            visitor_key=visitor_key,
            customer=profile.customer if profile is not None else None,
            on_low_stock=coupon_pool_refill_later,
        )
        if coupon is None:
            return None
        coupon_code = fill["code"] = coupon.code

    def text(name: str) -> str:
        value = str(content.get(name, ""))
        for key, replacement in fill.items():
            value = value.replace("{" + key + "}", replacement)
        return value

    cta_url = text("cta_url")
    if not cta_url.startswith(("http://", "https://", "/")):
        cta_url = storefront_root(shop) + cta_url
    return {
        "campaign": campaign.key,
        "variant": arm.variant,
        "experiment": arm.experiment,
        "placement": campaign.placement,
        "trigger": campaign.trigger,
        "trigger_value": campaign.trigger_value,
        "headline": text("headline"),
        "body": text("body"),
        "cta_label": text("cta_label"),
        "cta_url": cta_url,
        "coupon": coupon_code,
        "products": product_block(
            shop,
            snapshot,
            str(content.get("products", "")),
            int(content.get("product_count", 3)),
            profile,
            page,
            cart_ids,
        ),
    }


def campaign_offer(
    *, shop: Shop, visitor_key: str | None, page: PageContext, now: datetime | None = None
) -> Offer:
    now = now or timezone.now()
    if not visitor_key:
        # Caps and attribution need the first-party id the shopper consented to.
        return Offer(reason="no_consent")
    if in_holdout(shop=shop, visitor_key=visitor_key):
        return Offer(reason="holdout")
    campaigns = list(live_campaigns(shop=shop, now=now))
    if not campaigns:
        return Offer(reason="no_campaign")
    profile = profile_for_visitor_key(shop=shop, visitor_key=visitor_key)
    facts_profile = profile or Profile(shop=shop, sessions_count=page.visit)
    segments = set(
        segments_for_profile(
            shop=shop,
            profile=facts_profile,
            now=shop_now(shop) if shop.is_demo else time.time(),
        )
    )
    snapshot = catalog_snapshot(shop)
    cart_ids = _cart(profile, snapshot, page)
    shop_wide = campaign_settings_get(shop=shop)
    longest = max([shop_wide.cap_hours, *(c.cap_hours for c in campaigns)])
    contacts = person_contacts(
        shop=shop,
        visitor_key=visitor_key,
        customer_id=profile.customer_id if profile is not None else None,
        since=now - timedelta(hours=longest),
    )
    shop_wide_cap = Cap(shop_wide.cap_count, shop_wide.cap_hours)
    shop_wide_since = now - timedelta(hours=shop_wide.cap_hours)
    if not under_cap(sum(1 for _, at in contacts if at >= shop_wide_since), shop_wide_cap):
        return Offer(reason="shop_cap")

    returning = page.visit >= 2 or (profile is not None and profile.sessions_count >= 2)
    by_key: dict[str, Campaign] = {}
    candidates = []
    for campaign in campaigns:
        if campaign.audience is None or campaign.audience.key not in segments:
            continue
        pages = campaign.content.get("pages") or []
        if pages and page.page not in pages:
            continue
        if not trigger_matches(
            campaign.trigger,
            campaign.trigger_value,
            visit=page.visit,
            has_cart=bool(cart_ids),
            returning=returning,
        ):
            continue
        since = now - timedelta(hours=campaign.cap_hours)
        by_key[campaign.key] = campaign
        candidates.append(
            Candidate(
                key=campaign.key,
                placement=campaign.placement,
                priority=campaign.priority,
                created_order=campaign.pk,
                contacts_in_window=sum(
                    1 for cid, at in contacts if cid == campaign.pk and at >= since
                ),
                cap=Cap(campaign.cap_count, campaign.cap_hours),
            )
        )
    offer = Offer()
    for candidate in rank(candidates):
        group = group_of(candidate.placement)
        if getattr(offer, str(group)) is not None:
            continue
        campaign = by_key[candidate.key]
        arm = arm_for(shop=shop, visitor_key=visitor_key, campaign_key=campaign.key)
        if arm.is_control and not arm.experiment:
            continue  # a rolled-out no-show: the campaign is over for everyone
        if arm.is_control:
            # What this visitor would have seen without the campaign: the next one in line.
            offer.control.append(
                {
                    "campaign": campaign.key,
                    "variant": arm.variant,
                    "experiment": arm.experiment,
                    "trigger": campaign.trigger,
                    "trigger_value": campaign.trigger_value,
                }
            )
            continue
        rendered = _render(
            shop,
            campaign,
            arm,
            visitor_key=visitor_key,
            profile=profile,
            snapshot=snapshot,
            page=page,
            cart_ids=cart_ids,
        )
        if rendered is not None:
            setattr(offer, str(group), rendered)
    if offer.overlay is None and offer.embedded is None and not offer.control:
        offer.reason = "nothing_eligible"
    return offer


class InteractionInvalid(ValueError):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


INTERACTION_KINDS = ("impression", "click", "dismiss", "exposure")


def offer_interaction_record(
    *,
    shop: Shop,
    campaign: Campaign,
    visitor_key: str,
    variant: str,
    kind: str,
    now: datetime | None = None,
) -> Contact | None:
    """What the script saw happen: an impression or click of a variant (a contact, which caps
    count), a dismissal, or a control visitor's trigger firing (an exposure, no contact). The
    variant must be the visitor's own arm, so a replayed or edited call cannot skew results."""
    if kind not in INTERACTION_KINDS:
        raise InteractionInvalid("kind", f"must be one of {', '.join(INTERACTION_KINDS)}")
    arm = arm_for(shop=shop, visitor_key=visitor_key, campaign_key=campaign.key)
    if arm.variant != variant:
        raise InteractionInvalid("variant", "is not this visitor's variant of the campaign")
    if arm.is_control and not arm.experiment:
        raise InteractionInvalid("campaign", "is no longer shown")
    if (kind == "exposure") != arm.is_control:
        raise InteractionInvalid("kind", "exposure is for the control arm, the rest for others")
    if kind in ("exposure", "impression"):
        exposed(shop=shop, visitor_key=visitor_key, campaign_key=campaign.key)
    if kind == "exposure":
        return None
    profile = profile_for_visitor_key(shop=shop, visitor_key=visitor_key)
    return contact_record(
        shop=shop,
        campaign=campaign,
        kind=kind,
        variant=variant,
        visitor_key=visitor_key,
        customer=profile.customer if profile is not None and profile.customer_id else None,
        at=now,
    )
