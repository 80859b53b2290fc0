"""The whole life of a shop against the fake: install, bulk sync of a generated store, webhooks
with duplicates and reordering, uninstall, shop/redact; and customers/redact leaving no trace."""

from __future__ import annotations

import os
import pickle
import random

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import models

from integrations.shopify.models import ComplianceOutcome, ComplianceRequest, SyncRun, SyncStatus
from shopapp.catalog.models import Customer, Order, Product
from shopapp.shops.crypto import lookup_hash
from shopapp.shops.models import InstallState, Shop
from tests.integrations.shopify.conftest import SHOP
from tests.integrations.shopify.mirror import assert_mirrors
from tests.integrations.shopify.test_sync import install

pytestmark = pytest.mark.django_db

# A fifth of the store (2,000 products, 10,000 orders) in the suite, to keep CI fast;
# SHOPIFY_JOURNEY_SCALE=1 runs the full 10,000 products and 50,000 orders.
SCALE = float(os.environ.get("SHOPIFY_JOURNEY_SCALE", "0.2"))


def shop_rows(shop_id: int) -> dict[str, int]:
    """Rows of every table with a foreign key to Shop that still belong to the shop."""
    found = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is Shop:
                count = model._default_manager.filter(**{field.attname: shop_id}).count()
                if count:
                    found[model._meta.label] = count
    return found


@pytest.mark.slow
def test_install_sync_webhooks_uninstall_redact(
    client, fake_shopify, webhook_post, django_capture_on_commit_callbacks
):
    # given a generated store of 10,000 products and 50,000 orders
    data = fake_shopify.shops[SHOP]
    data.generate(products=int(10_000 * SCALE), orders=int(50_000 * SCALE), seed=21)
    # when the merchant installs the app
    shop = install(client, fake_shopify, django_capture_on_commit_callbacks)
    run = SyncRun.objects.get(shop=shop)
    assert run.status == SyncStatus.DONE
    assert Product.objects.filter(shop=shop).count() == len(data.products)
    assert Order.objects.filter(shop=shop).count() == len(data.orders)
    # and 200 deliveries arrive, 10 % of them twice and 20 % out of order
    rng = random.Random(22)
    deliveries: list = []
    while len(deliveries) < 182:
        deliveries += [fake_shopify.delivery(SHOP, t, p) for t, p in data.change_random(rng)]
    sent = fake_shopify.disorder(deliveries, duplicates=0.1, reordered=0.2, seed=23)
    assert len(sent) >= 200
    assert set(fake_shopify.deliver(sent, webhook_post)) == {200}
    # then our database equals the fake's state exactly
    assert_mirrors(shop, data)
    # when the merchant uninstalls: credentials go, data stays
    fake_shopify.deliver([fake_shopify.delivery(SHOP, "app/uninstalled", {"id": 1})], webhook_post)
    shop.refresh_from_db()
    assert shop.install_state == InstallState.UNINSTALLED
    assert shop.credentials == {}
    assert Product.objects.filter(shop=shop).exists()
    # and 48 hours later Shopify asks to redact the shop
    shop_id, storefront_key = shop.pk, shop.storefront_key
    redact = fake_shopify.delivery(SHOP, "shop/redact", {"shop_id": 954889, "shop_domain": SHOP})
    assert fake_shopify.deliver([redact], webhook_post) == [200]
    # then nothing of the shop is left, and the request's audit record is
    assert not Shop.objects.filter(pk=shop_id).exists()
    assert shop_rows(shop_id) == {}
    assert not [v for v in _cache_values() if storefront_key.encode() in v]
    audit = ComplianceRequest.objects.get(webhook_id=redact.webhook_id)
    assert audit.outcome == ComplianceOutcome.ERASED
    assert audit.privacy_request is not None
    assert audit.privacy_request.shop_id_ref == shop_id
    # and a redelivery of the same request does nothing twice
    assert fake_shopify.deliver([redact], webhook_post) == [200]
    assert ComplianceRequest.objects.filter(webhook_id=redact.webhook_id).count() == 1


