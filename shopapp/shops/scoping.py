"""The one place where tenant scoping happens for API and admin views.

Subclasses say *what* they list through `base_queryset()`; the base class adds `shop=` from the
verified credential. Overriding `get_queryset`, `get_object` or `get_shop` is refused when the class
is defined, so no view can forget or bypass the filter. A deliberate cross-shop read must live in a
selector named `dangerously_...`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import AccessMixin
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.views import View
from rest_framework import generics

from shopapp.shops.auth import (
    AdminSessionAuthentication,
    SessionTokenAuthentication,
    SessionTokenInvalid,
    ShopCredential,
    StorefrontKeyAuthentication,
    admin_session_credential,
    session_token_credential,
)
from shopapp.shops.models import Shop, ShopOwned
from shopapp.shops.permissions import HasShop, IsShopAdmin

SEALED_METHODS = ("get_queryset", "get_object", "get_shop")


class ShopScopedMixin:
    """Scopes every query to the credential's shop; see the module docstring."""

    queryset: Any = None
    lookup_field: str = "pk"
    request: Any

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in SEALED_METHODS:
            if name in cls.__dict__:
                raise TypeError(
                    f"{cls.__qualname__} overrides {name}(); shop scoping is done by "
                    "ShopScopedMixin. Override base_queryset() instead."
                )

    def get_credential(self) -> ShopCredential:
        credential = getattr(self.request, "auth", None)
        if not isinstance(credential, ShopCredential):
            credential = getattr(self.request, "shop_credential", None)
        if not isinstance(credential, ShopCredential):
            raise Http404("No shop for this request.")
        return credential

    def get_shop(self) -> Shop:
        return self.get_credential().shop

    def base_queryset(self) -> QuerySet[Any]:
        if self.queryset is None:
            raise NotImplementedError(f"{type(self).__name__} needs queryset or base_queryset()")
        return self.queryset.all()

    def get_queryset(self) -> QuerySet[Any]:
        queryset = self.base_queryset()
        model: type[Model] = queryset.model
        if not issubclass(model, ShopOwned):
            raise TypeError(f"{model.__name__} is not ShopOwned; it cannot be served per shop")
        return queryset.filter(shop=self.get_shop())

    def get_object(self) -> Any:
        lookup_url_kwarg = getattr(self, "lookup_url_kwarg", None) or self.lookup_field
        value = self.kwargs[lookup_url_kwarg]  # type: ignore[attr-defined]
        obj = get_object_or_404(self.get_queryset(), **{self.lookup_field: value})
        check = getattr(self, "check_object_permissions", None)
        if check is not None:
            check(self.request, obj)
        return obj


class StorefrontAPIView(ShopScopedMixin, generics.GenericAPIView):
    """Public storefront reads: the storefront key (or an admin session, for previews)."""

    authentication_classes = [StorefrontKeyAuthentication, AdminSessionAuthentication]
    permission_classes = [HasShop]


class AdminAPIView(ShopScopedMixin, generics.GenericAPIView):
    """Admin reads and writes: customer data and settings."""

    authentication_classes = [SessionTokenAuthentication, AdminSessionAuthentication]
    permission_classes = [IsShopAdmin]


class AdminShopView(AccessMixin, ShopScopedMixin, View):
    """Admin HTML pages (htmx): the shop comes from a platform session token (embedded in the
    Shopify admin) or else from the admin session."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            credential = session_token_credential(request) or admin_session_credential(request)
        except SessionTokenInvalid as exc:
            return exc.response or HttpResponse("Unauthorized", status=401)
        if credential is None:
            return self.handle_no_permission()
        request.shop_credential = credential  # type: ignore[attr-defined]
        return super().dispatch(request, *args, **kwargs)
