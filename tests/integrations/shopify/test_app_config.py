"""shopify.app.toml against the code: topics handled, compliance topics, proxy, extensions."""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.conf import settings

from integrations.shopify.models import ComplianceTopic
from integrations.shopify.webhooks import HANDLERS

APP_DIR = Path(__file__).resolve().parents[3] / "integrations" / "shopify"
CONFIG = tomllib.loads((APP_DIR / "shopify.app.toml").read_text())


def test_every_subscribed_topic_has_a_handler_and_every_handler_a_subscription():
    topics = {t for s in CONFIG["webhooks"]["subscriptions"] for t in s.get("topics", [])}
    assert topics == set(HANDLERS)


def test_compliance_topics_are_subscribed_to_the_webhook_endpoint():
    compliance = [s for s in CONFIG["webhooks"]["subscriptions"] if "compliance_topics" in s]
    assert len(compliance) == 1
    assert set(compliance[0]["compliance_topics"]) == set(ComplianceTopic.values)
    assert compliance[0]["uri"] == "/shopify/webhooks"


def test_api_version_matches_the_client():
    assert CONFIG["webhooks"]["api_version"] == settings.SHOPIFY_API_VERSION


def test_embedded_with_app_proxy_and_extensions():
    assert CONFIG["embedded"] is True
    assert CONFIG["app_proxy"] == {
        "url": "https://app.shopapp.example/shopify/proxy",
        "subpath": "pz",
        "prefix": "apps",
    }
    assert CONFIG["extension_directories"] == ["extensions/*"]
    found = sorted(p.parent.name for p in APP_DIR.glob("extensions/*/shopify.extension.toml"))
    assert found == ["pz-theme", "pz-web-pixel"]


def test_scopes_cover_sync_and_pixel():
    scopes = set(CONFIG["access_scopes"]["scopes"].split(","))
    assert {
        "read_products",
        "read_customers",
        "read_orders",
        "write_pixels",
        "read_customer_events",
    } <= scopes