def _cache_values() -> list[bytes]:
    """Every key and value in the cache, whatever the backend (Redis or local memory)."""
    backend = cache._cache if hasattr(cache, "_cache") else None  # type: ignore[attr-defined]
    if isinstance(backend, dict):  # LocMemCache
        return [
            str(k).encode() + b"=" + (v if isinstance(v, bytes) else pickle.dumps(v))
            for k, v in backend.items()
        ]
    client = cache._cache.get_client()  # type: ignore[attr-defined]
    return [key + b"=" + (client.get(key) or b"") for key in client.scan_iter("*")]


def _mentions(values: list[str]) -> list[str]:
    """Every (table, column) whose stored or decrypted value holds one of `values`."""
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
        for row in model._default_manager.all().values_list(*(f.attname for f in fields)):
            for field, value in zip(fields, row, strict=True):
                text = str(value)
                if any(v in text for v in values):
                    found.append(f"{model._meta.label}.{field.attname}")
    return sorted(set(found))


def test_customers_redact_leaves_nothing_of_the_customer(
    client, fake_shopify, webhook_post, django_capture_on_commit_callbacks
):
    # given an installed shop where a customer with a distinctive id, email and name ordered
    data = fake_shopify.shops[SHOP]
    data.generate(products=10, orders=0, customers=2, seed=31)
    rng = random.Random(32)
    customer = data._customer(rng)
    data.customers.pop(customer.id)
    customer.id, customer.email = 987654321012, "ada.lovelace.redact@example.com"
    customer.first_name, customer.last_name = "Augusta", "Byronlovelace"
    data.customers[customer.id] = customer
    order = data._order(rng, customer.id)
    shop = install(client, fake_shopify, django_capture_on_commit_callbacks)
    # and the customer asked for their data first, and a later webhook of theirs is still queued
    assert Customer.objects.filter(shop=shop, platform_id=str(customer.id)).exists()
    request = fake_shopify.delivery(
        SHOP,
        "customers/data_request",
        {
            "shop_id": 1,
            "shop_domain": SHOP,
            "orders_requested": [order.id],
            "customer": {"id": customer.id, "email": customer.email, "phone": "+441234567890"},
            "data_request": {"id": 9999},
        },
    )
    assert fake_shopify.deliver([request], webhook_post) == [200]
    export = ComplianceRequest.objects.get(webhook_id=request.webhook_id)
    assert export.outcome == ComplianceOutcome.EXPORTED
    assert export.privacy_request.result["customer"]["email"] == customer.email
    assert [o["platform_id"] for o in export.privacy_request.result["orders"]] == [str(order.id)]
    cache.set(f"pz:{shop.pk}:visitor:v-{customer.id}", {"email": customer.email})
    # when Shopify asks to redact the customer
    redact = fake_shopify.delivery(
        SHOP,
        "customers/redact",
        {
            "shop_id": 1,
            "shop_domain": SHOP,
            "customer": {"id": customer.id, "email": customer.email, "phone": "+441234567890"},
            "orders_to_redact": [order.id],
        },
    )
    assert fake_shopify.deliver([redact], webhook_post) == [200]
    # then no table holds the customer's ids, email, name or email hash
    needles = [
        str(customer.id),
        customer.email,
        customer.last_name,
        lookup_hash(customer.email),
        "+441234567890",
    ]
    assert _mentions(needles) == []
    # and the order stays for the merchant's totals, unlinked, without its country
    kept = Order.objects.get(shop=shop, platform_id=str(order.id))
    assert kept.customer_id is None
    assert kept.country == ""
    # and the audit records say what was done, naming nobody
    audit = ComplianceRequest.objects.get(webhook_id=redact.webhook_id)
    assert audit.outcome == ComplianceOutcome.ERASED
    assert audit.payload == {}
    assert audit.subject_hash == lookup_hash(f"customer:{customer.id}")
    assert audit.privacy_request.result["customers"] == 1


def test_compliance_webhooks_need_a_valid_hmac(client, fake_shopify):
    delivery = fake_shopify.delivery(SHOP, "shop/redact", {"shop_id": 1, "shop_domain": SHOP})
    headers = fake_shopify.headers(delivery)
    headers["X-Shopify-Hmac-Sha256"] = "bad" + headers["X-Shopify-Hmac-Sha256"][3:]
    response = client.post(
        "/shopify/webhooks",
        data=delivery.body,
        content_type="application/json",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )
    assert response.status_code == 401
    assert not ComplianceRequest.objects.exists()
