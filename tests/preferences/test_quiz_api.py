from __future__ import annotations

import pytest
from django.test import Client

from personalization.events.models import Visitor
from personalization.preferences.models import QuizResponse, StatedPreferences
from personalization.preferences.selectors import (
    quiz_answer_distribution,
    stated_affinities,
)
from personalization.profiles.models import Profile
from tests.preferences.conftest import answer

URL = "/api/v1/quiz/answers"


def post(client: Client, shop, body: dict):
    return client.post(f"{URL}?key={shop.storefront_key}", body, content_type="application/json")


@pytest.mark.django_db
def test_the_storefront_gets_the_active_quiz_with_translated_labels(client, shop, quiz):
    data = client.get("/api/v1/quiz", {"key": shop.storefront_key}).json()
    assert data["title"] == "Gift finder"
    assert [q["text"] for q in data["questions"]] == ["For whom?", "Budget?"]
    assert [a["text"] for a in data["questions"][0]["answers"]] == [
        "Loves Candles",
        "Loves Kitchen",
    ]
    assert data["labels"]["show"] == "Show my picks"


@pytest.mark.django_db
def test_recommendations_follow_the_answers(client, shop, quiz):
    cheap_candles = post(
        client,
        shop,
        {"quiz": quiz.pk, "answers": [answer(quiz, "Loves Candles"), answer(quiz, "low")]},
    ).json()
    dear_kitchen = post(
        client,
        shop,
        {"quiz": quiz.pk, "answers": [answer(quiz, "Loves Kitchen"), answer(quiz, "high")]},
    ).json()
    # the full matches lead: cheap candles c0-c1 (bottom tertile), dear kitchen k4-k5
    assert [i["id"] for i in cheap_candles["items"][:2]] == ["c0", "c1"]
    assert {i["id"] for i in dear_kitchen["items"][:2]} == {"k4", "k5"}
    assert cheap_candles["items"][0]["reason"] == "Matches your answers: Candles, a small price"
    assert cheap_candles["items"][0]["price_display"] == "1.00 GBP"
    assert (
        cheap_candles["items"][0]["url"]
        == "/products/product-" + (cheap_candles["items"][0]["url"].rsplit("-", 1)[1])
    )


@pytest.mark.django_db
def test_without_consent_answers_are_session_only(client, shop, quiz):
    # given a shopper who did not consent, with a visitor id in the request anyway
    body = {"quiz": quiz.pk, "answers": [answer(quiz, "Loves Candles")], "visitor": "v-1"}
    data = post(client, shop, body).json()
    # then they get recommendations, nothing names them, and only the answers are counted
    assert data["stored"] is False
    assert data["items"]
    assert StatedPreferences.objects.count() == 0
    assert Visitor.objects.count() == 0
    response = QuizResponse.objects.get()
    assert (response.visitor_id, response.customer_id, response.has_consent) == (None, None, False)
    assert response.recommended_ids == []
    counts = {row.answer: row.count for row in quiz_answer_distribution(shop=shop, quiz=quiz)}
    assert counts == {"Loves Candles": 1, "Loves Kitchen": 0, "low": 0, "high": 0}


@pytest.mark.django_db
def test_with_consent_answers_become_stated_preferences_that_outrank_inferred(client, shop, quiz):
    body = {
        "quiz": quiz.pk,
        "answers": [answer(quiz, "Loves Kitchen"), answer(quiz, "high")],
        "visitor": "v-2",
        "consent": True,
    }
    data = post(client, shop, body).json()
    assert data["stored"] is True
    preferences = StatedPreferences.objects.get(visitor__visitor_key="v-2")
    assert preferences.interests == {"category": ["Kitchen"], "price_band": ["high"]}
    # given the visitor's profile inferred a Candles affinity from browsing
    profile = Profile.objects.create(
        shop=shop,
        visitor=preferences.visitor,
        affinities={"category": {"as_of": 0, "raw": {"Candles": 5.0, "Kitchen": 1.0}}},
    )
    stated = stated_affinities(shop, profile)
    assert stated == {"category": {"Kitchen": 1.0}, "price_band": {"high": 1.0}}


@pytest.mark.django_db
def test_behaviour_blends_in_when_the_answers_tie(client, shop, quiz):
    # given a consenting visitor whose profile loves Kitchen, answering only "high"
    visitor = Visitor.objects.create(
        shop=shop,
        visitor_key="v-3",
        first_seen_at="2024-01-01T00:00Z",
        last_event_at="2024-01-01T00:00Z",
    )
    Profile.objects.create(
        shop=shop,
        visitor=visitor,
        has_consent=True,
        affinities={"category": {"as_of": 0, "raw": {"Kitchen": 3.0}}},
    )
    body = {"quiz": quiz.pk, "answers": [answer(quiz, "high")], "visitor": "v-3", "consent": True}
    data = post(client, shop, body).json()
    # then the dear kitchen products (the top tertile: 21 and 22) come before the dear candles
    assert [i["id"] for i in data["items"]] == ["k4", "k5", "c4", "c5"]
    # and without consent the same answers are ordered by popularity alone (all zero: by id)
    anonymous = post(client, shop, {"quiz": quiz.pk, "answers": [answer(quiz, "high")]}).json()
    assert [i["id"] for i in anonymous["items"]] == ["c4", "c5", "k4", "k5"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"answers": [1]}, "quiz"),
        ({"answers": []}, "answers"),
        ({"answers": "x"}, "answers"),
        ({"answers": [999999]}, "answers"),
        ({"answers": "a real one", "visitor": "bad id!"}, "visitor"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, shop, quiz, body, field):
    body = {"quiz": quiz.pk, **body} if field != "quiz" else body
    if body.get("answers") == "a real one":
        body["answers"] = [answer(quiz, "low")]
    response = post(client, shop, body)
    assert response.status_code == 400
    assert field in response.json()["fields"]


@pytest.mark.django_db
def test_one_answer_questions_refuse_two(client, shop, quiz):
    body = {
        "quiz": quiz.pk,
        "answers": [answer(quiz, "Loves Candles"), answer(quiz, "Loves Kitchen")],
    }
    response = post(client, shop, body)
    assert response.status_code == 400
    assert response.json()["fields"]["answers"] == ["“For whom?” takes one answer"]


@pytest.mark.django_db
def test_another_shops_quiz_is_a_404_and_no_key_is_refused(client, shop, other_shop, quiz):
    body = {"quiz": quiz.pk, "answers": [answer(quiz, "low")]}
    assert post(client, other_shop, body).status_code == 404
    assert client.get("/api/v1/quiz", {"key": other_shop.storefront_key}).status_code == 404
    assert client.get("/api/v1/quiz").status_code == 401
    assert client.get("/api/v1/quiz", {"key": "pk_nope"}).status_code == 401


@pytest.mark.django_db
def test_a_theme_on_the_shops_domain_posts_text_plain_without_preflight(client, shop, quiz):
    response = client.post(
        f"{URL}?key={shop.storefront_key}",
        f'{{"quiz": {quiz.pk}, "answers": [{answer(quiz, "low")}]}}',
        content_type="text/plain",
        HTTP_ORIGIN="https://alpha.myshopify.com",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://alpha.myshopify.com"
    other = client.get(
        "/api/v1/quiz", {"key": shop.storefront_key}, HTTP_ORIGIN="https://evil.example"
    )
    assert "Access-Control-Allow-Origin" not in other
