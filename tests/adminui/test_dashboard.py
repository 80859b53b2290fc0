from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from personalization.segments.models import Segment, SegmentKind, SegmentSize
from shopapp.adminui.dashboard import dashboard_build
from tests.adminui.conftest import storefront_event, storefront_session
from tests.factories import ProductFactory


@pytest.fixture
def activity(shop, other_shop):
    """Yesterday: three sessions, two of which saw blocks; a click, an add and an order from
    home-recommended, an impression on product-related. Another shop's busy day is noise."""
    yesterday = timezone.now() - timedelta(days=1)
    vase, mug = ProductFactory(shop=shop, title="Blue Vase"), ProductFactory(shop=shop, title="Mug")
    first = storefront_session(shop, started_at=yesterday)
    second = storefront_session(shop, started_at=yesterday)
    storefront_session(shop, started_at=yesterday)
    for _ in range(3):
        storefront_event(
            first, "impression", at=yesterday, placement="home-recommended", product=vase
        )
    storefront_event(first, "click", at=yesterday, placement="home-recommended", product=vase)
    storefront_event(first, "add_to_cart", at=yesterday, placement="home-recommended", product=vase)
    storefront_event(
        first, "purchase", at=yesterday, placement="home-recommended", data={"value": 42.5}
    )
    storefront_event(second, "impression", at=yesterday, placement="product-related", product=mug)
    storefront_event(second, "purchase", at=yesterday, data={"value": 99.0})  # not attributed
    theirs = storefront_session(other_shop, started_at=yesterday, key="their-visitor")
    for _ in range(5):
        storefront_event(theirs, "impression", at=yesterday, placement="home-recommended")
    storefront_event(
        theirs, "purchase", at=yesterday, placement="home-recommended", data={"value": 1000}
    )
    return shop


def test_dashboard_numbers_come_from_this_shops_events(activity):
    # when the dashboard is built for the last 30 days
    dashboard = dashboard_build(shop=activity, days=30)
    # then sessions, personalized sessions, the funnel and revenue are this shop's only
    assert (dashboard.sessions_total, dashboard.personalized_total) == (3, 2)
    funnel = {row.placement: [step.count for step in row.steps] for row in dashboard.funnel}
    assert funnel == {"home-recommended": [3, 1, 1, 1], "product-related": [1, 0, 0, 0]}
    assert [step.count for step in dashboard.funnel_totals] == [4, 1, 1, 1]
    assert dashboard.attributed_revenue == pytest.approx(42.5)
    assert dashboard.attributed_orders == 1
    assert [(p.title, p.impressions, p.clicks) for p in dashboard.top_products] == [
        ("Blue Vase", 3, 1),
        ("Mug", 1, 0),
    ]
    assert len(dashboard.sessions_chart.labels) == 30
    assert dashboard.sessions_chart.lines[0].total == 3


def test_dashboard_page_shows_the_funnel_and_says_incremental_is_not_measured(
    admin_client_for, activity
):
    response = admin_client_for(activity).get("/app/dashboard/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<dd data-kpi="sessions">3</dd>' in html
    assert "£42.50" in html
    assert 'data-kpi="incremental">Not yet measured' in html
    row = html.split('<tr data-placement="home-recommended">')[1].split("</tr>")[0]
    assert re.findall(r'data-step="\d">([^<]*)<', row) == ["3", "1", "1", "1"]
    assert 'role="img" aria-labelledby="sessions-chart-title sessions-chart-desc"' in html
    assert "Show the numbers" in html


def test_dashboard_is_cached_for_a_minute(admin_client_for, activity):
    client = admin_client_for(activity)
    client.get("/app/dashboard/")
    # given a new session after the first view
    storefront_session(activity, started_at=timezone.now())
    # then the next view within the minute shows the cached numbers
    assert '<dd data-kpi="sessions">3</dd>' in client.get("/app/dashboard/").content.decode()


def test_the_period_switch_answers_htmx_with_the_body_alone(admin_client_for, activity):
    response = admin_client_for(activity).get(
        "/app/dashboard/?days=7", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="dashboard"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="dashboard"')
    assert '<a href="?days=7" hx-get="?days=7" hx-push-url="true" aria-current="true">' in html


@pytest.mark.parametrize("days", ["8", "abc", "-30", ""])
def test_a_bad_period_is_a_400_with_a_message(admin_client_for, shop, days):
    response = admin_client_for(shop).get(f"/app/dashboard/?days={days}")
    assert response.status_code == 400
    assert response.content.decode() == "days: one of 7, 30, 90."


def test_an_empty_shop_gets_guidance_not_empty_charts(admin_client_for, shop):
    html = admin_client_for(shop).get("/app/dashboard/").content.decode()
    assert "No storefront sessions yet." in html
    assert "No impressions yet." in html
    assert "No recommended product has been shown yet." in html


def test_segment_sizes_chart_follows_the_largest_segments(shop):
    now = timezone.now()
    for name, sizes in (("Big", [10, 12]), ("Small", [1, 2])):
        segment = Segment.objects.create(
            shop=shop, key=name.lower(), name=name, kind=SegmentKind.RULE, size=sizes[-1]
        )
        for days_ago, size in zip((1, 0), sizes, strict=True):
            SegmentSize.objects.create(
                shop=shop, segment=segment, taken_at=now - timedelta(days=days_ago), size=size
            )
    chart = dashboard_build(shop=shop, days=7).segments_chart
    assert [line.name for line in chart.lines] == ["Big", "Small"]
    assert [[p.value for p in line.points] for line in chart.lines] == [[10, 12], [1, 2]]


def test_dashboard_without_a_session_redirects(client, db):
    response = client.get("/app/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/app/sign-in/?next=/app/dashboard/"
