"""Storefront endpoints of the quiz and the preference center.

Authenticated like /api/v1/decide: the shop's public storefront key, or a verified Shopify app
proxy request (which also names the logged-in customer). Scoped through `StorefrontAPIView`.
The UI strings the storefront block shows come translated from here, so the script holds none.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from personalization.preferences.models import Channel, PriceBand, Quiz, StatedPreferences
from personalization.preferences.selectors import quiz_active, stated_preferences_get
from personalization.preferences.services import (
    PreferenceInvalid,
    quiz_submit,
    shopper_forget,
    stated_preferences_save,
    visitor_key_valid,
)
from shopapp.catalog.models import Customer
from shopapp.shops.auth import ShopCredential, StorefrontKeyAuthentication
from shopapp.shops.scoping import StorefrontAPIView


class ProxiedCredentialAuthentication(StorefrontKeyAuthentication):
    """The credential a platform wrapper already verified (Shopify's app proxy), else the key."""

    def authenticate(self, request: Request) -> tuple[None, ShopCredential] | None:
        credential = getattr(request._request, "shop_credential", None)
        if isinstance(credential, ShopCredential):
            return (None, credential)
        return super().authenticate(request)


class TextJSONParser(JSONParser):
    """JSON sent as text/plain: a "simple" cross-origin request, so a theme on the shop's own
    domain calls us without a CORS preflight (the storefront key travels in the query)."""

    media_type = "text/plain"


class StorefrontEndpoint(StorefrontAPIView):
    authentication_classes = [ProxiedCredentialAuthentication]
    parser_classes = [JSONParser, TextJSONParser]

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        origin = request.headers.get("Origin")
        try:
            credential = request.auth
        except exceptions.APIException:
            # Rejected before authentication ran (e.g. `?format=` 404): reading `auth` now
            # would re-raise the bad key as a 500.
            credential = None
        if (
            origin
            and isinstance(credential, ShopCredential)
            and credential.shop.allows_origin(origin)
        ):
            response["Access-Control-Allow-Origin"] = origin
            response["Vary"] = "Origin"
        return response


def _invalid(exc: PreferenceInvalid) -> exceptions.ValidationError:
    return exceptions.ValidationError({exc.field: [exc.message]})


def quiz_labels() -> dict[str, str]:
    return {
        "next": _("Next"),
        "back": _("Back"),
        "show": _("Show my picks"),
        "results": _("Picked from your answers"),
        "again": _("Start again"),
        "remember": _("Remember my answers for next time"),
        "saved": _("Saved to your preferences."),
        "session": _("Used for this visit only."),
        "none": _("Nothing matches all of that yet; here is what comes closest."),
    }


def quiz_json(quiz: Quiz) -> dict[str, Any]:
    return {
        "id": quiz.pk,
        "title": quiz.title,
        "intro": quiz.intro,
        "questions": [
            {
                "id": question.pk,
                "text": question.text,
                "multiple": question.allows_multiple,
                "answers": [{"id": a.pk, "text": a.text} for a in question.answers.all()],
            }
            for question in quiz.questions.all()
            if question.answers.all()
        ],
        "labels": quiz_labels(),
    }


class QuizView(StorefrontEndpoint):
    def get(self, request: Request) -> Response:
        quiz = quiz_active(shop=self.get_shop())
        if quiz is None:
            raise exceptions.NotFound(_("This shop has no active quiz."))
        return Response(quiz_json(quiz))


class QuizAnswersIn(serializers.Serializer[dict[str, Any]]):
    quiz = serializers.IntegerField(min_value=1)
    answers = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=20)
    consent = serializers.BooleanField(default=False)
    visitor = serializers.CharField(required=False, allow_blank=True, max_length=64)
    recent = serializers.ListField(
        child=serializers.RegexField(r"^[A-Za-z0-9_\-:.]{1,64}$"), required=False, max_length=20
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=12, default=8)


class QuizAnswersView(StorefrontEndpoint):
    """Recommendations from the answers; stored as preferences only with consent."""

    def post(self, request: Request) -> Response:
        data = QuizAnswersIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        shop = self.get_shop()
        quiz = quiz_active(shop=shop)
        if quiz is None or quiz.pk != values["quiz"]:
            raise exceptions.NotFound(_("No such active quiz in this shop."))
        credential = self.get_credential()
        try:
            result = quiz_submit(
                shop=shop,
                quiz=quiz,
                answer_ids=values["answers"],
                has_consent=values["consent"],
                visitor_key=values.get("visitor") or None,
                customer_platform_id=credential.customer_platform_id,
                recent=values.get("recent") or [],
                limit=values["limit"],
            )
        except PreferenceInvalid as exc:
            raise _invalid(exc) from exc
        response = Response(
            {
                "stored": result.stored,
                "answers": [a.pk for a in result.answers],
                "items": result.items,
                "note": _("Saved to your preferences.")
                if result.stored
                else _("Used for this visit only."),
            }
        )
        response["Cache-Control"] = "private, no-store"
        return response


