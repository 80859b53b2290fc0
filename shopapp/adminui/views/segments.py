"""Segments: the list with sizes and trends, the rule builder with its live count, refresh."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.text import slugify

from personalization.engine.segment_rules import RuleError
from personalization.segments.models import Segment, SegmentKind
from personalization.segments.services import SegmentInvalid, segment_save, segments_refresh
from shopapp.adminui import rule_builder, segment_count
from shopapp.adminui.charts import line_chart
from shopapp.adminui.rule_builder import BuilderForm, ConditionRow
from shopapp.adminui.selectors import TREND_DAYS, daily_sizes, segment_overview
from shopapp.adminui.views.base import AdminPage, is_htmx
from shopapp.languages.text import lazy_text as _lazy

NAME_MAX = 120
DESCRIPTION_MAX = 300


class SegmentListView(AdminPage):
    nav_key = "segments"

    def get(self, request: HttpRequest) -> HttpResponse:
        overview = segment_overview(shop=self.get_shop())
        return self.page("adminui/segments/list.html", {"overview": overview})


class SegmentRefreshView(AdminPage):
    """Re-evaluate every segment now (the nightly job does the same)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        shop = self.get_shop()
        sizes = segments_refresh(shop=shop)
        segment_count.forget(shop.pk)
        note = f"Sizes refreshed: {len(sizes)} segments evaluated."
        if is_htmx(request):
            return self.partial(
                "adminui/segments/_list.html",
                {"overview": segment_overview(shop=shop), "note": note},
            )
        messages.success(request, note)
        return self.go("adminui:segments")


def _default_form() -> BuilderForm:
    return BuilderForm(
        match="all", rows=[ConditionRow(index=0, field="orders", op="gte", value="1")]
    )


class SegmentEditorView(AdminPage):
    """New rule segment (no pk), or an existing one: rule segments open in the builder; built-in
    and clustered ones are read-only, with their definition and trend."""

    nav_key = "segments"

    def base_queryset(self) -> QuerySet[Segment]:
        return Segment.objects.all()

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        if pk is None:
            return self._editor(None, _default_form(), name="", description="")
        segment = self.get_object()
        form = (
            rule_builder.form_from_rule(segment.rule) if segment.kind == SegmentKind.RULE else None
        )
        if form is None:
            return self._detail(segment)
        return self._editor(segment, form, name=segment.name, description=segment.description)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        shop = self.get_shop()
        segment = self.get_object() if pk is not None else None
        if segment is not None and segment.kind != SegmentKind.RULE:
            return HttpResponse(
                f"{segment.get_kind_display()} segments are not edited here.", status=409
            )
        form = rule_builder.parse_form(request.POST)
        name = request.POST.get("name", "").strip()[:NAME_MAX]
        description = request.POST.get("description", "").strip()[:DESCRIPTION_MAX]
        errors: dict[str, str] = {}
        rule = rule_builder.validate(form)
        key = segment.key if segment else slugify(name)[:64]
        if not name:
            errors["name"] = _lazy("Give the segment a name.")
        elif not key:
            errors["name"] = _lazy("Use letters or digits in the name.")
        elif segment is None and Segment.objects.filter(shop=shop, key=key).exists():
            errors["name"] = _lazy("A segment with this name exists; choose another name.")
        if rule is not None and not errors:
            try:
                saved = segment_save(
                    shop=shop, name=name, rule=rule, description=description, key=key
                )
            except SegmentInvalid as exc:
                errors["name" if exc.field == "name" else "rule"] = exc.message
            else:
                segment_count.forget(shop.pk)
                messages.success(
                    request,
                    f"Saved “{saved.name}”. Its size updates with the next refresh.",
                )
                return self.go("adminui:segment", saved.pk)
        return self._editor(
            segment, form, name=name, description=description, errors=errors, status=422
        )

    def _editor(
        self,
        segment: Segment | None,
        form: BuilderForm,
        *,
        name: str,
        description: str,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> HttpResponse:
        context: dict[str, Any] = {
            "segment": segment,
            "form": form,
            "name": name,
            "description": description,
            "errors": errors or {},
            "count": _count_for(self.get_shop(), form),
            **_builder_choices(),
        }
        template = (
            "adminui/segments/_editor_form.html"
            if is_htmx(self.request)
            else "adminui/segments/editor.html"
        )
        if is_htmx(self.request):
            return self.partial(template, context, status=status)
        return self.page(template, context, status=status)

    def _detail(self, segment: Segment) -> HttpResponse:
        shop = self.get_shop()
        since = timezone.now() - timedelta(days=TREND_DAYS)
        sizes = daily_sizes(shop=shop, segment_ids=[segment.pk], since=since).get(segment.pk, {})
        days = sorted(sizes)
        chart = line_chart(
            [day.strftime("%-d %b") for day in days], [(segment.name, [sizes[d] for d in days])]
        )
        context = {
            "segment": segment,
            "rule_text": rule_builder.describe_rule(segment.rule),
            "chart": chart,
        }
        return self.page("adminui/segments/detail.html", context)


def _builder_choices() -> dict[str, Any]:
    return {"field_groups": rule_builder.field_choices(), "matches": rule_builder.MATCHES}


def _count_for(shop: Any, form: BuilderForm) -> segment_count.LiveCount | None:
    rule = rule_builder.validate(form)
    if rule is None:
        return None
    try:
        return segment_count.rule_count(shop=shop, rule=rule)
    except RuleError:  # validate() compiled it already; kept for safety of the live path
        return None


class SegmentCountView(AdminPage):
    """The live count, as the admin types. Always 200: an invalid draft is an answer ("this
    cannot be counted, because..."), shown next to its row, not a failed request."""

    def post(self, request: HttpRequest) -> HttpResponse:
        form = rule_builder.parse_form(request.POST)
        count = _count_for(self.get_shop(), form)
        return self.partial(
            "adminui/segments/_live_count.html", {"form": form, "count": count, "oob": True}
        )


class SegmentRowsView(AdminPage):
    """Add, remove or redraw condition rows (a field change changes the ops and value inputs)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        form = rule_builder.parse_form(request.POST)
        action = request.POST.get("action", "refresh")
        focus_row: int | None = None
        focus_add = False
        if action == "add":
            form = rule_builder.with_row_added(form)
            focus_row = form.rows[-1].index if form.rows else None
        elif action == "remove":
            try:
                index = int(request.POST.get("row", ""))
            except ValueError:
                return HttpResponse("row: a row number is required.", status=400)
            form = rule_builder.with_row_removed(form, index)
            focus_add = True
        elif action != "refresh":
            return HttpResponse("action: one of add, remove, refresh.", status=400)
        context = {
            "form": form,
            "focus_row": focus_row,
            "focus_add": focus_add,
            **_builder_choices(),
        }
        return self.partial(
            "adminui/segments/_rule_rows.html",
            context,
            headers={"HX-Trigger-After-Settle": "rulesChanged"},
        )
