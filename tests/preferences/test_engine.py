from __future__ import annotations

import subprocess
import sys

import pytest

from personalization.engine.quiz import QuizItem, Target, quiz_rank


def item(pid: str, category: str, band: str, popularity: float = 0.0, tags=()) -> QuizItem:
    return QuizItem(pid, category, "", band, frozenset(tags), popularity)


ITEMS = [
    item("c-low", "Candles", "low", 0.1),
    item("c-high", "Candles", "high", 0.9),
    item("k-low", "Kitchen", "low", 0.5),
    item("k-high", "Kitchen", "high", 1.0, tags=("vegan",)),
]


def test_products_matching_every_answer_come_first_and_non_matches_never_appear():
    # given answers "Candles" and "low"
    ranked = quiz_rank(ITEMS, [Target("category", "Candles"), Target("price_band", "low")])
    # then the product matching both leads; half matches follow by popularity; k-high is out
    assert [r.id for r in ranked] == ["c-low", "c-high", "k-low"]
    assert ranked[0].matched == ("Candles", "low")
    assert ranked[0].score == pytest.approx(0.9 * 1 + 0.1 * 0.1)


def test_behaviour_orders_equal_matches():
    # given a budget answer only, and a shopper who mostly browses Kitchen
    targets = [Target("price_band", "high")]
    without = quiz_rank(ITEMS, targets)
    blended = quiz_rank(ITEMS, targets, behaviour={"Kitchen": 0.8, "Candles": 0.2})
    # then both dear products match, and behaviour decides their order
    assert [r.id for r in without] == ["k-high", "c-high"]
    assert [r.id for r in blended] == ["k-high", "c-high"]
    assert blended[0].score - blended[1].score > without[0].score - without[1].score


def test_tags_match_case_insensitively_and_unknown_kinds_are_refused():
    assert [r.id for r in quiz_rank(ITEMS, [Target("tag", "Vegan")])] == ["k-high"]
    with pytest.raises(ValueError, match="unknown target kind"):
        quiz_rank(ITEMS, [Target("colour", "red")])


def test_new_engine_modules_import_without_django():
    check = (
        "import personalization.engine.quiz, personalization.engine.audience_ids, sys; "
        "assert not [m for m in sys.modules if m.split('.')[0] in ('django', 'shopapp')]"
    )
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
