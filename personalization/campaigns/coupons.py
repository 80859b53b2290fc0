"""Coupon pools: unique single-use codes created on the platform ahead of need, handed out one per
person, with depletion alerts and a budget cap.

The platform clients live in `integrations/` and are named in `settings.COUPON_CLIENTS` (by
platform, dotted paths), so this module never imports an integration.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from personalization.campaigns.models import Coupon, CouponAlert, CouponPool
from shopapp.catalog.models import Customer
from shopapp.shops.models import Shop

logger = logging.getLogger(__name__)
# No 0/O or 1/I: codes are read off a screen and typed.
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class CouponPlatformError(Exception):
    """The platform refused or failed to create a code; the message is the platform's."""


@dataclass(frozen=True)
class DiscountSpec:
    title: str
    discount_type: str  # CouponPool.DiscountType
    amount: Decimal
    currency: str
    starts_at: datetime
    ends_at: datetime


class CouponPlatform(Protocol):
    def create_code(self, spec: DiscountSpec, code: str) -> str:
        """Create one single-use code; return its platform id."""
        ...


class LocalCoupons:
    """The demo shop has no platform behind it: codes exist only here."""

    def create_code(self, spec: DiscountSpec, code: str) -> str:
        return f"local:{code}"


def coupon_client_for(shop: Shop) -> CouponPlatform:
    if shop.is_demo:
        return LocalCoupons()
    path = dict(getattr(settings, "COUPON_CLIENTS", {})).get(shop.platform)
    if not path:
        raise CouponPlatformError(f"no coupon client for {shop.platform}")
    factory: Callable[[Shop], CouponPlatform] = import_string(path)
    return factory(shop)


def new_code(prefix: str) -> str:
    return f"{prefix}-{''.join(secrets.choice(_ALPHABET) for _ in range(8))}"


def _alert(shop: Shop, pool: CouponPool, kind: str, message: str) -> None:
    """One open alert per pool and kind: a merchant is told once, not on every issue."""
    if not CouponAlert.objects.filter(shop=shop, pool=pool, kind=kind, is_resolved=False).exists():
        CouponAlert.objects.create(shop=shop, pool=pool, kind=kind, message=message[:300])
        logger.warning("coupon pool %s (shop %s): %s", pool.pk, shop.pk, message)


def coupon_pool_stock(*, shop: Shop, pool: CouponPool) -> int:
    return Coupon.objects.filter(shop=shop, pool=pool, issued_at__isnull=True).count()


def coupon_pool_refill(
    *,
    shop: Shop,
    pool: CouponPool,
    client: CouponPlatform | None = None,
    count: int | None = None,
    now: datetime | None = None,
) -> int:
    """Create up to `count` (default: the pool's refill size) new codes on the platform, never
    past the budget cap. Returns how many were created."""
    created_so_far = Coupon.objects.filter(shop=shop, pool=pool).count()
    room = pool.budget_codes - created_so_far
    wanted = min(count if count is not None else pool.refill_size, room)
    if wanted <= 0:
        _alert(
            shop,
            pool,
            CouponAlert.Kind.BUDGET_REACHED,
            f"{pool.name}: all {pool.budget_codes} codes of the budget are created; "
            "raise the budget to create more.",
        )
        return 0
    client = client or coupon_client_for(shop)
    now = now or timezone.now()
    spec = DiscountSpec(
        title=f"{pool.name} (personalization)",
        discount_type=pool.discount_type,
        amount=pool.amount,
        currency=shop.currency,
        starts_at=now,
        ends_at=now + timedelta(days=pool.valid_days),
    )
    made = 0
    for _ in range(wanted):
        code = new_code(pool.prefix)
        try:
            platform_id = client.create_code(spec, code)
        except CouponPlatformError as exc:
            _alert(shop, pool, CouponAlert.Kind.PLATFORM_ERROR, f"{pool.name}: {exc}")
            break
        Coupon.objects.create(shop=shop, pool=pool, code=code, platform_id=platform_id)
        made += 1
    if made:
        CouponAlert.objects.filter(
            shop=shop, pool=pool, kind=CouponAlert.Kind.LOW_STOCK, is_resolved=False
        ).update(is_resolved=True)
    return made


def coupon_issue(
    *,
    shop: Shop,
    pool: CouponPool,
    visitor_key: str = "",
    customer: Customer | None = None,
    on_low_stock: Callable[[CouponPool], None] | None = None,
) -> Coupon | None:
    """The person's code from the pool: the one they already hold, else a fresh one. None when
    the pool is empty. Under `alert_below` codes left, a depletion alert is raised and
    `on_low_stock` (the refill task) is called after commit."""
    if pool.shop_id != shop.pk:
        raise ValueError("pool: not in this shop")
    held = Coupon.objects.filter(shop=shop, pool=pool, issued_at__isnull=False)
    if visitor_key:
        mine = held.filter(issued_to_visitor=visitor_key).first()
        if mine is not None:
            return mine
    elif customer is not None:
        mine = held.filter(issued_to_customer=customer).first()
        if mine is not None:
            return mine
    try:
        with transaction.atomic():
            coupon = (
                Coupon.objects.select_for_update(skip_locked=True)
                .filter(shop=shop, pool=pool, issued_at__isnull=True)
                .order_by("pk")
                .first()
            )
            if coupon is not None:
                coupon.issued_at = timezone.now()
                coupon.issued_to_visitor = visitor_key
                coupon.issued_to_customer = customer
                coupon.save(update_fields=["issued_at", "issued_to_visitor", "issued_to_customer"])
    except IntegrityError:
        # The same visitor raced in another request and won: theirs is the code.
        return held.filter(issued_to_visitor=visitor_key).first()
    stock = coupon_pool_stock(shop=shop, pool=pool)
    if stock < pool.alert_below:
        _alert(
            shop,
            pool,
            CouponAlert.Kind.LOW_STOCK,
            f"{pool.name}: {stock} unissued code{'s' if stock != 1 else ''} left.",
        )
        if on_low_stock is not None:
            transaction.on_commit(lambda: on_low_stock(pool))
    return coupon
