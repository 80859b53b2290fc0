from __future__ import annotations

import pytest
from django.test import Client

from personalization.engine.segment_rules import FIELDS, compile_rule
from personalization.segments.models import Segment, SegmentKind, SegmentSize
from personalization.segments.services import cluster_segments_sync, segment_save
from shopapp.adminui import rule_builder
from shopapp.shops.auth import ADMIN_SESSION_KEY
from tests.adminui.conftest import make_profile

HX = {"HTTP_HX_REQUEST": "true"}


def rows(*conditions: tuple[str, str, str], match: str = "all") -> dict[str, str]:
    data = {"match": match}
    for i, (field, op, value) in enumerate(conditions):
        data.update({f"row-{i}-field": field, f"row-{i}-op": op, f"row-{i}-value": value})
    return data


def live_count(html: str) -> str:
    marker = 'data-live-count="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


# --- access -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/app/segments/", "/app/segments/new/"])
def test_segment_pages_without_a_session_redirect_to_sign_in(client, url):
    # when a segment page is opened without a session
    response = client.get(url)
    # then the browser goes to the sign-in page, and comes back after
    assert response.status_code == 302
    assert response["Location"] == f"/app/sign-in/?next={url}"


@pytest.mark.django_db
def test_htmx_partial_without_a_session_is_401_with_a_redirect_for_htmx(client):
    # when htmx asks for the live count from the builder page, without a session
    response = client.post(
        "/app/segments/builder/count/",
        rows(("orders", "gte", "1")),
        HTTP_HX_CURRENT_URL="http://testserver/app/segments/new/",
        **HX,
    )
    # then it is refused, and htmx is told to sign in and come back to the page (not the partial)
    assert response.status_code == 401
    assert response["HX-Redirect"] == "/app/sign-in/?next=%2Fapp%2Fsegments%2Fnew%2F"


@pytest.mark.django_db
def test_a_cookie_session_must_send_the_csrf_token(shop, profiles):
    # given a signed-in browser that enforces CSRF like a real one
    browser = Client(enforce_csrf_checks=True)
    session = browser.session
    session[ADMIN_SESSION_KEY] = shop.pk
    session.save()
    # when it posts without the token
    response = browser.post("/app/segments/builder/count/", rows(("orders", "gte", "1")), **HX)
    # then the write is refused
    assert response.status_code == 403


@pytest.mark.django_db
def test_another_shops_segment_is_404(admin_client_for, shop, other_shop):
    # given a rule segment of another shop
    theirs = segment_save(
        shop=other_shop, name="Beta big spenders", rule={"field": "orders", "op": "gte", "value": 9}
    )
    client = admin_client_for(shop)
    # when shop A opens or posts to it
    opened = client.get(f"/app/segments/{theirs.pk}/")
    posted = client.post(
        f"/app/segments/{theirs.pk}/", {"name": "Stolen", **rows(("orders", "gte", "1"))}, **HX
    )
    # then it does not exist for them, and nothing changed
    assert opened.status_code == 404
    assert posted.status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Beta big spenders"


# --- list -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_refresh_sizes_evaluates_segments_and_the_list_shows_them(
    admin_client_for, shop, other_shop, profiles
):
    # given another shop's own segment
    segment_save(
        shop=other_shop, name="Beta secret", rule={"field": "orders", "op": "gte", "value": 1}
    )
    client = admin_client_for(shop)
    # when the admin refreshes the sizes
    response = client.post("/app/segments/refresh/", **HX)
    html = response.content.decode()
    # then the list comes back with the built-in segments' sizes, and today's size is recorded
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="segment-list"')
    assert "Sizes refreshed: 8 segments evaluated." in html
    assert '<tr data-segment="loyal">' in html
    loyal = Segment.objects.get(shop=shop, key="loyal")
    assert loyal.size == 3  # orders 3, 4, 5
    assert SegmentSize.objects.filter(shop=shop, segment=loyal).count() == 1
    assert "Beta secret" not in client.get("/app/segments/").content.decode()


@pytest.mark.django_db
def test_clustered_segments_are_listed_with_their_descriptions(admin_client_for, shop):
    # given two learned clusters
    cluster_segments_sync(
        shop=shop,
        clusters=[
            {"id": "c1", "description": "frequent buyers of candles, mid prices"},
            {"id": "c2", "description": "one-time buyers of toys, low prices"},
        ],
    )
    # when the list is opened
    html = admin_client_for(shop).get("/app/segments/").content.decode()
    # then each cluster is there with its readable description
    assert "Found in your customers\u2019 behaviour" in html
    assert "Frequent buyers of candles, mid prices" in html
    assert "One-time buyers of toys, low prices" in html


