"""Writes validate each field and stay inside the shop; reads apply them to a search."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from personalization.merchandising import selectors
from personalization.merchandising.models import QueryRule, SynonymGroup
from personalization.merchandising.services import (
    MerchandisingInvalid,
    QueryRuleInput,
    nav_rule_save,
    query_rule_delete,
    query_rule_save,
    synonym_group_delete,
    synonym_group_save,
)
from personalization.segments.models import Segment
from tests.factories import ProductFactory


@pytest.mark.django_db
def test_synonym_groups_are_normalized_and_validated(shop):
    group = synonym_group_save(shop=shop, terms="Sofa, COUCH,  settee , sofa")
    assert (group.terms, group.root, group.is_one_way) == (["sofa", "couch", "settee"], "", False)
    one_way = synonym_group_save(shop=shop, terms="tealight, votive", root="Candle")
    assert (one_way.terms, one_way.root) == (["tealight", "votive"], "candle")
    with pytest.raises(MerchandisingInvalid) as too_few:
        synonym_group_save(shop=shop, terms="sofa")
    assert too_few.value.field == "terms"
    with pytest.raises(MerchandisingInvalid) as nothing_added:
        synonym_group_save(shop=shop, terms="candle", root="candle")
    assert nothing_added.value.field == "terms"
    with pytest.raises(MerchandisingInvalid) as too_long:
        synonym_group_save(shop=shop, terms="x" * 120, root="candle")
    assert too_long.value.field == "terms"


@pytest.mark.django_db
def test_another_shops_rows_cannot_be_changed_or_named(shop, other_shop, sofas):
    theirs = synonym_group_save(shop=other_shop, terms="a, b")
    with pytest.raises(SynonymGroup.DoesNotExist):
        synonym_group_save(shop=shop, terms="c, d", group_id=theirs.pk)
    with pytest.raises(SynonymGroup.DoesNotExist):
        synonym_group_delete(shop=shop, group_id=theirs.pk)
    ProductFactory(shop=other_shop, platform_id="theirs-1", handle="their-sofa")
    with pytest.raises(MerchandisingInvalid) as foreign:
        query_rule_save(
            shop=shop, data=QueryRuleInput(phrase="sofa", action="pin", products="their-sofa")
        )
    assert foreign.value.field == "products"
    assert "their-sofa" in foreign.value.message
    assert SynonymGroup.objects.get(pk=theirs.pk).terms == ["a", "b"]


@pytest.mark.django_db
def test_query_rule_fields_are_checked_one_by_one(shop, sofas):
    cases = {
        "phrase": QueryRuleInput(phrase=" ?! ", action="pin", products="s1"),
        "action": QueryRuleInput(phrase="sofa", action="promote", products="s1"),
        "match": QueryRuleInput(phrase="sofa", action="pin", products="s1", match="like"),
        "products": QueryRuleInput(phrase="sofa", action="pin"),
        "collections": QueryRuleInput(phrase="sofa", action="pin", collections="chairs"),
        "segment": QueryRuleInput(phrase="sofa", action="pin", products="s1", segment_key="nope"),
        "ends_at": QueryRuleInput(
            phrase="sofa",
            action="pin",
            products="s1",
            starts_at=timezone.now(),
            ends_at=timezone.now() - timedelta(days=1),
        ),
    }
    for field, data in cases.items():
        with pytest.raises(MerchandisingInvalid) as invalid:
            query_rule_save(shop=shop, data=data)
        assert invalid.value.field == field, field
    assert QueryRule.objects.count() == 0


@pytest.mark.django_db
def test_a_saved_rule_applies_to_the_next_search_at_once(shop, sofas):
    # given a ranked search for "couch" and a two-way synonym
    synonym_group_save(shop=shop, terms="sofa, couch")
    ranked = ["s0", "s1", "s2", "s3", "l0"]
    before = selectors.search_merchandise(shop=shop, query="couch", result_ids=ranked)
    assert before.order == ranked
    assert before.terms == ["couch", "sofa"]
    # when rules pin by handle, hide a collection's products and bury one
    query_rule_save(
        shop=shop,
        data=QueryRuleInput(phrase="sofa", action="pin", products="sofas-3", name="Sofa week"),
    )
    query_rule_save(
        shop=shop, data=QueryRuleInput(phrase="sofa", action="hide", collections="lamps")
    )
    rule = query_rule_save(
        shop=shop, data=QueryRuleInput(phrase="sofa", action="bury", products="s0")
    )
    after = selectors.search_merchandise(shop=shop, query="couch", result_ids=ranked)
    # then the cached rules were forgotten and all three apply, in the merchant's order
    assert after.order == ["s3", "s1", "s2", "s0"]
    assert after.hidden == ["l0"]
    assert after.reasons["s3"] == "Pinned for “Sofa week”"
    query_rule_delete(shop=shop, rule_id=rule.pk)
    assert selectors.search_merchandise(shop=shop, query="couch", result_ids=ranked).order == [
        "s3",
        "s0",
        "s1",
        "s2",
    ]


@pytest.mark.django_db
def test_a_rule_for_a_segment_applies_to_its_members_only(shop, sofas):
    Segment.objects.create(shop=shop, key="vip", name="VIP")
    query_rule_save(
        shop=shop,
        data=QueryRuleInput(phrase="sofa", action="pin", products="s5", segment_key="vip"),
    )
    ranked = ["s0", "s5"]
    assert selectors.search_merchandise(shop=shop, query="sofa", result_ids=ranked).order == ranked
    assert selectors.search_merchandise(
        shop=shop, query="sofa", result_ids=ranked, segments=["vip"]
    ).order == ["s5", "s0"]


@pytest.mark.django_db
def test_nav_rules_pin_and_hide_menu_items_per_segment(shop, sofas):
    Segment.objects.create(shop=shop, key="vip", name="VIP")
    nav_rule_save(shop=shop, action="pin", collections="lamps", segment_key="vip")
    nav_rule_save(shop=shop, action="hide", collections="col-s")
    assert selectors.menu_arrange(shop=shop, order=["col-s", "col-l"]) == (["col-l"], ["col-s"])
    assert selectors.menu_arrange(shop=shop, order=["col-s", "col-l", "x"], segments=["vip"]) == (
        ["col-l", "x"],
        ["col-s"],
    )
    with pytest.raises(MerchandisingInvalid) as invalid:
        nav_rule_save(shop=shop, action="pin", collections="", segment_key="")
    assert invalid.value.field == "nav_collections"


def test_the_search_query_comes_from_the_search_pages_url():
    assert selectors.search_query_from_referrer("https://shop.example/search?q=Grey+couch") == (
        "Grey couch"
    )
    assert selectors.search_query_from_referrer("https://wp.example/?s=mug&post_type=product") == (
        "mug"
    )
    assert selectors.search_query_from_referrer("https://shop.example/") == ""
    assert selectors.search_query_from_referrer("") == ""
