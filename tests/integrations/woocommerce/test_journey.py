"""The whole life of a store against the fake: connect through the pages, the first full sync of a
generated store, 200 webhook deliveries with duplicates, reordering and deletes (and deletes that
send none), then our database equals the store's state exactly."""

from __future__ import annotations

import os
import random
import time

import pytest

from integrations.platform import platform_for
from integrations.woocommerce import tasks
from integrations.woocommerce.models import (
    DeliveryStatus,
    SyncKind,
    SyncRun,
    SyncStatus,
    WebhookDelivery,
    WooStore,
)
from shopapp.catalog.models import Order, Product
from shopapp.shops.models import InstallState, Platform, Shop
from tests.integrations.woocommerce.mirror import assert_mirrors
from tests.integrations.woocommerce.test_connect import connect

pytestmark = pytest.mark.django_db

# A fifth of the store (1,000 products, 4,000 orders) in the suite, to keep CI fast;
# WOOCOMMERCE_JOURNEY_SCALE=1 runs the full 5,000 products and 20,000 orders.
SCALE = float(os.environ.get("WOOCOMMERCE_JOURNEY_SCALE", "0.2"))


@pytest.mark.slow
def test_connect_sync_webhooks_and_deletes_leave_an_exact_mirror(
    client, woo_settings, fake_woo, post_delivery, django_capture_on_commit_callbacks
):
    # given a store of 5,000 products (a third variable) and 20,000 orders (scaled)
    data = fake_woo.data
    products, orders = int(5_000 * SCALE), int(20_000 * SCALE)
    data.generate(products=products, orders=orders, seed=41)
    # when the merchant connects it (the first full sync runs as the return page commits)
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        page = connect(client, fake_woo)
    sync_seconds = time.perf_counter() - started
    assert b'data-outcome="connected"' in page.content
    shop = Shop.objects.get(platform=Platform.WOOCOMMERCE)
    assert shop.install_state == InstallState.INSTALLED
    run = SyncRun.objects.get(shop=shop, kind=SyncKind.FULL)
    assert run.status == SyncStatus.DONE, run.errors
    assert Product.objects.filter(shop=shop).count() == products
    assert Order.objects.filter(shop=shop).count() == orders
    assert_mirrors(shop, data)
    print(
        f"RESULT woocommerce_journey_full_sync products={products} orders={orders} "
        f"variations={len(data.variations)} seconds={sync_seconds:.1f} "
        f"requests={len(fake_woo.requests)}"
    )
    # and the webhooks it registered answered their pings
    assert len(fake_woo.webhooks) == 11
    assert set(fake_woo.deliver_pings(post_delivery)) == {200}
    # when 200 deliveries arrive, 10 % of them twice and 20 % out of order, with trashes,
    # restores and deletes among them, built as Action Scheduler builds them (coalesced, at
    # delivery time, delivery ids shared within a second)
    rng = random.Random(42)
    deliveries: list = []
    while len(deliveries) < 182:
        data.change_random(rng)
        if rng.random() < 0.35:
            deliveries += fake_woo.flush()
    deliveries += fake_woo.flush()
    sent = fake_woo.disorder(deliveries, duplicates=0.1, reordered=0.2, seed=43)
    assert len(sent) >= 200
    topics = {d.topic for d in deliveries}
    assert {"product.deleted", "order.deleted", "customer.deleted"} <= topics
    started = time.perf_counter()
    assert set(fake_woo.deliver(sent, post_delivery)) == {200}
    webhook_seconds = time.perf_counter() - started
    assert not WebhookDelivery.objects.filter(shop=shop, status=DeliveryStatus.FAILED).exists()
    # then our database equals the store's state exactly
    assert_mirrors(shop, data)
    # when the merchant deletes for good (no webhook) and the nightly sweep runs
    data.delete_product_for_good(next(p for p in data.products))
    data.delete_order_for_good(next(o for o in data.orders))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.woocommerce_sweep(shop.pk)
    # then those are gone here too
    assert_mirrors(shop, data)
    # and the platform interface reports nothing left to catch up
    assert platform_for(shop).sync_since(shop=shop, since=None)["products"] == 0
    assert WooStore.objects.get(shop=shop).swept_at is not None
    print(
        f"RESULT woocommerce_journey_webhooks deliveries={len(sent)} "
        f"unique={len(deliveries)} seconds={webhook_seconds:.1f}"
    )
