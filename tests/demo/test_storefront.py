from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client

from shopapp.catalog.models import Menu, MenuItem
from shopapp.demo import views
from shopapp.demo.placeholders import icon_for
from shopapp.shops.models import Shop
from tests.factories import (
    CollectionFactory,
    MembershipFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    ShopFactory,
)

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


@dataclass
class Slot:
    name: str
    attrs: dict[str, str]
    product_ids: list[str] = field(default_factory=list)
    collection_ids: list[str] = field(default_factory=list)
    text: str = ""


class SlotParser(HTMLParser):
    """Collects every [data-pz-slot] element with the product/collection ids and text inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.slots: dict[str, Slot] = {}
        self.meta: dict[str, str] = {}
        self.open: list[tuple[str, Slot | None]] = []

    def _active(self) -> list[Slot]:
        return [slot for _, slot in self.open if slot is not None]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "meta" and values.get("name", "").startswith("pz-"):
            self.meta[values["name"]] = values.get("content", "")
        for slot in self._active():
            if "data-pz-product-id" in values:
                slot.product_ids.append(values["data-pz-product-id"])
            if "data-pz-collection-id" in values:
                slot.collection_ids.append(values["data-pz-collection-id"])
        if tag in VOID_TAGS:
            return
        slot = None
        if "data-pz-slot" in values:
            slot = Slot(name=values["data-pz-slot"], attrs=values)
            self.slots[slot.name] = slot
        self.open.append((tag, slot))

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            open_tag, _ = self.open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for slot in self._active():
            slot.text += data


def parse(content: bytes) -> SlotParser:
    parser = SlotParser()
    parser.feed(content.decode())
    return parser


@pytest.fixture
def demo_shop(db: None) -> Shop:
    return ShopFactory(
        domain=settings.DEMO_SHOP_DOMAIN, name="Hearth & Twine", is_demo=True, currency="GBP"
    )


@pytest.fixture
def catalog(demo_shop: Shop) -> dict[str, object]:
    """Two categories; the heart sells most, the mug second; the lantern has no sales."""
    lights = CollectionFactory(
        shop=demo_shop, title="Candles & Lights", handle="candles-lights", platform_id="cat-1"
    )
    kitchen = CollectionFactory(
        shop=demo_shop, title="Kitchen", handle="kitchen", platform_id="cat-2", position=1
    )
    heart = ProductFactory(
        shop=demo_shop,
        title="White Hanging Heart T-Light Holder",
        handle="white-hanging-heart",
        platform_id="85123A",
        product_type="Candles & Lights",
        price_min=Decimal("2.550"),
        price_max=Decimal("2.550"),
        images=[{"url": "/demo/placeholder/white-hanging-heart.svg", "alt": "heart"}],
    )
    lantern = ProductFactory(
        shop=demo_shop,
        title="White Metal Lantern",
        handle="white-metal-lantern",
        platform_id="71053",
        product_type="Candles & Lights",
        price_min=Decimal("3.390"),
        price_max=Decimal("3.390"),
    )
    mug = ProductFactory(
        shop=demo_shop,
        title="Red Retrospot Mug",
        handle="red-retrospot-mug",
        platform_id="22632",
        product_type="Kitchen",
        price_min=Decimal("1.250"),
        price_max=Decimal("1.250"),
    )
    MembershipFactory(shop=demo_shop, collection=lights, product=heart, position=0)
    MembershipFactory(shop=demo_shop, collection=lights, product=lantern, position=1)
    MembershipFactory(shop=demo_shop, collection=kitchen, product=mug, position=0)
    order = OrderFactory(shop=demo_shop)
    OrderLineFactory(shop=demo_shop, order=order, product=heart, quantity=10)
    OrderLineFactory(shop=demo_shop, order=order, product=mug, quantity=4)
    return {"lights": lights, "kitchen": kitchen, "heart": heart, "lantern": lantern, "mug": mug}


# --- pages -------------------------------------------------------------------------------------


def test_home_renders_bestsellers_new_arrivals_and_categories(client, catalog):
    # given a demo shop with sales
    # when the home page is opened
    response = client.get("/demo/")
    page = parse(response.content)
    # then it shows the shop, bestsellers by units sold, and the category tiles
    assert response.status_code == 200
    assert page.meta["pz-page"] == "home"
    assert page.slots["home-recommended"].product_ids == ["85123A", "22632"]
    assert "White Hanging Heart T-Light Holder" in page.slots["home-recommended"].text
    assert page.slots["home-categories"].collection_ids == ["cat-1", "cat-2"]
    assert set(page.slots["home-new-arrivals"].product_ids) == {"85123A", "71053", "22632"}


def test_home_has_every_slot_with_fallback_content(client, catalog):
    # when the home page is opened
    page = parse(client.get("/demo/").content)
    # then each slot a theme would have is there, with server-rendered fallback inside
    assert set(page.slots) == {
        "nav",
        "home-hero",
        "home-categories",
        "home-recommended",
        "home-new-arrivals",
        "ugc-gallery",
    }
    assert page.slots["home-hero"].attrs["data-pz-placement"] == "homepage"
    assert "Little things that make a house feel like home" in page.slots["home-hero"].text
    assert page.slots["ugc-gallery"].product_ids == ["85123A", "22632"]
    assert page.slots["home-recommended"].attrs["data-pz-limit"] == "8"
    assert page.slots["home-recommended"].attrs["data-pz-fallback"] == "server"


def test_navigation_comes_from_the_main_menu(client, demo_shop, catalog):
    # given a main menu that lists the kitchen before the lights
    menu = Menu.objects.create(
        shop=demo_shop, platform_id="main-menu", handle="main-menu", title="Main menu"
    )
    for position, collection in enumerate([catalog["kitchen"], catalog["lights"]]):
        MenuItem.objects.create(
            shop=demo_shop,
            menu=menu,
            title=collection.title,
            url=f"/demo/collections/{collection.handle}/",
            collection=collection,
            position=position,
        )
    # when any page is opened
    nav = parse(client.get("/demo/collections/kitchen/").content).slots["nav"]
    # then the nav lists the menu's items in its order, each with its collection id
    assert nav.attrs["data-pz-nav"] == ""
    assert nav.collection_ids == ["cat-2", "cat-1"]


def test_navigation_falls_back_to_the_collections_without_a_menu(client, catalog):
    # given no menu
    # when a page is opened
    nav = parse(client.get("/demo/").content).slots["nav"]
    # then the collections are the navigation, in their own order
    assert nav.collection_ids == ["cat-1", "cat-2"]
    assert "Candles &amp; Lights" in client.get("/demo/").content.decode()


def test_collection_page_lists_members_in_collection_order(client, catalog):
    # when a collection is opened
    response = client.get("/demo/collections/candles-lights/")
    page = parse(response.content)
    # then it shows its products in membership order, and says what it is to the script
    assert response.status_code == 200
    assert page.meta["pz-page"] == "collection"
    assert page.meta["pz-collection-id"] == "cat-1"
    assert page.slots["collection-products"].product_ids == ["85123A", "71053"]
    assert "2 products" in response.content.decode()


def test_collection_page_sorts_by_price(client, catalog):
    # when the collection is sorted by price, highest first
    page = parse(client.get("/demo/collections/candles-lights/?sort=price-desc").content)
    # then the lantern (3.39) comes before the heart (2.55)
    assert page.slots["collection-products"].product_ids == ["71053", "85123A"]


def test_collection_page_ignores_an_unknown_sort_and_a_bad_page(client, catalog):
    # when the query string is nonsense
    response = client.get("/demo/collections/candles-lights/?sort=drop-table&page=abc")
    # then the default page is shown rather than an error
    assert response.status_code == 200
    assert parse(response.content).slots["collection-products"].product_ids == ["85123A", "71053"]


def test_collection_page_paginates(client, demo_shop):
    # given a collection of 25 products
    collection = CollectionFactory(shop=demo_shop, handle="big")
    for position in range(25):
        MembershipFactory(
            shop=demo_shop,
            collection=collection,
            product=ProductFactory(shop=demo_shop, platform_id=f"p{position}"),
            position=position,
        )
    # when the second page is opened
    page = parse(client.get("/demo/collections/big/?page=2").content)
    # then it holds the 25th product only
    assert page.slots["collection-products"].product_ids == ["p24"]


def test_product_page_shows_price_cart_form_and_categories(client, catalog):
    # when a product is opened
    response = client.get("/demo/products/white-hanging-heart/")
    html = response.content.decode()
    page = parse(response.content)
    # then it has the title, the price in the shop's currency, an add-to-cart form and its category
    assert response.status_code == 200
    assert '<h1 class="product__title">White Hanging Heart T-Light Holder</h1>' in html
    assert "£2.55" in html
    assert 'action="/demo/cart/add/"' in html
    assert f'name="product_id" value="{catalog["heart"].pk}"' in html
    assert 'href="/demo/collections/candles-lights/"' in html
    assert page.meta["pz-page"] == "product"
    assert page.meta["pz-product-id"] == "85123A"
    assert page.meta["pz-collection-id"] == "cat-1"


def test_product_page_recommendation_slots_have_fallbacks(client, catalog):
    # when a product is opened
    page = parse(client.get("/demo/products/white-hanging-heart/").content)
    # then "you may also like" starts with its category, then fills up with bestsellers
    related = page.slots["product-related"]
    assert related.attrs["data-pz-product-id"] == "85123A"
    assert related.product_ids == ["71053", "22632"]
    assert page.slots["product-bought-together"].product_ids == []
    assert page.slots["product-recently-viewed"].product_ids == []
    assert "Products you look at will appear here" in page.slots["product-recently-viewed"].text
    assert page.slots["ugc-gallery"].attrs["data-pz-placement"] == "product"


def test_product_page_remembers_recently_viewed_products(client, catalog):
    # given the shopper looked at the mug, then the lantern
    client.get("/demo/products/red-retrospot-mug/")
    client.get("/demo/products/white-metal-lantern/")
    # when they open the heart
    page = parse(client.get("/demo/products/white-hanging-heart/").content)
    # then both appear, most recent first
    assert page.slots["product-recently-viewed"].product_ids == ["71053", "22632"]


def test_search_finds_products_and_marks_each_result(client, catalog):
    # when the shopper searches for "lantern"
    response = client.get("/demo/search/", {"q": "lantern"})
    page = parse(response.content)
    # then the results container holds the lantern, tagged with its id
    assert response.status_code == 200
    assert page.meta["pz-page"] == "search"
    assert page.slots["search-results"].attrs["data-pz-query"] == "lantern"
    assert page.slots["search-results"].product_ids == ["71053"]


def test_search_without_results_suggests_bestsellers(client, catalog):
    # when nothing matches
    page = parse(client.get("/demo/search/", {"q": "zeppelin"}).content)
    # then the results are empty, with a message and bestsellers below
    assert page.slots["search-results"].product_ids == []
    assert "Nothing matched “zeppelin”" in page.slots["search-results"].text
    assert page.slots["search-suggestions"].product_ids == ["85123A", "22632"]


@pytest.mark.parametrize(
    "path",
    [
        "/demo/products/no-such-thing/",
        "/demo/collections/no-such-thing/",
    ],
)
def test_unknown_handles_are_a_404_page(client, catalog, path):
    # when a handle does not exist
    response = client.get(path)
    # then the shopper gets the shop's 404 page
    assert response.status_code == 404
    assert "Back to the shop" in response.content.decode()


def test_another_shops_product_is_a_404(client, catalog):
    # given another shop with a product whose handle the demo shop does not have
    other = ShopFactory(domain="beta.myshopify.com")
    ProductFactory(shop=other, handle="beta-only-candle", title="Beta Only Candle")
    # when the demo storefront is asked for it
    product = client.get("/demo/products/beta-only-candle/")
    search = parse(client.get("/demo/search/", {"q": "beta"}).content)
    # then it does not exist here
    assert product.status_code == 404
    assert search.slots["search-results"].product_ids == []


def test_storefront_without_a_demo_shop_explains_how_to_load_it(client, db):
    # given no demo shop
    # when the storefront is opened
    response = client.get("/demo/")
    # then a friendly page says what to run
    assert response.status_code == 503
    assert "<code>make demo</code>" in response.content.decode()


def test_storefront_script_is_included_with_the_shop_key(client, demo_shop, monkeypatch):
    # given the storefront script exists
    monkeypatch.setattr(views, "storefront_script_url", lambda: "/static/storefront/pz.js")
    # when a page is opened
    html = client.get("/demo/").content.decode()
    # then it is loaded deferred, with the shop's public key and the API base
    assert (
        '<script defer src="/static/storefront/pz.js" '
        f'data-shop-key="{demo_shop.storefront_key}" '
        'data-api-base="http://testserver/api/v1/"></script>'
    ) in html


def test_storefront_script_is_left_out_while_it_does_not_exist(client, demo_shop, monkeypatch):
    # given the storefront script has not been written
    monkeypatch.setattr(views, "storefront_script_url", lambda: None)
    # when a page is opened
    html = client.get("/demo/").content.decode()
    # then no script tag points at it
    assert "pz.js" not in html


# --- cart --------------------------------------------------------------------------------------


def test_cart_add_update_and_remove(client, catalog):
    heart, mug = catalog["heart"], catalog["mug"]
    # when two hearts and a mug are added
    added = client.post("/demo/cart/add/", {"product_id": heart.pk, "quantity": "2"})
    client.post("/demo/cart/add/", {"product_id": mug.pk})
    cart = parse(client.get("/demo/cart/").content)
    # then the cart holds both with the right subtotal (2 x 2.55 + 1.25)
    assert added.status_code == 302
    assert added["Location"] == "/demo/cart/"
    assert cart.meta["pz-page"] == "cart"
    assert cart.meta["pz-cart-product-ids"] == "85123A,22632"
    assert '<dd class="cart__subtotal">£6.35</dd>' in client.get("/demo/cart/").content.decode()

    # when the hearts go up to 3
    client.post("/demo/cart/update/", {"product_id": heart.pk, "quantity": "3"})
    # then the subtotal follows (3 x 2.55 + 1.25)
    assert '<dd class="cart__subtotal">£8.90</dd>' in client.get("/demo/cart/").content.decode()

    # when the mug is removed and the hearts set to zero
    client.post("/demo/cart/remove/", {"product_id": mug.pk})
    client.post("/demo/cart/update/", {"product_id": heart.pk, "quantity": "0"})
    # then the cart is empty
    assert "Your cart is empty." in client.get("/demo/cart/").content.decode()


def test_adding_again_adds_up_quantities(client, catalog):
    # when the same product is added twice
    client.post("/demo/cart/add/", {"product_id": catalog["heart"].pk, "quantity": "2"})
    client.post("/demo/cart/add/", {"product_id": catalog["heart"].pk, "quantity": "3"})
    # then there is one line of five
    html = client.get("/demo/cart/").content.decode()
    assert html.count('class="cart-line"') == 1
    assert f'id="qty-{catalog["heart"].pk}" name="quantity" type="number"' in html
    assert 'max="99" value="5"' in html


def test_cart_cross_sell_slot_leaves_out_what_is_in_the_cart(client, catalog):
    # given the heart is in the cart
    client.post("/demo/cart/add/", {"product_id": catalog["heart"].pk})
    # when the cart is opened
    page = parse(client.get("/demo/cart/").content)
    # then the cross-sell offers the other bestseller only
    assert page.slots["cart-cross-sell"].attrs["data-pz-placement"] == "cart"
    assert page.slots["cart-cross-sell"].product_ids == ["22632"]


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("/demo/cart/add/", {"quantity": "1"}, "Choose a product to add."),
        ("/demo/cart/add/", {"product_id": "x1", "quantity": "1"}, "Choose a product to add."),
        ("/demo/cart/add/", {"product_id": "999999", "quantity": "1"}, "not available"),
        ("/demo/cart/add/", {"product_id": "-4", "quantity": "1"}, "does not exist"),
        ("/demo/cart/add/", {"product_id": "HEART", "quantity": "two"}, "whole number"),
        ("/demo/cart/add/", {"product_id": "HEART", "quantity": "-1"}, "between 1 and 99"),
        ("/demo/cart/add/", {"product_id": "HEART", "quantity": "0"}, "between 1 and 99"),
        ("/demo/cart/add/", {"product_id": "HEART", "quantity": "100"}, "between 1 and 99"),
        ("/demo/cart/update/", {"product_id": "HEART", "quantity": "1.5"}, "whole number"),
        ("/demo/cart/update/", {"product_id": "MUG", "quantity": "2"}, "not in your cart"),
        ("/demo/cart/remove/", {"product_id": "MUG"}, "not in your cart"),
    ],
)
def test_bad_cart_input_is_a_400_with_a_message(client, catalog, path, data, message):
    # given the heart is in the cart
    client.post("/demo/cart/add/", {"product_id": catalog["heart"].pk})
    ids = {"HEART": str(catalog["heart"].pk), "MUG": str(catalog["mug"].pk)}
    data = {key: ids.get(value, value) for key, value in data.items()}
    # when the cart gets bad input
    response = client.post(path, data)
    # then it refuses with a message and the cart is unchanged
    assert response.status_code == 400
    assert message in response.content.decode()
    assert parse(client.get("/demo/cart/").content).meta["pz-cart-product-ids"] == "85123A"


def test_another_shops_product_cannot_be_added(client, catalog):
    # given a product of another shop
    foreign = ProductFactory(shop=ShopFactory(domain="beta.myshopify.com"))
    # when its id is posted to the demo cart
    response = client.post("/demo/cart/add/", {"product_id": foreign.pk})
    # then it is refused
    assert response.status_code == 400
    assert "That product is not available." in response.content.decode()


def test_sold_out_product_cannot_be_added(client, catalog):
    # given a sold-out product
    sold_out = ProductFactory(shop=catalog["heart"].shop, in_stock=False)
    # when it is added
    response = client.post("/demo/cart/add/", {"product_id": sold_out.pk})
    # then it is refused
    assert response.status_code == 400


def test_cart_writes_need_post_and_csrf(catalog):
    # given a browser-like client that enforces CSRF
    browser = Client(enforce_csrf_checks=True)
    # when the cart is changed with GET, or with POST but no token
    by_get = browser.get("/demo/cart/add/")
    without_token = browser.post("/demo/cart/add/", {"product_id": catalog["heart"].pk})
    # then both are refused
    assert by_get.status_code == 405
    assert without_token.status_code == 403


# --- placeholders ------------------------------------------------------------------------------


def test_placeholder_is_a_cacheable_svg(client, catalog):
    # when a product's placeholder is fetched
    response = client.get("/demo/placeholder/white-hanging-heart.svg")
    # then it is an SVG that caches for a week, with an ETag, and names the product
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=604800"
    assert response["ETag"].startswith('"')
    assert response.content.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')
    assert b'aria-label="White Hanging Heart T-Light Holder"' in response.content


def test_placeholder_is_deterministic_per_handle(client, catalog):
    # when the same placeholder is fetched twice, and another one once
    first = client.get("/demo/placeholder/white-hanging-heart.svg")
    second = client.get("/demo/placeholder/white-hanging-heart.svg")
    other = client.get("/demo/placeholder/red-retrospot-mug.svg")
    # then the same handle gives the same bytes and ETag, a different one does not
    assert first.content == second.content
    assert first["ETag"] == second["ETag"]
    assert other.content != first.content


def test_placeholder_answers_304_to_a_matching_etag(client, catalog):
    # given a cached placeholder
    etag = client.get("/demo/placeholder/white-hanging-heart.svg")["ETag"]
    # when the browser revalidates it
    response = client.get("/demo/placeholder/white-hanging-heart.svg", HTTP_IF_NONE_MATCH=etag)
    # then nothing is sent again
    assert response.status_code == 304
    assert response.content == b""


def test_placeholder_escapes_the_title(client, demo_shop):
    # given a product title with markup in it
    ProductFactory(shop=demo_shop, handle="odd", title='<script>alert("x")</script> & Co')
    # when its placeholder is fetched
    body = client.get("/demo/placeholder/odd.svg").content.decode()
    # then the markup is text, not elements
    assert "<script>" not in body
    assert 'aria-label="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co"' in body


def test_placeholder_for_an_unknown_handle_uses_the_handle(client, demo_shop):
    # when the placeholder of a handle without a product is fetched
    response = client.get("/demo/placeholder/blue-polkadot-bowl.svg")
    # then the picture is drawn from the handle's words
    assert response.status_code == 200
    assert b'aria-label="Blue Polkadot Bowl"' in response.content


@pytest.mark.parametrize(
    ("title", "category", "icon"),
    [
        ("White Hanging Heart T-Light Holder", "Candles & Lights", "candle"),
        ("Jumbo Bag Red Retrospot", "", "bag"),
        ("Red Retrospot Mug", "", "cup"),
        ("Set Of 3 Cake Tins Pantry Design", "", "box"),
        ("Zany Whatsit", "Jewellery & Accessories", "gem"),
        ("Zany Whatsit", "", "gift"),
    ],
)
def test_placeholder_icon_follows_the_last_known_word_then_the_category(title, category, icon):
    # when the icon for a product is chosen
    chosen = icon_for(title=title, category=category)
    # then the name's head noun decides, then the category, then a gift box
    assert chosen == icon


def test_collection_placeholder(client, catalog):
    # when a category's art is fetched
    response = client.get("/demo/placeholder/collections/candles-lights.svg")
    # then it is an SVG named after the category
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert b'aria-label="Candles &amp; Lights"' in response.content
