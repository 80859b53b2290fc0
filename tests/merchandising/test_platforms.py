"""Search merchandising reaches Shopify storefronts: the theme app extension ships pz-search.js
and the app embed loads it on search pages only, after pz.js."""

from __future__ import annotations

from pathlib import Path

from integrations.shopify.build_extensions import MAX_JS_BYTES, build

THEME = Path(__file__).resolve().parents[2] / "integrations" / "shopify" / "extensions" / "pz-theme"


def test_the_build_copies_the_search_script_into_the_extension():
    from contextlib import suppress

    # The extra scripts are copied first; pz.js over its own budget is test_script_budget's.
    with suppress(SystemExit):
        build()
    shipped = THEME / "assets" / "pz-search.js"
    source = Path(__file__).resolve().parents[2] / "static" / "storefront" / "pz-search.js"
    assert shipped.read_bytes() == source.read_bytes()
    assert len(shipped.read_bytes()) <= MAX_JS_BYTES


def test_the_app_embed_loads_it_deferred_on_search_pages_only_after_pz_js():
    text = (THEME / "blocks" / "pz-embed.liquid").read_text()
    main = text.index("{{ 'pz.js' | asset_url }}")
    search = text.index("{{ 'pz-search.js' | asset_url }}")
    assert main < search
    guard = text.rindex("{%- if search.performed %}", 0, search)
    tag = text[guard : text.index("</script>", search)]
    assert "{%- endif %}" not in tag
    assert "defer" in tag
    assert 'data-shop-key="{{ key | escape }}"' in tag
