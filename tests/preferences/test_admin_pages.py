from __future__ import annotations

import pytest

from personalization.audiences.models import ProductFeed
from personalization.events.models import Event, Session, Visitor
from personalization.preferences.models import (
    QuizAnswer,
    QuizQuestion,
    QuizResponse,
    StatedPreferences,
)
from personalization.preferences.services import quiz_submit
from personalization.segments.models import Segment
from tests.preferences.conftest import answer


@pytest.mark.django_db
def test_the_quiz_page_builds_a_starter_quiz_and_adds_answers(admin_client_for, shop, store):
    client = admin_client_for(shop)
    assert "Create a starter quiz" in client.get("/app/quiz/").content.decode()
    response = client.post("/app/quiz/edit/", {"action": "starter"})
    assert response.status_code == 303
    question = QuizQuestion.objects.filter(shop=shop).first()
    assert {a.target_value for a in question.answers.all()} == {"Candles", "Kitchen"}
    # a category that no product has is refused, naming what is wrong
    response = client.post(
        "/app/quiz/edit/",
        {
            "action": "add_answer",
            "question": question.pk,
            "text": "Garden",
            "target_kind": "category",
            "target_value": "Garden",
        },
    )
    assert response.status_code == 422
    assert "No product in this shop has Garden." in response.content.decode()
    response = client.post(
        "/app/quiz/edit/",
        {
            "action": "add_answer",
            "question": question.pk,
            "text": "Vegan",
            "target_kind": "tag",
            "target_value": "vegan",
        },
    )
    assert response.status_code == 303
    assert QuizAnswer.objects.filter(shop=shop, target_kind="tag", target_value="vegan").exists()


@pytest.mark.django_db
def test_another_shops_question_is_a_404(admin_client_for, shop, other_shop, quiz):
    question = quiz.questions.first()
    response = admin_client_for(other_shop).post(
        "/app/quiz/edit/",
        {
            "action": "add_answer",
            "question": question.pk,
            "text": "x",
            "target_kind": "tag",
            "target_value": "x",
        },
    )
    assert response.status_code == 404
    assert admin_client_for(other_shop).get("/app/shoppers/1/").status_code == 404


@pytest.mark.django_db
def test_the_quiz_page_shows_the_answer_split_and_conversion(admin_client_for, shop, quiz):
    # given two anonymous takers and one consenting taker who later bought
    candles, low = answer(quiz, "Loves Candles"), answer(quiz, "low")
    quiz_submit(shop=shop, quiz=quiz, answer_ids=[candles], has_consent=False)
    quiz_submit(shop=shop, quiz=quiz, answer_ids=[candles, low], has_consent=False)
    quiz_submit(shop=shop, quiz=quiz, answer_ids=[low], has_consent=True, visitor_key="buyer")
    taken = QuizResponse.objects.get(visitor__isnull=False).created_at
    visitor = Visitor.objects.get(visitor_key="buyer")
    session = Session.objects.create(
        shop=shop, visitor=visitor, started_at=taken, last_event_at=taken
    )
    Event.objects.create(
        shop=shop,
        event_id="p1",
        type="purchase",
        visitor=visitor,
        session=session,
        occurred_at=taken,
        received_at=taken,
    )
    html = admin_client_for(shop).get("/app/quiz/").content.decode()
    assert '<dd data-metric="responses">3</dd>' in html
    assert '<dd data-metric="with_consent">1</dd>' in html
    assert '<dd data-metric="converted">1</dd>' in html
    assert '<dd data-metric="rate">100%</dd>' in html
    assert '<td data-count="2">2 (67%)' in html  # "Loves Candles" and "low": 2 of 3 each


@pytest.mark.django_db
def test_a_consenting_takers_answers_are_on_their_shopper_page(admin_client_for, shop, quiz):
    result = quiz_submit(
        shop=shop,
        quiz=quiz,
        answer_ids=[answer(quiz, "Loves Kitchen"), answer(quiz, "high")],
        has_consent=True,
        visitor_key="v-admin",
    )
    assert result.stored
    client = admin_client_for(shop)
    listing = client.get("/app/shoppers/").content.decode()
    assert "Kitchen; high" in listing
    pk = StatedPreferences.objects.get(visitor_id=result.response.visitor_id).pk
    html = client.get(f"/app/shoppers/{pk}/").content.decode()
    assert "For whom? — <strong>Loves Kitchen</strong>" in html
    assert "Budget? — <strong>high</strong>" in html


@pytest.mark.django_db
def test_the_audiences_page_creates_and_revokes_feeds_and_downloads_lists(
    admin_client_for, shop, other_shop, store
):
    segment = Segment.objects.create(shop=shop, key="all", name="Everyone")
    client = admin_client_for(shop)
    assert (
        client.post("/app/audiences/", {"action": "create", "segment": segment.pk}).status_code
        == 303
    )
    feed = ProductFeed.objects.get(shop=shop)
    html = client.get("/app/audiences/").content.decode()
    assert f"/feeds/{feed.token}.tsv" in html
    assert client.post("/app/audiences/", {"action": "revoke", "feed": feed.pk}).status_code == 303
    assert f"/feeds/{feed.token}.tsv" not in client.get("/app/audiences/").content.decode()
    download = client.get(f"/app/audiences/{segment.pk}/google.csv")
    assert download.status_code == 200
    assert download.content.decode() == "Email,Phone\n"  # no members
    assert client.get(f"/app/audiences/{segment.pk}/tiktok.csv").status_code == 400
    assert (
        admin_client_for(other_shop).get(f"/app/audiences/{segment.pk}/meta.csv").status_code == 404
    )
    assert (
        admin_client_for(other_shop)
        .post("/app/audiences/", {"action": "revoke", "feed": feed.pk})
        .status_code
        == 404
    )


@pytest.mark.django_db
def test_the_demo_quiz_page_loads_the_quiz_script(client, settings):
    from personalization.decisions import catalog
    from shopapp.shops.models import Platform, Shop
    from tests.preferences.conftest import make_store

    settings.DEMO_ENABLED = True
    shop = Shop.objects.create(
        platform=Platform.SHOPIFY, domain=settings.DEMO_SHOP_DOMAIN, is_demo=True, currency="GBP"
    )
    make_store(shop)
    catalog.forget()
    response = client.get("/demo/quiz/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-pz-quiz-key="' + shop.storefront_key in html
    assert "storefront/pz-quiz.js" in html
    assert "data-pz-preferences" in html
    # the starter quiz now serves the storefront
    data = client.get("/api/v1/quiz", {"key": shop.storefront_key}).json()
    assert [q["text"] for q in data["questions"]] == [
        "What are you shopping for?",
        "What would you like to spend?",
    ]
