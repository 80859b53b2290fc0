"""Full, incremental and sweep syncs against the fake store, progress, resume, and auth loss."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from integrations.woocommerce import sync
from integrations.woocommerce.client import WooServerError
from integrations.woocommerce.models import (
    Review,
    SyncKind,
    SyncPhase,
    SyncRun,
    SyncStatus,
    Tombstone,
    WooStore,
)
from shopapp.catalog.models import Customer, Order, Product, Variant
from shopapp.shops.models import InstallState, Platform
from tests.factories import ShopFactory
from tests.integrations.woocommerce.conftest import connected_shop
from tests.integrations.woocommerce.mirror import assert_mirrors

pytestmark = pytest.mark.django_db


def full_sync(shop):  # type: ignore[no-untyped-def]
    run = sync.sync_run_start(shop=shop, kind=SyncKind.FULL)
    return sync.sync_run_continue(run)


def test_full_sync_mirrors_the_store(woo_settings, fake_woo):
    # given a store with simple and variable products, customers, guests, orders and reviews
    fake_woo.data.generate(products=150, orders=400, seed=3)
    shop = connected_shop(fake_woo)
    # when the first full sync runs
    run = full_sync(shop)
    # then it finished every phase and our mirror equals the store
    assert run.status == SyncStatus.DONE
    assert run.phases_done == [
        "products",
        "customers",
        "orders",
        "reviews",
        "collections",
        "sweep",
    ]
    assert_mirrors(shop, fake_woo.data)
    assert run.counts["products"] == 150
    assert run.counts["variations"] == len(fake_woo.data.variations)
    assert run.counts["orders"] == 400
    assert run.counts["reviews"] == sum(
        r.status == "approved" for r in fake_woo.data.reviews.values()
    )
    # and pages were trimmed with _fields, in id order, 100 at a time
    product_pages = [q for m, r, q in fake_woo.requests if r == "/wc/v3/products" and "page" in q]
    assert {q["per_page"] for q in product_pages} == {"100"}
    assert all("_fields" in q and q["orderby"] == "id" for q in product_pages)
    # and the next incremental starts from the store's own clock
    store = WooStore.objects.get(shop=shop)
    assert store.products_synced_to == run.store_started_at
    assert store.swept_at is not None


def test_second_full_sync_upserts_and_changes_nothing(woo_settings, fake_woo):
    fake_woo.data.generate(products=40, orders=60, seed=4)
    shop = connected_shop(fake_woo)
    full_sync(shop)
    rng = random.Random(5)
    for _ in range(15):
        fake_woo.data.change_random(rng)
    run = full_sync(shop)
    assert run.status == SyncStatus.DONE
    assert_mirrors(shop, fake_woo.data)
    assert Product.objects.filter(shop=shop).count() >= 40


def test_incremental_reads_only_what_changed_with_gmt_dates(woo_settings, fake_woo):
    fake_woo.data.generate(products=60, orders=100, seed=6)
    shop = connected_shop(fake_woo)
    full_sync(shop)
    rng = random.Random(7)
    data = fake_woo.data
    # given changes incremental can see: edits, new products, orders and customers, reviews
    for pid in list(data.products)[:5]:
        data.update_product(rng, pid)
    new_product = data.add_product(rng, variable=True)
    data.add_customer(rng)
    data.add_order(rng)
    data.update_order(rng, next(iter(data.orders)))
    data.add_review(rng)
    data.add_review(rng)
    fake_woo.requests.clear()
    # when the incremental sync runs
    run = sync.sync_run_continue(sync.sync_run_start(shop=shop, kind=SyncKind.INCREMENTAL))
    # then it asked only for what changed since the store's clock, in GMT
    assert run.status == SyncStatus.DONE
    queries = [q for m, r, q in fake_woo.requests if r == "/wc/v3/products"]
    assert queries[0]["dates_are_gmt"] == "true"
    assert queries[0]["modified_after"]
    assert_mirrors(shop, data)
    assert Product.objects.filter(shop=shop, platform_id=str(new_product.id)).exists()
    # and the variable products it already held were not read again (only asked, ids only,
    # whether a variation changed)
    variation_reads = [
        r
        for m, r, q in fake_woo.requests
        if r.endswith("/variations") and "modified_after" not in q
    ]
    assert variation_reads == [f"/wc/v3/products/{new_product.id}/variations"]
    assert run.counts["products"] == 6


def test_incremental_overlap_is_deduplicated(woo_settings, fake_woo):
    fake_woo.data.generate(products=10, orders=10, seed=8)
    shop = connected_shop(fake_woo)
    full_sync(shop)
    # given a product changed inside the overlap window, already mirrored
    rng = random.Random(9)
    pid = next(iter(fake_woo.data.products))
    fake_woo.data.update_product(rng, pid)
    first = sync.sync_since(shop, sync.client_for(shop))
    assert first["products"] == 1
    # when the next pass sees it again (it is within five minutes of the watermark)
    second = sync.sync_since(shop, sync.client_for(shop))
    # then it is skipped by (id, date_modified_gmt)
    assert second["products"] == 0
    assert second["skipped"] >= 1


def test_sweep_finds_hard_deletes_trash_and_missed_rows(woo_settings, fake_woo):
    fake_woo.data.generate(products=30, orders=50, seed=10)
    shop = connected_shop(fake_woo)
    full_sync(shop)
    data = fake_woo.data
    # given deletes that send no webhook, a trashed order, and a product we somehow missed
    gone_product = next(iter(data.products))
    data.delete_product_for_good(gone_product)
    order_ids = list(data.orders)
    data.delete_order_for_good(order_ids[0])
    data.trash_order(order_ids[1])
    missed = list(data.products)[-1]
    Product.objects.filter(shop=shop, platform_id=str(missed)).delete()
    data.fired.clear()
    # when the sweep runs
    run = sync.sync_run_continue(sync.sync_run_start(shop=shop, kind=SyncKind.SWEEP))
    # then our mirror equals the store again
    assert run.status == SyncStatus.DONE
    assert_mirrors(shop, data)
    assert run.counts["sweep_products_gone"] == 1
    assert run.counts["sweep_orders_gone"] == 2
    assert run.counts["sweep_products_found"] == 1
    # and the deletes are remembered: for good (404) or as of the trash
    assert Tombstone.objects.get(shop=shop, platform_id=str(gone_product)).modified_at is None
    assert Tombstone.objects.get(shop=shop, platform_id=str(order_ids[1])).modified_at is not None


def test_restored_order_comes_back_with_the_sweep(woo_settings, fake_woo):
    fake_woo.data.generate(products=10, orders=10, seed=11)
    shop = connected_shop(fake_woo)
    full_sync(shop)
    oid = next(iter(fake_woo.data.orders))
    fake_woo.data.trash_order(oid)
    sync.sweep(shop, sync.client_for(shop))
    assert Order.objects.get(shop=shop, platform_id=str(oid)).deleted_at is not None
    fake_woo.data.restore_order(oid)
    sync.sweep(shop, sync.client_for(shop))
    assert Order.objects.get(shop=shop, platform_id=str(oid)).deleted_at is None
    assert_mirrors(shop, fake_woo.data)


def test_a_failed_page_is_resumed_where_it_stopped(woo_settings, fake_woo):
    # given a store whose second products page keeps failing
    fake_woo.data.generate(products=250, orders=20, seed=12, variable_share=0.0)
    shop = connected_shop(fake_woo)
    run = sync.sync_run_start(shop=shop)
    fake_woo.fail_if = lambda method, route, query: (
        (503, "0") if route == "/wc/v3/products" and query.get("page") == "2" else None
    )
    woo_settings.WOOCOMMERCE_TEST_CLIENT_OPTIONS["max_attempts"] = 1
    # when the run hits it, it records the error and stays running on that page
    with pytest.raises(WooServerError):
        sync.sync_run_continue(run)
    run.refresh_from_db()
    assert (run.status, run.phase, run.next_page) == (SyncStatus.RUNNING, "products", 2)
    assert run.errors[-1]["message"].startswith("transient")
    assert Product.objects.filter(shop=shop).count() == 100
    # and the retry starts from page 2, not page 1
    fake_woo.fail_if = None
    fake_woo.requests.clear()
    run = sync.sync_run_continue(run)
    assert run.status == SyncStatus.DONE
    first_pages = [
        q["page"]
        for m, r, q in fake_woo.requests
        if r == "/wc/v3/products" and "_fields" in q and q["_fields"] != "id"
    ]
    assert first_pages[:2] == ["2", "3"]
    assert_mirrors(shop, fake_woo.data)


def test_refused_credentials_stop_the_run_and_ask_for_reauth(woo_settings, fake_woo):
    fake_woo.data.generate(products=5, orders=5, seed=13)
    shop = connected_shop(fake_woo)
    fake_woo.keys.clear()
    run = full_sync(shop)
    shop.refresh_from_db()
    assert run.status == SyncStatus.FAILED
    assert shop.install_state == InstallState.NEEDS_REAUTH
    assert "refused our credentials" in run.errors[-1]["message"]


def test_progress_is_served_to_the_shops_admin_only(woo_settings, fake_woo, admin_client_for):
    fake_woo.data.generate(products=20, orders=30, seed=14)
    shop = connected_shop(fake_woo)
    full_sync(shop)
    response = admin_client_for(shop).get("/api/v1/woocommerce/sync-runs/")
    assert response.status_code == 200
    [run] = response.json()["results"]
    assert run["status"] == "done"
    assert run["phase"] == SyncPhase.DONE
    assert run["rows_done"] > 0
    assert run["counts"]["products"] == 20
    # another shop's admin sees none of it
    other = ShopFactory(platform=Platform.WOOCOMMERCE, domain="other.example")
    assert admin_client_for(other).get("/api/v1/woocommerce/sync-runs/").json() == {"results": []}
    assert SyncRun.objects.filter(shop=shop).count() == 1


def test_reviews_keep_the_raw_payload_encrypted_and_hash_the_email(woo_settings, fake_woo):
    from django.db import connection

    from shopapp.shops.crypto import lookup_hash

    fake_woo.data.generate(products=5, orders=5, reviews=6, seed=15)
    shop = connected_shop(fake_woo)
    full_sync(shop)
    review = next(r for r in fake_woo.data.reviews.values() if r.status == "approved")
    stored = Review.objects.get(shop=shop, platform_id=str(review.id))
    assert stored.email_hash == lookup_hash(review.reviewer_email)
    assert stored.raw["review"] == review.review
    with connection.cursor() as cursor:
        cursor.execute("SELECT raw FROM woocommerce_review WHERE id = %s", [stored.pk])
        assert review.reviewer_email not in str(cursor.fetchone()[0])
    assert Customer.objects.filter(shop=shop).exists()


def test_incremental_catches_a_variation_only_change(woo_settings, fake_woo):
    # given a mirrored store with variable products
    data = fake_woo.data
    data.generate(products=30, orders=20, seed=21)
    shop = connected_shop(fake_woo)
    full_sync(shop)
    variable = next(p for p in data.products.values() if p.variation_ids)
    parent_modified = variable.modified
    # when one variation's price and stock change (its parent's date_modified stays)
    rng = random.Random(22)
    vid = variable.variation_ids[0]
    data.update_variation(rng, vid)
    data.variations[vid].regular_price = Decimal("123.45")
    data.variations[vid].stock_quantity = 7
    assert variable.modified == parent_modified
    fake_woo.requests.clear()
    run = sync.sync_run_continue(sync.sync_run_start(shop=shop, kind=SyncKind.INCREMENTAL))
    # then the incremental pass found it and the mirror equals the store again
    assert run.status == SyncStatus.DONE
    assert run.counts["variations_changed"] == 1
    variant = Variant.objects.get(shop=shop, platform_id=str(vid))
    assert variant.price == Decimal("123.45")
    assert variant.inventory_quantity == 7
    assert_mirrors(shop, data)
    # and each variable product cost one question about its recently modified variations
    asked = [
        q for m, r, q in fake_woo.requests if r.endswith("/variations") and "modified_after" in q
    ]
    assert len(asked) == sum(1 for p in data.products.values() if p.variation_ids)
    assert all(q["dates_are_gmt"] == "true" for q in asked)
    # and a second pass finds nothing new to write beyond the overlap's repeat
    again = sync.sync_since(shop, sync.client_for(shop))
    assert again["products"] == 0
