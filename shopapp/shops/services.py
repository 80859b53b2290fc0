"""Writes on shops: creation, installation state, credential rotation."""

from __future__ import annotations

from django.db import transaction

from shopapp.shops.models import InstallState, Platform, Shop


def shop_get_or_create(
    *,
    platform: Platform | str,
    domain: str,
    name: str = "",
    currency: str = "USD",
    timezone_name: str = "UTC",
    is_demo: bool = False,
) -> tuple[Shop, bool]:
    return Shop.objects.get_or_create(
        platform=platform,
        domain=domain.strip().lower(),
        defaults={
            "name": name,
            "currency": currency,
            "timezone": timezone_name,
            "is_demo": is_demo,
        },
    )


@transaction.atomic
def shop_install(*, shop: Shop, credentials: dict[str, str], scopes: list[str]) -> Shop:
    shop = Shop.objects.select_for_update().get(pk=shop.pk)
    shop.credentials = credentials
    shop.granted_scopes = sorted(set(scopes))
    shop.mark_installed()
    shop.save()
    return shop


@transaction.atomic
def shop_uninstall(*, shop: Shop) -> Shop:
    """Revoke credentials but keep the data until the platform asks for redaction."""
    from django.utils import timezone

    shop = Shop.objects.select_for_update().get(pk=shop.pk)
    shop.credentials = {}
    shop.install_state = InstallState.UNINSTALLED
    shop.uninstalled_at = timezone.now()
    shop.save()
    return shop


__all__ = ["shop_get_or_create", "shop_install", "shop_uninstall"]
