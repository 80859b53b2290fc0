"""Incremental revenue is cached per shop and window, and a new purchase is a new answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from personalization.experiments import selectors
from tests.experiments.activity import Activity


def held_out_keys(shop, prefix: str, n: int) -> list[str]:
    keys = (f"{prefix}-{i:05d}" for i in range(100_000))
    return [
        key
        for key, _ in zip(
            filter(lambda k: selectors.in_holdout(shop, k), keys), range(n), strict=False
        )
    ]


@pytest.mark.django_db
def test_a_repeat_read_is_one_query_and_a_new_purchase_is_counted_at_once(
    shop, other_shop, django_assert_num_queries
):
    # given 40 held-out visitors, 3 of whom bought, and personalized visitors who did not
    now = timezone.now()
    since = now - timedelta(days=7)
    activity = Activity(shop)
    for i, key in enumerate(held_out_keys(shop, "h", 40)):
        activity.add(key, "page_view", now - timedelta(days=2))
        if i < 3:
            activity.add(key, "purchase", now - timedelta(days=2), data={"value": 10.0})
    for key in [f"p-{i:04d}" for i in range(60)]:
        if not selectors.in_holdout(shop, key):
            activity.add(key, "page_view", now - timedelta(days=2))
    activity.save()
    first = selectors.incremental_revenue(shop, since)
    assert (first["holdout_visitors"], first["holdout_buyers"]) == (40, 3)

    # when it is read again: only the latest purchase is looked up
    with django_assert_num_queries(1):
        again = selectors.incremental_revenue(shop, since)
    assert again == first

    # when one more held-out visitor buys, the next read counts them
    late = Activity(shop)
    late.add(
        held_out_keys(shop, "late", 1)[0], "purchase", now - timedelta(hours=1), data={"value": 5.0}
    )
    late.save()
    after = selectors.incremental_revenue(shop, since)
    assert (after["holdout_visitors"], after["holdout_buyers"]) == (41, 4)
    # and another shop's figure is its own
    assert selectors.incremental_revenue(other_shop, since)["holdout_visitors"] == 0
