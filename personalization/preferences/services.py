"""Writes for the quiz and stated preferences: building the quiz, taking it, stating preferences,
and forgetting a shopper.

Consent decides what is kept: a consenting shopper's answers become stated preferences on their
person (visitor or customer); without consent the answers only shape this response and are
counted, with no identity, for the merchant's answer distribution.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from personalization.decisions.catalog import catalog_snapshot
from personalization.engine.audience_ids import phone_digits
from personalization.events.models import Visitor
from personalization.preferences.models import (
    Channel,
    PriceBand,
    Quiz,
    QuizAnswer,
    QuizQuestion,
    QuizResponse,
    StatedPreferences,
    TargetKind,
)
from personalization.preferences.recommend import behaviour_for, quiz_recommend
from personalization.preferences.selectors import quiz_answers_get
from personalization.privacy.models import PrivacyRequest
from personalization.privacy.services import customer_erase, visitor_erase
from shopapp.catalog.models import Customer
from shopapp.shops.models import Shop

_VISITOR_KEY = re.compile(r"^[A-Za-z0-9_\-:.]{1,64}$")
MAX_ANSWERS = 20
MAX_INTERESTS = 20
MAX_SIZES = 10
DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class PreferenceInvalid(ValueError):
    """Bad input, naming the field: the API and admin turn it into a 400/422."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _text(value: Any, field: str, *, max_length: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise PreferenceInvalid(field, _("this field is required"))
    if len(text) > max_length:
        raise PreferenceInvalid(field, _("at most %(n)d characters") % {"n": max_length})
    return text


# --- building the quiz (admin) ---------------------------------------------------------------


@transaction.atomic
def quiz_save(
    *, shop: Shop, quiz: Quiz | None = None, title: str, intro: str = "", is_active: bool = False
) -> Quiz:
    quiz = quiz or Quiz(shop=shop)
    quiz.title = _text(title, "title", max_length=120)
    quiz.intro = _text(intro, "intro", max_length=300, required=False)
    if is_active:
        # One active quiz per shop: activating this one retires the others.
        Quiz.objects.filter(shop=shop, is_active=True).exclude(pk=quiz.pk).update(is_active=False)
    quiz.is_active = is_active
    quiz.save()
    return quiz


def quiz_question_add(
    *, shop: Shop, quiz: Quiz, text: str, allows_multiple: bool = False
) -> QuizQuestion:
    position = (
        QuizQuestion.objects.filter(shop=shop, quiz=quiz).aggregate(m=Max("position"))["m"] or 0
    )
    return QuizQuestion.objects.create(
        shop=shop,
        quiz=quiz,
        text=_text(text, "text", max_length=200),
        allows_multiple=allows_multiple,
        position=position + 1,
    )


def _catalog_values(shop: Shop, kind: str) -> set[str]:
    snapshot = catalog_snapshot(shop)
    if kind == TargetKind.CATEGORY:
        return {i.category for i in snapshot.items.values() if i.category}
    if kind == TargetKind.BRAND:
        return {i.brand for i in snapshot.items.values() if i.brand}
    return set()


def quiz_answer_add(
    *,
    shop: Shop,
    question: QuizQuestion,
    text: str,
    target_kind: str,
    target_value: str,
) -> QuizAnswer:
    """An answer and what it points at; a category or brand must exist in the catalog, so a
    typo cannot silently match nothing."""
    answer_text = _text(text, "text", max_length=120)
    if target_kind not in TargetKind.values:
        raise PreferenceInvalid(
            "target_kind", _("must be one of %(kinds)s") % {"kinds": ", ".join(TargetKind.values)}
        )
    value = _text(target_value, "target_value", max_length=255)
    if target_kind == TargetKind.PRICE_BAND and value not in PriceBand.values:
        raise PreferenceInvalid(
            "target_value", _("a price band is one of %(bands)s") % {"bands": "low, mid, high"}
        )
    if target_kind in (TargetKind.CATEGORY, TargetKind.BRAND):
        known = _catalog_values(shop, target_kind)
        if value not in known:
            raise PreferenceInvalid(
                "target_value", _("no product in this shop has %(value)s") % {"value": value}
            )
    position = (
        QuizAnswer.objects.filter(shop=shop, question=question).aggregate(m=Max("position"))["m"]
        or 0
    )
    return QuizAnswer.objects.create(
        shop=shop,
        question=question,
        text=answer_text,
        target_kind=target_kind,
        target_value=value,
        position=position + 1,
    )


