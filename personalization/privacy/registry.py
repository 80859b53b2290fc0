"""The extension point through which other apps join customer export and erasure.

An app registers, in its `AppConfig.ready()`, functions that export and erase what it holds about
one customer (and, optionally, what a whole shop leaves outside the database, such as files).
`services.customer_export_data` adds each export under the app's name; `customer_erase` adds each
erase's counts, inside the same transaction, before the customer row is deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shopapp.catalog.models import Customer
from shopapp.shops.models import Shop

Export = Callable[..., Any]
Erase = Callable[..., dict[str, int]]


@dataclass(frozen=True)
class Participant:
    export: Export
    erase: Erase
    shop_erase: Callable[..., dict[str, int]] | None = None


_participants: dict[str, Participant] = {}


def register(
    name: str,
    *,
    export: Export,
    erase: Erase,
    shop_erase: Callable[..., dict[str, int]] | None = None,
) -> None:
    _participants[name] = Participant(export=export, erase=erase, shop_erase=shop_erase)


def export_all(*, shop: Shop, customer: Customer) -> dict[str, Any]:
    return {name: p.export(shop=shop, customer=customer) for name, p in _participants.items()}


def erase_all(*, shop: Shop, customer: Customer) -> dict[str, int]:
    counts: dict[str, int] = {}
    for participant in _participants.values():
        counts.update(participant.erase(shop=shop, customer=customer))
    return counts


def shop_erase_all(*, shop: Shop) -> dict[str, int]:
    counts: dict[str, int] = {}
    for participant in _participants.values():
        if participant.shop_erase is not None:
            counts.update(participant.shop_erase(shop=shop))
    return counts
