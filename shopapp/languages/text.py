"""`lazy_text`: a label defined at import time that is translated when it is rendered."""

from __future__ import annotations

from typing import cast

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy


def lazy_text(message: str) -> str:
    """`gettext_lazy`, typed as the `str` it renders as, for labels in module-level tables and
    dataclass fields typed `str`. Import it as `_lazy`: the catalogue extractor knows that name."""
    return cast(str, gettext_lazy(message))


def lazy_format(template: str, *parts: object) -> str:
    """`format_lazy` (labels joined at import, translated at render), typed as `str`."""
    return cast(str, format_lazy(template, *parts))
