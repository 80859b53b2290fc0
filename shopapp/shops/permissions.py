from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from shopapp.shops.auth import ShopCredential


class HasShop(BasePermission):
    """A verified credential resolved a shop (any kind)."""

    message = "Authentication required: a storefront key or an admin session."

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, ShopCredential)


class IsShopAdmin(BasePermission):
    """Only the shop's admins: customer data never leaves through the public storefront key."""

    message = "This endpoint needs an admin session for the shop."

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, ShopCredential) and request.auth.is_admin
