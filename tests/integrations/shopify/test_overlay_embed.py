"""The app embed loads the campaign overlay script (pz-overlay.js): deferred, after pz.js, with
the attributes the script reads, behind a setting every locale labels; the build copies it."""

from __future__ import annotations

import json
import re

from integrations.shopify.build_extensions import MAX_JS_BYTES, extra_scripts_copy
from tests.integrations.shopify.test_extensions import THEME, schema_of


def test_app_embed_loads_the_overlay_script_after_pz_js():
    # given the extension's scripts copied in by the build step
    copied = extra_scripts_copy()
    path = THEME / "blocks" / "pz-embed.liquid"
    text = path.read_text()
    # then the embed has one deferred overlay script tag, after pz.js, with its marker and key
    tags = re.findall(r"<script\b[^>]*>", text)
    overlay = [t for t in tags if "'pz-overlay.js' | asset_url" in t]
    assert len(overlay) == 1
    tag = overlay[0]
    assert re.search(r"<script\s+defer\s", tag)
    assert "data-pz-overlay" in tag
    assert 'data-shop-key="{{ key | escape }}"' in tag
    assert "data-api-base=\"{{ block.settings.api_base | default: '/apps/pz/' }}\"" in tag
    assert text.index("'pz.js' | asset_url") < text.index("'pz-overlay.js' | asset_url")
    # behind the "campaigns" setting, on by default
    assert "{%- if block.settings.campaigns %}" in text
    setting = next(s for s in schema_of(path)["settings"] if s["id"] == "campaigns")
    assert (setting["type"], setting["default"]) == ("checkbox", True)
    # and the asset is there, the same bytes as the storefront's, within the JS limit
    asset = THEME / "assets" / "pz-overlay.js"
    assert asset in copied
    source = THEME.parents[3] / "static" / "storefront" / "pz-overlay.js"
    assert asset.read_bytes() == source.read_bytes()
    assert asset.stat().st_size <= MAX_JS_BYTES


def test_every_schema_locale_labels_the_campaigns_setting():
    for path in sorted((THEME / "locales").glob("*.schema.json")):
        labels = json.loads(path.read_text(encoding="utf-8"))["blocks"]["embed"]
        assert labels.get("campaigns"), path.name