def preferences_json(preferences: StatedPreferences | None) -> dict[str, Any]:
    if preferences is None:
        return {"interests": {}, "sizes": [], "birthday": "", "channels": [], "phone": ""}
    birthday = (
        f"{preferences.birthday_month:02d}-{preferences.birthday_day:02d}"
        if preferences.birthday_month and preferences.birthday_day
        else ""
    )
    return {
        "interests": preferences.interests,
        "sizes": preferences.sizes,
        "birthday": birthday,
        "channels": preferences.channels,
        "phone": preferences.phone,
    }


def preference_center_labels() -> dict[str, Any]:
    return {
        "title": _("Your preferences"),
        "interests": _("What do you like?"),
        "sizes": _("Your sizes (comma separated)"),
        "birthday": _("Birthday (month and day), for a treat from us"),
        # The input's placeholder: month then day, in the shopper's letters (MM-JJ in French).
        "birthday_hint": _("MM-DD"),
        "channels": _("How may we contact you?"),
        "phone": _("Phone, with country code"),
        "save": _("Save preferences"),
        "saved": _("Saved."),
        "forget": _("Forget me"),
        "forget_confirm": _("Delete everything this shop knows about you?"),
        "forgotten": _("Done: we have forgotten you."),
        "channel_names": {c.value: str(c.label) for c in Channel},
        "price_bands": {b.value: str(b.label) for b in PriceBand},
    }


class PreferencesIn(serializers.Serializer[dict[str, Any]]):
    visitor = serializers.CharField(required=False, allow_blank=True, max_length=64)
    interests = serializers.DictField(required=False)
    sizes = serializers.ListField(required=False)
    birthday = serializers.CharField(required=False, allow_blank=True, max_length=5)
    channels = serializers.ListField(required=False)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=32)


class PreferencesView(StorefrontEndpoint):
    """The preference center: read and save what a shopper states."""

    def _customer(self) -> Customer | None:
        platform_id = self.get_credential().customer_platform_id
        if not platform_id:
            return None
        return Customer.objects.filter(shop=self.get_shop(), platform_id=platform_id).first()

    def get(self, request: Request) -> Response:
        try:
            visitor_key = visitor_key_valid(request.query_params.get("visitor") or None)
        except PreferenceInvalid as exc:
            raise _invalid(exc) from exc
        preferences = stated_preferences_get(
            shop=self.get_shop(), visitor_key=visitor_key, customer=self._customer()
        )
        response = Response({**preferences_json(preferences), "labels": preference_center_labels()})
        response["Cache-Control"] = "private, no-store"
        return response

    def post(self, request: Request) -> Response:
        data = PreferencesIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            preferences = stated_preferences_save(
                shop=self.get_shop(),
                visitor_key=values.get("visitor") or None,
                customer_platform_id=self.get_credential().customer_platform_id,
                interests=values.get("interests"),
                sizes=values.get("sizes"),
                birthday=values.get("birthday"),
                channels=values.get("channels"),
                phone=values.get("phone"),
            )
        except PreferenceInvalid as exc:
            raise _invalid(exc) from exc
        return Response(preferences_json(preferences))


class ForgetIn(serializers.Serializer[dict[str, Any]]):
    visitor = serializers.CharField(required=False, allow_blank=True, max_length=64)


class ForgetView(StorefrontEndpoint):
    """ "Forget me": erasure through the privacy service for a customer, the visitor otherwise."""

    def post(self, request: Request) -> Response:
        data = ForgetIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            forgotten = shopper_forget(
                shop=self.get_shop(),
                visitor_key=data.validated_data.get("visitor") or None,
                customer_platform_id=self.get_credential().customer_platform_id,
            )
        except PreferenceInvalid as exc:
            raise _invalid(exc) from exc
        return Response(
            {
                "forgotten": True,
                "preferences": forgotten.preferences,
                "visitors": forgotten.visitors,
                "privacy_request": forgotten.privacy_request.pk
                if forgotten.privacy_request
                else None,
            }
        )
