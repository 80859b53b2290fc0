"""The dashboard: what personalization did over the last 7, 30 or 90 days."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from shopapp.adminui.dashboard import DEFAULT_RANGE, RANGES, dashboard_get
from shopapp.adminui.views.base import AdminPage, is_htmx


class DashboardView(AdminPage):
    nav_key = "dashboard"

    def get(self, request: HttpRequest) -> HttpResponse:
        raw = request.GET.get("days", str(DEFAULT_RANGE))
        if not raw.isdigit() or int(raw) not in RANGES:
            allowed = ", ".join(str(days) for days in RANGES)
            return HttpResponse(f"days: one of {allowed}.", status=400)
        context = {
            "dashboard": dashboard_get(shop=self.get_shop(), days=int(raw)),
            "ranges": RANGES,
        }
        if is_htmx(request) and request.headers.get("HX-Target") == "dashboard":
            return self.partial("adminui/dashboard/_body.html", context)
        return self.page("adminui/dashboard/page.html", context)
