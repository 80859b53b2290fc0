"""Decision reasons ("why this?") in the reader's language, and a decision cached in one language
never served in another."""

from __future__ import annotations

import pytest
from django.utils import translation

from personalization.decisions import catalog, services
from personalization.decisions.services import PageRequest
from personalization.profiles.models import Profile
from personalization.recommendations import selectors as rec_selectors
from tests.factories import (
    CollectionFactory,
    CustomerFactory,
    MembershipFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
)


@pytest.fixture(autouse=True)
def fresh_snapshots():
    catalog.forget()
    services._configs_cache.clear()
    rec_selectors.forget()


@pytest.fixture
def lapsed_gardener(shop):
    collection = CollectionFactory(shop=shop, platform_id="category:garden", title="Garden")
    customer = CustomerFactory(shop=shop, platform_id="lapsed-1")
    for i in range(4):
        product = ProductFactory(
            shop=shop, platform_id=f"g{i}", title=f"Garden {i}", product_type="Garden"
        )
        MembershipFactory(shop=shop, collection=collection, product=product, position=i)
        order = OrderFactory(shop=shop, customer=CustomerFactory(shop=shop))
        OrderLineFactory(shop=shop, order=order, product=product, quantity=4 - i)
    Profile.objects.create(
        shop=shop,
        customer=customer,
        lifecycle="lapsed",
        orders_count=4,
        affinities={"category": {"as_of": 0, "raw": {"Garden": 3.0}}},
    )
    return customer


def _reason(client, shop, locale: str) -> str:
    params = {
        "key": shop.storefront_key,
        "page": "home",
        "persona": "customer:lapsed-1",
        "explain": "1",
        "locale": locale,
    }
    response = client.get("/api/v1/decide", params)
    assert response.status_code == 200, response.content
    return response.json()["slots"]["home-recommended"]["items"][0]["reason"]


@pytest.mark.django_db
def test_preview_reasons_follow_the_language_and_the_cache_keeps_them_apart(
    shop, lapsed_gardener, admin_client_for
):
    client = admin_client_for(shop)
    # given the English preview, decided and cached first
    assert _reason(client, shop, "en") == "New in Garden"
    # when the same preview is asked for in French
    french = _reason(client, shop, "fr")
    # then the reason is French, the category name (data) unchanged, not the cached English
    assert french == "Nouveau dans Garden"
    # and English is still English (the French entry is not served back either)
    assert _reason(client, shop, "en") == "New in Garden"


def test_the_decision_cache_key_carries_the_language():
    request = PageRequest(page="home", explain=True)
    with translation.override("fr"):
        french = request.cache_part()
    with translation.override("en"):
        english = request.cache_part()
    assert french != english


def test_reasons_without_values_and_with_values_translate():
    from personalization.decisions.compose import Reason
    from personalization.decisions.reasons import reason_text

    reason = Reason("Goes well with %(product)s", product="50% off mug")
    assert reason == "Goes well with 50% off mug"
    with translation.override("nl"):
        assert reason_text(reason) == "Past goed bij 50% off mug"
        assert reason_text("Chosen by the shop") == "Gekozen door de winkel"
    # a pickled reason (the shared cache) keeps its message id and values
    import pickle

    again = pickle.loads(pickle.dumps(reason))
    assert (again.msgid, again.params, str(again)) == (reason.msgid, reason.params, str(reason))


@pytest.mark.django_db
def test_slot_titles_follow_the_language_too(shop, lapsed_gardener, admin_client_for):
    # given a lapsed customer whose favourite category is Garden
    client = admin_client_for(shop)
    params = {"key": shop.storefront_key, "page": "home", "persona": "customer:lapsed-1"}

    def titles(locale: str) -> tuple[str, str]:
        slots = client.get("/api/v1/decide", {**params, "locale": locale}).json()["slots"]
        return slots["home-hero"]["title"], slots["home-recommended"]["title"]

    # then the storefront block headings are in the shopper's language, names (data) unchanged
    assert titles("en") == ("Welcome back", "New in Garden")
    assert titles("fr") == ("Bon retour parmi nous", "Nouveau dans Garden")
    assert titles("da")[0] == "Velkommen tilbage"
    assert titles("en") == ("Welcome back", "New in Garden")
