"""Background work for campaigns: refilling coupon pools on the platform."""

from __future__ import annotations

from celery import shared_task

from personalization.campaigns.coupons import CouponPlatformError, coupon_pool_refill
from personalization.campaigns.models import CouponPool
from shopapp.shops.models import InstallState


@shared_task(
    queue="default", soft_time_limit=240, time_limit=300, autoretry_for=(), ignore_result=True
)
def coupon_pool_refill_task(shop_id: int, pool_id: int) -> int:
    pool = CouponPool.objects.select_related("shop").filter(shop_id=shop_id, pk=pool_id).first()
    if pool is None or (
        pool.shop.install_state != InstallState.INSTALLED and not pool.shop.is_demo
    ):
        return 0
    try:
        return coupon_pool_refill(shop=pool.shop, pool=pool)
    except CouponPlatformError:
        return 0


def coupon_pool_refill_later(pool: CouponPool) -> None:
    coupon_pool_refill_task.delay(pool.shop_id, pool.pk)
