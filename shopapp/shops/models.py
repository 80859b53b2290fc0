"""The tenant: one Shop per installed store, and the base every tenant-owned table inherits."""

from __future__ import annotations

import secrets
from typing import Any, Self

from django.db import models
from django.utils import timezone

from shopapp.languages.text import lazy_text as _lazy
from shopapp.shops.fields import EncryptedJSONField


class Platform(models.TextChoices):
    SHOPIFY = "shopify", _lazy("Shopify")
    WOOCOMMERCE = "woocommerce", _lazy("WooCommerce")


class InstallState(models.TextChoices):
    PENDING = "pending", _lazy("Pending")
    INSTALLED = "installed", _lazy("Installed")
    NEEDS_REAUTH = "needs_reauth", _lazy("Needs re-authorization")
    UNINSTALLED = "uninstalled", _lazy("Uninstalled")


def new_storefront_key() -> str:
    return "pk_" + secrets.token_urlsafe(24)


class Shop(models.Model):
    platform = models.CharField(max_length=16, choices=Platform.choices)
    domain = models.CharField(max_length=255, help_text="myshopify domain or the store's host")
    name = models.CharField(max_length=255, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    timezone = models.CharField(max_length=64, default="UTC")
    install_state = models.CharField(
        max_length=16, choices=InstallState.choices, default=InstallState.PENDING
    )
    installed_at = models.DateTimeField(null=True, blank=True)
    uninstalled_at = models.DateTimeField(null=True, blank=True)
    granted_scopes = models.JSONField(default=list, blank=True)
    # Tokens / consumer keys, encrypted with FIELD_ENCRYPTION_KEYS; never logged, never serialized.
    credentials = EncryptedJSONField(blank=True, default=dict)
    # Public: identifies the shop in unauthenticated storefront calls (like a publishable key).
    storefront_key = models.CharField(max_length=64, unique=True, default=new_storefront_key)
    # Extra origins allowed to call the storefront API (custom domains); https://{domain} always is.
    storefront_origins = models.JSONField(default=list, blank=True)
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "domain"], name="shop_unique_platform_domain"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name or self.domain} ({self.platform})"

    @property
    def is_active(self) -> bool:
        return self.install_state == InstallState.INSTALLED

    def allows_origin(self, origin: str) -> bool:
        return origin == f"https://{self.domain}" or origin in self.storefront_origins

    def mark_installed(self) -> None:
        self.install_state = InstallState.INSTALLED
        self.installed_at = self.installed_at or timezone.now()
        self.uninstalled_at = None


class ShopOwnedQuerySet(models.QuerySet[Any]):
    def for_shop(self, shop: Shop) -> Self:
        return self.filter(shop=shop)


class ShopOwnedManager(models.Manager.from_queryset(ShopOwnedQuerySet)):  # type: ignore[misc]
    pass


class ShopOwned(models.Model):
    """Every tenant row carries its shop; unique constraints start with `shop`."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+", db_index=True)

    objects = ShopOwnedManager()

    class Meta:
        abstract = True
