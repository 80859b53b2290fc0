"""WooCommerce `products/reviews` into UGC, against the fake store (the real REST contract)."""

from __future__ import annotations

import pytest

from integrations.woocommerce import sync
from integrations.woocommerce.models import Review, SyncKind
from integrations.woocommerce.ugc_reviews import reviews_fetch_and_import, reviews_import
from personalization.ugc import services
from personalization.ugc.models import Content
from tests.integrations.woocommerce.conftest import client_for_fake, connected_shop

pytestmark = pytest.mark.django_db


def test_synced_reviews_become_approved_ugc_once(woo_settings, fake_woo):
    # given a store with products, orders and reviews, synced
    fake_woo.data.generate(products=8, orders=20, reviews=25, seed=3)
    shop = connected_shop(fake_woo)
    sync.sync_run_continue(sync.sync_run_start(shop=shop, kind=SyncKind.FULL))
    approved = Review.objects.filter(shop=shop, status="approved").exclude(body="")
    assert approved.count() > 0
    # when the reviews are imported twice
    first = reviews_import(shop=shop)
    second = reviews_import(shop=shop)
    # then each approved review is one approved, rights-granted UGC review tagged with its product
    assert first.created == approved.count()
    assert (second.created, second.updated) == (0, approved.count())
    reviews = Content.objects.filter(shop=shop, source="woocommerce")
    assert reviews.count() == approved.count()
    assert set(reviews.values_list("status", "has_rights")) == {("approved", True)}
    one = reviews.order_by("external_id").first()
    raw = Review.objects.get(shop=shop, platform_id=one.external_id)
    assert one.creator_name == raw.reviewer_name
    assert list(one.tags.values_list("product__platform_id", flat=True)) == [
        raw.product_platform_id
    ]
    assert "<" not in one.body


def test_a_removed_review_is_not_brought_back_by_the_next_import(woo_settings, fake_woo):
    fake_woo.data.generate(products=4, orders=5, reviews=6, seed=4)
    shop = connected_shop(fake_woo)
    sync.sync_run_continue(sync.sync_run_start(shop=shop, kind=SyncKind.FULL))
    Review.objects.filter(shop=shop).delete()  # fetched again below, straight from the store
    result = reviews_fetch_and_import(shop=shop, client=client_for_fake(fake_woo))
    assert result.created > 0
    content = Content.objects.filter(shop=shop).first()
    services.content_remove(shop=shop, content=content)
    again = reviews_import(shop=shop)
    content.refresh_from_db()
    assert content.status == "removed"
    assert any("removed by its creator" in why for _line, why in again.skipped)
