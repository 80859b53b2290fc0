"""Behavioural email: find who is due (abandoned cart, browse abandonment, post-purchase
cross-sell, win-back, birthday month), check consent, unsubscribes, the holdout, the experiment arm and the caps
shared with on-site campaigns, then send once per occasion through a channel."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from personalization.campaigns.assignment import Arm, arm_for, exposed, in_holdout
from personalization.campaigns.coupons import coupon_issue
from personalization.campaigns.models import Campaign, ContactKind, Placement, Trigger
from personalization.campaigns.offers import (
    PageContext,
    person_contacts,
    product_block,
    variant_content,
)
from personalization.campaigns.selectors import live_campaigns
from personalization.campaigns.services import campaign_settings_get, contact_record
from personalization.campaigns.tasks import coupon_pool_refill_later
from personalization.decisions.catalog import catalog_snapshot
from personalization.engine.campaigns import Cap, under_cap
from personalization.messaging.channels import CHANNELS, Channel, Outbound
from personalization.messaging.models import Message, MessageStatus, Unsubscribe
from personalization.preferences.selectors import birthday_customers
from personalization.profiles.history import shop_now
from personalization.profiles.models import Profile
from personalization.segments.selectors import segments_for_profile
from shopapp.catalog.models import Customer, Order
from shopapp.shops.models import Shop

logger = logging.getLogger(__name__)
UNSUBSCRIBE_SALT = "messaging.unsubscribe"
MAX_ATTEMPTS = 3
# Past this, an occasion is stale: a cart abandoned a month ago gets no "you left something".
LOOKBACK = timedelta(days=7)


@dataclass
class ScanReport:
    sent: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    failed: int = 0

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


@dataclass(frozen=True)
class Occasion:
    customer: Customer
    profile: Profile | None
    key: str  # what makes this occasion itself: a cart's time, an order's id
    due_at: datetime
    cart_ids: tuple[str, ...] = ()


# Unsubscribe links


def unsubscribe_token(*, shop: Shop, customer: Customer, channel: str = "email") -> str:
    return signing.dumps({"s": shop.pk, "c": customer.pk, "ch": channel}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(*, shop: Shop, customer: Customer, channel: str = "email") -> str:
    token = unsubscribe_token(shop=shop, customer=customer, channel=channel)
    path = reverse("messaging:unsubscribe", kwargs={"token": token})
    return f"{str(settings.SHOPIFY_APP_URL).rstrip('/')}{path}"


class UnsubscribeInvalid(ValueError):
    pass


def unsubscribe_target(token: str) -> tuple[Shop, Customer, str]:
    """The shop, customer and channel a link names; UnsubscribeInvalid for a forged, altered or
    stale link (or a customer since erased)."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature as exc:
        raise UnsubscribeInvalid("This unsubscribe link is not valid.") from exc
    customer = Customer.objects.select_related("shop").filter(pk=data.get("c")).first()
    if customer is None or customer.shop_id != data.get("s"):
        raise UnsubscribeInvalid("This unsubscribe link is no longer valid.")
    return customer.shop, customer, str(data.get("ch", "email"))


def unsubscribe(*, shop: Shop, customer: Customer, channel: str = "email") -> Unsubscribe:
    if customer.shop_id != shop.pk:
        raise ValueError("customer: not in this shop")
    unsubscribed, _ = Unsubscribe.objects.get_or_create(
        shop=shop, customer=customer, channel=channel
    )
    return unsubscribed


# Who is due


def _cart_ids(profile: Profile, by_pk: dict[int, str]) -> tuple[str, ...]:
    items = (profile.cart or {}).get("items", {})
    return tuple(by_pk[int(pk)] for pk in items if int(pk) in by_pk)