def quiz_question_delete(*, shop: Shop, question: QuizQuestion) -> None:
    QuizQuestion.objects.filter(shop=shop, pk=question.pk).delete()


def quiz_answer_delete(*, shop: Shop, answer: QuizAnswer) -> None:
    QuizAnswer.objects.filter(shop=shop, pk=answer.pk).delete()


@transaction.atomic
def quiz_starter_create(*, shop: Shop, categories: int = 4) -> Quiz:
    """A first quiz from the shop's best-selling categories and its price bands, so a merchant
    (and the demo) starts from something that works and edits it."""
    snapshot = catalog_snapshot(shop)
    quiz = quiz_save(
        shop=shop,
        title=_("Find the perfect gift"),
        intro=_("Two quick questions and we will pick for you."),
        is_active=True,
    )
    what = quiz_question_add(shop=shop, quiz=quiz, text=_("What are you shopping for?"))
    for category in list(snapshot.by_category)[:categories]:
        quiz_answer_add(
            shop=shop,
            question=what,
            text=category,
            target_kind=TargetKind.CATEGORY,
            target_value=category,
        )
    budget = quiz_question_add(shop=shop, quiz=quiz, text=_("What would you like to spend?"))
    for band, label in (
        ("low", _("A little something")),
        ("mid", _("Something in between")),
        ("high", _("A real treat")),
    ):
        quiz_answer_add(
            shop=shop,
            question=budget,
            text=label,
            target_kind=TargetKind.PRICE_BAND,
            target_value=band,
        )
    return quiz


# --- taking the quiz (storefront) ------------------------------------------------------------


@dataclass
class QuizResult:
    response: QuizResponse
    answers: list[QuizAnswer]
    items: list[dict[str, Any]] = field(default_factory=list)
    stored: bool = False


def visitor_key_valid(visitor_key: str | None) -> str | None:
    if visitor_key is None or visitor_key == "":
        return None
    if not _VISITOR_KEY.match(visitor_key):
        raise PreferenceInvalid("visitor", _("not a valid visitor id"))
    return visitor_key


def _visitor_for(shop: Shop, visitor_key: str) -> Visitor:
    """The consenting visitor's row, created as the events API would on its first event."""
    now = datetime.now(tz=UTC)
    try:
        with transaction.atomic():
            visitor, _created = Visitor.objects.get_or_create(
                shop=shop,
                visitor_key=visitor_key,
                defaults={"first_seen_at": now, "last_event_at": now},
            )
    except IntegrityError:  # created by a concurrent event drain
        visitor = Visitor.objects.get(shop=shop, visitor_key=visitor_key)
    return visitor


def _customer_for(shop: Shop, customer_platform_id: str | None) -> Customer | None:
    if not customer_platform_id:
        return None
    return Customer.objects.filter(
        shop=shop, platform_id=customer_platform_id, deleted_at__isnull=True
    ).first()


def _answer_ids(raw: Any) -> list[int]:
    if not isinstance(raw, list) or not raw:
        raise PreferenceInvalid("answers", _("choose at least one answer"))
    if len(raw) > MAX_ANSWERS:
        raise PreferenceInvalid("answers", _("at most %(n)d answers") % {"n": MAX_ANSWERS})
    ids = []
    for value in raw:
        if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
            raise PreferenceInvalid("answers", _("answers are answer ids"))
        ids.append(int(value))
    return list(dict.fromkeys(ids))


