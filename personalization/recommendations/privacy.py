"""The recommendation models' part in customer export and erasure (privacy registry).

The personal tables ("buy again", "for you") hold one row per customer, keyed by the customer's
pk; the item-to-item tables hold nothing about a person.
"""

from __future__ import annotations

from typing import Any

from personalization.recommendations import selectors, services
from shopapp.catalog.models import Customer
from shopapp.shops.models import Shop


def customer_models_export(*, shop: Shop, customer: Customer) -> dict[str, Any]:
    """The products each current personal model would pick for the customer."""
    models = selectors.shop_models(shop=shop)
    exported: dict[str, Any] = {}
    for kind in services.PERSONAL_KINDS:
        lookup = models.source(kind)
        rows = lookup(str(customer.pk), 50) if lookup else []
        exported[kind] = [product_id for product_id, _score, _detail in rows]
    return exported


def customer_models_erase(*, shop: Shop, customer: Customer) -> dict[str, int]:
    changed = services.models_forget_customer(shop=shop, customer_pk=customer.pk)
    # This process serves the erased tables from now on; others re-read them at the next
    # training (the customer row is deleted too, so no request can name the old key).
    selectors.forget_shop(shop.pk)
    return {"model_rows": changed}
