"""Install, bulk sync, webhooks, throttling and tokens against the fake Shopify."""

from __future__ import annotations

import json
import random

import pytest

from integrations.shopify import sync
from integrations.shopify.auth import access_token
from integrations.shopify.client import ShopifyAuthError
from integrations.shopify.models import (
    DeliveryStatus,
    SyncPhase,
    SyncRun,
    SyncStatus,
    WebhookDelivery,
)
from shopapp.catalog.models import Order, OrderLine, Product, Variant
from shopapp.shops.models import InstallState, Shop
from tests.integrations.shopify.conftest import SHOP, make_fake
from tests.integrations.shopify.mirror import assert_mirrors

pytestmark = pytest.mark.django_db


def install(client, fake, django_capture_on_commit_callbacks) -> Shop:  # type: ignore[no-untyped-def]
    """The merchant opens the app: App Bridge hands us a session token on the first page load."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(
            f"/shopify/?embedded=1&shop={SHOP}&id_token={fake.session_token(SHOP)}"
        )
    assert response.status_code == 200
    return Shop.objects.get(domain=SHOP)


def test_install_exchanges_the_session_token_and_syncs_the_store(
    client, fake_shopify, django_capture_on_commit_callbacks
):
    # given a store in Shopify
    fake_shopify.shops[SHOP].generate(products=60, orders=150, seed=1)
    # when the merchant opens the app for the first time
    shop = install(client, fake_shopify, django_capture_on_commit_callbacks)
    # then the shop holds an expiring offline token and the granted scopes
    assert shop.install_state == InstallState.INSTALLED
    assert shop.credentials["access_token"].startswith("shpat_")
    assert shop.credentials["refresh_token"].startswith("shprt_")
    assert shop.credentials["expires"]
    assert shop.granted_scopes == ["read_customers", "read_orders", "read_products"]
    # and the first full sync ran through every phase, mirroring the store exactly
    run = SyncRun.objects.get(shop=shop)
    assert run.status == SyncStatus.DONE
    assert run.phase == SyncPhase.DONE
    assert run.phases_done == ["products", "collections", "customers", "orders"]
    assert run.rows_done > 0
    assert_mirrors(shop, fake_shopify.shops[SHOP])
    # and the storefront is connected without the merchant pasting anything: the embed's
    # metafield holds the public key, and the web pixel exists with the key and our endpoint
    graphql = fake_shopify.graphql[SHOP]
    assert graphql.app_metafields[("pz", "storefront_key")] == shop.storefront_key
    pixel = (
        json.loads(graphql.web_pixels[0])
        if isinstance(graphql.web_pixels[0], str)
        else graphql.web_pixels[0]
    )
    assert pixel == {
        "storefrontKey": shop.storefront_key,
        "endpoint": "http://testserver/api/v1/events",
    }
    # and bulk results arrived with children before their parents (the fake shuffles them)
    assert Variant.objects.filter(shop=shop).count() == sum(
        len(p.variants) for p in fake_shopify.shops[SHOP].products.values()
    )


def test_a_bad_session_token_cannot_install(client, fake_shopify):
    token = fake_shopify.session_token(SHOP, secret="x" * 40)
    response = client.get(
        "/api/v1/shopify/sync-runs/", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401
    assert not Shop.objects.filter(domain=SHOP).exists()


def test_token_exchange_refused_is_401_with_retry(
    client, fake_shopify, shopify_settings, monkeypatch
):
    # given a token we accept but Shopify refuses to exchange (say, a shop mid-uninstall)
    def refuse(shop, params):  # type: ignore[no-untyped-def]
        return 400, {"error": "invalid_subject_token"}

    monkeypatch.setattr(fake_shopify, "_token_endpoint", refuse)
    token = fake_shopify.session_token(SHOP)
    response = client.get(
        "/api/v1/shopify/sync-runs/", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401
    assert response["X-Shopify-Retry-Invalid-Session-Request"] == "1"


def test_sync_with_a_tiny_cost_bucket_finishes_without_throttled_escaping(
    client, shopify_settings, django_capture_on_commit_callbacks
):
    # given a bucket of 600 points (a page of our costliest query asks ~560) refilled at 400 a
    # second
    fake = make_fake(shopify_settings, bucket_size=600, restore_rate=400)
    try:
        data = fake.add_shop(SHOP)
        data.generate(products=30, orders=20, customers=24, seed=2)
        shop = install(client, fake, django_capture_on_commit_callbacks)
        # when the incremental catch-up reads the whole store again, page by page
        run = sync.sync_run_start(shop=shop, kind="incremental")
        run.since = None
        run.save()
        api = sync.client_for(shop)
        run = sync.sync_run_continue(run, client=api)
        # then Shopify throttled us, the client waited it out, and the run finished clean
        assert fake.graphql[SHOP].throttled > 0
        assert api.throttled_count == fake.graphql[SHOP].throttled
        assert run.status == SyncStatus.DONE
        assert run.errors == []
        assert run.rows_done == 30 + 24 + 20
        assert_mirrors(shop, data)
    finally:
        fake.stop()


def test_throttled_queries_are_retried_after_the_refill(shopify_settings, db):
    # given a bucket that affords two one-point queries, refilled 4 points a second
    fake = make_fake(shopify_settings, bucket_size=2, restore_rate=4)
    try:
        fake.add_shop(SHOP)
        shop = Shop.objects.create(platform="shopify", domain=SHOP, install_state="installed")
        token = fake._issue(SHOP, expiring=False)["access_token"]
        shop.credentials = {"access_token": token}
        shop.save()
        api = sync.client_for(shop)
        # when ten queries go out back to back, the client forgetting the bucket each time
        results = []
        for _ in range(10):
            api.bucket = type(api.bucket)()  # forget what we learned: force THROTTLED answers
            results.append(api.execute("shop_get")["shop"]["myshopifyDomain"])
        # then every one returned data; the THROTTLED answers stayed inside the client
        assert results == [SHOP] * 10
        assert fake.graphql[SHOP].throttled > 0
        assert api.throttled_count == fake.graphql[SHOP].throttled
    finally:
        fake.stop()


def test_5xx_and_429_back_off_and_retry(fake_shopify, db):
    shop = Shop.objects.create(platform="shopify", domain=SHOP, install_state="installed")
    shop.credentials = {"access_token": fake_shopify._issue(SHOP, expiring=False)["access_token"]}
    shop.save()
    slept: list[float] = []
    api = sync.client_for(shop, sleep=slept.append)
    fake_shopify.fail_next = [502, 429, 503]
    assert api.execute("shop_get")["shop"]["myshopifyDomain"] == SHOP
    assert len(slept) == 3


def test_refresh_rotates_the_pair_and_a_revoked_shop_needs_reauth(
    client, fake_shopify, django_capture_on_commit_callbacks
):
    # given an installed shop whose token is about to expire
    shop = install(client, fake_shopify, django_capture_on_commit_callbacks)
    first = dict(shop.credentials)
    shop.credentials = {**first, "expires": "2000-01-01T00:00:00Z"}
    shop.save()
    # when a job asks for the token
    token = access_token(shop)
    # then it was refreshed, and the pair was rotated and stored together
    shop.refresh_from_db()
    assert token == shop.credentials["access_token"] != first["access_token"]
    assert shop.credentials["refresh_token"] != first["refresh_token"]
    # and the old refresh token no longer works (it rotates on every use)
    assert (
        fake_shopify._token_endpoint(
            SHOP,
            {
                "client_id": fake_shopify.client_id,
                "client_secret": fake_shopify.client_secret,
                "grant_type": "refresh_token",
                "refresh_token": first["refresh_token"],
            },
        )[0]
        == 400
    )
    # when the merchant's store revokes us, a job's call is refused
    fake_shopify.revoke(SHOP)
    with pytest.raises(ShopifyAuthError):
        sync.client_for(shop).execute("shop_get")
    # then the shop waits for re-authorization instead of failing jobs forever
    shop.refresh_from_db()
    assert shop.install_state == InstallState.NEEDS_REAUTH


def test_resume_after_a_crash_reuses_the_bulk_operation(
    client, fake_shopify, django_capture_on_commit_callbacks, monkeypatch
):
    # given a store and a worker that dies while writing the orders phase
    fake_shopify.shops[SHOP].generate(products=30, orders=80, seed=3)
    original = sync.WRITERS[SyncPhase.ORDERS].copy
    calls = {"n": 0}

    def dying(shop, orders):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        original(shop, orders)
        raise SystemExit("worker killed")

    # The writer is a frozen dataclass: swap its function for the test, and restore it after.
    object.__setattr__(sync.WRITERS[SyncPhase.ORDERS], "copy", dying)
    try:
        with pytest.raises(SystemExit):
            install(client, fake_shopify, django_capture_on_commit_callbacks)
    finally:
        object.__setattr__(sync.WRITERS[SyncPhase.ORDERS], "copy", original)
    shop = Shop.objects.get(domain=SHOP)
    run = SyncRun.objects.get(shop=shop)
    assert run.status == SyncStatus.RUNNING
    assert run.phases_done == ["products", "collections", "customers"]
    operation = run.bulk_operation_id
    assert operation
    operations_before = len(fake_shopify.graphql[SHOP].bulk_operations)
    # when the repair task finds the stalled run and resumes it
    SyncRun.objects.filter(pk=run.pk).update(heartbeat_at=run.heartbeat_at.replace(year=2000))
    from integrations.shopify.tasks import shopify_sync_repair

    assert shopify_sync_repair() == [run.pk]
    # then it finished from the orders phase, with the same bulk operation, and mirrors the store
    run.refresh_from_db()
    assert run.status == SyncStatus.DONE
    assert len(fake_shopify.graphql[SHOP].bulk_operations) == operations_before
    assert_mirrors(shop, fake_shopify.shops[SHOP])


def test_webhooks_dedupe_and_ignore_reordering(
    client, fake_shopify, webhook_post, django_capture_on_commit_callbacks
):
    # given an installed, synced shop
    data = fake_shopify.shops[SHOP]
    data.generate(products=40, orders=60, seed=4)
    shop = install(client, fake_shopify, django_capture_on_commit_callbacks)
    # when 60 changes happen, delivered with duplicates and out of order
    rng = random.Random(9)
    deliveries = [
        fake_shopify.delivery(SHOP, topic, payload)
        for _ in range(60)
        for topic, payload in data.change_random(rng)
    ]
    shuffled = fake_shopify.disorder(deliveries, duplicates=0.1, reordered=0.2)
    statuses = fake_shopify.deliver(shuffled, webhook_post)
    # then every delivery was answered 200, recorded once, and the mirror equals the store
    assert set(statuses) == {200}
    assert WebhookDelivery.objects.filter(shop=shop).count() == len(deliveries)
    assert not WebhookDelivery.objects.filter(shop=shop, status=DeliveryStatus.FAILED).exists()
    assert_mirrors(shop, data)


def test_uninstall_revokes_and_stops_jobs_but_keeps_data(
    client, fake_shopify, webhook_post, django_capture_on_commit_callbacks
):
    fake_shopify.shops[SHOP].generate(products=10, orders=10, seed=6)
    shop = install(client, fake_shopify, django_capture_on_commit_callbacks)
    running = SyncRun.objects.create(shop=shop, kind="incremental")
    products = Product.objects.filter(shop=shop).count()
    # when Shopify says the app was uninstalled
    delivery = fake_shopify.delivery(SHOP, "app/uninstalled", {"id": 1, "domain": SHOP})
    assert fake_shopify.deliver([delivery], webhook_post) == [200]
    # then credentials are gone, the running job is cancelled, and the data stays
    shop.refresh_from_db()
    assert shop.install_state == InstallState.UNINSTALLED
    assert shop.credentials == {}
    running.refresh_from_db()
    assert running.status == SyncStatus.CANCELLED
    assert Product.objects.filter(shop=shop).count() == products
    assert Order.objects.filter(shop=shop).exists()
    assert OrderLine.objects.filter(shop=shop).exists()
    # and later product webhooks change nothing
    product = fake_shopify.shops[SHOP].products[next(iter(fake_shopify.shops[SHOP].products))]
    product.title = "After uninstall"
    late = fake_shopify.delivery(
        SHOP, "products/update", fake_shopify.shops[SHOP].product_rest(product)
    )
    assert fake_shopify.deliver([late], webhook_post) == [200]
    assert not Product.objects.filter(shop=shop, title="After uninstall").exists()
