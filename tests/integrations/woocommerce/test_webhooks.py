"""Webhooks: registration with our secret, the receiver's HMAC over raw bytes, the ping, dedupe,
deletes and restores, variations, and re-enabling what the store disabled."""

from __future__ import annotations

import json
import random

import pytest

from integrations.woocommerce import sync, tasks, webhooks
from integrations.woocommerce.models import (
    DeliveryStatus,
    SyncKind,
    SyncRun,
    WebhookDelivery,
    WebhookSubscription,
)
from shopapp.catalog.models import Customer, Order, Product, Variant
from tests.fakes.woocommerce.server import FakeWooCommerce
from tests.integrations.woocommerce.conftest import APP_URL, connected_shop
from tests.integrations.woocommerce.mirror import assert_mirrors

pytestmark = pytest.mark.django_db


def synced(fake: FakeWooCommerce, **generate: int):  # type: ignore[no-untyped-def]
    fake.data.generate(**{"products": 20, "orders": 30, "seed": 21, **generate})
    shop = connected_shop(fake)
    webhooks.webhooks_ensure(shop)
    sync.sync_run_continue(sync.sync_run_start(shop=shop, kind=SyncKind.FULL))
    return shop


def test_registration_creates_every_topic_with_our_secret_and_pings_are_answered(
    woo_settings, fake_woo, post_delivery
):
    shop = connected_shop(fake_woo)
    counts = webhooks.webhooks_ensure(shop)
    assert counts == {"created": 11, "reenabled": 0, "active": 0, "removed": 0}
    hooks = list(fake_woo.webhooks.values())
    assert sorted(h.topic for h in hooks) == sorted(webhooks.TOPICS)
    assert {h.secret for h in hooks} == {shop.credentials["webhook_secret"]}
    assert {h.status for h in hooks} == {"active"}
    url = hooks[0].delivery_url
    assert url.startswith(f"{APP_URL}/woocommerce/webhooks/")
    # the unsigned creation pings (form body, no X-WC headers) are answered 200
    assert fake_woo.deliver_pings(post_delivery) == [200] * 11
    # and ensuring again changes nothing
    assert webhooks.webhooks_ensure(shop) == {
        "created": 0,
        "reenabled": 0,
        "active": 11,
        "removed": 0,
    }
    assert WebhookSubscription.objects.filter(shop=shop).count() == 11


def test_signed_delivery_is_verified_over_raw_bytes_and_applied(
    woo_settings, fake_woo, post_delivery
):
    shop = synced(fake_woo)
    rng = random.Random(1)
    pid = next(iter(fake_woo.data.products))
    fake_woo.data.update_product(rng, pid)
    [delivery] = fake_woo.flush()
    # the body is wp_json_encode's: slashes escaped, which json.dumps would not reproduce
    assert b"\\/" in delivery.body
    reserialised = json.dumps(json.loads(delivery.body), separators=(",", ":")).encode()
    assert reserialised != delivery.body
    assert post_delivery(delivery) == 200
    product = Product.objects.get(shop=shop, platform_id=str(pid))
    assert product.title == fake_woo.data.products[pid].name
    assert WebhookDelivery.objects.get().status == DeliveryStatus.PROCESSED
    assert WebhookDelivery.objects.get().payload == {}


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"X-WC-Webhook-Signature": "AAAA" + "=" * 40}, 401),
        ({"X-WC-Webhook-Signature": ""}, 401),
        ({"X-WC-Webhook-Delivery-ID": ""}, 400),
    ],
)
def test_bad_deliveries_are_refused_and_not_recorded(
    woo_settings, fake_woo, post_delivery, change, status
):
    synced(fake_woo)
    fake_woo.data.update_product(random.Random(2), next(iter(fake_woo.data.products)))
    [delivery] = fake_woo.flush()
    delivery.headers.update(change)
    delivery.headers = {k: v for k, v in delivery.headers.items() if v}
    assert post_delivery(delivery) == status
    assert not WebhookDelivery.objects.exists()


