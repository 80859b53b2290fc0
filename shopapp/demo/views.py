"""The /demo/ reference storefront: the pages a Shopify or WooCommerce theme would render.

It stands in for a merchant's theme so personalization can be shown end to end: every page carries
the same slots (`data-pz-slot`, see docs/storefront-slots.md) and loads the same storefront script a
real theme does. Reads go through `shopapp.catalog.selectors`, always for the demo shop; the cart and
the recently viewed list live in the session (`shopapp.demo.cart`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import Any, Concatenate, ParamSpec

from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from personalization.merchandising.selectors import search_terms
from shopapp.catalog.models import Collection, Product
from shopapp.catalog.selectors import (
    bestseller_list,
    collection_get_by_handle,
    collection_list,
    collection_products,
    menu_get,
    product_collections,
    product_get_by_handle,
    product_list,
    product_search,
)
from shopapp.demo import cart
from shopapp.demo.placeholders import (
    collection_placeholder_svg,
    product_placeholder_svg,
    svg_etag,
    title_from_handle,
)
from shopapp.demo.selectors import demo_shop_get, import_run_latest
from shopapp.shops.models import Shop

P = ParamSpec("P")

STOREFRONT_SCRIPT = "storefront/pz.js"
# Preview personas the storefront script passes to the decision API (?pz_persona=...).
DEMO_PERSONAS = (
    ("new_visitor", gettext_lazy("a new visitor")),
    ("returning_visitor", gettext_lazy("a returning visitor")),
    ("lapsed_vip", gettext_lazy("a lapsed VIP")),
    ("loyal_customer", gettext_lazy("a loyal customer")),
)
MAIN_MENU_HANDLE = "main-menu"
COLLECTION_PAGE_SIZE = 24
SEARCH_LIMIT = 48
BESTSELLER_POOL = 16
PLACEHOLDER_MAX_AGE = 60 * 60 * 24 * 7

# Sort options shown on a collection page: key -> (label, ordering). Unknown keys fall back to the
# first, which is the collection's own order (best-selling for the demo categories).
COLLECTION_SORTS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "best-selling": (gettext_lazy("Best selling"), ("memberships__position", "pk")),
    "newest": (gettext_lazy("Newest"), ("-platform_created_at", "-pk")),
    "price-asc": (gettext_lazy("Price, low to high"), ("price_min", "pk")),
    "price-desc": (gettext_lazy("Price, high to low"), ("-price_min", "pk")),
    "title": (gettext_lazy("Alphabetical"), ("title", "pk")),
}


@dataclass(frozen=True)
class NavItem:
    title: str
    url: str
    collection_platform_id: str
    is_current: bool


def storefront_view(
    view: Callable[Concatenate[HttpRequest, Shop, P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """Hands the view the demo shop, or shows how to load it instead of failing."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        shop = demo_shop_get()
        if shop is None:
            return render(request, "demo/not_loaded.html", status=503)
        return view(request, shop, *args, **kwargs)

    return wrapper


@lru_cache(maxsize=1)
def _storefront_script_deployed() -> bool:
    return finders.find(STOREFRONT_SCRIPT) is not None


def storefront_script_url() -> str | None:
    """The storefront script's URL, or None while it has not been written yet.

    Without the guard a missing file would be a 404 in every page's console (or a crash under a
    manifest storage). Looked up per request in DEBUG so the file shows up as soon as it lands;
    otherwise once, since deployed files do not change under a running process.
    """
    present = (
        finders.find(STOREFRONT_SCRIPT) is not None
        if settings.DEBUG
        else _storefront_script_deployed()
    )
    return static(STOREFRONT_SCRIPT) if present else None


