"""Reads for the quiz and stated preferences, including the seam the decisions code reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet

from personalization.events.models import Event, Visitor
from personalization.preferences.models import (
    Quiz,
    QuizAnswer,
    QuizQuestion,
    QuizResponse,
    StatedPreferences,
)
from personalization.profiles.models import Profile
from shopapp.catalog.models import Customer, Order
from shopapp.shops.models import Shop

STATED_WEIGHT = 1.0


def _with_answers(queryset: QuerySet[Quiz], shop: Shop) -> QuerySet[Quiz]:
    return queryset.prefetch_related(
        Prefetch(
            "questions",
            queryset=QuizQuestion.objects.filter(shop=shop).prefetch_related(
                Prefetch("answers", queryset=QuizAnswer.objects.filter(shop=shop))
            ),
        )
    )


def quiz_list(*, shop: Shop) -> QuerySet[Quiz]:
    return Quiz.objects.filter(shop=shop).order_by("-is_active", "-created_at")


def quiz_get(*, shop: Shop, quiz_id: int) -> Quiz | None:
    return _with_answers(Quiz.objects.filter(shop=shop, pk=quiz_id), shop).first()


def quiz_active(*, shop: Shop) -> Quiz | None:
    return _with_answers(Quiz.objects.filter(shop=shop, is_active=True), shop).first()


def quiz_answers_get(*, shop: Shop, quiz: Quiz, answer_ids: list[int]) -> list[QuizAnswer]:
    return list(
        QuizAnswer.objects.filter(shop=shop, question__quiz=quiz, pk__in=answer_ids)
        .select_related("question")
        .order_by("question__position", "question_id", "position", "pk")
    )


def stated_preferences_get(
    *, shop: Shop, visitor_key: str | None = None, customer: Customer | None = None
) -> StatedPreferences | None:
    """A customer's own record first; else the consenting visitor's."""
    if customer is not None:
        found = StatedPreferences.objects.filter(shop=shop, customer=customer).first()
        if found is not None:
            return found
    if visitor_key:
        return StatedPreferences.objects.filter(shop=shop, visitor__visitor_key=visitor_key).first()
    return None


def stated_preferences_for_profile(*, shop: Shop, profile: Profile) -> StatedPreferences | None:
    if profile.customer_id:
        found = StatedPreferences.objects.filter(shop=shop, customer_id=profile.customer_id)
        # A stitched visitor's statements count for the customer too.
        by_visitor = StatedPreferences.objects.filter(
            shop=shop,
            visitor__in=Visitor.objects.filter(shop=shop, customer_id=profile.customer_id),
        )
        return found.first() or by_visitor.order_by("-updated_at").first()
    if profile.visitor_id:
        return StatedPreferences.objects.filter(shop=shop, visitor_id=profile.visitor_id).first()
    return None


def stated_affinities(shop: Shop, person: Profile) -> dict[str, dict[str, float]]:
    """What the shopper said they like, per kind ("category", "tag", "brand", "price_band"),
    each at full weight. Decisions should rank these above inferred affinities, which are shares
    below 1: a statement is surer than a guess from clicks."""
    preferences = stated_preferences_for_profile(shop=shop, profile=person)
    if preferences is None:
        return {}
    return {
        kind: dict.fromkeys(values, STATED_WEIGHT)
        for kind, values in (preferences.interests or {}).items()
        if values
    }


@dataclass(frozen=True)
class AnswerCount:
    question: str
    answer: str
    target: str
    count: int
    share: float  # of the responses to this quiz


def quiz_answer_distribution(*, shop: Shop, quiz: Quiz) -> list[AnswerCount]:
    responses = list(
        QuizResponse.objects.filter(shop=shop, quiz=quiz).values_list("answer_ids", flat=True)
    )
    counts: dict[int, int] = {}
    for answer_ids in responses:
        for answer_id in set(answer_ids):
            counts[answer_id] = counts.get(answer_id, 0) + 1
    total = len(responses)
    rows = []
    for question in quiz.questions.all():
        for answer in question.answers.all():
            count = counts.get(answer.pk, 0)
            rows.append(
                AnswerCount(
                    question=question.text,
                    answer=answer.text,
                    target=f"{answer.get_target_kind_display()}: {answer.target_value}",
                    count=count,
                    share=count / total if total else 0.0,
                )
            )
    return rows


@dataclass(frozen=True)
class QuizConversion:
    responses: int
    with_consent: int
    converted: int

    @property
    def rate(self) -> float:
        return self.converted / self.with_consent if self.with_consent else 0.0


def quiz_conversion(*, shop: Shop, quiz: Quiz) -> QuizConversion:
    """Quiz takers who bought afterwards: a purchase event from their browser or an order as
    the customer. Only takers who consented can be followed, so the rate is over them."""
    responses = QuizResponse.objects.filter(shop=shop, quiz=quiz)
    followed = list(
        responses.filter(has_consent=True).values_list("visitor_id", "customer_id", "created_at")
    )
    converted = 0
    for visitor_id, customer_id, taken_at in followed:
        if _bought_after(shop, visitor_id, customer_id, taken_at):
            converted += 1
    return QuizConversion(
        responses=responses.count(), with_consent=len(followed), converted=converted
    )


def _bought_after(
    shop: Shop, visitor_id: int | None, customer_id: int | None, taken_at: datetime
) -> bool:
    if visitor_id is not None:
        if Event.objects.filter(
            shop=shop, visitor_id=visitor_id, type="purchase", occurred_at__gte=taken_at
        ).exists():
            return True
        customer_id = customer_id or (
            Visitor.objects.filter(shop=shop, pk=visitor_id)
            .values_list("customer_id", flat=True)
            .first()
        )
    return customer_id is not None and (
        Order.objects.filter(
            shop=shop, customer_id=customer_id, kind="sale", platform_created_at__gte=taken_at
        ).exists()
    )


def shoppers_with_preferences(*, shop: Shop) -> QuerySet[StatedPreferences]:
    return (
        StatedPreferences.objects.filter(shop=shop)
        .select_related("visitor", "customer")
        .order_by("-updated_at")
    )


def shopper_preferences_get(*, shop: Shop, pk: int) -> StatedPreferences | None:
    return (
        StatedPreferences.objects.filter(shop=shop, pk=pk)
        .select_related("visitor", "customer")
        .first()
    )


def profile_for_preferences(*, shop: Shop, preferences: StatedPreferences) -> Profile | None:
    customer_id = preferences.customer_id or (
        preferences.visitor.customer_id if preferences.visitor else None
    )
    if customer_id:
        return Profile.objects.filter(shop=shop, customer_id=customer_id).first()
    if preferences.visitor_id:
        return Profile.objects.filter(shop=shop, visitor_id=preferences.visitor_id).first()
    return None


def birthday_customers(*, shop: Shop, month: int) -> list[Customer]:
    """Customers whose stated birthday falls in `month` and who may be emailed: they chose email
    in the preference center and the platform still records marketing consent."""
    rows = (
        StatedPreferences.objects.filter(shop=shop, birthday_month=month)
        .select_related("customer", "visitor__customer")
        .order_by("pk")
    )
    chosen: dict[int, Customer] = {}
    for row in rows:
        if "email" not in (row.channels or []):
            continue
        customer = row.customer or (row.visitor.customer if row.visitor else None)
        if (
            customer is not None
            and customer.accepts_marketing
            and customer.deleted_at is None
            and customer.email
        ):
            chosen[customer.pk] = customer
    return list(chosen.values())
