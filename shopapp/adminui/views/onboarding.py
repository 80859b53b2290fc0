"""Setup: connection state, sync progress that moves live (htmx polling), and what to do next."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from shopapp.adminui import onboarding
from shopapp.adminui.views.base import AdminPage, app_url, is_htmx

POLL_SECONDS = getattr(settings, "ADMIN_SYNC_POLL_SECONDS", 2)


class OnboardingView(AdminPage):
    nav_key = "onboarding"

    def get(self, request: HttpRequest) -> HttpResponse:
        shop = self.get_shop()
        progress = onboarding.sync_progress(shop=shop)
        link = onboarding.connection(shop=shop)
        items = onboarding.checklist(
            shop=shop,
            progress=progress,
            link=link,
            privacy_url=app_url(request, "adminui:privacy"),
        )
        context = {
            "progress": progress,
            "connection": link,
            "checklist": items,
            "done_count": sum(item.is_done for item in items),
            "poll_seconds": POLL_SECONDS,
        }
        return self.page("adminui/onboarding/page.html", context)


class SyncProgressView(AdminPage):
    """The progress card alone: htmx polls it while the sync runs, and stops when it is done."""

    def get(self, request: HttpRequest) -> HttpResponse:
        progress = onboarding.sync_progress(shop=self.get_shop())
        context = {"progress": progress, "poll_seconds": POLL_SECONDS}
        if not is_htmx(request):
            return self.go("adminui:onboarding")
        return self.partial("adminui/onboarding/_sync.html", context)


class SyncRetryView(AdminPage):
    def post(self, request: HttpRequest) -> HttpResponse:
        shop = self.get_shop()
        current = onboarding.sync_progress(shop=shop)
        if not current.can_retry:
            return HttpResponse("There is no failed sync to retry.", status=409)
        if onboarding.sync_retry(shop=shop) is None:
            return HttpResponse("This store's platform has no sync to retry here.", status=409)
        context = {"progress": onboarding.sync_progress(shop=shop), "poll_seconds": POLL_SECONDS}
        if is_htmx(request):
            return self.partial("adminui/onboarding/_sync.html", context)
        return self.go("adminui:onboarding")