def _nav_items(request: HttpRequest, shop: Shop, collections: list[Collection]) -> list[NavItem]:
    by_pk = {collection.pk: collection for collection in collections}
    menu = menu_get(shop=shop, handle=MAIN_MENU_HANDLE)
    items: list[NavItem] = []
    if menu is not None:
        for item in menu.items.all():
            if item.parent_id is not None:
                continue
            collection = by_pk.get(item.collection_id) if item.collection_id else None
            items.append(
                NavItem(
                    title=item.title,
                    url=item.url,
                    collection_platform_id=collection.platform_id if collection else "",
                    is_current=request.path == item.url,
                )
            )
    if not items:
        # A store without a main menu still needs a way in: one item per collection.
        for collection in collections:
            url = reverse("demo:collection", args=[collection.handle])
            items.append(
                NavItem(
                    title=collection.title,
                    url=url,
                    collection_platform_id=collection.platform_id,
                    is_current=request.path == url,
                )
            )
    return items


def _render(
    request: HttpRequest,
    shop: Shop,
    template: str,
    context: dict[str, Any],
    *,
    page: str,
    status: int = 200,
) -> HttpResponse:
    collections = list(collection_list(shop=shop))
    base_context: dict[str, Any] = {
        "shop": shop,
        "collections": collections,
        "nav_items": _nav_items(request, shop, collections),
        "cart_count": cart.cart_item_count(session=request.session, shop=shop),
        "pz_page": page,
        "pz_script_url": storefront_script_url(),
        "pz_api_base": request.build_absolute_uri("/api/v1/"),
        "search_query": "",
        "personas": DEMO_PERSONAS,
        "current_persona": request.GET.get("pz_persona", ""),
    }
    return render(request, template, {**base_context, **context}, status=status)


def _not_found(request: HttpRequest, shop: Shop, message: str) -> HttpResponse:
    return _render(
        request, shop, "demo/not_found.html", {"message": message}, page="404", status=404
    )


def _bestsellers(shop: Shop) -> list[Product]:
    """The top sellers every fallback draws from, cached per import: they only change when a file
    is imported, and summing the sample's 200,000 order lines takes ~0.4 s on SQLite."""
    run = import_run_latest(shop=shop)
    if run is None:
        return list(bestseller_list(shop=shop, limit=BESTSELLER_POOL))
    key = f"demo:bestsellers:{shop.pk}:{run.pk}"
    products: list[Product] | None = cache.get(key)
    if products is None:
        products = list(bestseller_list(shop=shop, limit=BESTSELLER_POOL))
        cache.set(key, products, timeout=60 * 60)
    return products


def _excluding(products: Iterable[Product], excluded_ids: set[int], limit: int) -> list[Product]:
    return [product for product in products if product.pk not in excluded_ids][:limit]


def _new_arrivals(shop: Shop, limit: int) -> list[Product]:
    return list(
        product_list(shop=shop, sellable_only=True).order_by("-platform_created_at", "-pk")[:limit]
    )


@require_GET
@storefront_view
def home(request: HttpRequest, shop: Shop) -> HttpResponse:
    bestsellers = _bestsellers(shop)
    return _render(
        request,
        shop,
        "demo/home.html",
        {
            "hero_products": bestsellers[:3],
            "bestsellers": bestsellers[:8],
            "new_arrivals": _new_arrivals(shop, 4),
            "gallery_products": bestsellers[:6],
        },
        page="home",
    )


@require_GET
@storefront_view
def collection_index(request: HttpRequest, shop: Shop) -> HttpResponse:
    return _render(request, shop, "demo/collection_index.html", {}, page="collection-list")


