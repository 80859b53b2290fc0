"""The pure parts: query normalization, synonym expansion, rule matching, applying rules."""

from __future__ import annotations

from personalization.engine.merchandising import (
    QueryRule,
    SynonymSet,
    arrange_menu,
    expand_query,
    matching_rules,
    merchandise,
    normalize,
)


def test_normalize_lowercases_and_turns_punctuation_into_single_spaces():
    assert normalize("  Tea-Light   HOLDER! ") == "tea light holder"
    assert normalize("Crème brûlée") == "crème brûlée"
    assert normalize("!!!") == ""


def test_a_two_way_group_makes_its_terms_find_each_other():
    # given a two-way group
    groups = [SynonymSet(("sofa", "couch", "settee"))]
    # when any of its words is searched, then the others are added after the query
    assert expand_query("Grey couch", groups) == ["grey couch", "sofa", "settee"]
    assert expand_query("settee", groups) == ["settee", "sofa", "couch"]
    # whole words only: "sofas" is another word
    assert expand_query("sofas", groups) == ["sofas"]


def test_a_one_way_group_adds_its_terms_to_searches_for_the_root_only():
    groups = [SynonymSet(("tealight", "votive"), root="candle")]
    assert expand_query("candle", groups) == ["candle", "tealight", "votive"]
    assert expand_query("votive", groups) == ["votive"]
    assert expand_query("", groups) == []


def rule(rule_id: int, phrase: str, action: str, *ids: str, **extra) -> QueryRule:
    return QueryRule(rule_id=rule_id, phrase=phrase, action=action, product_ids=ids, **extra)


def test_rules_match_the_query_or_its_synonyms_for_their_segment_and_schedule():
    # given rules with a phrase, one exact, one for VIPs, one scheduled
    rules = [
        rule(1, "sofa", "pin", "p1"),
        rule(2, "grey sofa", "boost", "p2", match="exact"),
        rule(3, "sofa", "bury", "p3", segment="vip"),
        rule(4, "sofa", "hide", "p4", starts_at=100.0, ends_at=200.0),
    ]
    terms = expand_query("couch", [SynonymSet(("sofa", "couch"))])
    # when a shopper outside the segment searches "couch" at t=50
    fired = matching_rules(rules, terms, segments={"new"}, now=50.0)
    # then the synonym lets the contains rule fire; exact, segment and schedule hold the rest back
    assert [r.rule_id for r in fired] == [1]
    assert [r.rule_id for r in matching_rules(rules, terms, segments={"vip"}, now=150.0)] == [
        1,
        3,
        4,
    ]
    assert [r.rule_id for r in matching_rules(rules, ["grey sofa"], segments=(), now=250.0)] == [
        1,
        2,
    ]
    assert matching_rules(rules, [], segments=(), now=0.0) == []


def test_merchandise_pins_boosts_buries_and_hides_with_reasons():
    ranked = ["a", "b", "c", "d", "e", "f"]
    rules = [
        rule(1, "sofa", "pin", "e", "z", label="Sofa week"),
        rule(2, "sofa", "boost", "d"),
        rule(3, "sofa", "bury", "a"),
        rule(4, "sofa", "hide", "b", "e"),  # e is already pinned: the first rule decides
    ]
    result = merchandise(ranked, rules, add_pinned=False)
    assert result.order == ["e", "d", "c", "f", "a"]
    assert result.hidden == ["b"]
    assert result.reasons == {
        "e": "Pinned for “Sofa week”",
        "d": "Boosted for “sofa”",
        "a": "Buried for “sofa”",
        "b": "Hidden for “sofa”",
    }
    assert result.rule_ids == [1, 2, 3, 4]
    # a pinned product the search did not find is added on top when asked
    assert merchandise(ranked, rules, add_pinned=True).order[:2] == ["e", "z"]


def test_merchandise_without_rules_keeps_the_order():
    result = merchandise(["a", "b"], [])
    assert (result.order, result.hidden, result.reasons, result.rule_ids) == (
        ["a", "b"],
        [],
        {},
        [],
    )


def test_arrange_menu_puts_pins_first_and_takes_hidden_items_out():
    shown, hidden = arrange_menu(["m1", "m2", "m3", "m4"], pinned=["m3", "x"], hidden={"m2"})
    assert shown == ["m3", "m1", "m4"]
    assert hidden == ["m2"]
