"""Build step for the theme app extension: copy the shared storefront script into its assets.

`python -m integrations.shopify.build_extensions` before `shopify app deploy`. The script
(static/storefront/pz.js, shared with WooCommerce) is copied when present; otherwise a one-line
placeholder keeps the app embed's asset reference valid. Either must stay within theme-check's
10,000-byte limit for app-block JavaScript.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "static" / "storefront" / "pz.js"
TARGET = Path(__file__).resolve().parent / "extensions" / "pz-theme" / "assets" / "pz.js"
MAX_JS_BYTES = 10_000
PLACEHOLDER = b"/* pz.js: static/storefront/pz.js was not built when this extension was. */\n"
# Customer content blocks load their own small script, only where such a block is placed; the
# app embed loads pz-search.js on search pages only (search merchandising) and the campaign
# overlays' script (pz-overlay.js).
EXTRA_SCRIPTS = ("pz-ugc.js", "pz-search.js", "pz-overlay.js")


def extra_scripts_copy() -> list[Path]:
    """Copy each feature's own script (within the limit) into the assets; returns the copies."""
    copied = []
    for name in EXTRA_SCRIPTS:
        source = ROOT / "static" / "storefront" / name
        if source.exists() and source.stat().st_size <= MAX_JS_BYTES:
            (TARGET.parent / name).write_bytes(source.read_bytes())
            copied.append(TARGET.parent / name)
    return copied


def build() -> Path:
    extra_scripts_copy()
    script = SOURCE.read_bytes() if SOURCE.exists() else PLACEHOLDER
    if len(script) > MAX_JS_BYTES:
        raise SystemExit(
            f"{SOURCE} is {len(script)} bytes; app extension JS must be <= {MAX_JS_BYTES}"
        )
    TARGET.write_bytes(script)
    quiz_script_copy()
    return TARGET


QUIZ_SOURCE = ROOT / "static" / "storefront" / "pz-quiz.js"


def quiz_script_copy() -> Path:
    """The quiz and preference center blocks' own script (loaded only where they are placed)."""
    script = QUIZ_SOURCE.read_bytes()
    if len(script) > MAX_JS_BYTES:
        raise SystemExit(f"{QUIZ_SOURCE} is {len(script)} bytes; the limit is {MAX_JS_BYTES}")
    target = TARGET.parent / QUIZ_SOURCE.name
    target.write_bytes(script)
    return target


if __name__ == "__main__":
    print(build())
    sys.exit(0)
