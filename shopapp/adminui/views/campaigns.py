"""Campaigns: the list with results, create from a template, edit with errors on each field, and
an idea from the backlog turned into a campaign in one click."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from personalization.campaigns.builtin import TEMPLATES
from personalization.campaigns.models import (
    Campaign,
    CampaignStatus,
    Placement,
    Trigger,
)
from personalization.campaigns.selectors import (
    campaign_list,
    campaign_results,
    coupon_alerts_open,
    coupon_pool_list,
)
from personalization.campaigns.services import (
    CampaignInput,
    CampaignInvalid,
    campaign_from_idea,
    campaign_save,
    campaign_settings_get,
    campaign_validate,
    template_input,
)
from personalization.experiments.models import Idea, IdeaStatus, TargetKind
from personalization.experiments.selectors import attribution_window_hours_for
from personalization.segments.selectors import segment_list
from shopapp.adminui.campaign_form import input_from_campaign, input_from_post
from shopapp.adminui.views.base import AdminPage
from shopapp.shops.models import Shop


def _window_hours(shop: Shop, campaign: Campaign) -> int:
    """Results count orders within the campaign's experiment's attribution window."""
    return attribution_window_hours_for(
        shop=shop, target_kind=TargetKind.CAMPAIGN, target_key=campaign.key
    )


class CampaignListView(AdminPage):
    nav_key = "campaigns"

    def get(self, request: HttpRequest) -> HttpResponse:
        shop = self.get_shop()
        campaigns = list(campaign_list(shop=shop))
        rows = []
        for campaign in campaigns:
            results = campaign_results(
                shop=shop, campaign=campaign, window_hours=_window_hours(shop, campaign)
            )
            rows.append(
                {
                    "campaign": campaign,
                    "reached": sum(r.reached for r in results.values()),
                    "clicks": sum(r.clicks for r in results.values()),
                    "orders": sum(r.orders for r in results.values()),
                }
            )
        ideas = Idea.objects.filter(shop=shop, status=IdeaStatus.BACKLOG).exclude(
            campaign_template=""
        )
        return self.page(
            "adminui/campaigns/list.html",
            {
                "rows": rows,
                "templates": TEMPLATES.values(),
                "alerts": coupon_alerts_open(shop=shop),
                "ideas": sorted(ideas, key=lambda i: -i.rice_score),
                "settings": campaign_settings_get(shop=shop),
                "error": request.GET.get("error", ""),
            },
        )


class _CampaignForm(AdminPage):
    nav_key = "campaigns"

    def _context(
        self, data: CampaignInput, errors: dict[str, str], campaign: Campaign | None
    ) -> dict[str, Any]:
        shop = self.get_shop()
        return {
            "campaign": campaign,
            "data": data,
            "content": data.content,
            "errors": errors,
            "segments": segment_list(shop=shop),
            "pools": coupon_pool_list(shop=shop),
            "placements": Placement.choices,
            "triggers": Trigger.choices,
            "statuses": CampaignStatus.choices,
            "product_blocks": (
                ("", "None"),
                ("cart", "The shopper's cart"),
                ("recommended", "Recommended for them"),
                ("related", "Related to the product on the page"),
            ),
        }

    def _save(
        self, request: HttpRequest, base: CampaignInput, campaign: Campaign | None
    ) -> HttpResponse:
        data, errors = input_from_post(request.POST, base)
        if errors:
            # The rest of the form is checked too, so every mistake shows at once.
            errors = {
                **campaign_validate(shop=self.get_shop(), data=data, campaign=campaign),
                **errors,
            }
        else:
            try:
                saved = campaign_save(shop=self.get_shop(), data=data, campaign=campaign)
            except CampaignInvalid as exc:
                errors = exc.errors
            else:
                return self.go("adminui:campaign", saved.pk)
        return self.page(
            "adminui/campaigns/edit.html", self._context(data, errors, campaign), status=422
        )


class CampaignNewView(_CampaignForm):
    """A template's settings, prefilled and not yet saved: nothing exists until Save."""

    def _base(self, request: HttpRequest) -> CampaignInput:
        key = request.GET.get("template") or request.POST.get("template") or ""
        if key not in TEMPLATES:
            raise Http404("No such template.")
        return template_input(key)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.page(
            "adminui/campaigns/edit.html", self._context(self._base(request), {}, None)
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        return self._save(request, self._base(request), None)


class CampaignEditView(_CampaignForm):
    def _campaign(self, pk: int) -> Campaign:
        campaign = campaign_list(shop=self.get_shop()).filter(pk=pk).first()
        if campaign is None:
            raise Http404("No such campaign.")
        return campaign

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self._campaign(pk)
        context = self._context(input_from_campaign(campaign), {}, campaign)
        window_hours = _window_hours(self.get_shop(), campaign)
        context["results"] = sorted(
            campaign_results(
                shop=self.get_shop(), campaign=campaign, window_hours=window_hours
            ).values(),
            key=lambda r: r.variant,
        )
        context["window_hours"] = window_hours
        return self.page("adminui/campaigns/edit.html", context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self._campaign(pk)
        return self._save(request, input_from_campaign(campaign), campaign)


class IdeaToCampaignView(AdminPage):
    """One click: the idea becomes a draft campaign, opened for editing."""

    def post(self, request: HttpRequest, idea_id: int) -> HttpResponse:
        try:
            campaign = campaign_from_idea(shop=self.get_shop(), idea_id=idea_id)
        except CampaignInvalid as exc:
            if "idea" in exc.errors:
                raise Http404("No such idea.") from exc
            message = "; ".join(f"{k}: {v}" for k, v in exc.errors.items())
            return self.page("adminui/campaigns/idea_error.html", {"message": message}, status=422)
        return self.go("adminui:campaign", campaign.pk)
