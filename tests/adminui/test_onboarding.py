from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from integrations.shopify.models import SyncRun
from personalization.privacy.models import PrivacySettings
from shopapp.demo.models import ImportRun, ImportStatus
from tests.adminui.conftest import storefront_event, storefront_session

HX = {"HTTP_HX_REQUEST": "true"}


def running_sync(shop, **fields):
    defaults = {
        "phase": "customers",
        "phases_done": ["products", "collections"],
        "phase_rows_done": 250,
        "phase_rows_total": 1000,
        "rows_done": 4250,
        "phase_started_at": timezone.now() - timedelta(seconds=30),
    }
    return SyncRun.objects.create(shop=shop, **{**defaults, **fields})


def test_a_running_sync_shows_phase_rows_eta_and_polls(admin_client_for, shop):
    running_sync(shop)
    response = admin_client_for(shop).get("/app/onboarding/progress/", **HX)
    html = response.content.decode()
    assert response.status_code == 200
    # two phases of four done and a quarter of the third: 56%
    assert 'data-percent="56.2"' in html
    assert "Customers: 250 of 1,000 rows" in html
    assert "about 2 min left" in html
    assert 'hx-trigger="every 2s"' in html
    assert '<li class="phase phase--done">Products' in html
    assert '<li class="phase phase--current">Customers' in html
    assert '<li class="phase phase--pending">Orders' in html


def test_the_bar_advances_and_polling_stops_when_the_sync_is_done(admin_client_for, shop):
    run = running_sync(shop)
    client = admin_client_for(shop)
    client.get("/app/onboarding/progress/", **HX)
    # when the sync moves on to orders, then finishes
    SyncRun.objects.filter(pk=run.pk).update(
        phase="orders", phases_done=["products", "collections", "customers"], phase_rows_done=500
    )
    assert 'data-percent="87.5"' in client.get("/app/onboarding/progress/", **HX).content.decode()
    SyncRun.objects.filter(pk=run.pk).update(
        status="done", phase="done", finished_at=timezone.now()
    )
    html = client.get("/app/onboarding/progress/", **HX).content.decode()
    assert 'data-percent="100.0"' in html
    assert "hx-trigger" not in html
    assert "Store data is synced." in html


def test_a_failed_sync_shows_its_errors_and_a_retry_button(admin_client_for, shop):
    errors = [{"at": "2026-01-01T00:00:00Z", "phase": "orders", "message": "token refused: 401"}]
    running_sync(shop, status="failed", errors=errors, finished_at=timezone.now())
    html = admin_client_for(shop).get("/app/onboarding/").content.decode()
    assert "Orders: token refused: 401" in html
    assert "Retry the sync" in html


def test_retry_starts_a_new_run_in_the_background(admin_client_for, shop, monkeypatch):
    from integrations.shopify import tasks

    queued = []
    monkeypatch.setattr(tasks.shopify_sync_continue, "delay", lambda run_id: queued.append(run_id))
    failed = running_sync(shop, status="failed", finished_at=timezone.now())
    response = admin_client_for(shop).post("/app/onboarding/retry/", **HX)
    new_run = SyncRun.objects.exclude(pk=failed.pk).get(shop=shop)
    assert response.status_code == 200
    assert new_run.status == "running"
    assert 'data-status="running"' in response.content.decode()


def test_retry_without_a_failed_sync_is_refused(admin_client_for, shop):
    running_sync(shop)
    response = admin_client_for(shop).post("/app/onboarding/retry/", **HX)
    assert response.status_code == 409
    assert response.content.decode() == "There is no failed sync to retry."


def test_another_shops_sync_is_not_shown(admin_client_for, shop, other_shop):
    running_sync(other_shop, phase_rows_done=777)
    html = admin_client_for(shop).get("/app/onboarding/progress/", **HX).content.decode()
    assert 'data-status="none"' in html
    assert "777" not in html


def test_a_demo_import_shows_as_a_finished_sync(admin_client_for, shop):
    at = datetime(2024, 5, 1, tzinfo=UTC)
    report = {"lines": {"imported": 1234}}
    ImportRun.objects.create(
        shop=shop,
        source_name="uci_sample.csv.gz",
        source_sha256="0" * 64,
        status=ImportStatus.SUCCEEDED,
        started_at=at,
        finished_at=at,
        report=report,
    )
    html = admin_client_for(shop).get("/app/onboarding/").content.decode()
    assert 'data-percent="100.0"' in html
    assert "Import of uci_sample.csv.gz" in html
    assert "1,234 rows copied so far." in html


def test_the_checklist_follows_what_the_shop_has_done(admin_client_for, shop):
    client = admin_client_for(shop)
    html = client.get("/app/onboarding/").content.decode()
    assert 'data-step="embed" data-done="false"' in html
    assert 'data-step="consent" data-done="false"' in html
    assert "0 of 4 steps done" in html
    # when events arrive, a block is shown and consent is set
    session = storefront_session(shop, started_at=timezone.now())
    storefront_event(session, "impression", at=timezone.now(), placement="home-recommended")
    PrivacySettings.objects.create(shop=shop)
    html = client.get("/app/onboarding/").content.decode()
    assert 'data-step="embed" data-done="true"' in html
    assert 'data-step="blocks" data-done="true"' in html
    assert 'data-step="consent" data-done="true"' in html
    assert "3 of 4 steps done" in html


def test_shopify_checklist_links_to_the_theme_editor(admin_client_for, shop):
    html = admin_client_for(shop).get("/app/onboarding/").content.decode()
    assert 'href="https://alpha.myshopify.com/admin/themes/current/editor?context=apps"' in html


@pytest.mark.parametrize("url", ["/app/onboarding/", "/app/onboarding/progress/"])
def test_setup_needs_a_session(client, db, url):
    assert client.get(url).status_code == 302


def test_a_woocommerce_store_shows_its_own_sync_phases(admin_client_for, db):
    from integrations.woocommerce.models import SyncRun as WooSyncRun
    from shopapp.shops.models import Platform
    from tests.factories import ShopFactory

    store = ShopFactory(platform=Platform.WOOCOMMERCE, domain="shop.example.com")
    WooSyncRun.objects.create(
        shop=store,
        phase="products",
        phases_done=["collections"],
        phase_rows_done=50,
        phase_rows_total=100,
        errors=[
            {"at": "2026-01-01T00:00:00Z", "phase": "products", "message": "HTTP 503, retrying"}
        ],
    )
    html = admin_client_for(store).get("/app/onboarding/progress/", **HX).content.decode()
    # six phases, one done and half of the second: 25%
    assert 'data-percent="25.0"' in html
    assert '<li class="phase phase--done">Categories' in html
    assert '<li class="phase phase--current">Products' in html
    assert '<li class="phase phase--pending">Checking for deletes' in html
    assert "Products: HTTP 503, retrying" in html
