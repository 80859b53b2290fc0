"""The search and navigation page: list, add, edit, delete with htmx; the query preview."""

from __future__ import annotations

import pytest

from personalization.decisions import catalog, services
from personalization.merchandising import selectors
from personalization.merchandising.models import NavRule, QueryRule, SynonymGroup
from personalization.merchandising.services import (
    QueryRuleInput,
    query_rule_save,
    synonym_group_save,
)
from personalization.segments.models import Segment
from tests.merchandising.store import sofa_store

HX = {"HTTP_HX_REQUEST": "true"}
PAGE = "/app/merchandising/"


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    catalog.forget()
    services._configs_cache.clear()
    selectors._cache.clear()


@pytest.fixture
def sofas(shop):
    return sofa_store(shop)


def rule_form(**overrides: str) -> dict[str, str]:
    return {
        "match": "contains",
        "phrase": "sofa",
        "action": "pin",
        "segment": "",
        "products": "sofas-3",
        "collections": "",
        "starts_at": "",
        "ends_at": "",
        "name": "",
        "is_enabled": "on",
        **overrides,
    }


@pytest.mark.django_db
def test_without_a_session_the_page_redirects_and_htmx_gets_401(client, shop):
    assert client.get(PAGE).status_code == 302
    response = client.post(PAGE + "rules/", rule_form(), **HX)
    assert response.status_code == 401
    assert "HX-Redirect" in response.headers


@pytest.mark.django_db
def test_the_page_lists_rules_synonyms_and_menu_rules(admin_client_for, shop, sofas):
    synonym_group_save(shop=shop, terms="sofa, couch")
    query_rule_save(
        shop=shop, data=QueryRuleInput(phrase="sofa", action="bury", products="s0", name="Old")
    )
    response = admin_client_for(shop).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html
    assert html.count("<h1") == 1
    assert "sofa = couch" in html
    assert "Bury: Sofas 0" in html
    assert 'aria-current="page"' in html
    assert ">Search<" in html


@pytest.mark.django_db
def test_add_a_rule_with_htmx_swaps_the_section_and_refreshes_the_preview(
    admin_client_for, shop, sofas
):
    client = admin_client_for(shop)
    response = client.post(PAGE + "rules/", rule_form(name="Sofa week"), **HX)
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "merchandisingSaved"
    rule = QueryRule.objects.get(shop=shop)
    assert (rule.phrase, rule.action, rule.product_ids, rule.name) == (
        "sofa",
        "pin",
        ["s3"],
        "Sofa week",
    )
    assert f'data-rule="{rule.pk}"' in response.content.decode()
    # edit: the form comes back filled, and saving changes the same row
    edit = client.get(PAGE + f"rules/{rule.pk}/", **HX)
    assert 'value="sofa"' in edit.content.decode()
    client.post(PAGE + f"rules/{rule.pk}/", rule_form(action="hide", products="s1"), **HX)
    rule.refresh_from_db()
    assert (rule.action, rule.product_ids) == ("hide", ["s1"])
    assert QueryRule.objects.count() == 1
    # delete
    assert client.post(PAGE + f"rules/{rule.pk}/delete/", **HX).status_code == 200
    assert QueryRule.objects.count() == 0


@pytest.mark.django_db
def test_bad_rule_input_is_a_422_naming_the_field(admin_client_for, shop, sofas):
    client = admin_client_for(shop)
    cases = {
        "rule-products-error": rule_form(products="no-such-sofa"),
        "rule-phrase-error": rule_form(phrase="  "),
        "rule-starts-error": rule_form(starts_at="tomorrow"),
        "rule-ends-error": rule_form(starts_at="2030-01-02T10:00", ends_at="2030-01-01T10:00"),
        "rule-segment-error": rule_form(segment="ghosts"),
        "rule-action-error": rule_form(action="promote"),
    }
    for error_id, data in cases.items():
        response = client.post(PAGE + "rules/", data, **HX)
        assert response.status_code == 422, error_id
        assert f'id="{error_id}"' in response.content.decode(), error_id
    assert (
        "No product with the id or handle no-such-sofa."
        in client.post(PAGE + "rules/", cases["rule-products-error"], **HX).content.decode()
    )
    assert QueryRule.objects.count() == 0
    # without htmx: the whole page, still 422
    page = client.post(PAGE + "rules/", rule_form(phrase=""))
    assert page.status_code == 422
    assert "<h1" in page.content.decode()


