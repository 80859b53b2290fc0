"""The feed's public URL: the secret token is the credential (ad platforms fetch anonymously)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from personalization.audiences.selectors import dangerously_feed_by_token
from personalization.audiences.services import feed_as_tsv


@require_GET
def feed_download(request: HttpRequest, token: str) -> HttpResponse:
    feed = dangerously_feed_by_token(token)
    if feed is None:
        raise Http404("No such feed.")
    response = HttpResponse(
        feed_as_tsv(feed), content_type="text/tab-separated-values; charset=utf-8"
    )
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
