from __future__ import annotations

from django.urls import path

from integrations.shopify import api, proxy, views, webhooks
from personalization.campaigns.api import CampaignInteractionAPI, CampaignOfferAPI
from personalization.decisions.api import decide
from personalization.events.api import events_ingest
from personalization.preferences import api as preferences_api
from personalization.ugc import api as ugc_api

app_name = "shopify"

urlpatterns = [
    path("shopify/", views.AppHomeView.as_view(), name="app_home"),
    path("shopify/webhooks", webhooks.webhook_receive, name="webhooks"),
    path("shopify/proxy/identity", proxy.proxy_identity, name="proxy_identity"),
    # Storefront blocks call these same-origin through https://{shop}/apps/pz/...: the signature
    # names the shop and the logged-in customer, so no storefront key is needed.
    path("shopify/proxy/decide", proxy.app_proxy_view(decide), name="proxy_decide"),
    path("shopify/proxy/events", proxy.app_proxy_view(events_ingest), name="proxy_events"),
    path(
        "shopify/proxy/ugc/gallery", proxy.app_proxy_view(ugc_api.gallery), name="proxy_ugc_gallery"
    ),
    path(
        "shopify/proxy/ugc/highlights",
        proxy.app_proxy_view(ugc_api.highlights),
        name="proxy_ugc_highlights",
    ),
    path(
        "shopify/proxy/ugc/uploads", proxy.app_proxy_view(ugc_api.upload), name="proxy_ugc_upload"
    ),
    path(
        "shopify/proxy/ugc/removal-requests",
        proxy.app_proxy_view(ugc_api.removal_request),
        name="proxy_ugc_removal",
    ),
    path(
        "shopify/proxy/campaigns/offer",
        proxy.app_proxy_view(CampaignOfferAPI.as_view()),
        name="proxy_campaign_offer",
    ),
    path(
        "shopify/proxy/campaigns/interactions",
        proxy.app_proxy_view(CampaignInteractionAPI.as_view()),
        name="proxy_campaign_interactions",
    ),
    # The quiz and preference center blocks: the signature's logged-in customer is whose answers
    # and preferences these are, and whom "forget me" erases.
    path(
        "shopify/proxy/quiz",
        proxy.app_proxy_view(preferences_api.QuizView.as_view()),
        name="proxy_quiz",
    ),
    path(
        "shopify/proxy/quiz/answers",
        proxy.app_proxy_view(preferences_api.QuizAnswersView.as_view()),
        name="proxy_quiz_answers",
    ),
    path(
        "shopify/proxy/preferences",
        proxy.app_proxy_view(preferences_api.PreferencesView.as_view()),
        name="proxy_preferences",
    ),
    path(
        "shopify/proxy/preferences/forget",
        proxy.app_proxy_view(preferences_api.ForgetView.as_view()),
        name="proxy_preferences_forget",
    ),
    path("shopify/auth/patch-id-token", views.patch_id_token, name="patch_id_token"),
    path("shopify/auth/install", views.oauth_install, name="oauth_install"),
    path("shopify/auth/callback", views.oauth_callback, name="oauth_callback"),
    path("api/v1/shopify/sync-runs/", api.SyncRunListAPI.as_view(), name="sync_runs"),
    path(
        "api/v1/shopify/data-requests/<int:pk>/export",
        api.DataRequestExportAPI.as_view(),
        name="data_request_export",
    ),
]
