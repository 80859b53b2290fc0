"""Every main admin page and the /demo/ storefront in each of the six languages: a known
translated string is there, and no English UI label leaks through."""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from shopapp.languages import catalogue
from shopapp.shops.models import Shop
from tests.factories import (
    CollectionFactory,
    MembershipFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    ShopFactory,
)

LANGUAGES = ["en", "id", "nl", "fr", "da", "hu"]
# The skip link opens every admin and storefront page.
SKIP_LINK = {
    "en": "Skip to content",
    "id": "Langsung ke konten",
    "nl": "Naar de inhoud",
    "fr": "Aller au contenu",
    "da": "Gå til indhold",
    "hu": "Ugrás a tartalomra",
}
ADMIN_PAGES = [
    "/app/",
    "/app/onboarding/",
    "/app/dashboard/",
    "/app/segments/",
    "/app/segments/new/",
    "/app/placements/",
    "/app/merchandising/",
    "/app/campaigns/",
    "/app/experiments/",
    "/app/experiments/new/",
    "/app/privacy/",
    "/app/ugc/",
    "/app/quiz/",
    "/app/shoppers/",
    "/app/audiences/",
    "/app/quality/",
]
DEMO_PAGES = [
    "/demo/",
    "/demo/collections/",
    "/demo/collections/candles-lights/",
    "/demo/products/white-hanging-heart/",
    "/demo/search/?q=heart",
    "/demo/search/?q=zzzz",
    "/demo/cart/",
    "/demo/quiz/",
]
# English UI labels that must never show on a page rendered in another language.
ENGLISH_LABELS = [
    "Skip to content",
    "Sign out",
    "Dashboard",
    "Placements",
    "Experiments",
    "Customer content",
    "Shoppers",
    "Audiences",
    "Add to cart",
    "Search the shop",
    "Your cart",
    "Shop all",
    "All categories",
    "Recently viewed",
    "You may also like",
    "No thanks",
    "Yes, personalize",
    "Continue shopping",
    "Order summary",
    "Sold out",
    "Save",
    "Cancel",
    "Delete",
    "Edit",
    "Refresh",
    "Not yet",
    "Status",
]