@require_GET
@storefront_view
def collection_detail(request: HttpRequest, shop: Shop, handle: str) -> HttpResponse:
    collection = collection_get_by_handle(shop=shop, handle=handle)
    if collection is None:
        return _not_found(request, shop, _("We couldn't find that collection."))
    sort = request.GET.get("sort", "")
    if sort not in COLLECTION_SORTS:
        sort = next(iter(COLLECTION_SORTS))
    products = collection_products(shop=shop, collection=collection).order_by(
        *COLLECTION_SORTS[sort][1]
    )
    # get_page() turns a bad or out-of-range ?page= into the nearest real page instead of a 404.
    page_obj = Paginator(products, COLLECTION_PAGE_SIZE).get_page(request.GET.get("page"))
    return _render(
        request,
        shop,
        "demo/collection.html",
        {
            "collection": collection,
            "page_obj": page_obj,
            "sort": sort,
            "sorts": [(key, label) for key, (label, _) in COLLECTION_SORTS.items()],
            "page_numbers": page_obj.paginator.get_elided_page_range(
                page_obj.number, on_each_side=1, on_ends=1
            ),
        },
        page="collection",
    )


@require_GET
@storefront_view
def product_detail(request: HttpRequest, shop: Shop, handle: str) -> HttpResponse:
    product = product_get_by_handle(shop=shop, handle=handle)
    if product is None or not product.is_published:
        return _not_found(request, shop, _("We couldn't find that product."))
    collections = list(product_collections(shop=shop, product=product))
    primary = next((c for c in collections if c.title == product.product_type), None)
    primary = primary or (collections[0] if collections else None)
    bestsellers = _bestsellers(shop)

    related: list[Product] = []
    if primary is not None:
        related = list(
            collection_products(shop=shop, collection=primary).exclude(pk=product.pk)[:4]
        )
    if len(related) < 4:
        # A product alone in its category still gets a full row: fill up with bestsellers.
        related += _excluding(bestsellers, {product.pk} | {p.pk for p in related}, 4 - len(related))
    also_bought = _excluding(bestsellers, {product.pk} | {p.pk for p in related}, 4)

    viewed_ids = [
        pk
        for pk in cart.recently_viewed_ids(session=request.session, shop=shop)
        if pk != product.pk
    ][:4]
    viewed_by_pk = product_list(shop=shop, sellable_only=True).in_bulk(viewed_ids)
    recently_viewed = [viewed_by_pk[pk] for pk in viewed_ids if pk in viewed_by_pk]
    cart.recently_viewed_push(session=request.session, shop=shop, product_id=product.pk)

    return _render(
        request,
        shop,
        "demo/product.html",
        {
            "product": product,
            "image": (product.images or [None])[0],
            "product_collections": collections,
            "primary_collection": primary,
            "related": related,
            "also_bought": also_bought,
            "recently_viewed": recently_viewed,
            "gallery_products": _excluding(bestsellers, {product.pk}, 6),
        },
        page="product",
    )


@require_GET
@storefront_view
def search(request: HttpRequest, shop: Shop) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    results: list[Product] = []
    if query:
        results = list(product_search(shop=shop, query=query, limit=SEARCH_LIMIT))
        # The shop's synonyms widen the search, as a WooCommerce or headless search can.
        for term in search_terms(shop=shop, query=query)[1:]:
            found = product_search(shop=shop, query=term, limit=SEARCH_LIMIT)
            results += [p for p in found if p not in results][: SEARCH_LIMIT - len(results)]
    suggestions = [] if results else _bestsellers(shop)[:4]
    return _render(
        request,
        shop,
        "demo/search.html",
        {
            "search_query": query,
            "results": results,
            "result_limit": SEARCH_LIMIT,
            "suggestions": suggestions,
        },
        page="search",
    )


def _cart_page(
    request: HttpRequest, shop: Shop, *, error: str = "", status: int = 200
) -> HttpResponse:
    summary = cart.cart_summary(session=request.session, shop=shop)
    cross_sell = _excluding(_bestsellers(shop), summary.product_ids, 4)
    return _render(
        request,
        shop,
        "demo/cart.html",
        {"cart": summary, "cross_sell": cross_sell, "error": error},
        page="cart",
        status=status,
    )


@require_GET
@storefront_view
def cart_detail(request: HttpRequest, shop: Shop) -> HttpResponse:
    return _cart_page(request, shop)


