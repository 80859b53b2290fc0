"""Admin JSON for the integration: sync progress, the privacy requests Shopify sent."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from integrations.shopify.models import ComplianceRequest, SyncRun
from personalization.privacy.models import PrivacyAction, PrivacyRequest
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
            "started_at",
            "heartbeat_at",
            "finished_at",
            "errors",
        ]


class SyncRunListAPI(AdminAPIView):
    serializer_class = SyncRunOut

    def base_queryset(self) -> QuerySet[Any]:
        return SyncRun.objects.order_by("-started_at")

    def get(self, request: Request) -> Response:
        runs = self.get_queryset()[:20]
        return Response({"results": SyncRunOut(runs, many=True).data})


class DataRequestExportAPI(AdminAPIView):
    """The export a customers/data_request produced, for the merchant to hand to the customer.
    The request row is not ShopOwned (it outlives the shop), so the shop check is explicit."""

    def get(self, request: Request, pk: int) -> Response:
        shop = self.get_shop()
        compliance = ComplianceRequest.objects.filter(pk=pk, shop_domain=shop.domain).first()
        privacy = compliance.privacy_request if compliance else None
        if (
            privacy is None
            or privacy.shop_id_ref != shop.pk
            or privacy.action != PrivacyAction.EXPORT
        ):
            raise Http404("No export for this shop.")
        assert isinstance(privacy, PrivacyRequest)
        return Response({"data_request_id": compliance.data_request_id, "export": privacy.result})  # type: ignore[union-attr]
