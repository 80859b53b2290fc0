"""The WordPress plugin's translations: `languages/pz-personalization.pot`, one `.po` per language.

`python -m integrations.woocommerce.plugin_i18n` re-reads the plugin's PHP, its editor script and
its block.json files (what `wp i18n make-pot` would find), rewrites the .pot, and merges it into
each `pz-personalization-<wp_locale>.po`, keeping translations. `build_plugin.py` compiles the
`.mo` files WordPress loads and the JSON files `wp_set_script_translations` reads for the editor
script; neither is committed. Pure Python (Babel), like `manage.py messages`.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

DOMAIN = "pz-personalization"
PLUGIN = Path(__file__).resolve().parent / "wordpress-plugin" / DOMAIN
LANGUAGES_DIR = PLUGIN / "languages"
POT = LANGUAGES_DIR / f"{DOMAIN}.pot"
EDITOR_SCRIPT = "assets/blocks-editor.js"
# Every editor script with strings gets its own JSON (WordPress finds it by the script's path).
EDITOR_SCRIPTS = (EDITOR_SCRIPT, "assets/preferences-editor.js")
# The app's languages as WordPress names its locales.
WP_LOCALES = {"id": "id_ID", "nl": "nl_NL", "fr": "fr_FR", "da": "da_DK", "hu": "hu_HU"}
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)

# PHP/JS string literal, single or double quoted.
_STR = r"""(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")"""
_SEP = r"\s*,\s*"
SINGULAR_FUNCS = r"(?:__|_e|esc_html__|esc_html_e|esc_attr__|esc_attr_e)"
CONTEXT_FUNCS = r"(?:_x|_ex|esc_html_x|esc_attr_x)"
CALL_SINGULAR = re.compile(rf"\b{SINGULAR_FUNCS}\(\s*{_STR}{_SEP}{_STR}\s*\)")
CALL_CONTEXT = re.compile(rf"\b{CONTEXT_FUNCS}\(\s*{_STR}{_SEP}{_STR}{_SEP}{_STR}\s*\)")
CALL_PLURAL = re.compile(rf"\b_n\(\s*{_STR}{_SEP}{_STR}{_SEP}[^,]+{_SEP}{_STR}\s*\)")
ANY_CALL = re.compile(rf"\b(?:{SINGULAR_FUNCS}|{CONTEXT_FUNCS}|_n|_nx)\(")
BLOCK_FIELDS = {"title": "block title", "description": "block description"}


def _unquote(single: str | None, double: str | None) -> str:
    text = single if single is not None else (double or "")
    return re.sub(r"\\(['\"\\])", r"\1", text)


def source_files() -> list[Path]:
    return sorted(
        p
        for p in PLUGIN.rglob("*")
        if p.suffix in (".php", ".js") and p.is_file() and p.name != "pz.js"
    )


def extract() -> Iterator[tuple[str | tuple[str, str], str | None, str, str]]:
    """(msgid, context, domain, file) for every gettext call and block.json string."""
    for path in source_files():
        text = path.read_text(encoding="utf-8")
        where = str(path.relative_to(PLUGIN))
        for m in CALL_SINGULAR.finditer(text):
            yield _unquote(m[1], m[2]), None, _unquote(m[3], m[4]), where
        for m in CALL_CONTEXT.finditer(text):
            yield _unquote(m[1], m[2]), _unquote(m[3], m[4]), _unquote(m[5], m[6]), where
        for m in CALL_PLURAL.finditer(text):
            plural = (_unquote(m[1], m[2]), _unquote(m[3], m[4]))
            yield plural, None, _unquote(m[5], m[6]), where
    for path in sorted(PLUGIN.glob("blocks/*/block.json")):
        metadata = json.loads(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(PLUGIN))
        for field, context in BLOCK_FIELDS.items():
            if metadata.get(field):
                yield metadata[field], context, metadata.get("textdomain", ""), where
        for keyword in metadata.get("keywords", []):
            yield keyword, "block keyword", metadata.get("textdomain", ""), where


def unmatched_calls() -> list[str]:
    """Gettext calls the patterns cannot read (a variable, a missing domain): each is a bug."""
    found = []
    for path in source_files():
        text = path.read_text(encoding="utf-8")
        for m in ANY_CALL.finditer(text):
            rest = text[m.start() :]
            if not (
                CALL_SINGULAR.match(rest) or CALL_CONTEXT.match(rest) or CALL_PLURAL.match(rest)
            ):
                line = text.count("\n", 0, m.start()) + 1
                found.append(f"{path.relative_to(PLUGIN)}:{line}: {rest[:60]!r}")
    return found


def template() -> Catalog:
    catalog = _catalog(None)
    for msgid, context, _domain, where in extract():
        existing = catalog.get(msgid, context=context)
        if existing is not None:
            if (where, 0) not in existing.locations:
                existing.locations.append((where, 0))
            continue
        catalog.add(msgid, locations=[(where, 0)], context=context)
    return catalog


def _catalog(locale: str | None) -> Catalog:
    return Catalog(
        locale=locale,
        domain=DOMAIN,
        project="Personalization for WooCommerce",
        version="0.1.0",
        creation_date=FIXED_DATE,
        revision_date=FIXED_DATE,
        last_translator="shopapp team",
        language_team="shopapp team",
        charset="utf-8",
        fuzzy=False,
        header_comment="# Personalization for WooCommerce. Regenerate with\n"
        "# `python -m integrations.woocommerce.plugin_i18n`; see docs/i18n.md.",
    )


def po_path(wp_locale: str) -> Path:
    return LANGUAGES_DIR / f"{DOMAIN}-{wp_locale}.po"


def read(path: Path, locale: str | None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale, domain=DOMAIN)


def _write_po(catalog: Catalog, path: Path) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=True, include_lineno=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != buffer.getvalue():
        path.write_bytes(buffer.getvalue())


def pot_bytes() -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, template(), width=100, sort_output=True, include_lineno=False)
    return buffer.getvalue()


