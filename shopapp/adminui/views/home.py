"""The admin home and the sign-in pages. The shop always comes from the verified credential.

Pages that show shop data subclass `AdminPage` (an `AdminShopView`), which redirects to the sign-in page without a
session and scopes everything to the signed-in shop. The sign-in page itself only opens the demo
shop, and only when `DEMO_ENABLED`: real shops sign in through their platform (Shopify admin,
WordPress plugin).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from shopapp.adminui.reconciliation import reconciliation_table
from shopapp.adminui.views.base import AdminPage
from shopapp.catalog.selectors import shop_counts
from shopapp.demo.selectors import demo_shop_get, import_run_latest
from shopapp.languages.text import lazy_text as _lazy
from shopapp.shops.auth import admin_session_credential, admin_session_sign_in
from shopapp.shops.models import Shop

COUNT_LABELS = (
    ("products", _lazy("Products")),
    ("collections", _lazy("Collections")),
    ("customers", _lazy("Customers")),
    ("orders", _lazy("Orders")),
    ("returns", _lazy("Returns")),
)


def _counts_context(shop: Shop) -> dict[str, Any]:
    counts = shop_counts(shop=shop)
    return {"counts": [(key, label, counts.get(key, 0)) for key, label in COUNT_LABELS]}


def _storefront_url(shop: Shop) -> str:
    return "/demo/" if shop.is_demo and settings.DEMO_ENABLED else f"https://{shop.domain}/"


class HomeView(AdminPage):
    nav_key = "home"

    def get(self, request: HttpRequest) -> HttpResponse:
        shop = self.get_shop()
        last_import = import_run_latest(shop=shop)
        context = {
            "shop": shop,
            "storefront_url": _storefront_url(shop),
            "last_import": last_import,
            "reconciliation": reconciliation_table(last_import.report if last_import else None),
            **_counts_context(shop),
        }
        return self.page("adminui/home.html", context)


class CountsPartialView(AdminPage):
    """The counts card alone, for htmx's refresh button (a full page without htmx)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not request.htmx:  # type: ignore[attr-defined]
            return redirect("adminui:home")
        return render(request, "adminui/_counts.html", _counts_context(self.get_shop()))


class SignInView(View):
    template_name = "adminui/sign_in.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        if settings.DEMO_ENABLED and admin_session_credential(request) is not None:
            return redirect("adminui:home")
        return self._page(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        # Without the demo there is nothing to sign in to here: shops come from their platform.
        if not settings.DEMO_ENABLED:
            return self._page(request, status=403)
        shop = demo_shop_get()
        if shop is None:
            return self._page(request, status=404)
        admin_session_sign_in(request, shop)
        return redirect("adminui:home")

    def _page(self, request: HttpRequest, *, status: int = 200) -> HttpResponse:
        demo_shop = demo_shop_get() if settings.DEMO_ENABLED else None
        context = {"demo_enabled": settings.DEMO_ENABLED, "demo_shop": demo_shop}
        return render(request, self.template_name, context, status=status)


class SignOutView(View):
    def post(self, request: HttpRequest) -> HttpResponse:
        # flush() drops the data and the session key, so the old cookie cannot be replayed.
        request.session.flush()
        return redirect("adminui:sign-in")