def _occasions(shop: Shop, campaign: Campaign, now: datetime) -> Iterator[Occasion]:
    delay = timedelta(minutes=campaign.trigger_value)
    newest, oldest = now - delay, now - delay - LOOKBACK
    profiles = Profile.objects.filter(shop=shop, customer__isnull=False).select_related("customer")
    if campaign.trigger == Trigger.CART_ABANDONED:
        by_pk = catalog_snapshot(shop).by_pk
        for profile in profiles.exclude(cart={}):
            at = (profile.cart or {}).get("at")
            cart_ids = _cart_ids(profile, by_pk)
            if not at or not cart_ids:
                continue
            cart_at = datetime.fromtimestamp(float(at), tz=timezone.get_current_timezone())
            if not oldest <= cart_at <= newest:
                continue
            # An order since the cart was left means it was not abandoned.
            if Order.objects.filter(
                shop=shop, customer_id=profile.customer_id, platform_created_at__gte=cart_at
            ).exists():
                continue
            assert profile.customer is not None
            yield Occasion(
                profile.customer, profile, f"cart:{int(float(at))}", cart_at + delay, cart_ids
            )
    elif campaign.trigger == Trigger.BROWSE_ABANDONED:
        for profile in profiles.filter(last_seen_at__gte=oldest, last_seen_at__lte=newest):
            if profile.cart.get("items") or not profile.recently_viewed:
                continue
            assert profile.customer is not None
            assert profile.last_seen_at is not None
            yield Occasion(
                profile.customer,
                profile,
                f"browse:{profile.last_seen_at:%Y%m%d%H%M}",
                profile.last_seen_at + delay,
            )
    elif campaign.trigger == Trigger.ORDER_PLACED:
        orders = Order.objects.filter(
            shop=shop,
            customer__isnull=False,
            kind="sale",
            platform_created_at__gte=oldest,
            platform_created_at__lte=newest,
        ).select_related("customer")
        for order in orders:
            assert order.customer is not None
            assert order.platform_created_at is not None
            profile = profiles.filter(customer=order.customer).first()
            yield Occasion(
                order.customer,
                profile,
                f"order:{order.platform_id}",
                order.platform_created_at + delay,
            )
    elif campaign.trigger == Trigger.BIRTHDAY:
        yield from _birthday_occasions(shop, campaign, now)
    elif campaign.trigger == Trigger.LAPSED:
        for profile in profiles.filter(lifecycle="lapsed"):
            assert profile.customer is not None
            last = profile.last_order_at
            yield Occasion(
                profile.customer, profile, f"lapsed:{last:%Y%m%d}" if last else "lapsed", now
            )


def _birthday_occasions(shop: Shop, campaign: Campaign, now: datetime) -> Iterator[Occasion]:
    """This month's birthdays in the shop's time zone (the preference center's selection: a
    stated birthday, email chosen, marketing accepted), due `trigger_value` minutes into the
    month. Once a year per customer: the occasion is the year, and a customer who already had a
    birthday email this year from any campaign is left out."""
    local = now.astimezone(_shop_zone(shop))
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    customers = birthday_customers(shop=shop, month=local.month)
    if not customers:
        return
    key = f"birthday:{local.year}"
    already = set(
        Message.objects.filter(
            shop=shop,
            customer_id__in=[c.pk for c in customers],
            dedupe_key__endswith=f":{key}",
            status=MessageStatus.SENT,
        ).values_list("customer_id", flat=True)
    )
    profiles = {
        p.customer_id: p
        for p in Profile.objects.filter(shop=shop, customer_id__in=[c.pk for c in customers])
    }
    due_at = month_start + timedelta(minutes=campaign.trigger_value)
    for customer in customers:
        if customer.pk not in already:
            yield Occasion(customer, profiles.get(customer.pk), key, due_at)


