"""Session state of the demo storefront: the cart and the recently viewed list.

The demo has no checkout, so the cart lives in the Django session, not in the database. It stores
product ids and quantities under the shop's id; prices are read from the catalog every time, and ids
that no longer resolve to a sellable product of that shop silently drop out.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.sessions.backends.base import SessionBase
from django.utils.translation import gettext as _

from shopapp.catalog.models import Product
from shopapp.catalog.selectors import product_get, product_list
from shopapp.shops.models import Shop

CART_SESSION_KEY = "demo_cart"
RECENTLY_VIEWED_SESSION_KEY = "demo_recently_viewed"
MAX_QUANTITY = 99
MAX_LINES = 50
RECENTLY_VIEWED_SIZE = 8


class CartError(ValueError):
    """Input the cart refuses; the message is shown to the shopper as is."""


@dataclass(frozen=True)
class CartLine:
    product: Product
    quantity: int

    @property
    def unit_price(self) -> Decimal:
        return self.product.price_min or Decimal(0)

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class CartSummary:
    lines: list[CartLine]
    currency: str

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def subtotal(self) -> Decimal:
        return sum((line.line_total for line in self.lines), Decimal(0))

    @property
    def product_ids(self) -> set[int]:
        return {line.product.pk for line in self.lines}


def parse_quantity(raw: str | None, *, allow_zero: bool) -> int:
    lowest = 0 if allow_zero else 1
    try:
        quantity = int((raw or "").strip())
    except ValueError:
        raise CartError(_("Quantity must be a whole number.")) from None
    if not lowest <= quantity <= MAX_QUANTITY:
        raise CartError(
            _("Quantity must be between %(lowest)s and %(highest)s.")
            % {"lowest": lowest, "highest": MAX_QUANTITY}
        )
    return quantity


def parse_product_id(raw: str | None) -> int:
    try:
        product_id = int((raw or "").strip())
    except ValueError:
        raise CartError(_("Choose a product to add.")) from None
    if product_id <= 0:
        raise CartError(_("That product does not exist."))
    return product_id


def _quantities(session: SessionBase, shop: Shop) -> dict[int, int]:
    stored = session.get(CART_SESSION_KEY) or {}
    # A cart from another (or a re-created) demo shop is not this shop's cart.
    if stored.get("shop") != shop.pk:
        return {}
    return {int(pk): int(quantity) for pk, quantity in stored.get("lines", {}).items()}


def _save(session: SessionBase, shop: Shop, quantities: dict[int, int]) -> None:
    session[CART_SESSION_KEY] = {
        "shop": shop.pk,
        "lines": {str(pk): quantity for pk, quantity in quantities.items() if quantity > 0},
    }


def _sellable_product(shop: Shop, product_id: int) -> Product:
    product = product_get(shop=shop, product_id=product_id)
    if product is None or not (product.is_published and product.in_stock):
        raise CartError(_("That product is not available."))
    return product


def cart_add(*, session: SessionBase, shop: Shop, product_id: int, quantity: int) -> Product:
    product = _sellable_product(shop, product_id)
    quantities = _quantities(session, shop)
    if product.pk not in quantities and len(quantities) >= MAX_LINES:
        raise CartError(
            _("A cart holds at most %(count)s different products.") % {"count": MAX_LINES}
        )
    quantities[product.pk] = min(quantities.get(product.pk, 0) + quantity, MAX_QUANTITY)
    _save(session, shop, quantities)
    return product


def cart_update(*, session: SessionBase, shop: Shop, product_id: int, quantity: int) -> None:
    """Set a line's quantity; zero removes it."""
    quantities = _quantities(session, shop)
    if product_id not in quantities:
        raise CartError(_("That product is not in your cart."))
    quantities[product_id] = quantity
    _save(session, shop, quantities)


def cart_remove(*, session: SessionBase, shop: Shop, product_id: int) -> None:
    quantities = _quantities(session, shop)
    if quantities.pop(product_id, None) is None:
        raise CartError(_("That product is not in your cart."))
    _save(session, shop, quantities)


def cart_summary(*, session: SessionBase, shop: Shop) -> CartSummary:
    quantities = _quantities(session, shop)
    products = product_list(shop=shop, sellable_only=True).in_bulk(list(quantities))
    lines = [
        CartLine(product=products[pk], quantity=quantity)
        for pk, quantity in quantities.items()
        if pk in products
    ]
    return CartSummary(lines=lines, currency=shop.currency)


def cart_item_count(*, session: SessionBase, shop: Shop) -> int:
    """The header badge: counted from the session alone, without a query."""
    return sum(_quantities(session, shop).values())


def recently_viewed_push(*, session: SessionBase, shop: Shop, product_id: int) -> None:
    stored = session.get(RECENTLY_VIEWED_SESSION_KEY) or {}
    ids = (
        [pk for pk in stored.get("ids", []) if pk != product_id]
        if stored.get("shop") == shop.pk
        else []
    )
    session[RECENTLY_VIEWED_SESSION_KEY] = {
        "shop": shop.pk,
        "ids": [product_id, *ids][:RECENTLY_VIEWED_SIZE],
    }


def recently_viewed_ids(*, session: SessionBase, shop: Shop) -> list[int]:
    stored = session.get(RECENTLY_VIEWED_SESSION_KEY) or {}
    return list(stored.get("ids", [])) if stored.get("shop") == shop.pk else []


LAST_ORDER_SESSION_KEY = "demo_last_order"


def cart_checkout(*, session: SessionBase, shop: Shop) -> CartSummary:
    """Place the demo's pretend order: the cart becomes the session's last order and empties.
    Nothing is written to the catalog's orders (the demo's sales are the imported sample)."""
    summary = cart_summary(session=session, shop=shop)
    if not summary.lines:
        raise CartError(_("Your cart is empty."))
    session[LAST_ORDER_SESSION_KEY] = {
        "shop": shop.pk,
        "lines": {str(line.product.pk): line.quantity for line in summary.lines},
    }
    _save(session, shop, {})
    return summary


def last_order_summary(*, session: SessionBase, shop: Shop) -> CartSummary | None:
    stored = session.get(LAST_ORDER_SESSION_KEY) or {}
    if stored.get("shop") != shop.pk:
        return None
    quantities = {int(pk): int(quantity) for pk, quantity in stored.get("lines", {}).items()}
    products = {p.pk: p for p in product_list(shop=shop).filter(pk__in=quantities)}
    lines = [CartLine(products[pk], q) for pk, q in quantities.items() if pk in products]
    return CartSummary(lines=lines, currency=shop.currency) if lines else None