@pytest.mark.django_db
def test_a_built_in_segment_opens_read_only_with_its_definition(admin_client_for, shop, profiles):
    client = admin_client_for(shop)
    client.post("/app/segments/refresh/", **HX)
    loyal = Segment.objects.get(shop=shop, key="loyal")
    # when it is opened
    html = client.get(f"/app/segments/{loyal.pk}/").content.decode()
    # then its rule reads in words, with its size chart, and no builder
    assert "Orders is at least 3 and not Lifecycle stage is lapsed." in html
    assert 'id="segment-trend-title"' in html
    assert 'id="segment-form"' not in html
    # and it cannot be overwritten through the builder
    response = client.post(
        f"/app/segments/{loyal.pk}/", {"name": "Mine", **rows(("orders", "gte", "1"))}, **HX
    )
    assert response.status_code == 409


# --- live count -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_live_count_counts_the_shops_matching_profiles(
    admin_client_for, shop, other_shop, profiles
):
    # given another shop whose profiles would match too
    make_profile(other_shop, orders_count=9)
    client = admin_client_for(shop)
    # when the draft says "orders at least 2 and not VIP"
    data = rows(("orders", "gte", "2"), ("is_vip", "eq", "true"))
    data["row-1-not"] = "on"
    response = client.post("/app/segments/builder/count/", data, **HX)
    html = response.content.decode()
    # then it counts this shop's profiles only: orders 2 and 3
    assert response.status_code == 200
    assert live_count(html) == "2"
    assert "of 6 shoppers" in html


@pytest.mark.django_db
def test_live_count_with_or_matches_either_condition(admin_client_for, shop, profiles):
    data = rows(("orders", "eq", "0"), ("lifecycle", "eq", "vip"), match="any")
    html = admin_client_for(shop).post("/app/segments/builder/count/", data, **HX).content.decode()
    assert live_count(html) == "3"


@pytest.mark.django_db
def test_an_invalid_row_shows_the_rule_error_next_to_that_row(admin_client_for, shop, profiles):
    # when the second condition compares a number with a word
    data = rows(("orders", "gte", "1"), ("monetary", "gt", "lots"))
    response = admin_client_for(shop).post("/app/segments/builder/count/", data, **HX)
    html = response.content.decode()
    # then the answer is the message, in the second row's error slot, and no count
    assert response.status_code == 200
    assert live_count(html) == "invalid"
    assert '<div id="row-0-error" hx-swap-oob="innerHTML"></div>' in html
    assert (
        '<div id="row-1-error" hx-swap-oob="innerHTML"><p class="field-error">'
        "Net spend compares with a number, got &#x27;lots&#x27;</p></div>"
    ) in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (rows(("rfm.r", "gte", "9")), "RFM recency score (0 to 5) is never above 5, got 9"),
        (rows(("orders", "between", "5")), "Enter both ends of the range."),
        (rows(("orders", "gte", "")), "Enter a value."),
        ({"match": "all"}, "Add at least one condition."),
        (
            {
                "match": "all",
                "row-0-field": "event:purchase",
                "row-0-op": "gte",
                "row-0-value": "1",
                "row-0-within": "999",
            },
            "The number of days must be above 0 and at most 400.",
        ),
    ],
)
def test_invalid_drafts_explain_themselves(admin_client_for, shop, profiles, data, message):
    response = admin_client_for(shop).post("/app/segments/builder/count/", data, **HX)
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")


@pytest.mark.django_db
def test_garbage_rows_never_fail_the_live_count(admin_client_for, shop, profiles):
    # when the form is tampered with: unknown field, unknown op, a huge value
    data = {
        "match": "xor",
        "row-0-field": "__class__",
        "row-0-op": "drop",
        "row-0-value": "9" * 5000,
        "row-7-field": "lifecycle",
        "row-7-op": "eq",
        "row-7-value": "nope",
    }
    response = admin_client_for(shop).post("/app/segments/builder/count/", data, **HX)
    # then the builder falls back to valid choices and answers
    assert response.status_code == 200


# --- rows -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_add_and_remove_condition_rows(admin_client_for, shop):
    client = admin_client_for(shop)
    # when a row is added to one
    added = client.post(
        "/app/segments/builder/rows/", {**rows(("orders", "gte", "1")), "action": "add"}, **HX
    )
    html = added.content.decode()
    # then there are two, the new one focused, and the count is told to refresh
    assert added.status_code == 200
    assert html.count('<li class="rule-row') == 2
    assert 'id="row-1-field" name="row-1-field"' in html
    assert "autofocus" in html.split('id="row-1-field"')[1].split(">")[0]
    assert added["HX-Trigger-After-Settle"] == "rulesChanged"
    # when the first is removed
    data = {
        **rows(("orders", "gte", "1"), ("sessions", "gte", "2")),
        "action": "remove",
        "row": "0",
    }
    removed = client.post("/app/segments/builder/rows/", data, **HX).content.decode()
    # then the other keeps its number (and its focus-keeping ids)
    assert removed.count('<li class="rule-row') == 1
    assert 'id="row-1-field"' in removed
    assert 'id="row-0-field"' not in removed


