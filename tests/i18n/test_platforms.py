"""The platforms' own translation files: the Shopify theme extension's locales and the WordPress
plugin's .pot/.po (theme-check and the real-WordPress test cover them too, when node and WordPress
are on the machine; these run everywhere)."""

from __future__ import annotations

import gettext
import json
import re
from pathlib import Path

import pytest

from integrations.woocommerce import plugin_i18n

ROOT = Path(__file__).resolve().parents[2]
THEME = ROOT / "integrations" / "shopify" / "extensions" / "pz-theme"
LANGUAGES = ["id", "nl", "fr", "da", "hu"]


def flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def locale_file(language: str, kind: str) -> dict[str, str]:
    name = "en.default" if language == "en" else language
    suffix = ".schema.json" if kind == "schema" else ".json"
    return flatten(json.loads((THEME / "locales" / f"{name}{suffix}").read_text("utf-8")))


@pytest.mark.parametrize("kind", ["storefront", "schema"])
def test_shopify_locales_have_every_key_in_every_language(kind):
    # given the default English file
    english = locale_file("en", kind)
    assert english
    for language in LANGUAGES:
        # when a language's file is read
        translated = locale_file(language, kind)
        # then it has exactly the same keys, none empty, and says most things differently
        assert translated.keys() == english.keys(), language
        assert all(value.strip() for value in translated.values()), language
        same = [key for key in english if translated[key] == english[key]]
        assert len(same) <= len(english) // 4, (language, same)


def test_shopify_liquid_uses_only_keys_that_exist():
    # given every block and snippet
    storefront = locale_file("en", "storefront")
    schema = locale_file("en", "schema")
    for path in [*THEME.glob("blocks/*.liquid"), *THEME.glob("snippets/*.liquid")]:
        text = path.read_text("utf-8")
        # then each `| t` key and each schema `t:` key is in the default files
        for key in re.findall(r"\{\{\s*'([\w.]+)'\s*\|\s*t\b", text):
            assert key in storefront, (path.name, key)
        for key in re.findall(r'"t:([\w.]+)"', text):
            assert key in schema, (path.name, key)
        # and no schema label or name is left in English
        match = re.search(r"{% schema %}(.*?){% endschema %}", text, re.S)
        if match:
            for field in ("name", "label"):
                for value in re.findall(rf'"{field}":\s*"([^"]*)"', match.group(1)):
                    assert value.startswith("t:"), (path.name, field, value)


def test_shopify_embed_hands_the_scripts_their_words():
    # the storefront scripts read their few visible words from these meta tags
    text = (THEME / "blocks" / "pz-embed.liquid").read_text("utf-8")
    for name in ("pz-t-view", "pz-t-preview", "pz-t-close"):
        assert re.search(rf"<meta name=\"{name}\" content=\"{{{{ '[\w.]+' \| t", text), name


def test_wordpress_plugin_catalogues_are_complete():
    # given the plugin's PHP, editor script and block.json files
    # when they are compared with the .pot and the five .po files
    found = plugin_i18n.problems()
    # then the .pot is current, every call names the text domain and every string is translated
    assert found == [], "\n".join(found[:40])
    header = (plugin_i18n.PLUGIN / "pz-personalization.php").read_text("utf-8")
    assert "Text Domain:       pz-personalization" in header
    assert "Domain Path:       /languages" in header


def test_wordpress_translations_compile_for_php_and_the_editor(tmp_path):
    # when the build step compiles the catalogues into a plugin folder
    written = plugin_i18n.compile_into(tmp_path)
    # then WordPress finds a .mo per locale, and the editor script's JSON is named by the md5
    # of its path, as wp_set_script_translations looks it up
    names = sorted(p.name for p in written)
    assert "pz-personalization-fr_FR.mo" in names
    assert "pz-personalization-fr_FR-29e1635be70cf6fb2231135970364877.json" in names
    with (tmp_path / "languages" / "pz-personalization-fr_FR.mo").open("rb") as handle:
        french = gettext.GNUTranslations(handle)
    assert french.gettext("You may also like") == "Vous aimerez aussi"
    assert french.pgettext("block title", "Recently viewed") == "Vus récemment"
    editor = json.loads(
        (
            tmp_path
            / "languages"
            / "pz-personalization-hu_HU-29e1635be70cf6fb2231135970364877.json"
        ).read_text("utf-8")
    )
    assert editor["locale_data"]["messages"]["Heading"] == ["Címsor"]
