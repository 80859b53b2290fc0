"""Which of the app's languages a request gets.

Shopify passes the admin user's `locale` (e.g. `fr`, `nl-BE`, `pt-BR`) to embedded app URLs; the
storefront scripts send the page's `<html lang>`, which is the language the shop renders for that
shopper. Both go through `supported_language`, which falls back from a regional variant to its base
language and gives None for a language the app does not speak.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

LOCALE_PARAMETERS = ("locale", "lang")


def supported_language(code: str | None) -> str | None:
    if not code:
        return None
    cleaned = code.strip().replace("_", "-").lower()[:35]
    if not cleaned:
        return None
    try:
        return translation.get_supported_language_variant(cleaned)
    except LookupError:
        return None


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]
