"""GET /api/v1/decide applies the shop's synonyms and query rules to a search."""

from __future__ import annotations

import pytest

from personalization.merchandising.services import (
    QueryRuleInput,
    nav_rule_save,
    query_rule_save,
    synonym_group_save,
)

URL = "/api/v1/decide"
RESULTS = "s0,s1,s2,s3,l0"


def decide(client, shop, referer: str = "", **params):
    headers = {"Referer": referer} if referer else {}
    return client.get(
        URL, {"key": shop.storefront_key, "page": "search", **params}, headers=headers
    )


@pytest.mark.django_db
def test_query_rules_reorder_and_hide_results_for_that_query_only(client, shop, sofas):
    # given: couch = sofa, and "sofa" pins s3 and hides the lamp
    synonym_group_save(shop=shop, terms="sofa, couch")
    query_rule_save(shop=shop, data=QueryRuleInput(phrase="sofa", action="pin", products="s3"))
    query_rule_save(shop=shop, data=QueryRuleInput(phrase="sofa", action="hide", products="l0"))
    # when a shopper searches "Couch"
    data = decide(client, shop, results=RESULTS, q="Couch").json()
    # then s3 leads, the lamp goes last and is named hidden; the terms carry the synonym
    assert data["search"][0] == "s3"
    assert data["search"][-1] == "l0"
    assert sorted(data["search"]) == sorted(RESULTS.split(","))
    assert data["search_hidden"] == ["l0"]
    assert data["search_terms"] == ["couch", "sofa"]
    assert "search_reasons" not in data  # reasons are for previews
    # another query is left alone
    other = decide(client, shop, results=RESULTS, q="lamp").json()
    assert other["search_hidden"] == []
    assert other["search"][-1] != "l0" or other["search"].index("s3") != 0


@pytest.mark.django_db
def test_the_query_comes_from_the_search_page_when_not_sent(client, shop, sofas):
    query_rule_save(shop=shop, data=QueryRuleInput(phrase="sofa", action="pin", products="s3"))
    data = decide(
        client, shop, results=RESULTS, referer="http://testserver/demo/search/?q=sofa"
    ).json()
    assert data["search"][0] == "s3"
    assert data["search_terms"] == ["sofa"]
    plain = decide(client, shop, results=RESULTS).json()
    assert "search_terms" not in plain


@pytest.mark.django_db
def test_another_shops_rules_never_apply(client, shop, other_shop, sofas):
    from tests.factories import ProductFactory

    ProductFactory(shop=other_shop, platform_id="s3", handle="their-s3")
    query_rule_save(
        shop=other_shop, data=QueryRuleInput(phrase="sofa", action="hide", products="s3")
    )
    synonym_group_save(shop=other_shop, terms="sofa, couch")
    data = decide(client, shop, results=RESULTS, q="sofa").json()
    assert data["search_hidden"] == []
    assert data["search_terms"] == ["sofa"]


@pytest.mark.django_db
def test_a_query_over_200_characters_is_a_400_naming_q(client, shop, sofas):
    response = decide(client, shop, results=RESULTS, q="x" * 201)
    assert response.status_code == 400
    assert response.json()["field"] == "q"


@pytest.mark.django_db
def test_menu_rules_hide_and_pin_items(client, shop, sofas):
    nav_rule_save(shop=shop, action="hide", collections="sofas")
    data = client.get(
        URL, {"key": shop.storefront_key, "page": "other", "nav": "col-s,col-l"}
    ).json()
    assert data["nav"] == ["col-l", "col-s"]
    assert data["nav_hidden"] == ["col-s"]
