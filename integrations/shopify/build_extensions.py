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
# Loaded by the app embed on search pages only (search merchandising); copied as it is.
EXTRA_SCRIPTS = ("pz-search.js",)


def build() -> Path:
    script = SOURCE.read_bytes() if SOURCE.exists() else PLACEHOLDER
    if len(script) > MAX_JS_BYTES:
        raise SystemExit(
            f"{SOURCE} is {len(script)} bytes; app extension JS must be <= {MAX_JS_BYTES}"
        )
    TARGET.write_bytes(script)
    for name in EXTRA_SCRIPTS:
        extra = (SOURCE.parent / name).read_bytes()
        if len(extra) > MAX_JS_BYTES:
            raise SystemExit(
                f"{name} is {len(extra)} bytes; app extension JS must be <= {MAX_JS_BYTES}"
            )
        (TARGET.parent / name).write_bytes(extra)
    return TARGET


if __name__ == "__main__":
    print(build())
    sys.exit(0)
