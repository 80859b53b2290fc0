"""The admin dashboard's incremental revenue, from the holdout."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from personalization.experiments import selectors
from personalization.experiments.services import holdout_percent_set
from tests.experiments.activity import Activity


@pytest.mark.django_db
def test_the_dashboard_shows_incremental_revenue_with_its_interval(
    admin_client_for, shop, other_shop
):
    # given a 20 % holdout: held-out visitors buy 30 of 100 units, the others 60 of 100
    holdout_percent_set(shop=shop, percent=20)
    yesterday = timezone.now() - timedelta(days=1)
    activity = Activity(shop)
    for i in range(1500):
        key = f"d-{i:05d}"
        activity.add(key, "page_view", yesterday)
        if i % 10 < (3 if selectors.in_holdout(shop, key) else 6):
            activity.add(key, "purchase", yesterday, data={"value": 20.0, "order_id": f"o{i}"})
    activity.save()
    # when the merchant opens the dashboard
    html = admin_client_for(shop).get("/app/dashboard/").content.decode()
    # then the KPI shows a positive incremental amount and its interval, not "not yet measured"
    kpi = html.split('data-kpi="incremental">')[1].split("</dd>")[0]
    assert "Not yet measured" not in kpi
    amounts = [float(a.replace(",", "")) for a in re.findall(r"[£$€]([\d,]+\.\d\d)", kpi)]
    assert len(amounts) == 3
    value, low, high = amounts
    assert 0 < low < value < high
    # (about 6 per personalized visitor more than the holdout's 6 per visitor: 1,200 * 6)
    assert 5000 < value < 9500
    # and another shop's dashboard is not measured
    other = admin_client_for(other_shop).get("/app/dashboard/").content.decode()
    assert 'data-kpi="incremental">Not yet measured' in other
