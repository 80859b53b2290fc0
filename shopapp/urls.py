from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import include, path


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("shopapp.catalog.urls")),
    path("api/v1/", include("personalization.events.urls")),
    path("api/v1/", include("personalization.decisions.urls")),
    path("api/v1/", include("personalization.campaigns.urls")),
    path("app/", include("shopapp.adminui.urls")),
    path("", include("personalization.ugc.urls")),
    path("api/v1/", include("personalization.preferences.urls")),
    path("feeds/", include("personalization.audiences.urls")),
    path("messaging/", include("personalization.messaging.urls")),
    path("", include("integrations.shopify.urls")),
    path("", include("integrations.woocommerce.urls")),
]

if settings.DEMO_ENABLED:
    from personalization.preferences.views import demo_quiz

    urlpatterns.append(path("demo/quiz/", demo_quiz, name="demo-quiz"))
    urlpatterns.append(path("demo/", include("shopapp.demo.urls")))
