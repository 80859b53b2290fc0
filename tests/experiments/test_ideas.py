"""The RICE idea backlog: reach from segment sizes, sorted by score, validated per field."""

from __future__ import annotations

import pytest

from personalization.experiments import selectors
from personalization.experiments.services import ExperimentInvalid, idea_create
from personalization.segments.models import Segment


@pytest.mark.django_db
def test_ideas_are_scored_with_rice_and_sorted(shop, other_shop):
    # given a segment of 1,200 shoppers and three ideas
    lapsed = Segment.objects.create(shop=shop, key="lapsed", name="Lapsed", size=1200)
    win_back = idea_create(
        shop=shop,
        title="Win back lapsed customers",
        segment=lapsed,
        impact=2,
        confidence=0.8,
        effort=2,
        campaign_template="lapsed_win_back",
        campaign_config={"segment": "lapsed", "coupon_percent": 10},
    )
    idea_create(shop=shop, title="Exit offer", reach=5000, impact=0.5, confidence=0.5, effort=1)
    idea_create(
        shop=shop, title="Free shipping nudge", reach=3000, impact=1, confidence=1, effort=4
    )
    idea_create(shop=other_shop, title="Theirs", reach=10**6, impact=3, confidence=1, effort=1)
    # when the backlog is listed
    ideas = selectors.idea_list(shop=shop)
    # then reach came from the segment, scores are R*I*C/E, best first, this shop's only
    assert win_back.reach == 1200
    assert [(i.title, i.rice_score) for i in ideas] == [
        ("Exit offer", 1250.0),
        ("Win back lapsed customers", 960.0),
        ("Free shipping nudge", 750.0),
    ]
    assert ideas[1].campaign_template == "lapsed_win_back"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"impact": 5}, "impact"),
        ({"confidence": 0}, "confidence"),
        ({"effort": 0}, "effort"),
        ({"reach": None}, "reach"),
    ],
)
def test_bad_ideas_name_the_field(shop, changes, field):
    values = {"title": "Idea", "reach": 10, "impact": 1, "confidence": 0.5, "effort": 1, **changes}
    with pytest.raises(ExperimentInvalid) as exc:
        idea_create(shop=shop, **values)
    assert exc.value.field == field
