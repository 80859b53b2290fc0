"""Search and navigation merchandising: query rules, synonyms, menu rules, and a query preview.

Every write answers with the section it changed (htmx swaps it) and `HX-Trigger:
merchandisingSaved`, which refreshes the preview; invalid input is a 422 with the message next to
its input; another shop's id is a 404.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed

from personalization.merchandising import selectors as merch
from personalization.merchandising import services
from personalization.merchandising.services import MerchandisingInvalid
from shopapp.adminui import merchandising as page
from shopapp.adminui.placements import PERSONA_LABELS, persona_for
from shopapp.adminui.views.base import AdminPage, is_htmx

SAVED_EVENT = "merchandisingSaved"


class MerchandisingPage(AdminPage):
    nav_key = "merchandising"

    def answer(
        self,
        partial: str,
        extra: dict[str, Any] | None = None,
        *,
        status: int = 200,
    ) -> HttpResponse:
        """The changed section for htmx; the whole page otherwise (303 after a good write)."""
        context = {
            **page.page_context(self.get_shop()),
            "rule_form": page.RuleForm(),
            "synonym_form": {},
            "nav_form": {},
            "personas": PERSONA_LABELS,
            **(extra or {}),
        }
        if is_htmx(self.request):
            headers = (
                {"HX-Trigger": SAVED_EVENT}
                if status == 200 and self.request.method == "POST"
                else None
            )
            return self.partial(partial, context, status=status, headers=headers)
        if status == 200 and self.request.method == "POST":
            return self.go("adminui:merchandising")
        return self.page("adminui/merchandising/page.html", context, status=status)


class MerchandisingView(MerchandisingPage):
    def get(self, request: HttpRequest) -> HttpResponse:
        context = {
            **page.page_context(self.get_shop()),
            "rule_form": page.RuleForm(),
            "synonym_form": {},
            "nav_form": {},
            "personas": PERSONA_LABELS,
        }
        return self.page("adminui/merchandising/page.html", context)


class QueryRuleView(MerchandisingPage):
    """GET: the rule in the form, for editing. POST: save a new rule or this one."""

    template = "adminui/merchandising/_rules.html"

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        if pk is None:  # the list route is POST-only (create); a GET there has nothing to edit
            return HttpResponseNotAllowed(["POST"], content="Use POST to create a rule.")
        shop = self.get_shop()
        rule = merch.query_rule_get(shop=shop, rule_id=pk)
        if rule is None:
            raise Http404("No such rule in this shop.")
        return self.answer(self.template, {"rule_form": page.rule_form_for(shop=shop, rule=rule)})

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        shop = self.get_shop()
        if pk is not None and merch.query_rule_get(shop=shop, rule_id=pk) is None:
            raise Http404("No such rule in this shop.")
        form, data = page.rule_form_parse(shop=shop, data=request.POST, rule_id=pk)
        if data is not None:
            try:
                rule = services.query_rule_save(shop=shop, data=data, rule_id=pk)
            except MerchandisingInvalid as exc:
                form.errors[exc.field] = page.message(exc)
            else:
                return self.answer(self.template, {"rule_saved": rule})
        return self.answer(self.template, {"rule_form": form}, status=422)


class QueryRuleDeleteView(MerchandisingPage):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        shop = self.get_shop()
        if merch.query_rule_get(shop=shop, rule_id=pk) is None:
            raise Http404("No such rule in this shop.")
        services.query_rule_delete(shop=shop, rule_id=pk)
        return self.answer("adminui/merchandising/_rules.html", {"rule_deleted": True})


class QueryRuleMoveUpView(MerchandisingPage):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        shop = self.get_shop()
        if merch.query_rule_get(shop=shop, rule_id=pk) is None:
            raise Http404("No such rule in this shop.")
        services.query_rule_move_up(shop=shop, rule_id=pk)
        return self.answer("adminui/merchandising/_rules.html")


class SynonymView(MerchandisingPage):
    """GET: the group in the form, for editing. POST: save a new group or this one."""

    template = "adminui/merchandising/_synonyms.html"

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        if pk is None:  # the list route is POST-only (create); a GET there has nothing to edit
            return HttpResponseNotAllowed(["POST"], content="Use POST to create a synonym.")
        group = merch.synonym_group_get(shop=self.get_shop(), group_id=pk)
        if group is None:
            raise Http404("No such synonym group in this shop.")
        form = {
            "group_id": group.pk,
            "terms": ", ".join(group.terms),
            "root": group.root,
            "direction": "one_way" if group.is_one_way else "two_way",
        }
        return self.answer(self.template, {"synonym_form": form})

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        shop = self.get_shop()
        if pk is not None and merch.synonym_group_get(shop=shop, group_id=pk) is None:
            raise Http404("No such synonym group in this shop.")
        form: dict[str, Any] = {
            "group_id": pk,
            "terms": request.POST.get("terms", "")[:2000],
            "root": request.POST.get("root", "")[:200],
            "direction": request.POST.get("direction", "two_way"),
        }
        try:
            if form["direction"] not in ("two_way", "one_way"):
                raise MerchandisingInvalid("direction", "choose both ways or one way")
            if form["direction"] == "one_way" and not form["root"].strip():
                raise MerchandisingInvalid("root", "enter the word whose searches gain the others")
            group = services.synonym_group_save(
                shop=shop,
                terms=form["terms"],
                root=form["root"] if form["direction"] == "one_way" else "",
                group_id=pk,
            )
        except MerchandisingInvalid as exc:
            form["errors"] = {exc.field: page.message(exc)}
            return self.answer(self.template, {"synonym_form": form}, status=422)
        return self.answer(self.template, {"synonym_saved": group})


class SynonymDeleteView(MerchandisingPage):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        shop = self.get_shop()
        if merch.synonym_group_get(shop=shop, group_id=pk) is None:
            raise Http404("No such synonym group in this shop.")
        services.synonym_group_delete(shop=shop, group_id=pk)
        return self.answer("adminui/merchandising/_synonyms.html")


class NavRuleView(MerchandisingPage):
    template = "adminui/merchandising/_nav.html"

    def post(self, request: HttpRequest) -> HttpResponse:
        shop = self.get_shop()
        form: dict[str, Any] = {
            "nav_action": request.POST.get("nav_action", ""),
            "nav_collections": request.POST.get("nav_collections", "")[:4000],
            "nav_segment": request.POST.get("nav_segment", "")[:64],
        }
        try:
            services.nav_rule_save(
                shop=shop,
                action=form["nav_action"],
                collections=form["nav_collections"],
                segment_key=form["nav_segment"],
            )
        except MerchandisingInvalid as exc:
            form["errors"] = {exc.field: page.message(exc)}
            return self.answer(self.template, {"nav_form": form}, status=422)
        return self.answer(self.template)


class NavRuleDeleteView(MerchandisingPage):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        shop = self.get_shop()
        if not any(rule.pk == pk for rule in merch.nav_rule_list(shop=shop)):
            raise Http404("No such menu rule in this shop.")
        services.nav_rule_delete(shop=shop, rule_id=pk)
        return self.answer("adminui/merchandising/_nav.html")


class SearchPreviewView(MerchandisingPage):
    def get(self, request: HttpRequest) -> HttpResponse:
        shop = self.get_shop()
        persona, error = persona_for(
            shop=shop,
            persona=request.GET.get("persona", "new_visitor"),
            customer=request.GET.get("customer", "")[:254],
        )
        if error is not None:
            return self.partial("adminui/merchandising/_preview.html", {"error": error}, status=422)
        preview = page.search_preview(shop=shop, query=request.GET.get("q", ""), persona=persona)
        return self.partial("adminui/merchandising/_preview.html", {"preview": preview})
