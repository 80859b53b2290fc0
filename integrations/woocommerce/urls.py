from __future__ import annotations

from django.urls import path

from integrations.woocommerce import views

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
    path("api/v1/woocommerce/plugin/claim", views.plugin_claim, name="plugin_claim"),
]
