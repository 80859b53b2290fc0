"""Take the quiz on /demo/ in headless Chromium, then find the answers in the admin."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore

from personalization.decisions import catalog
from personalization.preferences.models import QuizResponse, StatedPreferences
from personalization.preferences.selectors import quiz_active
from personalization.recommendations import selectors as rec_selectors
from shopapp.shops.auth import ADMIN_SESSION_KEY
from tests.demo_snapshot import demo_shop_loaded

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs chromium at {CHROMIUM}"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")


@pytest.fixture
def browser(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        yield browser
        browser.close()


@pytest.fixture
def demo_shop(transactional_db, settings):
    settings.DEMO_ENABLED = True
    catalog.forget()
    rec_selectors.forget()
    return demo_shop_loaded()


def take_quiz(page, url: str, answers: list[str], *, remember: bool | None) -> dict:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    page.wait_for_selector("form.pz-quiz__form", timeout=15_000)
    for text in answers:
        page.get_by_label(text, exact=True).check()
    box = page.locator("input[name=remember]")
    assert box.count() == (0 if remember is None else 1)
    if remember is False:
        box.uncheck()
    page.get_by_role("button", name="Show my picks").click()
    page.wait_for_selector('[data-pz-quiz-results][data-pz-state="rendered"] .card', timeout=15_000)
    return {
        "ids": page.eval_on_selector_all(
            ".pz-quiz__grid [data-pz-product-id]", "els => els.map(e => e.dataset.pzProductId)"
        ),
        "reasons": page.eval_on_selector_all(
            ".pz-quiz__grid .pz-reason", "els => els.map(e => e.textContent)"
        ),
        "status": page.text_content(".pz-quiz__status"),
        "errors": errors,
    }


def test_quiz_on_the_demo_follows_the_answers_and_lands_in_the_admin(
    demo_shop, live_server, browser
):
    url = f"{live_server.url}/demo/quiz/"
    # The merchant's admin session, made before the storefront's event drains can hold the
    # SQLite test database's lock.
    session = SessionStore()
    session[ADMIN_SESSION_KEY] = demo_shop.pk
    session.create()

    # the page creates the starter quiz on first view; read its categories from the quiz itself
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("form.pz-quiz__form", timeout=15_000)
    quiz = quiz_active(shop=demo_shop)
    first_q, budget_q = list(quiz.questions.all())
    categories = [a.text for a in first_q.answers.all()]
    low, _mid, high = [a.text for a in budget_q.answers.all()]

    # without consent: picks follow the answers, and nothing is kept about the shopper
    anonymous_a = take_quiz(page, url, [categories[0], low], remember=None)
    anonymous_b = take_quiz(page, url, [categories[1], high], remember=None)
    assert anonymous_a["errors"] == []
    assert anonymous_b["errors"] == []
    assert anonymous_a["status"] == "Used for this visit only."
    assert all(categories[0] in reason for reason in anonymous_a["reasons"][:4])
    assert all(categories[1] in reason for reason in anonymous_b["reasons"][:4])
    assert set(anonymous_a["ids"]).isdisjoint(anonymous_b["ids"][:4])
    assert StatedPreferences.objects.filter(shop=demo_shop).count() == 0
    assert not QuizResponse.objects.filter(shop=demo_shop, visitor__isnull=False).exists()
    context.close()

    # with consent (the shop's banner said yes): the answers become the shopper's preferences
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.add_init_script("localStorage.setItem('pz_consent', '1')")
    page = context.new_page()
    consenting = take_quiz(page, url, [categories[2], high], remember=True)
    assert consenting["status"] == "Saved to your preferences."
    assert all(categories[2] in reason for reason in consenting["reasons"][:4])
    visitor_key = page.evaluate("() => localStorage.getItem('pz_vid')")
    stored = StatedPreferences.objects.get(shop=demo_shop, visitor__visitor_key=visitor_key)
    assert stored.interests == {"category": [categories[2]], "price_band": ["high"]}
    page.screenshot(path="/tmp/pz-quiz-demo.png")
    context.close()

    # the merchant finds those answers on the shopper's page in the admin
    context = browser.new_context()
    context.add_cookies(
        [{"name": "sessionid", "value": session.session_key, "url": live_server.url}]
    )
    admin = context.new_page()
    admin.goto(f"{live_server.url}/app/shoppers/")
    admin.click(f'[data-shopper="{stored.pk}"] a')
    answers = admin.eval_on_selector_all("#quiz-answers li", "els => els.map(e => e.textContent)")
    assert any(categories[2] in text for text in answers)
    assert any(high in text for text in answers)
    admin.goto(f"{live_server.url}/app/quiz/")
    assert admin.text_content('#quiz-conversion [data-metric="responses"]') == "3"
    context.close()