@pytest.mark.django_db
def test_a_schedule_is_read_in_the_shops_time_zone(admin_client_for, shop, sofas):
    shop.timezone = "Europe/Paris"
    shop.save()
    admin_client_for(shop).post(
        PAGE + "rules/", rule_form(starts_at="2030-06-01T09:00", ends_at="2030-06-02T09:00"), **HX
    )
    rule = QueryRule.objects.get(shop=shop)
    assert rule.starts_at.isoformat() == "2030-06-01T07:00:00+00:00"


@pytest.mark.django_db
def test_synonyms_and_menu_rules_are_added_and_deleted(admin_client_for, shop, sofas):
    client = admin_client_for(shop)
    Segment.objects.create(shop=shop, key="vip", name="VIP")
    one_way = client.post(
        PAGE + "synonyms/", {"direction": "one_way", "root": "Sofa", "terms": "couch"}, **HX
    )
    assert one_way.status_code == 200
    assert "<strong>sofa</strong> also finds couch" in one_way.content.decode()
    missing_root = client.post(PAGE + "synonyms/", {"direction": "one_way", "terms": "a"}, **HX)
    assert missing_root.status_code == 422
    assert 'id="synonym-root-error"' in missing_root.content.decode()
    group = SynonymGroup.objects.get(shop=shop)
    client.post(PAGE + f"synonyms/{group.pk}/delete/", **HX)
    assert SynonymGroup.objects.count() == 0
    menu = client.post(
        PAGE + "menu/",
        {"nav_action": "hide", "nav_collections": "lamps", "nav_segment": "vip"},
        **HX,
    )
    assert menu.status_code == 200
    assert "Hide: Lamps · VIP" in menu.content.decode()
    bad = client.post(PAGE + "menu/", {"nav_action": "pin", "nav_collections": "x"}, **HX)
    assert bad.status_code == 422
    assert 'id="nav-collections-error"' in bad.content.decode()
    rule = NavRule.objects.get(shop=shop)
    client.post(PAGE + f"menu/{rule.pk}/delete/", **HX)
    assert NavRule.objects.count() == 0


@pytest.mark.django_db
def test_another_shops_rules_are_404(admin_client_for, shop, other_shop, sofas):
    theirs = query_rule_save(
        shop=other_shop,
        data=QueryRuleInput(phrase="x", action="pin", products=sofa_store(other_shop)["s0"].handle),
    )
    group = synonym_group_save(shop=other_shop, terms="a, b")
    client = admin_client_for(shop)
    assert client.get(PAGE + f"rules/{theirs.pk}/", **HX).status_code == 404
    assert client.post(PAGE + f"rules/{theirs.pk}/", rule_form(), **HX).status_code == 404
    assert client.post(PAGE + f"rules/{theirs.pk}/delete/", **HX).status_code == 404
    assert client.post(PAGE + f"synonyms/{group.pk}/delete/", **HX).status_code == 404
    assert QueryRule.objects.filter(shop=other_shop).count() == 1
    assert "x" not in [r.phrase for r in QueryRule.objects.filter(shop=shop)]


