"""The product-finder quiz in the admin: build it, see how answers split and how takers convert;
the shoppers who stated preferences, each with their profile; audiences and product feeds."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from personalization.audiences.selectors import feed_get, feed_list
from personalization.audiences.services import (
    AudienceInvalid,
    audience_export,
    feed_create,
    feed_generate,
    feed_restore,
    feed_revoke,
)
from personalization.preferences.models import QuizAnswer, QuizQuestion, TargetKind
from personalization.preferences.selectors import (
    profile_for_preferences,
    quiz_active,
    quiz_answer_distribution,
    quiz_conversion,
    shopper_preferences_get,
    shoppers_with_preferences,
)
from personalization.preferences.services import (
    PreferenceInvalid,
    quiz_answer_add,
    quiz_answer_delete,
    quiz_question_add,
    quiz_question_delete,
    quiz_starter_create,
)
from personalization.segments.models import Segment
from personalization.segments.selectors import segment_list
from shopapp.adminui.views.base import AdminPage


class QuizPage(AdminPage):
    nav_key = "quiz"

    def context(self, **extra: Any) -> dict[str, Any]:
        shop = self.get_shop()
        quiz = quiz_active(shop=shop)
        return {
            "quiz": quiz,
            "distribution": quiz_answer_distribution(shop=shop, quiz=quiz) if quiz else [],
            "conversion": quiz_conversion(shop=shop, quiz=quiz) if quiz else None,
            "target_kinds": TargetKind.choices,
            "errors": {},
            "form": {},
            **extra,
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page("adminui/quiz/page.html", self.context())


class QuizEditView(QuizPage):
    """One POST endpoint for the editor's small forms; each names its action."""

    def post(self, request: HttpRequest) -> HttpResponse:
        shop = self.get_shop()
        data = request.POST
        action = data.get("action", "")
        try:
            if action == "starter":
                quiz_starter_create(shop=shop)
            elif action == "add_question":
                quiz = quiz_active(shop=shop)
                if quiz is None:
                    raise Http404(_("No active quiz."))
                quiz_question_add(
                    shop=shop,
                    quiz=quiz,
                    text=data.get("text", ""),
                    allows_multiple=data.get("allows_multiple") == "on",
                )
            elif action == "add_answer":
                question = self._question(data.get("question", ""))
                quiz_answer_add(
                    shop=shop,
                    question=question,
                    text=data.get("text", ""),
                    target_kind=data.get("target_kind", ""),
                    target_value=data.get("target_value", ""),
                )
            elif action == "delete_question":
                quiz_question_delete(shop=shop, question=self._question(data.get("question", "")))
            elif action == "delete_answer":
                answer = QuizAnswer.objects.filter(
                    shop=shop, pk=_int(data.get("answer", ""))
                ).first()
                if answer is None:
                    raise Http404(_("No such answer in this shop."))
                quiz_answer_delete(shop=shop, answer=answer)
            else:
                raise PreferenceInvalid("action", _("unknown action"))
        except PreferenceInvalid as exc:
            context = self.context(
                errors={exc.field: exc.message[:1].upper() + exc.message[1:] + "."},
                form={**data.dict(), "action": action},
            )
            return self.page("adminui/quiz/page.html", context, status=422)
        return self.go("adminui:quiz")

    def _question(self, raw: str) -> QuizQuestion:
        question = QuizQuestion.objects.filter(shop=self.get_shop(), pk=_int(raw)).first()
        if question is None:
            raise Http404(_("No such question in this shop."))
        return question


def _int(raw: str) -> int:
    return int(raw) if raw.isdigit() else 0


class ShopperListView(AdminPage):
    nav_key = "shoppers"

    def get(self, request: HttpRequest) -> HttpResponse:
        shoppers = shoppers_with_preferences(shop=self.get_shop())[:200]
        return self.page("adminui/quiz/shoppers.html", {"shoppers": shoppers})


class ShopperDetailView(AdminPage):
    nav_key = "shoppers"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        shop = self.get_shop()
        preferences = shopper_preferences_get(shop=shop, pk=pk)
        if preferences is None:
            raise Http404(_("No such shopper in this shop."))
        answers = list(
            QuizAnswer.objects.filter(shop=shop, pk__in=preferences.quiz_answer_ids)
            .select_related("question")
            .order_by("question__position", "position")
        )
        profile = profile_for_preferences(shop=shop, preferences=preferences)
        inferred = (profile.affinities.get("category") or {}).get("raw", {}) if profile else {}
        top_inferred = sorted(inferred.items(), key=lambda kv: -kv[1])[:5]
        return self.page(
            "adminui/quiz/shopper.html",
            {
                "preferences": preferences,
                "answers": answers,
                "profile": profile,
                "inferred": [name for name, _score in top_inferred],
            },
        )


class AudiencesView(AdminPage):
    nav_key = "audiences"

    def context(self, **extra: Any) -> dict[str, Any]:
        shop = self.get_shop()
        by_segment = {feed.segment_id: feed for feed in feed_list(shop=shop)}
        rows = []
        for segment in segment_list(shop=shop):
            feed = by_segment.get(segment.pk)
            url = (
                self.request.build_absolute_uri(reverse("audiences:feed", args=[feed.token]))
                if feed is not None and feed.is_active
                else ""
            )
            rows.append({"segment": segment, "feed": feed, "url": url})
        return {"rows": rows, "errors": {}, **extra}

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page("adminui/quiz/audiences.html", self.context())

    def post(self, request: HttpRequest) -> HttpResponse:
        shop = self.get_shop()
        action = request.POST.get("action", "")
        try:
            if action == "create":
                segment = Segment.objects.filter(
                    shop=shop, pk=_int(request.POST.get("segment", ""))
                ).first()
                if segment is None:
                    raise Http404(_("No such segment in this shop."))
                feed_create(shop=shop, segment=segment)
            else:
                feed = feed_get(shop=shop, feed_id=_int(request.POST.get("feed", "")))
                if feed is None:
                    raise Http404(_("No such feed in this shop."))
                if action == "revoke":
                    feed_revoke(shop=shop, feed=feed)
                elif action == "restore":
                    feed_restore(shop=shop, feed=feed)
                elif action == "regenerate":
                    feed_generate(shop=shop, feed=feed)
                else:
                    raise AudienceInvalid("action", _("unknown action"))
        except AudienceInvalid as exc:
            context = self.context(errors={exc.field: exc.message})
            return self.page("adminui/quiz/audiences.html", context, status=422)
        return self.go("adminui:audiences")


class AudienceDownloadView(AdminPage):
    """A segment's hashed customer list as the CSV the ad platform's upload takes."""

    def get(self, request: HttpRequest, pk: int, platform: str) -> HttpResponse:
        shop = self.get_shop()
        segment = Segment.objects.filter(shop=shop, pk=pk).first()
        if segment is None:
            raise Http404(_("No such segment in this shop."))
        try:
            export = audience_export(
                shop=shop,
                segment=segment,
                platform=platform,
                default_calling_code=request.GET.get("calling_code", ""),
            )
        except AudienceInvalid as exc:
            return HttpResponse(f"{exc.field}: {exc.message}", status=400)
        filename = f"{segment.key}-{platform}-customer-list.csv"
        return HttpResponse(
            export.as_csv(),
            content_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store",
            },
        )
