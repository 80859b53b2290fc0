"""The RICE idea backlog: ideas sorted by score, create and edit (reach from the segment's size),
and the campaigns page's one-click "turn into a campaign" for an idea that names a template."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from personalization.campaigns.builtin import TEMPLATES
from personalization.experiments.models import Idea, IdeaStatus
from personalization.experiments.selectors import idea_get, idea_list
from personalization.experiments.services import ExperimentInvalid, idea_create, idea_update
from personalization.segments.selectors import segment_list
from shopapp.adminui import idea_form
from shopapp.adminui.views.base import AdminPage


class _IdeaPage(AdminPage):
    nav_key = "experiments"

    def _segments(self) -> dict[str, Any]:
        return {s.key: s for s in segment_list(shop=self.get_shop())}

    def _choices(self) -> dict[str, Any]:
        return {
            "segments": list(self._segments().values()),
            "impacts": idea_form.IMPACT_CHOICES,
            "templates": [(t.key, t.name) for t in TEMPLATES.values()],
            "statuses": IdeaStatus.choices,
        }


class IdeaListView(_IdeaPage):
    def _render(self, form: idea_form.IdeaForm, status: int = 200) -> HttpResponse:
        return self.page(
            "adminui/experiments/ideas.html",
            {"ideas": idea_list(shop=self.get_shop()), "form": form, **self._choices()},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(idea_form.IdeaForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form, values = idea_form.parse(request.POST, self._segments())
        if values is not None:
            try:
                idea_create(shop=self.get_shop(), **values)
            except ExperimentInvalid as exc:
                form.errors[exc.field] = exc.message
            else:
                return self.go("adminui:ideas")
        return self._render(form, status=422)


class IdeaEditView(_IdeaPage):
    def _idea(self, pk: int) -> Idea:
        idea = idea_get(shop=self.get_shop(), idea_id=pk)
        if idea is None:
            raise Http404("No such idea.")
        return idea

    def _render(self, idea: Idea, form: idea_form.IdeaForm, status: int = 200) -> HttpResponse:
        return self.page(
            "adminui/experiments/idea_edit.html",
            {"idea": idea, "form": form, **self._choices()},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        idea = self._idea(pk)
        return self._render(idea, idea_form.form_from_idea(idea))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        idea = self._idea(pk)
        form, values = idea_form.parse(request.POST, self._segments())
        if values is not None:
            try:
                idea_update(shop=self.get_shop(), idea=idea, status=form.status, **values)
            except ExperimentInvalid as exc:
                form.errors[exc.field] = exc.message
            else:
                return self.go("adminui:ideas")
        return self._render(idea, form, status=422)
