"""The signed unsubscribe link: GET asks, POST (the page's button, or a mail client's RFC 8058
one-click POST) unsubscribes. The token names the shop and customer; nothing else is trusted."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from personalization.messaging.services import UnsubscribeInvalid, unsubscribe, unsubscribe_target


# One-click unsubscribe comes from mail clients, which carry no CSRF token; the signed token in
# the path is the credential, and unsubscribing is the only thing it can do.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        shop, customer, channel = unsubscribe_target(token)
    except UnsubscribeInvalid as exc:
        return render(request, "messaging/unsubscribe.html", {"error": str(exc)}, status=400)
    if request.method == "POST":
        unsubscribe(shop=shop, customer=customer, channel=channel)
        return render(request, "messaging/unsubscribe.html", {"shop": shop, "done": True})
    return render(request, "messaging/unsubscribe.html", {"shop": shop})
