"""Export and erase one customer everywhere we hold their data; erase a whole shop.

The integrations call these for platform privacy requests (Shopify's customers/data_request,
customers/redact, shop/redact; WooCommerce's WordPress exporter/eraser), and the admin for requests
made by hand. Each leaves a PrivacyRequest audit record.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from personalization.events.models import Event, Session, Visitor
from personalization.privacy import registry, selectors
from personalization.privacy.models import (
    EVENT_RETENTION_DAYS,
    PROFILE_RETENTION_DAYS,
    ConsentMode,
    PrivacyAction,
    PrivacyRequest,
    PrivacySettings,
    PrivacyStatus,
)
from personalization.profiles.models import Profile
from shopapp.catalog.models import Customer, Order, OrderLine
from shopapp.shops.crypto import lookup_hash
from shopapp.shops.models import Shop


def _audit(
    *, shop: Shop, action: str, customer: Customer | None, source: str, source_request_id: str
) -> PrivacyRequest:
    return PrivacyRequest.objects.create(
        shop_id_ref=shop.pk,
        shop_domain=shop.domain,
        action=action,
        subject_hash=lookup_hash(f"customer:{customer.platform_id}") if customer else "",
        source=source,
        source_request_id=source_request_id,
    )


def _done(request: PrivacyRequest, result: dict[str, Any]) -> PrivacyRequest:
    request.status = PrivacyStatus.DONE
    request.completed_at = timezone.now()
    request.result = result
    request.save(update_fields=["status", "completed_at", "result"])
    return request


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def customer_export_data(*, shop: Shop, customer: Customer) -> dict[str, Any]:
    """Everything we hold about one customer, as JSON-ready data."""
    visitors = list(Visitor.objects.filter(shop=shop, customer=customer))
    orders = Order.objects.filter(shop=shop, customer=customer).order_by("platform_created_at")
    profile = Profile.objects.filter(shop=shop, customer=customer).first()
    events = Event.objects.filter(shop=shop, visitor__in=visitors).order_by("occurred_at")
    data: dict[str, Any] = {
        "shop": shop.domain,
        "customer": {
            "platform_id": customer.platform_id,
            "email": customer.email,
            "name": customer.name,
            "country": customer.country,
            "accepts_marketing": customer.accepts_marketing,
            "tags": customer.tags,
            "created_at": _iso(customer.platform_created_at),
        },
        "orders": [
            {
                "platform_id": o.platform_id,
                "created_at": _iso(o.platform_created_at),
                "kind": o.kind,
                "total": str(o.total),
                "currency": o.currency,
                "lines": [
                    {
                        "title": ln.title,
                        "sku": ln.sku,
                        "quantity": ln.quantity,
                        "unit_price": str(ln.unit_price),
                    }
                    for ln in o.lines.all()
                ],
            }
            for o in orders.prefetch_related("lines")
        ],
        "profile": None,
        "visitors": [
            {
                "visitor_id": v.visitor_key,
                "first_seen_at": _iso(v.first_seen_at),
                "device": v.device,
            }
            for v in visitors
        ],
        "sessions": [
            {
                "started_at": _iso(s.started_at),
                "traffic_source": s.traffic_source,
                "source_detail": s.source_detail,
                "landing_url": s.landing_url,
            }
            for s in Session.objects.filter(shop=shop, visitor__in=visitors).order_by("started_at")
        ],
        "events": [
            {"type": e.type, "occurred_at": _iso(e.occurred_at), "placement": e.placement, **e.data}
            for e in events
        ],
        "segments": _segment_names(shop, profile),
    }
    if profile is not None:
        data["profile"] = {
            "lifecycle": profile.lifecycle,
            "orders_count": profile.orders_count,
            "monetary": profile.monetary,
            "rfm": [profile.rfm_r, profile.rfm_f, profile.rfm_m],
            "affinities": profile.affinities,
            "recently_viewed": profile.recently_viewed,
            "cart": profile.cart,
            "propensity": profile.propensity,
            "churn_risk": profile.churn_risk,
            "traffic_source": profile.traffic_source,
            "device": profile.device,
        }
    data.update(registry.export_all(shop=shop, customer=customer))
    return data


def _segment_names(shop: Shop, profile: Profile | None) -> list[str]:
    if profile is None:
        return []
    try:
        from personalization.segments.models import SegmentMembership
    except ImportError:  # the segments app is optional for the privacy layer
        return []
    return sorted(
        SegmentMembership.objects.filter(shop=shop, profile=profile).values_list(
            "segment__name", flat=True
        )
    )


def customer_export(
    *, shop: Shop, customer: Customer, source: str = "admin", source_request_id: str = ""
) -> PrivacyRequest:
    request = _audit(
        shop=shop,
        action=PrivacyAction.EXPORT,
        customer=customer,
        source=source,
        source_request_id=source_request_id,
    )
    return _done(request, customer_export_data(shop=shop, customer=customer))


def _person_cache_forget(shop: Shop, visitor_keys: list[str]) -> int:
    """Drop cache entries that name the person (rate-limit windows, cached decisions)."""
    patterns = [f"pz:rl:v:{shop.pk}:{key}:*" for key in visitor_keys]
    patterns += [f"*pz:{shop.pk}:visitor:{key}*" for key in visitor_keys]
    removed = 0
    if settings.REDIS_URL:
        from personalization.events.buffer import redis_client

        client = redis_client()
        for pattern in patterns:
            for key in client.scan_iter(pattern):
                removed += client.delete(key)
    for key in visitor_keys:
        removed += int(bool(cache.delete(f"pz:{shop.pk}:visitor:{key}")))
    return removed


@transaction.atomic
def customer_erase(
    *,
    shop: Shop,
    customer: Customer,
    source: str = "admin",
    source_request_id: str = "",
    order_platform_ids: list[str] | None = None,
) -> PrivacyRequest:
    """Erase a customer: behaviour, profile, segment memberships, cache entries and the customer
    record. Orders stay for the merchant's totals, unlinked from the person; orders the platform
    names for redaction lose their country too."""
    request = _audit(
        shop=shop,
        action=PrivacyAction.ERASE,
        customer=customer,
        source=source,
        source_request_id=source_request_id,
    )
    visitors = list(Visitor.objects.filter(shop=shop, customer=customer))
    visitor_keys = [v.visitor_key for v in visitors]
    counts: dict[str, int] = {}
    counts["events"] = Event.objects.filter(shop=shop, visitor__in=visitors).delete()[0]
    counts["events"] += Event.objects.filter(shop=shop, customer=customer).delete()[0]
    counts["sessions"] = Session.objects.filter(shop=shop, visitor__in=visitors).delete()[0]
    counts["profiles"] = Profile.objects.filter(shop=shop, customer=customer).delete()[0]
    counts["profiles"] += Profile.objects.filter(shop=shop, visitor__in=visitors).delete()[0]
    counts["visitors"] = Visitor.objects.filter(shop=shop, customer=customer).delete()[0]
    orders = Order.objects.filter(shop=shop, customer=customer)
    counts["orders_unlinked"] = orders.update(customer=None)
    if order_platform_ids:
        counts["orders_redacted"] = Order.objects.filter(
            shop=shop, platform_id__in=order_platform_ids
        ).update(customer=None, country="")
    counts.update(registry.erase_all(shop=shop, customer=customer))
    counts["customers"] = Customer.objects.filter(shop=shop, pk=customer.pk).delete()[0]
    # Earlier exports are personal data too: keep that they happened, drop what they held.
    counts["exports_purged"] = PrivacyRequest.objects.filter(
        shop_id_ref=shop.pk, action=PrivacyAction.EXPORT, subject_hash=request.subject_hash
    ).update(result={"purged_by_erasure": request.pk})
    counts["cache_entries"] = _person_cache_forget(shop, visitor_keys)
    return _done(request, counts)


@transaction.atomic
def visitor_erase(
    *, shop: Shop, visitor_key: str, source: str = "storefront", source_request_id: str = ""
) -> PrivacyRequest:
    """Erase an anonymous visitor on their own request ("forget me" without a login): events,
    sessions, profile, and through the visitor row's cascade what they stated or answered.

    A visitor stitched to a customer is left alone: one browser's word does not erase an account
    (that is `customer_erase`). The audit record names the subject by a keyed hash only."""
    request = PrivacyRequest.objects.create(
        shop_id_ref=shop.pk,
        shop_domain=shop.domain,
        action=PrivacyAction.ERASE,
        subject_hash=lookup_hash(f"visitor:{visitor_key}"),
        source=source,
        source_request_id=source_request_id,
    )
    visitors = Visitor.objects.filter(shop=shop, visitor_key=visitor_key, customer__isnull=True)
    # Locked first: an event batch being stored for this visitor either commits before (and its
    # events are deleted below) or waits and then finds the visitor gone.
    list(visitors.select_for_update().values_list("pk", flat=True))
    counts: dict[str, int] = {
        "events": Event.objects.filter(shop=shop, visitor__in=visitors).delete()[0],
        "sessions": Session.objects.filter(shop=shop, visitor__in=visitors).delete()[0],
        "profiles": Profile.objects.filter(shop=shop, visitor__in=visitors).delete()[0],
    }
    _deleted, per_model = visitors.delete()
    for label, n in per_model.items():
        name = label.split(".")[-1].lower()
        counts[name] = counts.get(name, 0) + n
    counts["cache_entries"] = _person_cache_forget(shop, [visitor_key])
    return _done(request, counts)


def shop_erase(*, shop: Shop, source: str = "admin", source_request_id: str = "") -> PrivacyRequest:
    """Erase a shop and everything it owns (shop/redact); the audit record stays."""
    request = _audit(
        shop=shop,
        action=PrivacyAction.SHOP_ERASE,
        customer=None,
        source=source,
        source_request_id=source_request_id,
    )
    with transaction.atomic():
        counts = registry.shop_erase_all(shop=shop)
        counts |= {
            # The biggest tables first, by shop, so the cascade below has little left to collect.
            "events": Event.objects.filter(shop=shop).delete()[0],
            "order_lines": OrderLine.objects.filter(shop=shop).delete()[0],
        }
        _deleted, per_model = Shop.objects.filter(pk=shop.pk).delete()
        counts.update({label.split(".")[-1].lower(): n for label, n in per_model.items()})
    if settings.REDIS_URL:
        from personalization.events.buffer import redis_client

        client = redis_client()
        for pattern in (f"pz:rl:*:{shop.pk}:*", f"*pz:{shop.pk}:*", f"pz:metric:*:shop{shop.pk}"):
            for key in client.scan_iter(pattern):
                client.delete(key)
    return _done(request, counts)


class PrivacySettingsInvalid(ValueError):
    """Bad settings input; `field` names the input the message belongs next to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _days(field: str, raw: str | int, allowed: tuple[int, ...]) -> int:
    try:
        days = int(raw)
    except (TypeError, ValueError):
        days = -1
    if days not in allowed:
        choices = ", ".join(str(d) for d in allowed)
        raise PrivacySettingsInvalid(field, f"choose one of {choices} days")
    return days


