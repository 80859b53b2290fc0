"""The quiz and preference center app blocks: the script they load, the proxy they call, the
schema's translation keys."""

from __future__ import annotations

import json
import re

import pytest

from integrations.shopify.build_extensions import MAX_JS_BYTES, QUIZ_SOURCE, quiz_script_copy
from tests.integrations.shopify.test_extensions import THEME, schema_of


def translation_keys(tree: dict, prefix: str = "") -> set[str]:
    keys = set()
    for name, value in tree.items():
        path = f"{prefix}{name}"
        keys |= translation_keys(value, f"{path}.") if isinstance(value, dict) else {path}
    return keys


@pytest.mark.parametrize(
    ("block", "marker", "name"),
    [
        ("quiz", "data-pz-quiz", "t:blocks.quiz.name"),
        ("preference-center", "data-pz-preferences", "t:blocks.preference_center.name"),
    ],
)
def test_block_loads_the_quiz_script_deferred_through_the_app_proxy(block, marker, name):
    path = THEME / "blocks" / f"{block}.liquid"
    text = path.read_text()
    schema = schema_of(path)
    assert schema["name"] == name
    assert schema["target"] == "section"
    assert schema["stylesheet"] == "pz-prefs.css"
    # the element pz-quiz.js binds, with its space reserved before the script arrives
    assert re.search(rf"<section\b[^>]*\s{marker}\s", text)
    assert 'style="min-height: {{ block.settings.min_height }}px"' in text
    # the script: deferred, from the extension's assets, calling the signed proxy, never a host
    scripts = re.findall(r"<script\b[^>]*>", text, re.S)
    assert len(scripts) == 1
    assert re.search(r"\sdefer\s", scripts[0])
    assert "src=\"{{ 'pz-quiz.js' | asset_url }}\"" in scripts[0]
    assert 'data-api-base="/apps/pz/"' in scripts[0]
    assert 'data-pz-quiz-key="{{ key | escape }}"' in scripts[0]


def test_the_built_asset_is_the_shared_script_within_the_limit():
    quiz_script_copy()
    asset = THEME / "assets" / "pz-quiz.js"
    assert asset.read_bytes() == QUIZ_SOURCE.read_bytes()
    assert asset.stat().st_size <= MAX_JS_BYTES
    # two blocks on one page load it twice; only the first copy binds them
    assert "if (window.pzQuizBound) return;" in asset.read_text()


def test_every_schema_translation_key_exists_in_the_default_locale():
    # theme-check does not check app blocks' `t:` keys; the theme editor would show them raw
    defaults = json.loads((THEME / "locales" / "en.default.schema.json").read_text())
    known = translation_keys(defaults)
    used: set[str] = set()
    for path in (THEME / "blocks").glob("*.liquid"):
        used |= set(re.findall(r'"t:([\w.]+)"', json.dumps(schema_of(path))))
    assert {"blocks.quiz.name", "blocks.preference_center.min_height"} <= used
    assert used - known == set()
