from __future__ import annotations

from decimal import Decimal

import pytest

from personalization.decisions import catalog
from personalization.preferences import recommend
from personalization.preferences.models import Quiz, TargetKind
from personalization.preferences.services import (
    quiz_answer_add,
    quiz_question_add,
    quiz_save,
)
from personalization.profiles import selectors as profile_selectors
from shopapp.shops.models import Shop
from tests.factories import ProductFactory


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    catalog.forget()
    recommend.forget()
    profile_selectors._edges_cache.clear()


def make_store(shop: Shop) -> dict[str, object]:
    """Candles and Kitchen, each with cheap (1-3) and dear (20-22) products; one tagged vegan."""
    products = {}
    for category, prefix in (("Candles", "c"), ("Kitchen", "k")):
        for i, price in enumerate(("1.00", "2.00", "3.00", "20.00", "21.00", "22.00")):
            products[f"{prefix}{i}"] = ProductFactory(
                shop=shop,
                platform_id=f"{prefix}{i}",
                title=f"{category} {i}",
                product_type=category,
                vendor="Hearth" if prefix == "c" else "Kettle Co",
                price_min=Decimal(price),
                price_max=Decimal(price),
                tags=["vegan"] if f"{prefix}{i}" == "k4" else [],
                images=[{"url": f"https://cdn.example.com/{prefix}{i}.jpg", "alt": ""}],
            )
    return products


@pytest.fixture
def store(shop: Shop) -> dict[str, object]:
    return make_store(shop)


def make_quiz(shop: Shop) -> Quiz:
    quiz = quiz_save(shop=shop, title="Gift finder", is_active=True)
    what = quiz_question_add(shop=shop, quiz=quiz, text="For whom?")
    for category in ("Candles", "Kitchen"):
        quiz_answer_add(
            shop=shop,
            question=what,
            text=f"Loves {category}",
            target_kind=TargetKind.CATEGORY,
            target_value=category,
        )
    budget = quiz_question_add(shop=shop, quiz=quiz, text="Budget?")
    for band in ("low", "high"):
        quiz_answer_add(
            shop=shop,
            question=budget,
            text=band,
            target_kind=TargetKind.PRICE_BAND,
            target_value=band,
        )
    return quiz


@pytest.fixture
def quiz(shop: Shop, store: dict[str, object]) -> Quiz:
    return make_quiz(shop)


def answer(quiz: Quiz, text: str) -> int:
    for question in quiz.questions.all():
        for a in question.answers.all():
            if a.text == text:
                return a.pk
    raise KeyError(text)
