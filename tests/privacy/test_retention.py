"""Retention: old events and sessions, and long-unseen anonymous visitors, are deleted under each
shop's own windows, by the nightly task; every run leaves an audit record."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from personalization.events.models import Event, Session, Visitor
from personalization.privacy.models import PrivacyAction, PrivacyRequest
from personalization.privacy.selectors import retention_last_run
from personalization.privacy.services import privacy_settings_save, retention_apply
from personalization.privacy.tasks import privacy_retention_all
from personalization.profiles.models import Profile
from tests.factories import CustomerFactory


def activity(shop, key: str, *, days_ago: int, customer=None, events: int = 2):
    """A visitor whose one session (with `events` events) ended `days_ago` days ago."""
    at = timezone.now() - timedelta(days=days_ago)
    visitor = Visitor.objects.create(
        shop=shop, visitor_key=key, customer=customer, first_seen_at=at, last_event_at=at
    )
    session = Session.objects.create(shop=shop, visitor=visitor, started_at=at, last_event_at=at)
    for n in range(events):
        Event.objects.create(
            shop=shop,
            event_id=f"{key}-{n}",
            type="page_view",
            visitor=visitor,
            session=session,
            customer=customer,
            occurred_at=at,
            received_at=at,
        )
    Profile.objects.update_or_create(
        shop=shop,
        visitor=None if customer else visitor,
        customer=customer,
        defaults={"last_seen_at": at},
    )
    return visitor


@pytest.mark.django_db
def test_retention_deletes_what_the_windows_no_longer_cover(shop, other_shop):
    # given windows of 30 days for events and 90 days for anonymous visitors
    privacy_settings_save(
        shop=shop,
        consent_mode="opt_in",
        event_retention_days=30,
        anonymous_profile_retention_days=90,
    )
    activity(shop, "recent", days_ago=2)
    activity(shop, "month-old", days_ago=45)  # events go, the visitor stays
    activity(shop, "long-gone", days_ago=120)  # everything goes
    buyer = CustomerFactory(shop=shop)
    activity(shop, "customer", days_ago=200, customer=buyer)  # events go, the customer stays
    activity(other_shop, "theirs", days_ago=400)  # another shop's data is not touched
    # when the clean-up runs
    run = retention_apply(shop=shop)
    # then
    assert set(Visitor.objects.filter(shop=shop).values_list("visitor_key", flat=True)) == {
        "recent",
        "month-old",
        "customer",
    }
    assert set(Event.objects.filter(shop=shop).values_list("visitor__visitor_key", flat=True)) == {
        "recent"
    }
    assert Session.objects.filter(shop=shop).count() == 1
    assert Profile.objects.filter(shop=shop, customer=buyer).count() == 1
    assert Profile.objects.filter(shop=shop, customer__isnull=True).count() == 2
    assert Event.objects.filter(shop=other_shop).count() == 2
    # and the run is in the audit log with its counts
    assert run.action == PrivacyAction.RETENTION
    assert run.status == "done"
    assert {k: run.result[k] for k in ("events", "sessions", "visitors", "profiles")} == {
        "events": 6,
        "sessions": 3,
        "visitors": 1,
        "profiles": 1,
    }
    assert run.result["event_retention_days"] == 30
    assert retention_last_run(shop=shop) == run
    assert retention_last_run(shop=other_shop) is None


@pytest.mark.django_db
def test_a_shop_without_settings_keeps_a_year_of_events_and_90_days_of_visitors(shop):
    # given no saved settings: 365 days of events, 90 days for anonymous visitors
    buyer = CustomerFactory(shop=shop)
    activity(shop, "customer-half-year", days_ago=200, customer=buyer)
    activity(shop, "customer-two-years", days_ago=800, customer=buyer)
    activity(shop, "anonymous-half-year", days_ago=200)
    retention_apply(shop=shop)
    assert list(Event.objects.filter(shop=shop).values_list("visitor__visitor_key", flat=True)) == [
        "customer-half-year",
        "customer-half-year",
    ]
    assert not Visitor.objects.filter(shop=shop, visitor_key="anonymous-half-year").exists()


@pytest.mark.django_db
def test_the_nightly_task_runs_every_shop_and_is_scheduled(shop, other_shop):
    activity(shop, "old", days_ago=800)
    activity(other_shop, "old", days_ago=800)
    assert privacy_retention_all() == 2  # eager: each shop's task ran inline
    assert Event.objects.count() == 0
    assert PrivacyRequest.objects.filter(action=PrivacyAction.RETENTION).count() == 2
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "personalization.privacy.tasks.privacy_retention_all" in scheduled


@pytest.mark.django_db
def test_a_settings_change_is_logged_with_before_and_after_and_a_resave_is_not(shop, other_shop):
    privacy_settings_save(
        shop=shop,
        consent_mode="opt_out",
        event_retention_days=90,
        anonymous_profile_retention_days=30,
    )
    privacy_settings_save(
        shop=shop,
        consent_mode="opt_out",
        event_retention_days=90,
        anonymous_profile_retention_days=30,
    )
    logged = PrivacyRequest.objects.filter(shop_id_ref=shop.pk, action=PrivacyAction.SETTINGS)
    assert logged.count() == 1
    entry = logged.get()
    assert entry.result == {
        "before": {
            "consent_mode": "opt_in",
            "event_retention_days": 365,
            "anonymous_profile_retention_days": 90,
        },
        "after": {
            "consent_mode": "opt_out",
            "event_retention_days": 90,
            "anonymous_profile_retention_days": 30,
        },
    }
    assert (entry.status, entry.source, entry.subject_hash) == ("done", "admin", "")
    assert not PrivacyRequest.objects.filter(shop_id_ref=other_shop.pk).exists()
