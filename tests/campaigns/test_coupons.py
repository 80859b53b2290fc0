"""Coupon pools against the platform fakes: codes created through Shopify's discount mutation and
WooCommerce's coupons endpoint, one code per person, depletion alerts and the budget cap."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from integrations.shopify.coupons import coupons_for as shopify_coupons_for
from integrations.woocommerce.coupons import coupons_for as woo_coupons_for
from personalization.campaigns.coupons import (
    coupon_client_for,
    coupon_issue,
    coupon_pool_refill,
    coupon_pool_stock,
)
from personalization.campaigns.models import Coupon, CouponAlert, CouponPool
from shopapp.shops.models import Shop
from tests.integrations.shopify.conftest import SHOP, make_fake
from tests.integrations.woocommerce.conftest import connected_shop

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def shopify_shop(shopify_settings):
    fake = make_fake(shopify_settings)
    fake.add_shop(SHOP)
    shop = Shop.objects.create(platform="shopify", domain=SHOP, install_state="installed")
    shop.credentials = {"access_token": fake._issue(SHOP, expiring=False)["access_token"]}
    shop.save()
    yield shop, fake
    fake.stop()


def test_shopify_codes_are_created_with_the_discount_mutation(shopify_shop):
    # given a 15 % pool on a Shopify shop
    shop, fake = shopify_shop
    pool = CouponPool.objects.create(
        shop=shop, name="Welcome", prefix="HELLO", amount=Decimal("15"), valid_days=7
    )
    # when three codes are made through the configured client
    made = coupon_pool_refill(
        shop=shop, pool=pool, client=coupon_client_for(shop), count=3, now=NOW
    )
    # then Shopify holds three single-use discounts with our codes and a 0.15 percentage
    assert made == 3
    codes = list(Coupon.objects.filter(pool=pool).values_list("code", "platform_id"))
    discounts = fake.graphql[SHOP].discounts.codes
    assert sorted(discounts) == sorted(code for code, _ in codes)
    assert [pid for _, pid in codes] == [
        "gid://shopify/DiscountCodeNode/1",
        "gid://shopify/DiscountCodeNode/2",
        "gid://shopify/DiscountCodeNode/3",
    ]
    first = discounts[codes[0][0]]
    assert first["usageLimit"] == 1
    assert first["customerGets"]["value"] == {"percentage": 0.15}
    assert first["context"] == {"all": "ALL"}
    assert first["startsAt"] == "2026-11-24T09:00:00+00:00"
    assert first["endsAt"] == "2026-12-01T09:00:00+00:00"
    assert all(code.startswith("HELLO-") and len(code) == 14 for code, _ in codes)


def test_a_shopify_refusal_becomes_one_alert_and_stops_the_refill(shopify_shop):
    shop, fake = shopify_shop
    pool = CouponPool.objects.create(shop=shop, name="Welcome", amount=Decimal("5"))
    fake.graphql[SHOP].discounts.fail_with = "Discount limit reached for this shop"
    made = coupon_pool_refill(shop=shop, pool=pool, client=shopify_coupons_for(shop), count=4)
    made_again = coupon_pool_refill(shop=shop, pool=pool, client=shopify_coupons_for(shop), count=4)
    assert (made, made_again) == (0, 0)
    alerts = list(CouponAlert.objects.filter(pool=pool).values_list("kind", "message"))
    assert alerts == [("platform_error", "Welcome: Shopify: Discount limit reached for this shop")]


def test_woocommerce_codes_are_created_through_the_coupons_endpoint(woo_settings, fake_woo):
    # given a connected WooCommerce store and a fixed-amount pool
    shop = connected_shop(fake_woo)
    pool = CouponPool.objects.create(
        shop=shop,
        name="Come back",
        prefix="BACK",
        discount_type=CouponPool.DiscountType.FIXED_AMOUNT,
        amount=Decimal("5.00"),
    )
    # when two codes are made
    made = coupon_pool_refill(shop=shop, pool=pool, client=woo_coupons_for(shop), count=2, now=NOW)
    # then the store holds two single-use fixed-cart coupons under our (lower-cased) codes
    assert made == 2
    stored = sorted(fake_woo.coupons.coupons.values(), key=lambda c: c["id"])
    ours = list(Coupon.objects.filter(pool=pool).order_by("pk").values_list("code", "platform_id"))
    assert [c["code"] for c in stored] == [code.lower() for code, _ in ours]
    assert [str(c["id"]) for c in stored] == [pid for _, pid in ours]
    assert {(c["discount_type"], c["amount"], c["usage_limit"]) for c in stored} == {
        ("fixed_cart", "5.00", 1)
    }
    assert stored[0]["date_expires"] == "2026-12-08T09:00:00"
    assert ("POST", "/wc/v3/coupons", {}) in [
        (m, r, {k: v for k, v in q.items() if not k.startswith("oauth_")})
        for m, r, q in fake_woo.requests
    ]


def test_one_code_per_visitor_and_a_depletion_alert(shop):
    # given a demo-style pool of 3 local codes that alerts under 2 left
    shop.is_demo = True
    shop.save()
    pool = CouponPool.objects.create(shop=shop, name="Exit", amount=Decimal("10"), alert_below=2)
    assert coupon_pool_refill(shop=shop, pool=pool, count=3) == 3
    refills: list[int] = []
    # when one visitor asks twice and another once
    first = coupon_issue(shop=shop, pool=pool, visitor_key="v-1", on_low_stock=refills.append)
    again = coupon_issue(shop=shop, pool=pool, visitor_key="v-1", on_low_stock=refills.append)
    other = coupon_issue(shop=shop, pool=pool, visitor_key="v-2", on_low_stock=refills.append)
    # then the first visitor keeps one code, the second gets another, one code is left
    assert first is not None
    assert again is not None
    assert other is not None
    assert first.pk == again.pk != other.pk
    assert coupon_pool_stock(shop=shop, pool=pool) == 1
    # and one low-stock alert is open (not one per issue)
    assert list(CouponAlert.objects.filter(pool=pool).values_list("kind", "message")) == [
        ("low_stock", "Exit: 1 unissued code left.")
    ]


def test_the_budget_cap_stops_creation(shop):
    shop.is_demo = True
    shop.save()
    pool = CouponPool.objects.create(shop=shop, name="Tiny", amount=Decimal("10"), budget_codes=4)
    assert coupon_pool_refill(shop=shop, pool=pool, count=3) == 3
    assert coupon_pool_refill(shop=shop, pool=pool, count=3) == 1
    assert coupon_pool_refill(shop=shop, pool=pool, count=3) == 0
    assert Coupon.objects.filter(pool=pool).count() == 4
    assert list(CouponAlert.objects.filter(pool=pool).values_list("kind", flat=True)) == [
        "budget_reached"
    ]
    # an empty pool issues nothing rather than failing
    for n in range(4):
        assert coupon_issue(shop=shop, pool=pool, visitor_key=f"v{n}") is not None
    assert coupon_issue(shop=shop, pool=pool, visitor_key="v-late") is None


def test_another_shops_pool_cannot_issue(shop, other_shop):
    pool = CouponPool.objects.create(shop=other_shop, name="Theirs", amount=Decimal("10"))
    with pytest.raises(ValueError, match="pool: not in this shop"):
        coupon_issue(shop=shop, pool=pool, visitor_key="v")
