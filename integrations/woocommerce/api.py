"""Admin JSON for the integration: sync progress (phase, rows, ETA, errors) and webhooks."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from integrations.woocommerce.models import SyncRun, WebhookSubscription
from shopapp.shops.scoping import AdminAPIView


class SyncRunOut(serializers.ModelSerializer[SyncRun]):
    eta_seconds = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = SyncRun
        fields = [
            "id",
            "kind",
            "status",
            "phase",
            "phases_done",
            "rows_done",
            "phase_rows_done",
            "phase_rows_total",
            "eta_seconds",
            "counts",
            "started_at",
            "heartbeat_at",
            "finished_at",
            "errors",
        ]


class WebhookOut(serializers.ModelSerializer[WebhookSubscription]):
    class Meta:
        model = WebhookSubscription
        fields = ["topic", "woo_id", "status", "checked_at", "reenabled_count", "last_error"]


class SyncRunListAPI(AdminAPIView):
    def base_queryset(self) -> QuerySet[Any]:
        return SyncRun.objects.order_by("-started_at")

    def get(self, request: Request) -> Response:
        runs = self.get_queryset()[:20]
        return Response({"results": SyncRunOut(runs, many=True).data})


class WebhookListAPI(AdminAPIView):
    def base_queryset(self) -> QuerySet[Any]:
        return WebhookSubscription.objects.order_by("topic")

    def get(self, request: Request) -> Response:
        return Response({"results": WebhookOut(self.get_queryset(), many=True).data})