def _shop_zone(shop: Shop) -> ZoneInfo:
    try:
        return ZoneInfo(shop.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _person_key(customer: Customer) -> str:
    """The id email bucketing uses: stable per customer, like a browser's first-party id."""
    return f"customer-{customer.pk}"


def _claim(shop: Shop, campaign: Campaign, occasion: Occasion, channel: Channel) -> Message | None:
    """The message row for this occasion, claimed for sending; None when it was handled already
    (sent, skipped, or failed too often) or another worker holds it."""
    dedupe_key = f"{campaign.pk}:{channel.name}:{occasion.customer.pk}:{occasion.key}"
    existing = Message.objects.filter(shop=shop, dedupe_key=dedupe_key).first()
    if existing is not None:
        if existing.status != MessageStatus.FAILED or existing.attempts >= MAX_ATTEMPTS:
            return None
        claimed = Message.objects.filter(
            pk=existing.pk, status=MessageStatus.FAILED, attempts=existing.attempts
        ).update(status=MessageStatus.SENDING)
        return existing if claimed else None
    try:
        with transaction.atomic():
            return Message.objects.create(
                shop=shop,
                campaign=campaign,
                customer=occasion.customer,
                channel=channel.name,
                dedupe_key=dedupe_key,
                status=MessageStatus.SENDING,
                due_at=occasion.due_at,
            )
    except IntegrityError:
        return None


def _skip(message: Message, reason: str, report: ScanReport) -> None:
    message.status = MessageStatus.SKIPPED
    message.skip_reason = reason
    message.save(update_fields=["status", "skip_reason"])
    report.skip(reason)


def _storefront_url(shop: Shop, path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    if shop.is_demo and settings.DEMO_ENABLED:
        base = f"{str(settings.SHOPIFY_APP_URL).rstrip('/')}/demo/"
    else:
        base = f"https://{shop.domain}/"
    return base + path.lstrip("/")


def render_message(
    *,
    shop: Shop,
    campaign: Campaign,
    arm: Arm,
    occasion: Occasion,
    unsubscribe_link: str,
    coupon_code: str = "",
) -> tuple[str, str, str]:
    """(subject, text, html) with product blocks picked for this recipient."""
    content = variant_content(campaign, arm)
    if coupon_code:
        for name in ("headline", "body"):
            content[name] = str(content.get(name, "")).replace("{code}", coupon_code)
    snapshot = catalog_snapshot(shop)
    products = product_block(
        shop,
        snapshot,
        str(content.get("products", "")),
        int(content.get("product_count", 3)),
        occasion.profile,
        PageContext(),
        list(occasion.cart_ids),
    )
    for product in products:
        product["url"] = _storefront_url(shop, product["url"])
    context: dict[str, Any] = {
        "shop": shop,
        "headline": content.get("headline", ""),
        "body": content.get("body", ""),
        "cta_label": content.get("cta_label", ""),
        "cta_url": _storefront_url(shop, str(content.get("cta_url", ""))),
        "products": products,
        "unsubscribe_url": unsubscribe_link,
    }
    return (
        str(content.get("headline", ""))[:200],
        render_to_string("messaging/email.txt", context),
        render_to_string("messaging/email.html", context),
    )


def _capped(shop: Shop, campaign: Campaign, customer: Customer, now: datetime) -> bool:
    shop_wide = campaign_settings_get(shop=shop)
    visitor_keys = list(customer.visitors.values_list("visitor_key", flat=True))
    contacts = person_contacts(
        shop=shop,
        visitor_key=visitor_keys[0] if visitor_keys else "",
        customer_id=customer.pk,
        since=now - timedelta(hours=max(shop_wide.cap_hours, campaign.cap_hours)),
    )
    if len(visitor_keys) > 1:
        for key in visitor_keys[1:]:
            contacts += person_contacts(
                shop=shop,
                visitor_key=key,
                customer_id=None,
                since=now - timedelta(hours=max(shop_wide.cap_hours, campaign.cap_hours)),
            )
    contacts = list(set(contacts))
    shop_since = now - timedelta(hours=shop_wide.cap_hours)
    own_since = now - timedelta(hours=campaign.cap_hours)
    return not under_cap(
        sum(1 for _, at in contacts if at >= shop_since),
        Cap(shop_wide.cap_count, shop_wide.cap_hours),
    ) or not under_cap(
        sum(1 for cid, at in contacts if cid == campaign.pk and at >= own_since),
        Cap(campaign.cap_count, campaign.cap_hours),
    )


def messages_due_send(
    *, shop: Shop, now: datetime | None = None, channel_name: str = "email"
) -> ScanReport:
    """One pass over the shop's live email campaigns: every due occasion is sent once or
    recorded as skipped with its reason."""
    now = now or timezone.now()
    channel = CHANNELS[channel_name]
    report = ScanReport()
    campaigns = live_campaigns(shop=shop, now=now, placements=(Placement.EMAIL,)).order_by(
        "-priority", "pk"
    )
    segment_now = shop_now(shop) if shop.is_demo else now.timestamp()
    for campaign in campaigns:
        for occasion in _occasions(shop, campaign, now):
            if occasion.due_at > now:
                continue
            if occasion.profile is not None and campaign.audience is not None:
                segments = segments_for_profile(
                    shop=shop, profile=occasion.profile, now=segment_now
                )
                if campaign.audience.key not in segments:
                    continue
            message = _claim(shop, campaign, occasion, channel)
            if message is None:
                continue
            _send_one(shop, campaign, occasion, message, channel, now, report)
    return report


def _send_one(
    shop: Shop,
    campaign: Campaign,
    occasion: Occasion,
    message: Message,
    channel: Channel,
    now: datetime,
    report: ScanReport,
) -> None:
    customer = occasion.customer
    address = channel.address_for(customer)
    if not customer.accepts_marketing:
        return _skip(message, "no_consent", report)
    if Unsubscribe.objects.filter(shop=shop, customer=customer, channel=channel.name).exists():
        return _skip(message, "unsubscribed", report)
    if not address:
        return _skip(message, "no_address", report)
    person = _person_key(customer)
    if in_holdout(shop=shop, visitor_key=person):
        return _skip(message, "holdout", report)
    arm = arm_for(shop=shop, visitor_key=person, campaign_key=campaign.key)
    if arm.is_control:
        if arm.experiment:
            exposed(shop=shop, visitor_key=person, campaign_key=campaign.key)
        return _skip(message, "control", report)
    if _capped(shop, campaign, customer, now):
        if campaign.trigger == Trigger.BIRTHDAY:
            # The occasion lasts the month: let a later scan try again once the cap frees up.
            message.delete()
            report.skip("capped")
            return None
        return _skip(message, "capped", report)
    coupon_code = ""
    if campaign.offers_coupon and campaign.coupon_pool is not None:
        coupon = coupon_issue(
            shop=shop,
            pool=campaign.coupon_pool,
            customer=customer,
            on_low_stock=coupon_pool_refill_later,
        )
        if coupon is None:
            return _skip(message, "no_coupon_left", report)
        coupon_code = coupon.code
    link = unsubscribe_url(shop=shop, customer=customer, channel=channel.name)
    subject, text, html = render_message(
        shop=shop,
        campaign=campaign,
        arm=arm,
        occasion=occasion,
        unsubscribe_link=link,
        coupon_code=coupon_code,
    )
    message.attempts += 1
    message.variant = arm.variant
    message.subject = subject
    try:
        channel.send(
            Outbound(
                to=address,
                subject=subject,
                text=text,
                html=html,
                # RFC 8058 one-click unsubscribe, which mail clients show as a button.
                headers={
                    "List-Unsubscribe": f"<{link}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            )
        )
    except Exception as exc:
        message.status = MessageStatus.FAILED
        message.error = f"{type(exc).__name__}: {exc}"[:300]
        message.save(update_fields=["status", "error", "attempts", "variant", "subject"])
        report.failed += 1
        logger.warning("message %s failed: %s", message.pk, message.error)
        return None
    message.status = MessageStatus.SENT
    message.sent_at = timezone.now()
    message.error = ""
    message.save(update_fields=["status", "sent_at", "error", "attempts", "variant", "subject"])
    if arm.experiment:
        exposed(shop=shop, visitor_key=person, campaign_key=campaign.key)
    contact_record(
        shop=shop,
        campaign=campaign,
        kind=ContactKind.SENT,
        variant=arm.variant,
        customer=customer,
        at=now,
    )
    report.sent += 1
    return None
