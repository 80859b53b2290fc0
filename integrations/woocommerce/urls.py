from __future__ import annotations

from django.urls import path

from integrations.woocommerce import api, privacy, views, webhooks

app_name = "woocommerce"

urlpatterns = [
    path("woocommerce/connect", views.connect, name="connect"),
    path(
        "woocommerce/connect/app-password",
        views.connect_app_password,
        name="connect_app_password",
    ),
    path("woocommerce/auth/callback", views.connect_callback, name="connect_callback"),
    path("woocommerce/auth/return", views.connect_return, name="connect_return"),
    path("woocommerce/webhooks/<str:token>", webhooks.webhook_receive, name="webhooks"),
    path("api/v1/woocommerce/plugin/claim", views.plugin_claim, name="plugin_claim"),
    path("api/v1/woocommerce/privacy/export", privacy.privacy_export, name="privacy_export"),
    path("api/v1/woocommerce/privacy/erase", privacy.privacy_erase, name="privacy_erase"),
    path("api/v1/woocommerce/sync-runs/", api.SyncRunListAPI.as_view(), name="sync_runs"),
    path("api/v1/woocommerce/webhooks/", api.WebhookListAPI.as_view(), name="webhook_list"),
]