@pytest.mark.django_db
def test_changing_the_field_redraws_its_ops_and_value_input(admin_client_for, shop):
    data = {**rows(("lifecycle", "gte", "3")), "action": "refresh"}
    html = admin_client_for(shop).post("/app/segments/builder/rows/", data, **HX).content.decode()
    # lifecycle is an enumeration: "is" with a menu of stages, not a number box
    assert '<option value="eq" selected>is</option>' in html
    assert '<option value="gte"' not in html
    assert '<option value="vip">vip</option>' in html


@pytest.mark.django_db
@pytest.mark.parametrize("data", [{"action": "explode"}, {"action": "remove", "row": "x"}])
def test_rows_reject_bad_actions(admin_client_for, shop, data):
    response = admin_client_for(shop).post("/app/segments/builder/rows/", data, **HX)
    assert response.status_code == 400
    assert response.content.decode().split(":")[0] in ("action", "row")


# --- save -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_save_creates_the_rule_segment(admin_client_for, shop, profiles):
    data = {
        "name": "Loyal non-VIPs",
        "description": "Keep them close",
        **rows(("orders", "gte", "2"), ("is_vip", "eq", "true")),
    }
    data["row-1-not"] = "on"
    response = admin_client_for(shop).post("/app/segments/new/", data, **HX)
    segment = Segment.objects.get(shop=shop, key="loyal-non-vips")
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/app/segments/{segment.pk}/"
    assert segment.kind == SegmentKind.RULE
    assert segment.description == "Keep them close"
    assert segment.rule == {
        "all": [
            {"field": "orders", "op": "gte", "value": 2},
            {"not": {"field": "is_vip", "op": "eq", "value": True}},
        ]
    }


@pytest.mark.django_db
def test_a_saved_segment_opens_in_the_builder_and_saves_in_place(admin_client_for, shop, profiles):
    segment = segment_save(
        shop=shop,
        name="Big",
        rule={"any": [{"field": "monetary", "op": "between", "value": [100, 200]}]},
    )
    client = admin_client_for(shop)
    html = client.get(f"/app/segments/{segment.pk}/").content.decode()
    assert 'value="100"' in html
    assert 'value="200"' in html
    assert '<option value="any" selected>' in html
    response = client.post(
        f"/app/segments/{segment.pk}/", {"name": "Bigger", **rows(("monetary", "gte", "250"))}, **HX
    )
    assert response.status_code == 204
    segment.refresh_from_db()
    assert (segment.key, segment.name, segment.rule) == (
        "big",
        "Bigger",
        {"all": [{"field": "monetary", "op": "gte", "value": 250}]},
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("", rows(("orders", "gte", "1")), "Give the segment a name."),
        (
            "Loyal",
            rows(("orders", "gte", "1")),
            "A segment with this name exists; choose another name.",
        ),
        ("Spenders", rows(("monetary", "gte", "a lot")), "Net spend compares with a number"),
    ],
)
def test_save_refuses_bad_input_with_a_message(
    admin_client_for, shop, profiles, name, data, message
):
    segment_save(shop=shop, name="Loyal", rule={"field": "orders", "op": "gte", "value": 3})
    before = Segment.objects.filter(shop=shop).count()
    response = admin_client_for(shop).post("/app/segments/new/", {"name": name, **data}, **HX)
    assert response.status_code == 422
    assert message in response.content.decode().replace("&#x27;", "'")
    assert Segment.objects.filter(shop=shop).count() == before


# --- the builder's form <-> the rule language -------------------------------------------------


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_every_menu_op_is_one_the_rule_language_accepts(name):
    kind = FIELDS[name].kind
    sample = {
        "number": 1,
        "string": "x",
        "bool": True,
        "enum": sorted(FIELDS[name].choices)[0] if FIELDS[name].choices else "x",
    }[kind]
    for op in rule_builder.OPS_BY_KIND[kind]:
        value: object = {
            "between": [sample, sample],
            "in": [sample],
            "not_in": [sample],
            "exists": True,
        }.get(op, sample)
        # compile_rule raises RuleError for an op the language refuses; the predicate answers a bool
        predicate = compile_rule({"field": name, "op": op, "value": value})
        assert predicate({"now": 0.0}) in (True, False)


def test_every_field_of_the_rule_language_is_in_the_menu():
    offered = {value for _, options in rule_builder.field_choices() for value, _ in options}
    assert set(FIELDS) <= offered


def test_a_builder_rule_round_trips_through_its_rows():
    rule = {
        "any": [
            {"field": "country", "op": "in", "value": ["France", "Spain"]},
            {"not": {"event": "purchase", "within_days": 14, "op": "gte", "value": 1}},
        ]
    }
    form = rule_builder.form_from_rule(rule)
    assert form is not None
    assert rule_builder.validate(form) == rule
    assert rule_builder.describe_rule(rule) == (
        "(Country is one of France, Spain or not Purchases in the last 14 days is at least 1)"
    )
