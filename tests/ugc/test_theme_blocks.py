"""The Shopify app blocks and the WordPress blocks for customer content follow the contract the
script reads: the block kind, reserved space, the deferred script with the shop key and API base."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from integrations.shopify.build_extensions import build

ROOT = Path(__file__).resolve().parents[2]
THEME = ROOT / "integrations" / "shopify" / "extensions" / "pz-theme"
PLUGIN = ROOT / "integrations" / "woocommerce" / "wordpress-plugin" / "pz-personalization"


def schema_of(path: Path) -> dict:
    match = re.search(r"{% schema %}(.*?){% endschema %}", path.read_text(), re.S)
    assert match, path.name
    return json.loads(match.group(1))


@pytest.mark.parametrize(
    ("block", "kind"),
    [
        ("customer-photos", "gallery"),
        ("review-highlights", "highlights"),
        ("photo-upload", "upload"),
    ],
)
def test_shopify_blocks_render_the_ugc_contract(block, kind):
    text = (THEME / "blocks" / f"{block}.liquid").read_text()
    schema = schema_of(THEME / "blocks" / f"{block}.liquid")
    assert schema["target"] == "section"
    assert schema["stylesheet"] == "pz-blocks.css"
    assert f'data-pz-ugc="{kind}"' in text
    assert re.search(
        r"<script defer src=\"{{ 'pz-ugc.js' \| asset_url }}\" data-pz-ugc data-shop-key=\"{{ key \| escape }}\" data-api-base=\"/apps/pz/\"></script>",
        text,
    )
    if kind != "upload":
        assert 'data-pz-limit="{{ limit }}"' in text
        assert "data-pz-ugc-items" in text


def test_the_build_ships_the_ugc_script_and_the_css_reserves_its_space():
    build()
    shipped = (THEME / "assets" / "pz-ugc.js").read_bytes()
    assert shipped == (ROOT / "static" / "storefront" / "pz-ugc.js").read_bytes()
    css = (THEME / "assets" / "pz-blocks.css").read_text()
    assert ".ugc-card__media { aspect-ratio: 1;" in css
    assert ".pz-slot--reviews { min-height: 160px; }" in css


@pytest.mark.parametrize(
    ("block", "kind"),
    [
        ("customer-photos", "gallery"),
        ("review-highlights", "highlights"),
        ("photo-upload", "upload"),
    ],
)
def test_wordpress_blocks_render_through_the_ugc_class(block, kind):
    meta = json.loads((PLUGIN / "blocks" / block / "block.json").read_text())
    assert meta["name"] == f"pz/{block}"
    assert f"PZ_Ugc::render( '{block}'" in (PLUGIN / "blocks" / block / "render.php").read_text()
    php = (PLUGIN / "includes" / "class-pz-ugc.php").read_text()
    assert f"'{block}'" in php
    assert f"'kind'      => '{kind}'" in php
    assert "includes/class-pz-ugc.php" in (PLUGIN / "pz-personalization.php").read_text()
    assert f"pz/{block}" in (PLUGIN / "assets" / "blocks-editor.js").read_text()


def test_the_plugin_build_ships_the_ugc_script(tmp_path):
    from integrations.woocommerce.build_plugin import build as build_plugin

    build_plugin(tmp_path / "assets" / "pz.js")
    shipped = (tmp_path / "assets" / "pz-ugc.js").read_bytes()
    assert shipped == (ROOT / "static" / "storefront" / "pz-ugc.js").read_bytes()
