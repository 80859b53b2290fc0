"""WooCommerce `products/reviews` into UGC, against the fake store (the real REST contract)."""

from __future__ import annotations

import random

import pytest

from integrations.woocommerce import sync, tasks
from integrations.woocommerce.models import Review, SyncKind
from integrations.woocommerce.ugc_reviews import reviews_fetch_and_import, reviews_import
from personalization.ugc import services
from personalization.ugc.models import Content, ImportRun
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


def _approved_review(fake_woo) -> int:
    rng = random.Random(99)
    while True:
        review = fake_woo.data.add_review(rng)
        if review.status == "approved":
            return review.id


def test_a_finished_sync_imports_the_reviews(
    woo_settings, fake_woo, django_capture_on_commit_callbacks
):
    # given a connected store with reviews
    fake_woo.data.generate(products=4, orders=5, reviews=6, seed=5)
    shop = connected_shop(fake_woo)
    run = sync.sync_run_start(shop=shop, kind=SyncKind.FULL)
    # when the sync task runs to the end (and its follow-up task after commit)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.woocommerce_sync_continue(run.pk) == "done"
    # then a reviews import ran without reading the store again, and the reviews are UGC
    approved = Review.objects.filter(shop=shop, status="approved").count()
    imported = ImportRun.objects.get(shop=shop)
    assert (imported.status, imported.is_fetch, imported.created) == ("done", False, approved)
    assert Content.objects.filter(shop=shop, source="woocommerce").count() == approved


def test_import_reviews_now_runs_in_the_background_and_is_incremental(
    woo_settings, fake_woo, admin_client_for, django_capture_on_commit_callbacks
):
    # given a connected store whose catalog was synced, but none of its reviews
    fake_woo.data.generate(products=4, orders=5, reviews=6, seed=6)
    shop = connected_shop(fake_woo)
    sync.sync_run_continue(sync.sync_run_start(shop=shop, kind=SyncKind.FULL))
    Review.objects.filter(shop=shop).delete()
    admin = admin_client_for(shop)
    assert "Import reviews now" in admin.get("/app/ugc/").content.decode()
    # when the merchant clicks "Import reviews now"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/app/ugc/reviews-import/")
    # then the task read the store and the page shows the result
    assert response.status_code == 303
    first = ImportRun.objects.get(shop=shop)
    approved = sum(1 for r in fake_woo.data.reviews.values() if r.status == "approved")
    assert (first.status, first.is_fetch, first.fetched_after) == ("done", True, None)
    assert first.created == approved
    partial = admin.get("/app/ugc/reviews-import/").content.decode()
    assert 'data-status="done"' in partial
    assert f"{approved} added, 0 updated, 0 skipped" in partial
    # when a review is posted on the store and the button is clicked again
    new_id = _approved_review(fake_woo)
    with django_capture_on_commit_callbacks(execute=True):
        admin.post("/app/ugc/reviews-import/")
    # then the store is read after the last import (less the site-time window) and only the
    # new review is added
    second = ImportRun.objects.filter(shop=shop).latest("created_at")
    assert second.pk != first.pk
    assert first.store_started_at is not None
    assert second.fetched_after == first.store_started_at - sync.REVIEWS_OVERLAP
    assert (second.status, second.created) == ("done", 1)
    assert Content.objects.filter(shop=shop, external_id=str(new_id)).exists()


def test_an_active_import_is_not_queued_twice_and_other_shops_see_their_own(
    woo_settings, fake_woo, admin_client_for, other_shop
):
    # given a WooCommerce shop whose import is queued (the task has not run: no commit yet)
    fake_woo.data.generate(products=2, orders=2, reviews=2, seed=8)
    shop = connected_shop(fake_woo)
    admin = admin_client_for(shop)
    admin.post("/app/ugc/reviews-import/")
    admin.post("/app/ugc/reviews-import/")
    # then one run is queued, and the page polls it
    assert ImportRun.objects.filter(shop=shop).count() == 1
    assert 'hx-trigger="every 2s"' in admin.get("/app/ugc/reviews-import/").content.decode()
    # and a Shopify shop is told to import its review app's CSV instead, with nothing queued
    other = admin_client_for(other_shop)
    assert 'data-status="none"' in other.get("/app/ugc/reviews-import/").content.decode()
    refused = other.post("/app/ugc/reviews-import/")
    assert refused.status_code == 422
    assert "review app" in refused.content.decode()
    assert not ImportRun.objects.filter(shop=other_shop).exists()
