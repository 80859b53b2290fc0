"""Privacy: consent mode and retention, customer export and erasure requests, the audit log."""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from personalization.privacy.models import (
    EVENT_RETENTION_DAYS,
    PROFILE_RETENTION_DAYS,
    ConsentMode,
    PrivacyAction,
    PrivacySettings,
    PrivacyStatus,
)
from personalization.privacy.selectors import retention_last_run
from shopapp.adminui.selectors import (
    privacy_request_get,
    privacy_request_list,
    privacy_settings_get,
)
from shopapp.adminui.services import (
    AdminInputInvalid,
    FiledRequest,
    privacy_request_file,
    privacy_settings_save,
    retention_run_now,
)
from shopapp.adminui.views.base import AdminPage, is_htmx
from shopapp.shops.models import Shop


def _settings_context(settings: PrivacySettings, **extra: Any) -> dict[str, Any]:
    return {
        "settings": settings,
        "consent_modes": ConsentMode.choices,
        "event_days": EVENT_RETENTION_DAYS,
        "profile_days": PROFILE_RETENTION_DAYS,
        "errors": {},
        **extra,
    }


def _requests_context(shop: Shop, **extra: Any) -> dict[str, Any]:
    return {
        "requests": privacy_request_list(shop=shop),
        "request_errors": {},
        "form": {"action": "export", "customer": ""},
        **extra,
    }


class PrivacyView(AdminPage):
    nav_key = "privacy"

    def get(self, request: HttpRequest) -> HttpResponse:
        shop = self.get_shop()
        context = {
            **_settings_context(privacy_settings_get(shop=shop)),
            **_requests_context(shop),
            "retention_last": retention_last_run(shop=shop),
        }
        return self.page("adminui/privacy/page.html", context)


class PrivacySettingsView(AdminPage):
    def post(self, request: HttpRequest) -> HttpResponse:
        shop = self.get_shop()
        data = request.POST
        try:
            settings = privacy_settings_save(
                shop=shop,
                consent_mode=data.get("consent_mode", ""),
                event_retention_days=data.get("event_retention_days", ""),
                anonymous_profile_retention_days=data.get("anonymous_profile_retention_days", ""),
            )
        except AdminInputInvalid as exc:
            unsaved = privacy_settings_get(shop=shop)
            context = _settings_context(
                unsaved, errors={exc.field: exc.message[:1].upper() + exc.message[1:] + "."}
            )
            return self._answer(context, status=422)
        return self._answer(_settings_context(settings, saved=True))

    def _answer(self, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
        if is_htmx(self.request):
            return self.partial("adminui/privacy/_settings.html", context, status=status)
        if status != 200:
            return self.page(
                "adminui/privacy/page.html",
                {**context, **_requests_context(self.get_shop())},
                status=status,
            )
        return self.go("adminui:privacy")


class PrivacyRetentionView(AdminPage):
    """Apply the retention windows now (the nightly task does the same) and show the run."""

    def post(self, request: HttpRequest) -> HttpResponse:
        run = retention_run_now(shop=self.get_shop())
        if is_htmx(request):
            return self.partial(
                "adminui/privacy/_retention.html",
                {"retention_last": run, "retention_ran": True},
                headers={"HX-Trigger": "privacyLogChanged"},
            )
        return self.go("adminui:privacy")


class PrivacyRequestView(AdminPage):
    """File an export or an erasure for one customer; both run now and are logged. GET: the
    section again, for htmx after another card added to the log."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._answer(_requests_context(self.get_shop()))

    def post(self, request: HttpRequest) -> HttpResponse:
        shop = self.get_shop()
        form = {
            "action": request.POST.get("action", ""),
            "customer": request.POST.get("customer", "")[:254],
        }
        try:
            filed: FiledRequest | None = privacy_request_file(
                shop=shop,
                action=form["action"],
                identifier=form["customer"],
                confirmed=request.POST.get("confirm") == "on",
            )
        except AdminInputInvalid as exc:
            message = exc.message[:1].upper() + exc.message[1:] + "."
            context = _requests_context(shop, form=form, request_errors={exc.field: message})
            return self._answer(context, status=422)
        return self._answer(_requests_context(shop, filed=filed))

    def _answer(self, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
        if is_htmx(self.request):
            return self.partial("adminui/privacy/_requests.html", context, status=status)
        if status != 200:
            settings = privacy_settings_get(shop=self.get_shop())
            return self.page(
                "adminui/privacy/page.html",
                {**_settings_context(settings), **context},
                status=status,
            )
        return self.go("adminui:privacy")


class PrivacyExportDownloadView(AdminPage):
    """An export's data as a JSON file, for the merchant to hand to the customer."""

    def get(self, request: HttpRequest, request_id: int) -> HttpResponse:
        privacy_request = privacy_request_get(shop=self.get_shop(), request_id=request_id)
        if privacy_request is None or privacy_request.action != PrivacyAction.EXPORT:
            raise Http404("No export with this id in this shop.")
        if privacy_request.status != PrivacyStatus.DONE:
            return HttpResponse("The export has not finished.", status=409)
        if "purged_by_erasure" in privacy_request.result:
            return HttpResponse("This export was deleted when the customer was erased.", status=410)
        body = json.dumps(privacy_request.result, indent=2, ensure_ascii=False, sort_keys=True)
        filename = f"customer-export-{privacy_request.pk}.json"
        return HttpResponse(
            body,
            content_type="application/json; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store",
            },
        )
