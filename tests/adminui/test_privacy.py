from __future__ import annotations

import json

import pytest

from personalization.privacy.models import (
    ConsentMode,
    PrivacyAction,
    PrivacyRequest,
    PrivacySettings,
)
from personalization.privacy.services import customer_export
from shopapp.catalog.models import Customer
from shopapp.shops.crypto import lookup_hash
from tests.adminui.conftest import make_profile
from tests.factories import CustomerFactory

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def customer(shop):
    person = CustomerFactory(
        shop=shop,
        email="ada@example.com",
        email_hash=lookup_hash("ada@example.com"),
        name="Ada",
        platform_id="7001",
    )
    make_profile(shop, orders_count=2).delete()  # another profile comes and goes
    return person


def test_privacy_page_shows_defaults_before_anything_is_saved(admin_client_for, shop):
    html = admin_client_for(shop).get("/app/privacy/").content.decode()
    assert 'id="consent-opt_in" name="consent_mode" value="opt_in" checked' in html
    assert '<option value="365" selected>365 days</option>' in html
    assert "No privacy requests yet." in html
    assert not PrivacySettings.objects.filter(shop=shop).exists()


def test_settings_are_saved_per_shop(admin_client_for, shop, other_shop):
    data = {
        "consent_mode": "platform",
        "event_retention_days": "90",
        "anonymous_profile_retention_days": "30",
    }
    response = admin_client_for(shop).post("/app/privacy/settings/", data, **HX)
    assert response.status_code == 200
    assert "Saved" in response.content.decode()
    saved = PrivacySettings.objects.get(shop=shop)
    assert (
        saved.consent_mode,
        saved.event_retention_days,
        saved.anonymous_profile_retention_days,
    ) == (
        ConsentMode.PLATFORM,
        90,
        30,
    )
    assert not PrivacySettings.objects.filter(shop=other_shop).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "consent_mode": "whenever",
                "event_retention_days": "90",
                "anonymous_profile_retention_days": "30",
            },
            "Choose how consent is asked.",
        ),
        (
            {
                "consent_mode": "opt_in",
                "event_retention_days": "9999",
                "anonymous_profile_retention_days": "30",
            },
            "Choose one of 30, 90, 180, 365, 730 days.",
        ),
        (
            {
                "consent_mode": "opt_in",
                "event_retention_days": "90",
                "anonymous_profile_retention_days": "x",
            },
            "Choose one of 30, 90, 180, 365 days.",
        ),
    ],
)
def test_bad_settings_are_refused_with_a_message(admin_client_for, shop, data, message):
    response = admin_client_for(shop).post("/app/privacy/settings/", data, **HX)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not PrivacySettings.objects.filter(shop=shop).exists()


def test_an_export_is_filed_logged_and_downloadable(admin_client_for, shop, customer):
    client = admin_client_for(shop)
    response = client.post(
        "/app/privacy/requests/", {"action": "export", "customer": "ADA@example.com"}, **HX
    )
    html = response.content.decode()
    request = PrivacyRequest.objects.get(shop_id_ref=shop.pk)
    assert response.status_code == 200
    assert (request.action, request.status, request.source) == ("export", "done", "admin")
    assert f'data-filed="{request.pk}"' in html
    assert f'<tr data-request="{request.pk}">' in html
    download = client.get(f"/app/privacy/requests/{request.pk}/export.json")
    assert download.status_code == 200
    assert (
        download["Content-Disposition"]
        == f'attachment; filename="customer-export-{request.pk}.json"'
    )
    assert json.loads(download.content)["customer"]["email"] == "ada@example.com"


def test_an_erasure_needs_confirmation(admin_client_for, shop, customer):
    response = admin_client_for(shop).post(
        "/app/privacy/requests/", {"action": "erase", "customer": "7001"}, **HX
    )
    assert response.status_code == 422
    assert "Confirm that the erasure cannot be undone." in response.content.decode()
    assert Customer.objects.filter(pk=customer.pk).exists()
    assert not PrivacyRequest.objects.exists()


