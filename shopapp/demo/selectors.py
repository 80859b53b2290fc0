from __future__ import annotations

from django.conf import settings

from shopapp.demo.models import ImportRun, ImportStatus
from shopapp.shops.models import Shop


def import_run_latest(*, shop: Shop) -> ImportRun | None:
    return (
        ImportRun.objects.filter(shop=shop, status=ImportStatus.SUCCEEDED)
        .order_by("-finished_at")
        .first()
    )


def demo_shop_get() -> Shop | None:
    return Shop.objects.filter(is_demo=True, domain=settings.DEMO_SHOP_DOMAIN).first()
