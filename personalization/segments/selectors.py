from __future__ import annotations

from django.db.models import QuerySet

from personalization.profiles.models import Profile
from personalization.segments import rules
from personalization.segments.facts import profile_facts
from personalization.segments.models import Segment, SegmentSize
from shopapp.shops.models import Shop


def segment_list(*, shop: Shop) -> QuerySet[Segment]:
    return Segment.objects.filter(shop=shop, is_active=True).order_by("kind", "name")


def segment_sizes_over_time(*, shop: Shop, segment: Segment) -> QuerySet[SegmentSize]:
    return SegmentSize.objects.filter(shop=shop, segment=segment).order_by("taken_at")


def segments_for_profile(*, shop: Shop, profile: Profile, now: float) -> list[str]:
    """Live: the segment keys this visitor is in right now, from their very first page view."""
    return rules.matching_keys(
        rules.compiled_segments(shop), profile_facts(profile, now=now), profile.cluster_key
    )