def test_an_erasure_removes_the_customer_and_purges_earlier_exports(
    admin_client_for, shop, customer
):
    client = admin_client_for(shop)
    export = customer_export(shop=shop, customer=customer)
    response = client.post(
        "/app/privacy/requests/", {"action": "erase", "customer": "7001", "confirm": "on"}, **HX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert "Customer erasure for customer 7001: done." in html
    assert "deleted with the erasure" in html
    assert client.get(f"/app/privacy/requests/{export.pk}/export.json").status_code == 410


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "export", "customer": ""}, "Enter the customer&#x27;s email or customer id."),
        (
            {"action": "export", "customer": "nobody@example.com"},
            "No customer of this shop has that email or id.",
        ),
        ({"action": "delete-all", "customer": "7001"}, "Choose export or erase."),
    ],
)
def test_bad_requests_are_refused_with_a_message(admin_client_for, shop, customer, data, message):
    response = admin_client_for(shop).post("/app/privacy/requests/", data, **HX)
    assert response.status_code == 422
    assert message in response.content.decode()


def test_another_shops_customer_and_exports_are_out_of_reach(admin_client_for, shop, other_shop):
    # given a customer of another shop, and their export
    theirs = CustomerFactory(
        shop=other_shop,
        email="bea@example.com",
        email_hash=lookup_hash("bea@example.com"),
        platform_id="9001",
    )
    their_export = customer_export(shop=other_shop, customer=theirs)
    client = admin_client_for(shop)
    # then shop A can neither file requests for them nor download their export or see it logged
    for identifier in ("bea@example.com", "9001"):
        response = client.post(
            "/app/privacy/requests/",
            {"action": "erase", "customer": identifier, "confirm": "on"},
            **HX,
        )
        assert response.status_code == 422
    assert Customer.objects.filter(pk=theirs.pk).exists()
    assert client.get(f"/app/privacy/requests/{their_export.pk}/export.json").status_code == 404
    assert f'data-request="{their_export.pk}"' not in client.get("/app/privacy/").content.decode()


def test_an_erasure_record_has_no_download(admin_client_for, shop, customer):
    client = admin_client_for(shop)
    client.post(
        "/app/privacy/requests/", {"action": "erase", "customer": "7001", "confirm": "on"}, **HX
    )
    erasure = PrivacyRequest.objects.get(action=PrivacyAction.ERASE)
    assert client.get(f"/app/privacy/requests/{erasure.pk}/export.json").status_code == 404


def test_privacy_writes_need_a_session(client, db):
    response = client.post("/app/privacy/settings/", {"consent_mode": "opt_in"}, **HX)
    assert response.status_code == 401


def test_the_page_shows_the_last_retention_run_and_runs_it_on_demand(
    admin_client_for, shop, other_shop
):
    from datetime import timedelta

    from django.utils import timezone

    from tests.adminui.conftest import storefront_event, storefront_session

    # given a visitor unseen for two years, and nothing run yet
    long_ago = timezone.now() - timedelta(days=800)
    storefront_event(storefront_session(shop, started_at=long_ago), "page_view", at=long_ago)
    client = admin_client_for(shop)
    assert 'data-retention-run="none"' in client.get("/app/privacy/").content.decode()
    # when the merchant runs it now
    response = client.post("/app/privacy/retention/", **HX)
    # then the card says what went, the log refreshes, and the run is logged for this shop only
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "privacyLogChanged"
    html = response.content.decode()
    assert "Done just now" in html
    assert "1 event, 1 session, 1 anonymous visitor and 0 profiles deleted." in html
    run = PrivacyRequest.objects.get(action=PrivacyAction.RETENTION)
    assert (run.shop_id_ref, run.source) == (shop.pk, "admin")
    log = client.get("/app/privacy/requests/", **HX).content.decode()
    assert "Retention clean-up" in log
    assert f'data-retention-run="{run.pk}"' in client.get("/app/privacy/").content.decode()
    other = admin_client_for(other_shop).get("/app/privacy/").content.decode()
    assert 'data-retention-run="none"' in other
