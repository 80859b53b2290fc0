"""The quiz and preference center on the /demo/ storefront, as a theme would place the blocks."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static

from personalization.preferences.selectors import quiz_active
from personalization.preferences.services import quiz_starter_create
from shopapp.demo.views import _render, storefront_view
from shopapp.shops.models import Shop

QUIZ_SCRIPT = "storefront/pz-quiz.js"


@storefront_view
def demo_quiz(request: HttpRequest, shop: Shop) -> HttpResponse:
    # The demo shop starts with the starter quiz so the page works on a fresh load.
    if quiz_active(shop=shop) is None:
        quiz_starter_create(shop=shop)
    return _render(
        request,
        shop,
        "preferences/demo_quiz.html",
        {"pz_quiz_script_url": static(QUIZ_SCRIPT)},
        page="quiz",
    )