def _interests_from(answers: Iterable[QuizAnswer]) -> dict[str, list[str]]:
    interests: dict[str, list[str]] = {}
    for answer in answers:
        values = interests.setdefault(answer.target_kind, [])
        if answer.target_value not in values:
            values.append(answer.target_value)
    return interests


@transaction.atomic
def quiz_submit(
    *,
    shop: Shop,
    quiz: Quiz,
    answer_ids: Any,
    has_consent: bool,
    visitor_key: str | None = None,
    customer_platform_id: str | None = None,
    recent: Sequence[str] = (),
    limit: int = 8,
) -> QuizResult:
    ids = _answer_ids(answer_ids)
    answers = quiz_answers_get(shop=shop, quiz=quiz, answer_ids=ids)
    if len(answers) != len(ids):
        raise PreferenceInvalid("answers", _("an answer is not part of this quiz"))
    questions: dict[int, int] = {}
    for answer in answers:
        questions[answer.question_id] = questions.get(answer.question_id, 0) + 1
        if questions[answer.question_id] > 1 and not answer.question.allows_multiple:
            raise PreferenceInvalid(
                "answers", _("“%(q)s” takes one answer") % {"q": answer.question.text}
            )
    visitor_key = visitor_key_valid(visitor_key)
    visitor = _visitor_for(shop, visitor_key) if has_consent and visitor_key else None
    customer = _customer_for(shop, customer_platform_id) if has_consent else None
    snapshot = catalog_snapshot(shop)
    behaviour = behaviour_for(
        shop, snapshot, visitor_key=visitor_key if has_consent else None, recent=recent
    )
    items = quiz_recommend(shop=shop, answers=answers, behaviour=behaviour, limit=limit)
    response = QuizResponse.objects.create(
        shop=shop,
        quiz=quiz,
        answer_ids=[a.pk for a in answers],
        has_consent=bool(visitor or customer),
        visitor=visitor,
        customer=customer,
        recommended_ids=[item["id"] for item in items] if (visitor or customer) else [],
    )
    stored = False
    if visitor is not None or customer is not None:
        preferences = _preferences_for(shop, visitor=visitor, customer=customer)
        preferences.interests = _interests_from(answers)
        preferences.quiz_answer_ids = [a.pk for a in answers]
        preferences.save()
        stored = True
    return QuizResult(response=response, answers=answers, items=items, stored=stored)


def _preferences_for(
    shop: Shop, *, visitor: Visitor | None, customer: Customer | None
) -> StatedPreferences:
    if customer is not None:
        found = StatedPreferences.objects.filter(shop=shop, customer=customer).first()
        if found is not None:
            return found
    if visitor is not None:
        found = StatedPreferences.objects.filter(shop=shop, visitor=visitor).first()
        if found is not None:
            if customer is not None and found.customer_id is None:
                found.customer = customer
            return found
    return StatedPreferences(shop=shop, visitor=visitor, customer=customer)


# --- the preference center (storefront) ------------------------------------------------------


def _string_list(raw: Any, field: str, *, limit: int, max_length: int = 80) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > limit:
        raise PreferenceInvalid(field, _("a list of at most %(n)d values") % {"n": limit})
    values = [_text(v, field, max_length=max_length) for v in raw if isinstance(v, str)]
    if len(values) != len(raw):
        raise PreferenceInvalid(field, _("values must be text"))
    return list(dict.fromkeys(values))


def _birthday(raw: Any) -> tuple[int | None, int | None]:
    """ "MM-DD" (no year: we never need it), or empty to clear."""
    if raw in (None, ""):
        return None, None
    match = re.fullmatch(r"(\d{2})-(\d{2})", str(raw))
    if not match:
        raise PreferenceInvalid("birthday", _("use the form MM-DD, for example 04-23"))
    month, day = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or not 1 <= day <= DAYS_IN_MONTH[month - 1]:
        raise PreferenceInvalid("birthday", _("no such date"))
    return month, day


