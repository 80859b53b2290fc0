from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import translation

from shopapp.languages import catalogue

LANGUAGES = ["id", "nl", "fr", "da", "hu"]


def test_the_app_speaks_six_languages():
    # given the settings
    # then English and the five languages merchants asked for are offered, with catalogues on disk
    assert [code for code, _name in settings.LANGUAGES] == ["en", *LANGUAGES]
    assert catalogue.target_languages() == LANGUAGES
    for language in LANGUAGES:
        assert catalogue.po_path(language).is_file(), language


def test_every_catalogue_is_complete():
    # given every translatable string in the templates and the Python sources
    # when the five catalogues are checked against them
    found = catalogue.problems()
    # then each msgid is present with a non-empty translation (every plural form), nothing is
    # fuzzy or left over, and placeholders match; scripts/messages.sh lists the same problems
    assert found == [], f"{len(found)} problems, first ones:\n" + "\n".join(found[:40])


def test_extraction_finds_template_and_python_strings(tmp_path: Path):
    # given a template with translate/blocktranslate and a module with gettext_lazy and pgettext
    template = tmp_path / "t.html"
    template.write_text(
        '{% load i18n %}\n  <p>{% translate "Save" %}</p>\n'
        "  {% blocktranslate count n=k %}{{ n }} item{% plural %}{{ n }} items"
        "{% endblocktranslate %}\n",
        encoding="utf-8",
    )
    module = tmp_path / "m.py"
    module.write_text(
        "from django.utils.translation import gettext_lazy as _, pgettext\n"
        'A = _("Segments")\nB = pgettext("verb", "Order")\nC = _(name)\n',
        encoding="utf-8",
    )
    settings_base = settings.BASE_DIR
    settings.BASE_DIR = tmp_path
    try:
        found = catalogue.extract([template, module])
    finally:
        settings.BASE_DIR = settings_base
    # when extracted then every literal is found once, with its plural and context, and the
    # variable is skipped
    assert sorted((f.msgid, f.context) for f in found if isinstance(f.msgid, str)) == [
        ("Order", "verb"),
        ("Save", None),
        ("Segments", None),
    ]
    assert [f.msgid for f in found if isinstance(f.msgid, tuple)] == [("%(n)s item", "%(n)s items")]


def test_compiled_catalogues_are_loaded():
    # given the compiled catalogues
    # when a string from the admin is translated in each language
    seen = {}
    for language in ["en", *LANGUAGES]:
        with translation.override(language):
            seen[language] = translation.gettext("Segments")
    # then each language has its own word, and English stays English
    assert seen["en"] == "Segments"
    assert len({seen[language] for language in LANGUAGES} | {"Segments"}) >= 4
    assert all(seen[language] for language in LANGUAGES)