@transaction.atomic
def privacy_settings_save(
    *,
    shop: Shop,
    consent_mode: str,
    event_retention_days: str | int,
    anonymous_profile_retention_days: str | int,
    source: str = "admin",
) -> PrivacySettings:
    """Store the shop's choices (a change is logged); the events API follows the consent mode from its next batch in
    this process (other processes within `selectors.SETTINGS_SECONDS`)."""
    if consent_mode not in ConsentMode.values:
        raise PrivacySettingsInvalid("consent_mode", "choose how consent is asked")
    event_days = _days("event_retention_days", event_retention_days, EVENT_RETENTION_DAYS)
    profile_days = _days(
        "anonymous_profile_retention_days",
        anonymous_profile_retention_days,
        PROFILE_RETENTION_DAYS,
    )
    before = selectors.privacy_settings_get(shop=shop)
    chosen = {
        "consent_mode": consent_mode,
        "event_retention_days": event_days,
        "anonymous_profile_retention_days": profile_days,
    }
    was = {name: getattr(before, name) for name in chosen}
    saved, _ = PrivacySettings.objects.update_or_create(shop=shop, defaults=chosen)
    if was != chosen or before.pk is None:
        # What shoppers were promised changed: the log keeps when, from what, to what.
        _done(
            _audit(
                shop=shop,
                action=PrivacyAction.SETTINGS,
                customer=None,
                source=source,
                source_request_id="",
            ),
            {"before": was, "after": chosen},
        )
    selectors.forget(shop.pk)
    return saved


