"""Finds text in templates that reaches the page without `{% translate %}`.

The test in tests/i18n runs it over every template: a heading or a button label written as bare
text fails with its file and words, before any catalogue is touched. Text that is not language
(numbers, punctuation, identifiers, the contents of <script>, <style>, <code>, <svg>, <pre>) and
text inside translate/blocktranslate/comment blocks is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

TOKEN = re.compile(
    r"(\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}|<!--.*?-->|<(?:[^<>{]|\{(?![{%])|\{[{%].*?[}%]\})*>)", re.S
)
SKIPPED_ELEMENTS = frozenset({"script", "style", "svg", "code", "pre", "textarea"})
SKIPPED_BLOCKS = frozenset({"blocktranslate", "blocktrans", "comment", "verbatim"})
# Attributes a person reads.
READ_ATTRIBUTES = re.compile(r'\s(placeholder|aria-label|title|alt)="([^"{]*)"')
WORD = re.compile(r"[A-Za-z]{2,}")
IDENTIFIER = re.compile(r"[\w./:@#+-]+")
# Words that are the same in every language the app speaks.
UNTRANSLATABLE = frozenset(
    {"Shopify", "WooCommerce", "WordPress", "Google", "Meta", "JSON", "CSV", "CTR", "RFM"}
)


def _is_language(text: str) -> bool:
    words = text.strip()
    if not WORD.search(words) or words in UNTRANSLATABLE:
        return False
    # An identifier, a path or a URL: no spaces and code punctuation.
    return not (IDENTIFIER.fullmatch(words) and re.search(r"[_./:@]", words))


def bare_text(source: str) -> Iterator[str]:
    """Each run of language text outside translate tags, whitespace collapsed."""
    parts = TOKEN.split(source)
    skipped: list[str] = []
    block: str | None = None
    run: list[str] = []

    def flush() -> Iterator[str]:
        text = " ".join("".join(run).split())
        run.clear()
        if text and not skipped and block is None and _is_language(text):
            yield text

    for index, part in enumerate(parts):
        if index % 2 == 0:
            run.append(part)
            continue
        if part.startswith("{{"):
            run.append(" ")  # a variable separates words but is not text to translate
            continue
        yield from flush()
        if part.startswith("{%"):
            words = part[2:-2].split()
            name = words[0] if words else ""
            if name in SKIPPED_BLOCKS:
                block = name
            elif name.startswith("end") and name[3:] == block:
                block = None
            elif (
                name == "block" and len(words) > 1 and ("class" in words[1] or "attrs" in words[1])
            ):
                block = "block"
            elif name == "endblock" and block == "block":
                block = None
            continue
        if part.startswith("<") and not part.startswith("<!--"):
            match = re.match(r"<(/?)\s*([a-zA-Z][\w-]*)", part)
            if match:
                closing, element = match.group(1), match.group(2).lower()
                if closing and skipped and skipped[-1] == element:
                    skipped.pop()
                elif not closing and element in SKIPPED_ELEMENTS and not part.endswith("/>"):
                    skipped.append(element)
            if not skipped and block is None:
                for _name, value in READ_ATTRIBUTES.findall(part):
                    if _is_language(value):
                        yield value.strip()
    yield from flush()


def untranslated_in(paths: list[Path], root: Path) -> list[str]:
    found = []
    for path in paths:
        for text in bare_text(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(root)}: {text!r}")
    return found