def update() -> None:
    POT.parent.mkdir(parents=True, exist_ok=True)
    POT.write_bytes(pot_bytes())
    pot = template()
    for language, wp_locale in WP_LOCALES.items():
        path = po_path(wp_locale)
        catalog = read(path, language) if path.exists() else _catalog(language)
        catalog.update(pot, no_fuzzy_matching=True, update_header_comment=False)
        catalog.revision_date = FIXED_DATE
        catalog.creation_date = FIXED_DATE
        catalog.obsolete.clear()
        _write_po(catalog, path)


def _translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(strings) and all(strings) and not message.fuzzy


def problems() -> list[str]:
    found = [f"unreadable gettext call: {call}" for call in unmatched_calls()]
    for msgid, _context, domain, where in extract():
        if domain != DOMAIN:
            found.append(f"{where}: {msgid!r} uses text domain {domain!r}, not {DOMAIN!r}")
    if not POT.exists() or POT.read_bytes() != pot_bytes():
        found.append(f"{POT.name} is out of date: python -m integrations.woocommerce.plugin_i18n")
    wanted = {(m.id, m.context) for m in template() if m.id}
    for language, wp_locale in WP_LOCALES.items():
        path = po_path(wp_locale)
        if not path.exists():
            found.append(f"{path.name} is missing")
            continue
        catalog = read(path, language)
        have = {(m.id, m.context) for m in catalog if m.id}
        for key in wanted - have:
            found.append(f"{path.name}: missing {key[0]!r}")
        for message in catalog:
            if message.id and not _translated(message):
                found.append(f"{path.name}: untranslated or fuzzy {message.id!r}")
            for error in message.check(catalog) if message.id else ():
                found.append(f"{path.name}: {message.id!r}: {error}")
    return found


def compile_into(plugin_dir: Path) -> list[Path]:
    """Writes each language's .mo and each editor script's JSON into `plugin_dir/languages`."""
    written = []
    editor_ids = {
        script: {
            msgid
            for msgid, _context, _domain, where in extract()
            if where == script and isinstance(msgid, str)
        }
        for script in EDITOR_SCRIPTS
    }
    target_dir = plugin_dir / "languages"
    target_dir.mkdir(parents=True, exist_ok=True)
    for language, wp_locale in WP_LOCALES.items():
        catalog = read(po_path(wp_locale), language)
        mo = target_dir / f"{DOMAIN}-{wp_locale}.mo"
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        mo.write_bytes(buffer.getvalue())
        written.append(mo)
        for script, ids in editor_ids.items():
            # Jed 1.x, as `wp i18n make-json` writes it; WordPress looks the file up by the md5
            # of the script's path relative to the plugin.
            script_hash = hashlib.md5(script.encode(), usedforsecurity=False).hexdigest()
            messages: dict[str, object] = {
                "": {"domain": "messages", "lang": wp_locale, "plural-forms": catalog.plural_forms}
            }
            for message in catalog:
                if message.id in ids and message.context is None:
                    messages[str(message.id)] = [message.string]
            jed = {
                "translation-revision-date": FIXED_DATE.strftime("%Y-%m-%d %H:%M%z"),
                "generator": "integrations.woocommerce.plugin_i18n",
                "domain": "messages",
                "locale_data": {"messages": messages},
            }
            js = target_dir / f"{DOMAIN}-{wp_locale}-{script_hash}.json"
            js.write_text(json.dumps(jed, ensure_ascii=False), encoding="utf-8")
            written.append(js)
    return written


if __name__ == "__main__":
    update()
    remaining = problems()
    print("\n".join(remaining[:100]) or "plugin catalogues complete")
    sys.exit(1 if remaining else 0)