def _deleted(counts: dict[str, int], label: str) -> int:
    return counts.get(label, 0)


def retention_apply(
    *, shop: Shop, now: datetime | None = None, source: str = "schedule"
) -> PrivacyRequest:
    """Delete what the shop's retention window no longer covers, and log it.

    Storefront events older than the event window go, with sessions that ended before it; an
    anonymous visitor (never stitched to a customer) unseen for the profile window goes with
    its profile, sessions and events. Customers, their profiles and orders stay: they are the
    store's records, erased only on request.
    """
    kept = selectors.privacy_settings_get(shop=shop)
    now = now or timezone.now()
    event_cutoff = now - timedelta(days=kept.event_retention_days)
    visitor_cutoff = now - timedelta(days=kept.anonymous_profile_retention_days)
    request = _audit(
        shop=shop,
        action=PrivacyAction.RETENTION,
        customer=None,
        source=source,
        source_request_id="",
    )
    counts = {"events": 0, "sessions": 0, "profiles": 0, "visitors": 0}
    with transaction.atomic():
        # The biggest table first and by itself, so the cascades below find little left.
        counts["events"] += Event.objects.filter(shop=shop, occurred_at__lt=event_cutoff).delete()[
            0
        ]
        _total, per_model = Session.objects.filter(
            shop=shop, last_event_at__lt=event_cutoff
        ).delete()
        counts["sessions"] += _deleted(per_model, "events.Session")
        counts["events"] += _deleted(per_model, "events.Event")
        stale = Visitor.objects.filter(
            shop=shop, customer__isnull=True, last_event_at__lt=visitor_cutoff
        )
        _total, per_model = (
            Profile.objects.filter(shop=shop, customer__isnull=True)
            .filter(
                Q(last_seen_at__lt=visitor_cutoff) | Q(last_seen_at__isnull=True, visitor__in=stale)
            )
            .delete()
        )
        counts["profiles"] += _deleted(per_model, "profiles.Profile")
        _total, per_model = stale.delete()
        counts["visitors"] += _deleted(per_model, "events.Visitor")
        counts["profiles"] += _deleted(per_model, "profiles.Profile")
        counts["sessions"] += _deleted(per_model, "events.Session")
        counts["events"] += _deleted(per_model, "events.Event")
    return _done(
        request,
        {
            **counts,
            "event_retention_days": kept.event_retention_days,
            "anonymous_profile_retention_days": kept.anonymous_profile_retention_days,
            "events_before": event_cutoff.isoformat(),
            "visitors_unseen_since": visitor_cutoff.isoformat(),
        },
    )