@pytest.mark.django_db
def test_the_preview_shows_the_reranked_results_with_reasons(admin_client_for, shop, sofas):
    client = admin_client_for(shop)
    plain = client.get(PAGE + "preview/", {"q": "couch", "persona": "new_visitor"}, **HX)
    assert "The search finds no products for this query." in plain.content.decode()
    # a synonym makes "couch" find the sofas; a rule pins one and hides another
    synonym_group_save(shop=shop, terms="sofa, couch")
    query_rule_save(
        shop=shop, data=QueryRuleInput(phrase="sofa", action="pin", products="s4", name="Sale")
    )
    query_rule_save(shop=shop, data=QueryRuleInput(phrase="sofa", action="hide", products="s2"))
    html = client.get(PAGE + "preview/", {"q": "couch", "persona": "new_visitor"}, **HX)
    body = html.content.decode()
    assert html.status_code == 200
    assert "also searching sofas" not in body
    assert "also searching sofa" in body
    first = body.index('data-product="s4"')
    assert first < body.index('data-product="s0"')
    assert "Pinned for “Sale”" in body
    assert 'data-product="s2" data-hidden="1"' in body
    assert "Hidden for “sofa”" in body
    # a customer who does not exist is a 422 with the message
    missing = client.get(PAGE + "preview/", {"q": "sofa", "customer": "nobody@example.com"}, **HX)
    assert missing.status_code == 422
    assert "No customer of this shop" in missing.content.decode()


@pytest.mark.django_db
def test_a_synonym_group_is_edited_in_place(admin_client_for, shop, other_shop):
    client = admin_client_for(shop)
    group = synonym_group_save(shop=shop, terms="sofa, couch")
    form = client.get(PAGE + f"synonyms/{group.pk}/", **HX).content.decode()
    assert 'value="sofa, couch"' in form
    assert f'hx-post="/app/merchandising/synonyms/{group.pk}/"' in form
    saved = client.post(
        PAGE + f"synonyms/{group.pk}/",
        {"direction": "one_way", "root": "sofa", "terms": "couch, settee"},
        **HX,
    )
    assert saved.status_code == 200
    group.refresh_from_db()
    assert (group.root, group.terms) == ("sofa", ["couch", "settee"])
    assert SynonymGroup.objects.filter(shop=shop).count() == 1
    theirs = synonym_group_save(shop=other_shop, terms="a, b")
    assert client.get(PAGE + f"synonyms/{theirs.pk}/", **HX).status_code == 404
    assert client.post(PAGE + f"synonyms/{theirs.pk}/", {"terms": "x, y"}, **HX).status_code == 404


@pytest.mark.django_db
def test_moving_a_rule_up_lets_it_decide_first(admin_client_for, shop, sofas):
    # given two rules naming s3: a pin, then a hide
    pin = query_rule_save(
        shop=shop, data=QueryRuleInput(phrase="sofa", action="pin", products="s3")
    )
    hide = query_rule_save(
        shop=shop, data=QueryRuleInput(phrase="sofa", action="hide", products="s3")
    )
    ranked = ["s0", "s3"]
    assert selectors.search_merchandise(shop=shop, query="sofa", result_ids=ranked).order[0] == "s3"
    # when the hide rule moves up
    response = admin_client_for(shop).post(PAGE + f"rules/{hide.pk}/up/", **HX)
    # then it is listed first and decides: s3 is hidden
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index(f'data-rule="{hide.pk}"') < body.index(f'data-rule="{pin.pk}"')
    moved = selectors.search_merchandise(shop=shop, query="sofa", result_ids=ranked)
    assert (moved.order, moved.hidden) == (["s0"], ["s3"])


@pytest.mark.django_db
def test_the_list_says_which_rules_are_on_scheduled_ended_or_off(admin_client_for, shop, sofas):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    day = timedelta(days=1)
    for phrase, extra in (
        ("live", {}),
        ("later", {"starts_at": now + day}),
        ("past", {"starts_at": now - 2 * day, "ends_at": now - day}),
        ("paused", {"is_enabled": False}),
    ):
        query_rule_save(
            shop=shop, data=QueryRuleInput(phrase=phrase, action="pin", products="s1", **extra)
        )
    html = admin_client_for(shop).get(PAGE).content.decode()
    states = [chunk.split('"', 1)[0] for chunk in html.split('<td data-state="')[1:]]
    assert states == ["on", "scheduled", "ended", "off"]
