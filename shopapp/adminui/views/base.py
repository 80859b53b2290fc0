"""The base of every admin page and partial, and the helpers they share.

`AdminPage` is an `AdminShopView` (the shop comes from the verified credential, every query is
scoped) that adds what all pages need:

- CSRF for cookie sessions only: a request that carries a platform session token (`Authorization:
  Bearer`, verified by the base class) is no ambient credential, and inside the Shopify admin's
  iframe the CSRF cookie is a third-party cookie the browser may drop.
- htmx requests without a session get 401 and `HX-Redirect` to the sign-in page, so htmx does not
  swap a sign-in page into a card.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from shopapp.shops.scoping import AdminShopView

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
NAV = (
    ("home", "adminui:home", "Home"),
    ("onboarding", "adminui:onboarding", "Setup"),
    ("dashboard", "adminui:dashboard", "Dashboard"),
    ("segments", "adminui:segments", "Segments"),
    ("placements", "adminui:placements", "Placements"),
    ("merchandising", "adminui:merchandising", "Search"),
    ("campaigns", "adminui:campaigns", "Campaigns"),
    ("experiments", "adminui:experiments", "Experiments"),
    ("privacy", "adminui:privacy", "Privacy"),
    ("ugc", "adminui:ugc", "Customer content"),
    ("quiz", "adminui:quiz", "Quiz"),
    ("shoppers", "adminui:shoppers", "Shoppers"),
    ("audiences", "adminui:audiences", "Audiences"),
    ("evaluation", "adminui:evaluation", "Quality"),
)
# Query parameters an embedded page keeps on its links, so the next page load can be verified.
EMBEDDED_PARAMS = ("embedded", "shop", "host", "locale")


def _no_view_response(request: HttpRequest) -> HttpResponse:
    raise AssertionError("process_view does not call the view")


def _has_bearer_token(request: HttpRequest) -> bool:
    return request.headers.get("Authorization", "").startswith("Bearer ")


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def is_embedded(request: HttpRequest) -> bool:
    credential = getattr(request, "shop_credential", None)
    return getattr(credential, "kind", "") == "session_token"


def embedded_query(request: HttpRequest) -> str:
    if not is_embedded(request):
        return ""
    kept = request.GET.copy()
    for key in list(kept):
        if key not in EMBEDDED_PARAMS:
            del kept[key]
    kept["embedded"] = "1"
    return kept.urlencode()


def app_url(request: HttpRequest, name: str, *args: Any) -> str:
    url = reverse(name, args=args)
    query = embedded_query(request)
    return f"{url}?{query}" if query else url


class AdminPage(AdminShopView):
    nav_key = ""

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        # CSRF is enforced in dispatch, for cookie sessions only (see the module docstring).
        return csrf_exempt(super().as_view(**initkwargs))

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in SAFE_METHODS and not _has_bearer_token(request):
            rejected = CsrfViewMiddleware(_no_view_response).process_view(request, None, (), {})  # type: ignore[arg-type]
            if rejected is not None:
                return rejected
        return super().dispatch(request, *args, **kwargs)

    def handle_no_permission(self) -> HttpResponseRedirect | HttpResponse:  # type: ignore[override]
        if is_htmx(self.request):
            # Back to the page the partial was on (htmx says which), not to the partial itself.
            htmx_details = getattr(self.request, "htmx", None)
            page = getattr(htmx_details, "current_url_abs_path", None) or self.request.path
            sign_in = f"{settings.LOGIN_URL}?{urlencode({'next': page})}"
            return HttpResponse("Sign in again.", status=401, headers={"HX-Redirect": sign_in})
        return super().handle_no_permission()

    def page(
        self,
        template: str,
        context: dict[str, Any],
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> HttpResponse:
        shop = self.get_shop()
        request = self.request
        nav = [
            {"key": key, "url": app_url(request, name), "label": label} for key, name, label in NAV
        ]
        full = {
            "shop": shop,
            "nav": nav,
            "nav_key": self.nav_key,
            "embedded_query": embedded_query(request),
            **context,
        }
        response = render(request, template, full, status=status)
        for key, value in (headers or {}).items():
            response[key] = value
        return response

    def partial(
        self,
        template: str,
        context: dict[str, Any],
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> HttpResponse:
        full = {"shop": self.get_shop(), "embedded_query": embedded_query(self.request), **context}
        response = render(self.request, template, full, status=status)
        for key, value in (headers or {}).items():
            response[key] = value
        return response

    def go(self, name: str, *args: Any) -> HttpResponse:
        """After a write: htmx follows `HX-Redirect`; a plain form gets 303 See Other."""
        url = app_url(self.request, name, *args)
        if is_htmx(self.request):
            return HttpResponse(status=204, headers={"HX-Redirect": url})
        return HttpResponse(status=303, headers={"Location": url})
