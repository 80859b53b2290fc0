"""Placements: on/off, strategy and merchant rules per placement, with a persona preview."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from shopapp.adminui import placements
from shopapp.adminui.placements import PERSONA_LABELS, PRODUCT_RULES, Placement
from shopapp.adminui.views.base import AdminPage, is_htmx
from shopapp.catalog.selectors import product_search

SAVED_EVENT = "placementSaved"


def _placement(key: str) -> Placement:
    placement = placements.BY_KEY.get(key)
    if placement is None:
        raise Http404("No such placement.")
    return placement


class PlacementListView(AdminPage):
    nav_key = "placements"

    def get(self, request: HttpRequest) -> HttpResponse:
        configs = placements.configs_by_placement(shop=self.get_shop())
        groups = [
            (group, [(p, configs.get(p.key)) for p in items])
            for group, items in placements.placement_groups()
        ]
        return self.page(
            "adminui/placements/list.html",
            {"groups": groups, "strategy_labels": placements.STRATEGY_LABELS},
        )


class PlacementToggleView(AdminPage):
    """Switch a placement on or off from the list, keeping its other settings."""

    def post(self, request: HttpRequest, key: str) -> HttpResponse:
        shop = self.get_shop()
        placement = _placement(key)
        config = placements.configs_by_placement(shop=shop).get(key)
        form = placements.form_for(shop=shop, placement=placement, config=config)
        form.is_enabled = request.POST.get("is_enabled") == "on"
        rules = dict(config.rules) if config else {}
        config = placements.placement_save(shop=shop, form=form, rules=rules)
        context = {
            "placement": placement,
            "config": config,
            "strategy_labels": placements.STRATEGY_LABELS,
        }
        if is_htmx(request):
            return self.partial("adminui/placements/_row.html", context)
        return self.go("adminui:placements")


class PlacementView(AdminPage):
    nav_key = "placements"

    def get(self, request: HttpRequest, key: str) -> HttpResponse:
        shop = self.get_shop()
        placement = _placement(key)
        config = placements.configs_by_placement(shop=shop).get(key)
        form = placements.form_for(shop=shop, placement=placement, config=config)
        return self.page("adminui/placements/detail.html", self._context(form))

    def post(self, request: HttpRequest, key: str) -> HttpResponse:
        shop = self.get_shop()
        placement = _placement(key)
        form, rules = placements.parse_form(shop=shop, placement=placement, data=request.POST)
        saved = False
        if rules is not None:
            placements.placement_save(shop=shop, form=form, rules=rules)
            saved = True
        context = {**self._context(form), "saved": saved}
        status = 200 if saved else 422
        if is_htmx(request):
            headers = {"HX-Trigger": SAVED_EVENT} if saved else None
            return self.partial(
                "adminui/placements/_form.html", context, status=status, headers=headers
            )
        if saved:
            return self.go("adminui:placement", key)
        return self.page("adminui/placements/detail.html", context, status=status)

    @staticmethod
    def _context(form: placements.PlacementForm) -> dict[str, Any]:
        return {
            "placement": form.placement,
            "form": form,
            "product_rules": PRODUCT_RULES,
            "personas": PERSONA_LABELS,
        }


class PlacementPreviewView(AdminPage):
    def get(self, request: HttpRequest, key: str) -> HttpResponse:
        shop = self.get_shop()
        placement = _placement(key)
        customer = request.GET.get("customer", "")[:254]
        persona, error = placements.persona_for(
            shop=shop, persona=request.GET.get("persona", "new_visitor"), customer=customer
        )
        if error is not None:
            return self.partial(
                "adminui/placements/_preview.html",
                {"placement": placement, "error": error},
                status=422,
            )
        result = placements.preview(shop=shop, placement=placement, persona=persona)
        return self.partial(
            "adminui/placements/_preview.html", {"placement": placement, "preview": result}
        )


class ProductLookupView(AdminPage):
    """Find a product's id by its title, for the rule fields."""

    def get(self, request: HttpRequest) -> HttpResponse:
        query = request.GET.get("q", "").strip()[:100]
        products = (
            list(product_search(shop=self.get_shop(), query=query, limit=8))
            if len(query) >= 2
            else []
        )
        return self.partial(
            "adminui/placements/_lookup.html", {"query": query, "products": products}
        )
