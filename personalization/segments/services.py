"""Writes on segments: built-ins, merchant rules, learned clusters, and the batch refresh."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from personalization.engine.segment_rules import BUILTIN_SEGMENTS, RuleError, compile_rule
from personalization.profiles.history import shop_now
from personalization.profiles.models import Profile
from personalization.segments import rules
from personalization.segments.facts import profile_facts
from personalization.segments.models import Segment, SegmentKind, SegmentMembership, SegmentSize
from shopapp.shops.models import Shop

BUILTIN_TEXT = {
    "first_time_visitor": ("First-time visitor", "No order yet, on their first session."),
    "returning_visitor": ("Returning visitor", "No order yet, back for another session."),
    "prospect": ("Prospect (abandoned cart)", "Items in the cart and no order in the last 7 days."),
    "first_time_customer": ("First-time customer", "One order, not lapsed."),
    "repeat_customer": ("Repeat customer", "Two or more orders, not lapsed."),
    "loyal": ("Loyal", "Three or more orders, not lapsed."),
    "lapsed": ("Lapsed", "No order for longer than the shop's lapse threshold."),
    "vip": ("VIP", "Top spenders among repeat customers (includes lapsed VIPs)."),
}
# Visitors without an order count in segments while they are active; older ones are history.
ACTIVE_VISITOR_DAYS = 30


class SegmentInvalid(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@transaction.atomic
def segments_ensure_builtins(*, shop: Shop) -> int:
    created = 0
    for key, rule in BUILTIN_SEGMENTS.items():
        name, description = BUILTIN_TEXT[key]
        _segment, was_created = Segment.objects.update_or_create(
            shop=shop,
            key=key,
            defaults={
                "name": name,
                "description": description,
                "kind": SegmentKind.BUILTIN,
                "rule": rule,
            },
        )
        created += was_created
    rules.forget(shop.pk)
    return created


def segment_save(
    *, shop: Shop, name: str, rule: Mapping[str, Any], description: str = "", key: str | None = None
) -> Segment:
    """Create or update a merchant's rule segment; a bad rule is refused naming its node."""
    name = name.strip()
    if not name:
        raise SegmentInvalid("name", "a segment needs a name")
    try:
        compile_rule(rule)
    except RuleError as exc:
        raise SegmentInvalid(f"rule {exc.path}", exc.message) from exc
    key = key or slugify(name)[:64]
    existing = Segment.objects.filter(shop=shop, key=key).first()
    if existing is not None and existing.kind != SegmentKind.RULE:
        raise SegmentInvalid(
            "name", f"'{existing.name}' is a {existing.get_kind_display().lower()} segment"
        )
    segment, _ = Segment.objects.update_or_create(
        shop=shop,
        key=key,
        defaults={
            "name": name,
            "description": description,
            "kind": SegmentKind.RULE,
            "rule": dict(rule),
        },
    )
    rules.forget(shop.pk)
    return segment


@transaction.atomic
def cluster_segments_sync(*, shop: Shop, clusters: Sequence[Mapping[str, Any]]) -> None:
    """One segment per learned cluster; its key follows the cluster's stable id."""
    keys = []
    for cluster in clusters:
        key = f"cluster-{cluster['id']}"
        keys.append(key)
        description = str(cluster["description"])
        Segment.objects.update_or_create(
            shop=shop,
            key=key,
            defaults={
                "name": description[:1].upper() + description[1:120],
                "description": description[:300],
                "kind": SegmentKind.CLUSTER,
                "cluster_key": cluster["id"],
                "is_active": True,
            },
        )
    Segment.objects.filter(shop=shop, kind=SegmentKind.CLUSTER).exclude(key__in=keys).update(
        is_active=False
    )
    rules.forget(shop.pk)


def segments_refresh(*, shop: Shop, now: float | None = None) -> dict[str, int]:
    """Evaluate every active segment over the shop's profiles; store members and today's sizes."""
    now = shop_now(shop) if now is None else now
    segments_ensure_builtins(shop=shop)
    compiled = rules.compiled_segments(shop)
    active_since = timezone.now() - timedelta(days=ACTIVE_VISITOR_DAYS)
    profiles = list(
        Profile.objects.filter(shop=shop, customer__isnull=False)
        | Profile.objects.filter(shop=shop, customer__isnull=True, last_seen_at__gte=active_since)
    )
    members: dict[str, list[int]] = {segment.key: [] for segment in compiled}
    for profile in profiles:
        facts = profile_facts(profile, now=now)
        for key in rules.matching_keys(compiled, facts, profile.cluster_key):
            members[key].append(profile.pk)
    segment_pks = dict(Segment.objects.filter(shop=shop, key__in=members).values_list("key", "pk"))
    taken_at = timezone.now()
    with transaction.atomic():
        SegmentMembership.objects.filter(shop=shop).delete()
        SegmentMembership.objects.bulk_create(
            (
                SegmentMembership(shop=shop, segment_id=segment_pks[key], profile_id=pk)
                for key, pks in members.items()
                for pk in pks
            ),
            batch_size=5000,
        )
        SegmentSize.objects.bulk_create(
            SegmentSize(shop=shop, segment_id=segment_pks[key], taken_at=taken_at, size=len(pks))
            for key, pks in members.items()
        )
        for key, pks in members.items():
            Segment.objects.filter(pk=segment_pks[key]).update(size=len(pks))
    return {key: len(pks) for key, pks in members.items()}
