"""Build step for the WordPress plugin: copy the shared storefront script into it, and zip it.

`python -m integrations.woocommerce.build_plugin [--zip OUT.zip]`. The script
(static/storefront/pz.js, shared with the Shopify theme extension) is never edited here: it is
copied as it is into `wordpress-plugin/pz-personalization/assets/pz.js` (git-ignored), which the
plugin enqueues deferred.
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

from integrations.woocommerce import plugin_i18n

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "static" / "storefront" / "pz.js"
PLUGIN = Path(__file__).resolve().parent / "wordpress-plugin" / "pz-personalization"
TARGET = PLUGIN / "assets" / "pz.js"
QUIZ_SOURCE = SOURCE.with_name("pz-quiz.js")


def build(target: Path = TARGET) -> Path:
    """Copy the storefront script into a plugin folder (the repository's, or a copy's), and
    compile its translations there (.mo for PHP, JSON for the editor script; git-ignored)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # The quiz and preference center's own script, enqueued only where one of them is.
    (target.parent / QUIZ_SOURCE.name).write_bytes(QUIZ_SOURCE.read_bytes())
    target.write_bytes(SOURCE.read_bytes())
    # The customer-content blocks' own script, enqueued only where such a block is.
    ugc_script = SOURCE.with_name("pz-ugc.js")
    if ugc_script.exists():
        (target.parent / "pz-ugc.js").write_bytes(ugc_script.read_bytes())
    # The campaign overlays' script, enqueued only while the shop runs on-site campaigns.
    (target.parent / "pz-overlay.js").write_bytes(SOURCE.with_name("pz-overlay.js").read_bytes())
    plugin_i18n.compile_into(target.parent.parent)
    return target


def package(out: Path) -> Path:
    """The plugin as WordPress installs it: a zip with `pz-personalization/` at its root."""
    build()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(PLUGIN.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, Path(PLUGIN.name) / path.relative_to(PLUGIN))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--zip", type=Path, help="also write the installable plugin zip here")
    args = parser.parse_args(argv)
    print(package(args.zip) if args.zip else build())
    return 0


if __name__ == "__main__":
    sys.exit(main())
