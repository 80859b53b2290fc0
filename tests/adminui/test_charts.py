from __future__ import annotations

import pytest

from shopapp.adminui.charts import (
    compact_number,
    funnel_steps,
    line_chart,
    nice_scale,
    sparkline,
    spread_labels,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (12, "12"),
        (2.5, "2.5"),
        (1234, "1.2k"),
        (12_345, "12k"),
        (2_500_000, "2.5M"),
        (-1500, "-1.5k"),
    ],
)
def test_compact_numbers(value, text):
    assert compact_number(value) == text


@pytest.mark.parametrize(
    ("maximum", "scale"),
    [
        (212, (250.0, 5)),
        (0, (1.0, 1)),
        (1, (1.0, 1)),
        (3, (3.0, 3)),
        (7, (8.0, 4)),
        (1000, (1000.0, 4)),
    ],
)
def test_the_y_axis_ends_on_a_nice_number(maximum, scale):
    assert nice_scale(maximum) == scale


def test_a_line_breaks_where_a_day_has_no_data():
    chart = line_chart(["a", "b", "c", "d"], [("x", [1.0, None, 3.0, 4.0])], width=100, height=60)
    assert chart.lines[0].path.count("M") == 2
    assert [p.label for p in chart.lines[0].points] == ["a", "c", "d"]
    assert chart.rows == [("a", [1.0]), ("b", [None]), ("c", [3.0]), ("d", [4.0])]


def test_an_empty_chart_says_so():
    assert line_chart(["a"], [("x", [None])]).is_empty


def test_end_labels_never_overlap():
    assert spread_labels([50.0, 51.0, 52.0], gap=12, low=0, high=200) == [50.0, 62.0, 74.0]
    assert spread_labels([199.0, 200.0], gap=12, low=0, high=200) == [188.0, 200.0]


def test_sparkline_of_one_value_is_flat_and_of_none_is_nothing():
    assert sparkline([]).path == ""
    flat = sparkline([5.0], width=100, height=20)
    assert flat.path == "M3.0,10.0 L97.0,10.0"


def test_funnel_bars_are_relative_to_the_first_step_and_never_vanish():
    steps = funnel_steps(["i", "c", "a", "o"], [1000, 100, 0, 3])
    assert [s.width_pct for s in steps] == [100.0, 10.0, 0.0, 1.0]
    assert [s.rate_pct for s in steps] == [None, 10.0, 0.0, None]
