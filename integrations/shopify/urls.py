from __future__ import annotations

from django.urls import path

from integrations.shopify import api, proxy, views, webhooks

app_name = "shopify"

urlpatterns = [
    path("shopify/", views.AppHomeView.as_view(), name="app_home"),
    path("shopify/webhooks", webhooks.webhook_receive, name="webhooks"),
    path("shopify/proxy/identity", proxy.proxy_identity, name="proxy_identity"),
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