def test_unknown_webhook_address_is_404(woo_settings, client):
    response = client.post(
        "/woocommerce/webhooks/nope",
        data=b"webhook_id=1",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 404


def test_redelivery_is_deduplicated_but_a_same_second_sibling_is_not(
    woo_settings, fake_woo, post_delivery
):
    shop = synced(fake_woo)
    rng = random.Random(3)
    first, second = list(fake_woo.data.products)[:2]
    fake_woo.data.update_product(rng, first)
    fake_woo.data.update_product(rng, second)
    deliveries = fake_woo.flush()
    # two deliveries of one webhook built in the same second share WooCommerce's delivery id
    assert len(deliveries) == 2
    assert (
        deliveries[0].headers["X-WC-Webhook-Delivery-ID"]
        == deliveries[1].headers["X-WC-Webhook-Delivery-ID"]
    )
    # when both arrive, and the first arrives again
    assert [post_delivery(d) for d in [*deliveries, deliveries[0]]] == [200, 200, 200]
    # then both were kept and applied once each
    assert WebhookDelivery.objects.filter(shop=shop).count() == 2
    assert_mirrors(shop, fake_woo.data)


def test_trash_restore_and_a_stale_update_in_any_order(woo_settings, fake_woo, post_delivery):
    shop = synced(fake_woo)
    rng = random.Random(4)
    pid = next(iter(fake_woo.data.products))
    data = fake_woo.data
    data.update_product(rng, pid)
    [stale_update] = fake_woo.flush()
    data.trash_product(pid)
    [trashed] = fake_woo.flush()
    assert json.loads(trashed.body) == {"id": pid}
    # when the delete arrives, then the (older) update
    assert post_delivery(trashed) == 200
    assert post_delivery(stale_update) == 200
    # then the product stays deleted
    assert Product.objects.get(shop=shop, platform_id=str(pid)).deleted_at is not None
    # and when it is restored, it comes back
    data.restore_product(pid)
    [restored] = fake_woo.flush()
    assert post_delivery(restored) == 200
    assert Product.objects.get(shop=shop, platform_id=str(pid)).deleted_at is None
    assert_mirrors(shop, data)


def test_a_late_delete_of_a_product_restored_since_leaves_it_live(
    woo_settings, fake_woo, post_delivery
):
    shop = synced(fake_woo)
    pid = next(iter(fake_woo.data.products))
    fake_woo.data.trash_product(pid)
    [trashed] = fake_woo.flush()
    fake_woo.data.restore_product(pid)
    [restored] = fake_woo.flush()
    # restore first, the trash last: the delete reads the product, which is live
    assert [post_delivery(restored), post_delivery(trashed)] == [200, 200]
    assert Product.objects.get(shop=shop, platform_id=str(pid)).deleted_at is None
    assert_mirrors(shop, fake_woo.data)


def test_a_variation_payload_rereads_its_parent(woo_settings, fake_woo, post_delivery):
    shop = synced(fake_woo, variable_share=1)
    vid = next(iter(fake_woo.data.variations))
    fake_woo.data.update_variation(random.Random(5), vid)
    [delivery] = fake_woo.flush()
    payload = json.loads(delivery.body)
    assert (payload["type"], payload["id"]) == ("variation", vid)
    assert post_delivery(delivery) == 200
    variation = fake_woo.data.variations[vid]
    variant = Variant.objects.get(shop=shop, platform_id=str(vid))
    assert variant.price == variation.price
    assert variant.inventory_quantity == variation.stock_quantity
    assert_mirrors(shop, fake_woo.data)


def test_an_order_naming_a_customer_we_have_not_seen_reads_it_first(
    woo_settings, fake_woo, post_delivery
):
    shop = synced(fake_woo)
    rng = random.Random(6)
    customer = fake_woo.data.add_customer(rng)
    [customer_created] = fake_woo.flush()
    order = fake_woo.data.add_order(rng)
    order.customer_id = customer.id
    [order_created] = fake_woo.flush()
    # the order arrives before the customer
    assert post_delivery(order_created) == 200
    assert Order.objects.get(shop=shop, platform_id=str(order.id)).customer.platform_id == str(
        customer.id
    )
    assert post_delivery(customer_created) == 200
    assert Customer.objects.filter(shop=shop, platform_id=str(customer.id)).count() == 1
    assert_mirrors(shop, fake_woo.data)


def test_customer_deleted_for_good(woo_settings, fake_woo, post_delivery):
    shop = synced(fake_woo)
    cid = next(iter(fake_woo.data.customers))
    fake_woo.data.delete_customer(cid)
    [delivery] = fake_woo.flush()
    assert post_delivery(delivery) == 200
    assert Customer.objects.get(shop=shop, platform_id=str(cid)).deleted_at is not None
    assert_mirrors(shop, fake_woo.data)


def test_webhooks_the_store_disabled_are_switched_back_on(
    woo_settings, fake_woo, post_delivery, django_capture_on_commit_callbacks
):
    shop = synced(fake_woo)
    rng = random.Random(7)
    # given our endpoint failed seven deliveries in a row (the store disables after five more
    # than zero: the seventh failure)
    failing = []
    for _ in range(7):
        fake_woo.data.update_product(rng, next(iter(fake_woo.data.products)))
        failing += fake_woo.flush()
    statuses = fake_woo.deliver(failing, lambda delivery: 500)
    assert statuses == [500] * 7
    hook = next(h for h in fake_woo.webhooks.values() if h.topic == "product.updated")
    assert hook.status == "disabled"
    # and changes made meanwhile are not delivered
    fake_woo.data.update_product(rng, list(fake_woo.data.products)[1])
    assert fake_woo.flush() == []
    # when the periodic check runs
    with django_capture_on_commit_callbacks(execute=True):
        counts = tasks.woocommerce_webhooks_check(shop.pk)
    # then the webhook is active again, and a catch-up sync brought the missed change in
    assert counts["reenabled"] == 1
    assert hook.status == "active"
    subscription = WebhookSubscription.objects.get(shop=shop, topic="product.updated")
    assert (subscription.status, subscription.reenabled_count) == ("active", 1)
    assert SyncRun.objects.filter(shop=shop, kind=SyncKind.INCREMENTAL).get().status == "done"
    assert_mirrors(shop, fake_woo.data)


def test_webhook_list_is_served_to_the_shops_admin_only(woo_settings, fake_woo, admin_client_for):
    from tests.factories import ShopFactory

    shop = connected_shop(fake_woo)
    webhooks.webhooks_ensure(shop)
    response = admin_client_for(shop).get("/api/v1/woocommerce/webhooks/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert sorted(r["topic"] for r in rows) == sorted(webhooks.TOPICS)
    assert {r["status"] for r in rows} == {"active"}
    other = ShopFactory(platform="woocommerce", domain="elsewhere.example")
    assert admin_client_for(other).get("/api/v1/woocommerce/webhooks/").json() == {"results": []}