class VisibleText(HTMLParser):
    """Text nodes and the attributes people read (alt, title, placeholder, aria-label)."""

    READ_ATTRS = ("alt", "title", "placeholder", "aria-label")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code", "template"):
            self._hidden += 1
        for name, value in attrs:
            if name in self.READ_ATTRS and value:
                self.chunks.append(value.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.chunks.append(" ".join(data.split()))


def visible(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.chunks


def translated_msgids(language: str) -> set[str]:
    """English msgids whose translation in `language` differs: seeing one of them is a leak."""
    if language == "en":
        return set()
    found = set()
    for message in catalogue.read_catalog(language):
        is_text = isinstance(message.id, str) and len(message.id) > 3 and "%" not in message.id
        if is_text and message.string != message.id:
            found.add(message.id)
    return found


def leaks(chunks: list[str], language: str) -> list[str]:
    if language == "en":
        return []
    english = translated_msgids(language)
    labels = [label for label in ENGLISH_LABELS if _translation(label, language) != label]
    found = [chunk for chunk in chunks if chunk in english]
    for label in labels:
        pattern = re.compile(rf"(?<![\w-]){re.escape(label)}(?![\w-])")
        found += [f"{label!r} in {chunk!r}" for chunk in chunks if pattern.search(chunk)]
    return found


def _translation(label: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(label)


@pytest.fixture
def demo_catalog(db: None) -> Shop:
    shop = ShopFactory(
        domain=settings.DEMO_SHOP_DOMAIN, name="Hearth & Twine", is_demo=True, currency="GBP"
    )
    lights = CollectionFactory(
        shop=shop, title="Candles & Lights", handle="candles-lights", platform_id="cat-1"
    )
    heart = ProductFactory(
        shop=shop,
        title="White Hanging Heart T-Light Holder",
        handle="white-hanging-heart",
        platform_id="85123A",
        product_type="Candles & Lights",
        price_min=Decimal("2.55"),
        price_max=Decimal("2.55"),
    )
    MembershipFactory(shop=shop, collection=lights, product=heart, position=0)
    OrderLineFactory(shop=shop, order=OrderFactory(shop=shop), product=heart, quantity=3)
    return shop


@pytest.mark.parametrize("language", LANGUAGES)
def test_admin_pages_render_in_each_language(language, demo_catalog, admin_client_for):
    # given a signed-in merchant whose admin was opened with Shopify's `locale`
    client: Client = admin_client_for(demo_catalog)
    first = client.get(f"/app/?locale={language}")
    assert first.status_code == 200
    problems: dict[str, list[str]] = {}
    for path in ADMIN_PAGES:
        # when each main page is opened (the language is remembered for the session)
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        # then the page says it is in that language, in that language's words
        assert f'<html lang="{language}">' in html, path
        assert SKIP_LINK[language] in html, path
        found = leaks(visible(html), language)
        if found:
            problems[path] = found
    # and no English label or English catalogue string leaks through
    assert problems == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_demo_storefront_renders_in_each_language(language, demo_catalog, client):
    # given the demo storefront, switched with its language links (?lang=)
    assert client.get(f"/demo/?lang={language}").status_code == 200
    problems: dict[str, list[str]] = {}
    for path in DEMO_PAGES:
        # when each storefront page is opened
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        # then it is in that language, and prices use its conventions
        assert f'<html lang="{language}">' in html, path
        assert SKIP_LINK[language] in html, path
        found = leaks(visible(html), language)
        if found:
            problems[path] = found
    assert problems == {}


def test_prices_on_the_demo_follow_the_language(demo_catalog, client):
    # given a product at £2.55
    # when the product page is shown in French and in English
    french = client.get("/demo/products/white-hanging-heart/?lang=fr").content.decode()
    english = client.get("/demo/products/white-hanging-heart/?lang=en").content.decode()
    # then the price is written each language's way
    assert "2,55\u00a0£GB" in french
    assert "£2.55" in english


def test_api_labels_follow_the_page_language(demo_catalog, client):
    # given the quiz script's call, which carries the page's <html lang> as `locale`
    from personalization.preferences.services import quiz_starter_create

    quiz_starter_create(shop=demo_catalog)
    headers = {"HTTP_X_STOREFRONT_KEY": demo_catalog.storefront_key}
    # when the quiz is fetched in Danish
    response = client.get(f"/api/v1/quiz?key={demo_catalog.storefront_key}&locale=da", **headers)
    # then its labels are Danish, and the API did not change the session's language
    assert response.status_code == 200, response.content
    assert response.json()["labels"]["show"] == "Vis mine forslag"
    assert client.get("/demo/").content.decode().count('<html lang="en">') == 1


# Built-in campaign templates (names and descriptions) listed on the campaigns page.
CAMPAIGN_TEMPLATE_LABELS = [
    "Abandoned-cart reminder on return",
    "Exit-intent offer",
    "Lapsed-customer win-back",
    "Free-shipping threshold nudge",
    "Birthday email",
    "A first-time visitor about to leave is offered a one-time code.",
]


def test_french_campaigns_page_lists_templates_in_french(demo_catalog, admin_client_for):
    # given a merchant whose admin is in French
    client: Client = admin_client_for(demo_catalog)
    # when the campaigns page with the built-in templates is opened
    html = client.get("/app/campaigns/?locale=fr").content.decode()
    chunks = visible(html)
    # then the templates are named in French and none of their English labels shows
    assert "Offre à l\u2019intention de sortie" in " ".join(chunks)
    english = [label for label in CAMPAIGN_TEMPLATE_LABELS if any(label in c for c in chunks)]
    assert english == []


# Reasons the placements preview gives ("why this?"), English.
REASON_LABELS = [
    "Bestseller",
    "New in",
    "Trending now",
    "Picked for you",
    "Popular with shoppers like you",
    "Chosen by the shop",
    "Because you like",
    "Because you viewed",
]


def test_french_placements_preview_gives_french_reasons(demo_catalog, admin_client_for):
    # given a merchant whose admin is in French
    client: Client = admin_client_for(demo_catalog)
    assert client.get("/app/placements/?locale=fr").status_code == 200
    # when a placement is previewed for a new visitor (bestsellers, with their reasons)
    response = client.get(
        "/app/placements/home-recommended/preview/?persona=new_visitor",
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    chunks = visible(response.content.decode())
    # then the product is there with a French reason, and no English reason or label shows
    assert "White Hanging Heart T-Light Holder" in chunks
    assert "· Meilleure vente" in chunks
    english = [
        f"{label!r} in {chunk!r}"
        for label in REASON_LABELS
        for chunk in chunks
        if re.search(rf"(?<![\w-]){re.escape(label)}(?![\w-])", chunk)
    ]
    assert english + leaks(chunks, "fr") == []