@require_POST
@storefront_view
def cart_add(request: HttpRequest, shop: Shop) -> HttpResponse:
    try:
        product = cart.cart_add(
            session=request.session,
            shop=shop,
            product_id=cart.parse_product_id(request.POST.get("product_id")),
            quantity=cart.parse_quantity(request.POST.get("quantity", "1"), allow_zero=False),
        )
    except cart.CartError as error:
        return _cart_page(request, shop, error=str(error), status=400)
    messages.success(request, _("Added “%(title)s” to your cart.") % {"title": product.title})
    return redirect("demo:cart", permanent=False)


@require_POST
@storefront_view
def cart_update(request: HttpRequest, shop: Shop) -> HttpResponse:
    try:
        cart.cart_update(
            session=request.session,
            shop=shop,
            product_id=cart.parse_product_id(request.POST.get("product_id")),
            quantity=cart.parse_quantity(request.POST.get("quantity"), allow_zero=True),
        )
    except cart.CartError as error:
        return _cart_page(request, shop, error=str(error), status=400)
    messages.success(request, _("Your cart was updated."))
    return redirect("demo:cart")


@require_POST
@storefront_view
def cart_remove(request: HttpRequest, shop: Shop) -> HttpResponse:
    try:
        cart.cart_remove(
            session=request.session,
            shop=shop,
            product_id=cart.parse_product_id(request.POST.get("product_id")),
        )
    except cart.CartError as error:
        return _cart_page(request, shop, error=str(error), status=400)
    messages.success(request, _("The item was removed from your cart."))
    return redirect("demo:cart")


@require_POST
@storefront_view
def checkout(request: HttpRequest, shop: Shop) -> HttpResponse:
    try:
        cart.cart_checkout(session=request.session, shop=shop)
    except cart.CartError as error:
        return _cart_page(request, shop, error=str(error), status=400)
    return redirect("demo:order-thanks")


@require_GET
@storefront_view
def order_thanks(request: HttpRequest, shop: Shop) -> HttpResponse:
    """The order confirmation ("thank you") page, with the post-purchase block a theme reserves
    there; pz.js anchors it on the session's last cart, which is the order just placed."""
    order = cart.last_order_summary(session=request.session, shop=shop)
    bought = order.product_ids if order else set()
    return _render(
        request,
        shop,
        "demo/order_thanks.html",
        {"order": order, "post_purchase": _excluding(_bestsellers(shop), bought, 4)},
        page="order",
    )


@require_GET
@storefront_view
def account(request: HttpRequest, shop: Shop) -> HttpResponse:
    """A customer account page, with the "buy it again" block (a theme's account template)."""
    return _render(
        request,
        shop,
        "demo/account.html",
        {"buy_again": _bestsellers(shop)[:4]},
        page="account",
    )


def _svg_response(request: HttpRequest, svg: str) -> HttpResponse:
    etag = svg_etag(svg)
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={PLACEHOLDER_MAX_AGE}"
    # Opened on its own, an SVG is a document: it must never run script or load anything.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    # A matching If-None-Match turns this into a bodiless 304 that keeps the caching headers.
    return get_conditional_response(request, etag=etag, response=response) or response


@require_GET
def product_placeholder(request: HttpRequest, handle: str) -> HttpResponse:
    shop = demo_shop_get()
    product = product_get_by_handle(shop=shop, handle=handle) if shop else None
    svg = product_placeholder_svg(
        handle=handle,
        title=product.title if product else title_from_handle(handle),
        category=product.product_type if product else "",
    )
    return _svg_response(request, svg)


@require_GET
def collection_placeholder(request: HttpRequest, handle: str) -> HttpResponse:
    shop = demo_shop_get()
    collection = collection_get_by_handle(shop=shop, handle=handle) if shop else None
    title = collection.title if collection else title_from_handle(handle)
    return _svg_response(request, collection_placeholder_svg(handle=handle, title=title))