@transaction.atomic
def stated_preferences_save(
    *,
    shop: Shop,
    visitor_key: str | None,
    customer_platform_id: str | None = None,
    interests: Any = None,
    sizes: Any = None,
    birthday: Any = None,
    channels: Any = None,
    phone: Any = None,
) -> StatedPreferences:
    """The preference center's save. Only a consenting visitor or a verified customer can state
    preferences, since keeping them is what the shopper asks for here."""
    visitor_key = visitor_key_valid(visitor_key)
    customer = _customer_for(shop, customer_platform_id)
    if visitor_key is None and customer is None:
        raise PreferenceInvalid("visitor", _("preferences need a visitor id (consent) or a login"))
    if interests is not None and not isinstance(interests, dict):
        raise PreferenceInvalid("interests", _("an object of kind to values"))
    cleaned_interests: dict[str, list[str]] = {}
    for kind, values in (interests or {}).items():
        if kind not in TargetKind.values:
            raise PreferenceInvalid(
                "interests", _("unknown kind %(kind)s") % {"kind": str(kind)[:30]}
            )
        cleaned = _string_list(values, "interests", limit=MAX_INTERESTS, max_length=255)
        if kind == TargetKind.PRICE_BAND and not set(cleaned) <= set(PriceBand.values):
            raise PreferenceInvalid("interests", _("a price band is one of low, mid, high"))
        if cleaned:
            cleaned_interests[kind] = cleaned
    month, day = _birthday(birthday)
    chosen = _string_list(channels, "channels", limit=len(Channel.values))
    if not set(chosen) <= set(Channel.values):
        raise PreferenceInvalid(
            "channels", _("must be among %(c)s") % {"c": ", ".join(Channel.values)}
        )
    phone_text = _text(phone, "phone", max_length=32, required=False)
    if phone_text and phone_digits(phone_text) is None:
        raise PreferenceInvalid(
            "phone", _("give the number with its country code, for example +44 20 7946 0000")
        )
    if Channel.SMS in chosen and not phone_text:
        raise PreferenceInvalid("phone", _("text messages need a phone number"))
    visitor = _visitor_for(shop, visitor_key) if visitor_key else None
    preferences = _preferences_for(shop, visitor=visitor, customer=customer)
    preferences.interests = cleaned_interests
    preferences.sizes = _string_list(sizes, "sizes", limit=MAX_SIZES, max_length=20)
    preferences.birthday_month, preferences.birthday_day = month, day
    preferences.channels = chosen
    preferences.phone = phone_text
    preferences.save()
    return preferences


@dataclass(frozen=True)
class Forgotten:
    preferences: int
    visitors: int
    privacy_request: PrivacyRequest | None


@transaction.atomic
def shopper_forget(
    *, shop: Shop, visitor_key: str | None, customer_platform_id: str | None = None
) -> Forgotten:
    """The preference center's "forget me". A verified customer goes through the privacy
    service's erasure (audited, everything about them); an anonymous visitor goes through its
    visitor erasure (audited too): events, sessions, profile and what they stated here."""
    visitor_key = visitor_key_valid(visitor_key)
    customer = _customer_for(shop, customer_platform_id)
    if visitor_key is None and customer is None:
        raise PreferenceInvalid("visitor", _("nothing identifies you to forget"))
    visitors = Visitor.objects.filter(shop=shop, visitor_key=visitor_key) if visitor_key else None
    preferences = 0
    if visitors is not None:
        preferences += StatedPreferences.objects.filter(shop=shop, visitor__in=visitors).delete()[0]
    request = None
    if customer is not None:
        preferences += StatedPreferences.objects.filter(shop=shop, customer=customer).delete()[0]
        request = customer_erase(shop=shop, customer=customer, source="preference_center")
    removed = 0
    if visitor_key is not None:
        # Audited like a customer's erasure; a visitor stitched to someone else's account is
        # left to that account's own erasure.
        erased = visitor_erase(shop=shop, visitor_key=visitor_key, source="preference_center")
        removed = int(erased.result.get("visitor", 0))
        request = request or erased
    return Forgotten(preferences=preferences, visitors=removed, privacy_request=request)
