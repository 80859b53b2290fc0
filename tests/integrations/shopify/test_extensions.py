"""The theme app extension and the web pixel: the CLI's rules, theme-check, the slot contract,
and the pixel's batches against the events API's schema."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import tomllib
from pathlib import Path

import pytest

from integrations.shopify.build_extensions import MAX_JS_BYTES, build
from personalization.events.schema import parse_batch

ROOT = Path(__file__).resolve().parents[3]
EXTENSIONS = ROOT / "integrations" / "shopify" / "extensions"
THEME = EXTENSIONS / "pz-theme"
PIXEL = EXTENSIONS / "pz-web-pixel"
ALLOWED = {
    "assets": {".js", ".css", ".json", ".png", ".jpg", ".jpeg", ".svg", ".wasm"},
    "blocks": {".liquid"},
    "snippets": {".liquid"},
    "locales": {".json"},
}
HAS_NODE = shutil.which("node") is not None and (ROOT / "node_modules" / "@shopify").exists()
needs_node = pytest.mark.skipif(
    not HAS_NODE, reason="node or node_modules missing (scripts/test.sh runs `npm ci` when it can)"
)


def schema_of(path: Path) -> dict:
    match = re.search(r"{% schema %}(.*?){% endschema %}", path.read_text(), re.S)
    assert match, f"{path.name} has no schema"
    return json.loads(match.group(1))


def test_theme_extension_follows_the_cli_rules():
    build()
    config = tomllib.loads((THEME / "shopify.extension.toml").read_text())
    assert config["type"] == "theme"
    entries = {p.name for p in THEME.iterdir()}
    assert entries <= {*ALLOWED, "shopify.extension.toml"}
    total = liquid = 0
    for path in THEME.rglob("*"):
        if path.is_dir():
            continue
        size = path.stat().st_size
        total += size
        if path.name == "shopify.extension.toml":
            continue
        folder = path.relative_to(THEME).parts[0]
        assert len(path.relative_to(THEME).parts) == 2, f"{path}: no subfolders allowed"
        assert path.suffix in ALLOWED[folder], f"{path}: {path.suffix} not allowed in {folder}/"
        if path.suffix == ".liquid":
            liquid += size
        if folder == "assets" and path.suffix == ".js":
            assert size <= MAX_JS_BYTES, f"{path.name} is {size} bytes"
        if folder == "assets" and path.suffix == ".css":
            assert size <= 100_000
    assert total <= 10 * 1024 * 1024
    assert liquid <= 500 * 1024
    assert len(list((THEME / "blocks").glob("*.liquid"))) <= 30


@pytest.mark.parametrize(
    ("block", "slots"),
    [
        ("personalized-home", {"home-recommended"}),
        ("recommendations", {"{{ slot }}"}),
        ("ugc-gallery", {"ugc-gallery"}),
    ],
)
def test_app_blocks_reserve_space_and_render_the_slot_contract(block, slots):
    path = THEME / "blocks" / f"{block}.liquid"
    text = path.read_text()
    schema = schema_of(path)
    assert schema["target"] == "section"
    assert schema["stylesheet"] == "pz-blocks.css"
    assert {s["id"] for s in schema["settings"]} >= {"heading", "count"}
    assert set(re.findall(r'data-pz-slot="([^"]+)"', text)) == slots
    assert 'data-pz-fallback="server"' in text
    assert 'data-pz-limit="{{ limit }}"' in text
    assert re.search(r'class="pz-slot pz-slot--(products|gallery)', text)
    # every product in the fallback is marked, so impressions and clicks count from the start
    card = (THEME / "snippets" / "pz-product-card.liquid").read_text()
    assert "data-pz-product-id" in text or (
        "render 'pz-product-card'" in text and 'data-pz-product-id="{{ product.id }}"' in card
    )


def test_recommendations_cover_the_four_kinds():
    schema = schema_of(THEME / "blocks" / "recommendations.liquid")
    kinds = next(s for s in schema["settings"] if s["id"] == "kind")
    assert [o["value"] for o in kinds["options"]] == [
        "related",
        "bought_together",
        "recently_viewed",
        "for_you",
    ]
    text = (THEME / "blocks" / "recommendations.liquid").read_text()
    for slot in (
        "product-related",
        "product-bought-together",
        "product-recently-viewed",
        "home-recommended",
    ):
        assert f"'{slot}'" in text


def test_reserved_heights_match_the_demo_storefront():
    css = (THEME / "assets" / "pz-blocks.css").read_text()
    assert ".pz-slot--products { min-height: 380px; }" in css
    assert ".pz-slot--gallery { min-height: 300px; }" in css
    assert "aspect-ratio: 1" in css


def test_app_embed_loads_the_shared_script_deferred():
    path = THEME / "blocks" / "pz-embed.liquid"
    assert schema_of(path)["target"] == "head"
    text = path.read_text()
    assert "{{ 'pz.js' | asset_url }}" in text
    assert re.search(r"<script\s+defer\s", text)
    for name in (
        "pz-page",
        "pz-currency",
        "pz-product-id",
        "pz-collection-id",
        "pz-cart-product-ids",
        "pz-search-query",
    ):
        assert f'name="{name}"' in text
    assert (THEME / "assets" / "pz.js").read_bytes()  # the build step put it there


@needs_node
def test_theme_check_is_clean():
    build()
    script = "require('@shopify/theme-check-node').check(process.argv[1]).then(o => console.log(JSON.stringify(o.map(x => [x.check, x.message, x.uri]))))"
    output = subprocess.run(
        ["node", "-e", script, str(THEME)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(output.stdout) == []


def test_web_pixel_config_honours_privacy():
    config = tomllib.loads((PIXEL / "shopify.extension.toml").read_text())
    assert config["type"] == "web_pixel_extension"
    assert config["runtime_context"] == "strict"
    assert config["customer_privacy"] == {
        "analytics": True,
        "marketing": False,
        "preferences": False,
        "sale_of_data": "disabled",
    }
    assert set(config["settings"]["fields"]) == {"storefrontKey", "endpoint"}
    for path in (PIXEL / "src").glob("*.js"):
        assert path.stat().st_size <= MAX_JS_BYTES
    source = (PIXEL / "src" / "index.js").read_text()
    assert "analyticsProcessingAllowed" in source
    assert "visitorConsentCollected" in source


STANDARD_EVENTS = [
    {"name": "page_viewed", "data": {}},
    {
        "name": "product_viewed",
        "data": {
            "productVariant": {
                "id": "gid://shopify/ProductVariant/55",
                "price": {"amount": 12.5, "currencyCode": "GBP"},
                "product": {"id": "7001"},
            }
        },
    },
    {"name": "collection_viewed", "data": {"collection": {"id": "300", "title": "Mugs"}}},
    {"name": "search_submitted", "data": {"searchResult": {"query": "red mug"}}},
    {
        "name": "product_added_to_cart",
        "data": {
            "cartLine": {
                "quantity": 2,
                "merchandise": {"id": "55", "price": {"amount": 12.5}, "product": {"id": "7001"}},
            }
        },
    },
    {
        "name": "product_removed_from_cart",
        "data": {
            "cartLine": {"quantity": 1, "merchandise": {"id": "55", "product": {"id": "7001"}}}
        },
    },
    {
        "name": "checkout_started",
        "data": {"checkout": {"totalPrice": {"amount": 25}, "currencyCode": "GBP"}},
    },
    {
        "name": "checkout_completed",
        "data": {
            "checkout": {
                "totalPrice": {"amount": 25},
                "currencyCode": "GBP",
                "order": {"id": "820982911946154500"},
            }
        },
    },
    {"name": "ui_extension_errored", "data": {}},
]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_web_pixel_batches_pass_the_events_schema(tmp_path):
    # given Shopify's standard events as the pixel receives them
    now_ms = int(time.time() * 1000)
    events = [
        {
            **e,
            "id": f"sh-88153c5a-8f2d-4cca-3231-ef5c032a4c{i:02d}",
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(now_ms / 1000)),
            "context": {
                "document": {"location": {"href": "https://alpha.myshopify.com/products/mug"}}
            },
        }
        for i, e in enumerate(STANDARD_EVENTS)
    ]
    runner = tmp_path / "run.mjs"
    runner.write_text(
        f"import {{ toBatch, toEvent }} from {json.dumps((PIXEL / 'src' / 'events.js').as_uri())};\n"
        "const events = JSON.parse(process.argv[2]).map(toEvent).filter(Boolean);\n"
        "console.log(JSON.stringify(toBatch('visitor-0001-abcd', events)));\n"
    )
    output = subprocess.run(
        ["node", str(runner), json.dumps(events)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    # when the pixel maps and batches them
    batch = json.loads(output.stdout)
    # then the events API accepts the batch as it is, with every standard event we subscribe to
    parsed = parse_batch(batch, now=time.time())
    assert [e.type for e in parsed.events] == [
        "page_view",
        "product_view",
        "collection_view",
        "search",
        "add_to_cart",
        "remove_from_cart",
        "checkout_started",
        "purchase",
    ]
    assert parsed.events[1].product_id == "7001"
    assert parsed.events[1].variant_id == "55"
    assert parsed.events[4].quantity == 2
    assert parsed.events[7].order_id == "820982911946154500"
    assert parsed.has_consent is True
