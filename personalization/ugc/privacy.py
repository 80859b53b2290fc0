"""UGC's part of customer export and erasure (registered with personalization.privacy.registry).

A customer's content is what is linked to their customer row or was shared with their email.
Erasure deletes it outright (files too, after commit), with the removal requests they made.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from personalization.ugc import services
from personalization.ugc.models import Content, RemovalRequest
from shopapp.catalog.models import Customer
from shopapp.shops.models import Shop


def _theirs(shop: Shop, customer: Customer) -> QuerySet[Content]:
    match = Q(customer=customer)
    if customer.email_hash:
        match |= Q(creator_email_hash=customer.email_hash)
    return Content.objects.filter(shop=shop).filter(match)


def customer_ugc_export(*, shop: Shop, customer: Customer) -> list[dict[str, Any]]:
    return [services.content_data(c) for c in _theirs(shop, customer).order_by("pk")]


def customer_ugc_erase(*, shop: Shop, customer: Customer) -> dict[str, int]:
    contents = list(_theirs(shop, customer))
    services._files_forget(contents)
    removals = 0
    if customer.email_hash:
        removals = RemovalRequest.objects.filter(
            shop=shop, requester_email_hash=customer.email_hash
        ).delete()[0]
    deleted = Content.objects.filter(pk__in=[c.pk for c in contents]).delete()[1]
    return {"ugc_content": deleted.get("ugc.Content", 0), "ugc_removal_requests": removals}


def shop_ugc_erase(*, shop: Shop) -> dict[str, int]:
    """The rows go with the shop's cascade; the files are outside the database."""
    contents = list(Content.objects.filter(shop=shop).exclude(media_name=""))
    services._files_forget(contents)
    return {"ugc_files": sum(1 for c in contents for n in (c.media_name, c.thumbnail_name) if n)}
