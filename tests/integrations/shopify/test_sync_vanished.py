"""A completed full resync soft-deletes what Shopify no longer lists; a failed one deletes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from integrations.shopify import sync
from integrations.shopify.models import SyncPhase, SyncRun, SyncStatus, Tombstone
from personalization.decisions import catalog as decisions_catalog
from personalization.decisions import services as decisions_services
from personalization.recommendations import selectors as rec_selectors
from shopapp.catalog import services as catalog_services
from shopapp.catalog.models import Collection, Customer, Product, Variant
from shopapp.shops.models import Shop
from tests.fakes.shopify.server import FakeShopify
from tests.fakes.shopify.store import FakeShopData
from tests.integrations.shopify.conftest import SHOP
from tests.integrations.shopify.mirror import assert_mirrors
from tests.integrations.shopify.test_sync import install

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    decisions_catalog.forget()
    decisions_services._configs_cache.clear()
    rec_selectors.forget()
    # Every decide checks the catalog version, so a stale snapshot would show.
    monkeypatch.setattr(decisions_catalog, "CHECK_EVERY_SECONDS", 0)


def full_sync(shop: Shop) -> SyncRun:
    run = sync.sync_run_start(shop=shop)
    return sync.sync_run_continue(run, client=sync.client_for(shop), sleep=lambda _s: None)


def recommended(client: Client, shop: Shop) -> set[str]:
    response = client.get("/api/v1/decide", {"key": shop.storefront_key, "page": "home"})
    assert response.status_code == 200
    return {item["id"] for slot in response.json()["slots"].values() for item in slot["items"]}


def product_status(client: Client, shop: Shop, platform_id: str) -> int:
    pk = Product.objects.get(shop=shop, platform_id=platform_id).pk
    return client.get(
        f"/api/v1/storefront/products/{pk}/", HTTP_X_STOREFRONT_KEY=shop.storefront_key
    ).status_code


def vanish(data: FakeShopData, shop: Shop, client: Client) -> dict[str, Any]:
    """Delete on Shopify, sending no webhook: a recommended product, a variant of another
    product (its parent unchanged), a collection and a customer."""
    shown = sorted(recommended(client, shop))
    assert shown, "the first sync gives the storefront something to recommend"
    product = data.products[int(shown[0])]
    product.deleted = True
    other = next(
        p
        for p in data.products.values()
        if not p.deleted and len(p.variants) > 1 and p is not product
    )
    variant = other.variants.pop()
    collection = next(c for c in data.collections.values() if not c.deleted)
    collection.deleted = True
    customer = next(c for c in data.customers.values() if not c.deleted)
    customer.deleted = True
    return {
        "product": str(product.id),
        "variant": str(variant.id),
        "collection": str(collection.id),
        "customer": str(customer.id),
    }


@pytest.fixture
def vanished_store(
    client, fake_shopify: FakeShopify, django_capture_on_commit_callbacks
) -> tuple[FakeShopData, Shop, dict[str, Any]]:
    """A synced store, then rows deleted on Shopify without a webhook."""
    data = fake_shopify.shops[SHOP]
    data.generate(products=30, orders=80, seed=11)
    shop = install(client, fake_shopify, django_capture_on_commit_callbacks)
    return data, shop, vanish(data, shop, client)


def test_a_completed_resync_soft_deletes_what_shopify_no_longer_lists(client, vanished_store):
    # given a synced store whose storefront recommends a product Shopify has since deleted
    data, shop, gone = vanished_store
    assert gone["product"] in recommended(client, shop)
    assert product_status(client, shop, gone["product"]) == 200
    # when a full resync completes
    run = full_sync(shop)
    # then the vanished rows are soft-deleted and tombstoned, as the delete webhooks do
    assert run.status == SyncStatus.DONE
    assert Product.objects.get(shop=shop, platform_id=gone["product"]).deleted_at is not None
    assert Variant.objects.get(shop=shop, platform_id=gone["variant"]).deleted_at is not None
    assert Collection.objects.get(shop=shop, platform_id=gone["collection"]).deleted_at is not None
    assert Customer.objects.get(shop=shop, platform_id=gone["customer"]).deleted_at is not None
    assert Tombstone.objects.filter(shop=shop, platform_id=gone["product"]).exists()
    # and the product is no longer recommended nor served by the catalog API
    assert gone["product"] not in recommended(client, shop)
    assert product_status(client, shop, gone["product"]) == 404
    # and nothing else was touched: the mirror equals the store
    assert_mirrors(shop, data)
    live = Product.objects.filter(shop=shop, deleted_at__isnull=True).count()
    assert live == sum(1 for p in data.products.values() if not p.deleted)


def test_a_resync_that_fails_midway_deletes_nothing(vanished_store):
    # given a synced store with rows deleted on Shopify
    _data, shop, gone = vanished_store
    # when a full resync fails in the customers phase, after products and collections completed
    writer = sync.WRITERS[SyncPhase.CUSTOMERS]
    original = writer.upsert

    def broken(shop: Shop, records: Any) -> int:
        raise RuntimeError("database went away")

    object.__setattr__(writer, "upsert", broken)
    try:
        with pytest.raises(RuntimeError):
            full_sync(shop)
    finally:
        object.__setattr__(writer, "upsert", original)
    run = SyncRun.objects.filter(shop=shop).latest("started_at")
    assert run.status == SyncStatus.FAILED
    assert run.phases_done == ["products", "collections"]
    # then nothing was deleted: not the product, the collection or the customer (a variant its
    # re-read parent no longer lists is the product upsert's own business, run or no run)
    assert Product.objects.get(shop=shop, platform_id=gone["product"]).deleted_at is None
    assert Collection.objects.get(shop=shop, platform_id=gone["collection"]).deleted_at is None
    assert Customer.objects.get(shop=shop, platform_id=gone["customer"]).deleted_at is None
    assert not Tombstone.objects.filter(shop=shop).exists()


def test_rows_created_after_the_bulk_operation_started_are_spared(
    client, fake_shopify: FakeShopify, django_capture_on_commit_callbacks
):
    # given a synced store and a product a create webhook wrote while the resync's bulk
    # operation ran (so the operation's snapshot does not list it)
    data = fake_shopify.shops[SHOP]
    data.generate(products=10, orders=10, seed=13)
    shop = install(client, fake_shopify, django_capture_on_commit_callbacks)
    original = sync.bulk_wait

    def racing(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        if not Product.objects.filter(shop=shop, platform_id="999").exists():
            template = Product.objects.filter(shop=shop).first()
            assert template is not None
            template.pk = None
            template.platform_id = "999"
            template.handle = "racing"
            template.save()
        return result

    sync.bulk_wait = racing  # type: ignore[assignment]
    try:
        run = full_sync(shop)
    finally:
        sync.bulk_wait = original  # type: ignore[assignment]
    # then the resync completed and kept it
    assert run.status == SyncStatus.DONE
    assert Product.objects.get(shop=shop, platform_id="999").deleted_at is None


def test_a_soft_delete_moves_the_catalog_version(
    client, fake_shopify: FakeShopify, django_capture_on_commit_callbacks
):
    # given a synced store and the decisions' catalog version
    fake_shopify.shops[SHOP].generate(products=5, orders=5, seed=14)
    shop = install(client, fake_shopify, django_capture_on_commit_callbacks)
    Product.objects.filter(shop=shop).update(updated_at=timezone.now() - timedelta(days=1))
    before = decisions_catalog.catalog_version(shop)
    # when one product is soft-deleted (a delete webhook, or a resync that no longer sees it)
    platform_id = Product.objects.filter(shop=shop).values_list("platform_id", flat=True)[0]
    assert catalog_services.mirrored_soft_delete(
        shop=shop, model=Product, platform_ids=[platform_id]
    )
    # then the version moves, so the cached snapshot is rebuilt without it
    assert decisions_catalog.catalog_version(shop) != before
