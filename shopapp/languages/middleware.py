"""Activates one language per request (see `choice.py` for where the codes come from)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils import translation
from django.utils.cache import patch_vary_headers

from shopapp.languages.choice import LOCALE_PARAMETERS, supported_language

SESSION_KEY = "pz_language"


class LanguageMiddleware:
    """Explicit `?locale=`/`?lang=` first, then the language remembered in the session, then
    Accept-Language, then LANGUAGE_CODE.

    Pages remember an explicit choice in the session (the Shopify admin sends `locale` only on
    the first load of the iframe, not on every htmx request); the JSON API never writes the
    session, so a storefront call cannot change what the merchant's admin shows.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        language = self.language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", language)
        return response

    def language_for(self, request: HttpRequest) -> str:
        session = getattr(request, "session", None)
        is_api = request.path.startswith("/api/")
        for name in LOCALE_PARAMETERS:
            explicit = supported_language(request.GET.get(name))
            if explicit:
                if session is not None and not is_api and session.get(SESSION_KEY) != explicit:
                    session[SESSION_KEY] = explicit
                return explicit
        if session is not None and not is_api:
            remembered = supported_language(session.get(SESSION_KEY))
            if remembered:
                return remembered
        accepted = translation.get_language_from_request(request)
        return supported_language(accepted) or settings.LANGUAGE_CODE
