"""The message catalogues in `locale/`, in pure Python (Babel): no GNU gettext on the machine.

`extract()` reads every translatable string the way `makemessages` would (templates through
Django's own `templatize`, Python through Babel's extractor); `update()` rewrites each language's
`django.po` from it, keeping existing translations; `compile_all()` writes the `.mo` files Django
loads; `problems()` lists what makes a catalogue incomplete. `manage.py messages` runs them.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_python
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from django.conf import settings
from django.utils.translation.template import templatize

DOMAIN = "django"
SOURCE_PACKAGES = ("shopapp", "personalization", "integrations")
TEMPLATE_SUFFIXES = (".html", ".txt")
# Django's gettext family, lazy and not; the numbers say which arguments hold the msgid, the
# plural and ("c") the context, as Babel expects.
# Fixed header values: regenerating a catalogue must not change lines nobody edited.
HEADER = {
    "project": "shopapp",
    "version": "1",
    "charset": "utf-8",
    "fuzzy": False,
    "creation_date": datetime(2026, 1, 1, tzinfo=UTC),
    "revision_date": datetime(2026, 1, 1, tzinfo=UTC),
    "last_translator": "shopapp team",
    "language_team": "shopapp team",
    "copyright_holder": "shopapp",
    "msgid_bugs_address": "",
    "header_comment": "# Translations of the shopapp admin and storefront. Regenerate with scripts/messages.sh;\n"
    "# see docs/i18n.md.",
}
KEYWORDS: dict[str, tuple[int | tuple[int, str], ...] | None] = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}


@dataclass(frozen=True)
class Found:
    msgid: str | tuple[str, str]
    context: str | None
    location: str


def base_dir() -> Path:
    return Path(settings.BASE_DIR)


def locale_dir() -> Path:
    return Path(settings.LOCALE_PATHS[0])


def target_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def source_files() -> Iterator[Path]:
    root = base_dir()
    template_dirs = [root / "templates"]
    for package in SOURCE_PACKAGES:
        template_dirs += sorted((root / package).glob("*/templates"))
        template_dirs += sorted((root / package).glob("*/*/templates"))
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" not in path.parts and "tests" not in path.parts:
                yield path
    for directory in template_dirs:
        for path in sorted(directory.rglob("*")):
            if path.suffix in TEMPLATE_SUFFIXES and path.is_file():
                yield path


def _python_messages(code: str, location: str) -> Iterator[Found]:
    fileobj = io.BytesIO(code.encode("utf-8"))
    for _lineno, _func, args, _comments in extract_python(
        fileobj, KEYWORDS, [], {"encoding": "utf-8"}
    ):
        yield from _found(_func, args, location)


def _found(func: Any, args: Any, location: str) -> Iterator[Found]:
    if args is None:
        return  # `_(name)`: a variable, not a literal
    spec = KEYWORDS.get(func)
    values = (args,) if isinstance(args, str) else tuple(args)
    if spec is None:
        if values and values[0]:
            yield Found(values[0], None, location)
        return
    context: str | None = None
    strings: list[str] = []
    for index in spec:
        if isinstance(index, tuple):
            position = index[0] - 1
            context = values[position] if position < len(values) else None
        else:
            position = index - 1
            value = values[position] if position < len(values) else None
            if value is None:
                return  # a variable, not a literal: nothing to translate here
            strings.append(value)
    if not strings:
        return
    yield Found(strings[0] if len(strings) == 1 else (strings[0], strings[1]), context, location)


def extract(files: Iterable[Path] | None = None) -> list[Found]:
    root = base_dir()
    found: list[Found] = []
    for path in files if files is not None else source_files():
        location = str(path.relative_to(root))
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            if "gettext" not in text and "_(" not in text:
                continue
            found += _python_messages(text, location)
        elif "{%" in text or "_(" in text:
            # templatize keeps the template's indentation, which Python's tokenizer rejects; each
            # gettext call it writes sits on one line (its strings are repr()ed), so dedent lines.
            code = templatize(text, origin=str(path))
            code = "\n".join(line.lstrip() for line in code.splitlines())
            found += _python_messages(code, location)
    return found


def template_catalog(found: Iterable[Found] | None = None) -> Catalog:
    catalog = Catalog(domain=DOMAIN, **HEADER)  # type: ignore[arg-type]
    for item in found if found is not None else extract():
        existing = catalog.get(item.msgid, context=item.context)
        locations = [(item.location, 0)]
        if existing is not None:
            if (item.location, 0) not in existing.locations:
                existing.locations.append((item.location, 0))
            continue
        catalog.add(item.msgid, locations=locations, context=item.context)
    return catalog


def po_path(language: str) -> Path:
    return locale_dir() / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(language: str) -> Catalog:
    path = po_path(language)
    if not path.exists():
        return Catalog(locale=language, domain=DOMAIN, **HEADER)  # type: ignore[arg-type]
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def write_catalog(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    # Sorted, without line numbers: two branches that add strings rarely touch the same lines.
    write_po(
        buffer, catalog, width=100, sort_output=True, include_lineno=False, ignore_obsolete=True
    )
    if not path.exists() or path.read_bytes() != buffer.getvalue():
        path.write_bytes(buffer.getvalue())


def update(languages: Iterable[str] | None = None) -> dict[str, int]:
    """Rewrites each language's catalogue from the sources; returns untranslated counts."""
    template = template_catalog()
    untranslated: dict[str, int] = {}
    for language in languages or target_languages():
        catalog = read_catalog(language)
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        catalog.fuzzy = False
        catalog.creation_date = HEADER["creation_date"]  # type: ignore[assignment]
        catalog.revision_date = HEADER["revision_date"]  # type: ignore[assignment]
        catalog.obsolete.clear()
        write_catalog(catalog, po_path(language))
        untranslated[language] = sum(1 for message in catalog if message.id and not _done(message))
    return untranslated


def _done(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(strings) and all(strings) and not message.fuzzy


def compile_all(languages: Iterable[str] | None = None) -> list[Path]:
    """Writes `django.mo` next to each `django.po` when it is missing or older; returns those."""
    written: list[Path] = []
    for language in languages or target_languages():
        source = po_path(language)
        if not source.exists():
            continue
        target = source.with_suffix(".mo")
        if target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
            continue
        catalog = read_catalog(language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        target.write_bytes(buffer.getvalue())
        written.append(target)
    return written


def problems(languages: Iterable[str] | None = None) -> list[str]:
    """Everything that keeps a language from rendering without English leaking through."""
    template = template_catalog()
    wanted = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in template if m.id}
    found: list[str] = []
    for language in languages or target_languages():
        path = po_path(language)
        if not path.exists():
            found.append(f"{language}: {path} is missing (run scripts/messages.sh)")
            continue
        catalog = read_catalog(language)
        have = set()
        for message in catalog:
            if not message.id:
                continue
            key = (message.id if isinstance(message.id, str) else message.id[0], message.context)
            have.add(key)
            if message.fuzzy:
                found.append(f"{language}: fuzzy: {key[0]!r}")
            elif not _done(message):
                found.append(f"{language}: untranslated: {key[0]!r}")
            if key not in wanted:
                found.append(f"{language}: not in the sources any more: {key[0]!r}")
            for error in message.check(catalog):
                found.append(f"{language}: {key[0]!r}: {error}")
        for key in sorted(wanted - have, key=lambda k: (k[0], k[1] or "")):
            found.append(f"{language}: missing (run scripts/messages.sh): {key[0]!r}")
    return found
