from __future__ import annotations

import sys
import types

import pytest

from personalization.decisions import catalog, services
from personalization.decisions.models import PlacementConfig
from personalization.decisions.services import PAGE_SLOTS
from shopapp.adminui import placements
from tests.factories import (
    CollectionFactory,
    CustomerFactory,
    MembershipFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
)

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def fresh_decisions():
    catalog.forget()
    services._configs_cache.clear()


@pytest.fixture
def store(shop):
    """Eight candles, c0 the bestseller, then c1; two collections."""
    candles = CollectionFactory(
        shop=shop, platform_id="col-candles", handle="candles", title="Candles"
    )
    CollectionFactory(shop=shop, platform_id="col-kitchen", handle="kitchen", title="Kitchen")
    products = {}
    for i in range(8):
        product = ProductFactory(
            shop=shop,
            platform_id=f"c{i}",
            handle=f"candle-{i}",
            title=f"Candle {i}",
            product_type="Candles",
        )
        MembershipFactory(shop=shop, collection=candles, product=product, position=i)
        products[product.platform_id] = product
    customer = CustomerFactory(shop=shop)
    for pid, units in (("c0", 30), ("c1", 20), ("c2", 10)):
        OrderLineFactory(
            shop=shop,
            order=OrderFactory(shop=shop, customer=customer),
            product=products[pid],
            quantity=units,
        )
    return products


def settings_form(**overrides: str) -> dict[str, str]:
    return {
        "is_enabled": "on",
        "strategy": "",
        "title": "",
        "pinned": "",
        "boosted": "",
        "buried": "",
        "excluded": "",
        "max_per_category": "",
        **overrides,
    }


def test_every_storefront_slot_has_a_placement():
    slots = {slot for page in PAGE_SLOTS.values() for slot in page}
    assert slots <= set(placements.BY_KEY)


def test_every_strategy_offered_is_one_the_engine_decides_with(admin_client_for, shop, store):
    client = admin_client_for(shop)
    for placement in placements.PLACEMENTS:
        for strategy in placement.strategies:
            saved = client.post(
                f"/app/placements/{placement.key}/", settings_form(strategy=strategy), **HX
            )
            assert saved.status_code == 200, (placement.key, strategy)
            services.forget_configs(shop.pk)
            preview = client.get(
                f"/app/placements/{placement.key}/preview/?persona=returning_visitor", **HX
            )
            assert preview.status_code == 200, (placement.key, strategy)
            assert 'data-preview="items"' in preview.content.decode(), (placement.key, strategy)


def test_the_list_shows_every_placement_on_by_default(admin_client_for, shop):
    html = admin_client_for(shop).get("/app/placements/").content.decode()
    for placement in placements.PLACEMENTS:
        assert f'<tr id="placement-{placement.key}" data-placement="{placement.key}">' in html
    assert html.count('name="is_enabled" value="on" checked') == len(placements.PLACEMENTS)


def test_switching_a_placement_off_takes_it_off_the_storefront(
    admin_client_for, client, shop, store
):
    response = admin_client_for(shop).post("/app/placements/product-related/toggle/", {}, **HX)
    assert response.status_code == 200
    assert "<span>Off</span>" in response.content.decode()
    assert PlacementConfig.objects.get(shop=shop, placement="product-related").is_enabled is False
    slots = client.get(
        "/api/v1/decide", {"key": shop.storefront_key, "page": "product", "product": "c3"}
    ).json()["slots"]
    assert "product-related" not in slots


def test_rules_are_saved_as_platform_ids_and_the_storefront_follows_them(
    admin_client_for, client, shop, store
):
    data = settings_form(
        pinned="candle-5, c6", excluded="c0", max_per_category="4", title="Our picks"
    )
    response = admin_client_for(shop).post("/app/placements/home-recommended/", data, **HX)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "placementSaved"
    config = PlacementConfig.objects.get(shop=shop, placement="home-recommended")
    assert config.rules == {"pinned": ["c5", "c6"], "excluded": ["c0"], "max_per_category": 4}
    assert config.title == "Our picks"
    slot = client.get(
        "/api/v1/decide", {"key": shop.storefront_key, "page": "home", "slots": "home-recommended"}
    ).json()["slots"]["home-recommended"]
    assert slot["title"] == "Our picks"
    assert [item["id"] for item in slot["items"]][:2] == ["c5", "c6"]
    assert "c0" not in [item["id"] for item in slot["items"]]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (settings_form(pinned="c1, nope, c2"), "pinned", "No product with the id or handle nope."),
        (
            settings_form(pinned="c1", excluded="c1"),
            "excluded",
            "A product cannot be both pinned and excluded.",
        ),
        (
            settings_form(strategy="mind_reading"),
            "strategy",
            "Choose one of the listed strategies.",
        ),
        (
            settings_form(max_per_category="0"),
            "max_per_category",
            "Enter a whole number from 1 to 24, or leave it empty.",
        ),
    ],
)
def test_bad_rules_are_refused_next_to_their_field(
    admin_client_for, shop, store, data, field, message
):
    response = admin_client_for(shop).post("/app/placements/home-recommended/", data, **HX)
    html = response.content.decode()
    assert response.status_code == 422
    assert message in html
    assert not PlacementConfig.objects.filter(shop=shop).exists()


def test_another_shops_products_cannot_be_pinned(admin_client_for, shop, other_shop, store):
    ProductFactory(shop=other_shop, platform_id="theirs-1", handle="their-vase")
    response = admin_client_for(shop).post(
        "/app/placements/home-recommended/", settings_form(pinned="theirs-1 their-vase"), **HX
    )
    assert response.status_code == 422
    assert "No product with the id or handle theirs-1, their-vase." in response.content.decode()


def test_navigation_pins_collections_and_search_limits_the_shift(admin_client_for, shop, store):
    client = admin_client_for(shop)
    assert (
        client.post(
            "/app/placements/navigation/", {"is_enabled": "on", "pinned": "kitchen"}, **HX
        ).status_code
        == 200
    )
    assert PlacementConfig.objects.get(placement="navigation").rules == {"pinned": ["col-kitchen"]}
    assert (
        client.post(
            "/app/placements/search/", {"is_enabled": "on", "max_shift": "11"}, **HX
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/app/placements/search/", {"is_enabled": "on", "max_shift": "2"}, **HX
        ).status_code
        == 200
    )
    assert PlacementConfig.objects.get(placement="search").rules == {"max_shift": 2}


def test_the_preview_changes_when_a_rule_changes(admin_client_for, shop, store):
    client = admin_client_for(shop)
    url = "/app/placements/home-recommended/preview/?persona=new_visitor"
    before = client.get(url, **HX).content.decode()
    assert 'data-product="c0"' in before
    client.post(
        "/app/placements/home-recommended/", settings_form(pinned="c7", excluded="c0"), **HX
    )
    after = client.get(url, **HX).content.decode()
    assert after.index('data-product="c7"') < after.index("</ol>")
    assert "Chosen by the shop" in after
    assert 'data-product="c0"' not in after


def test_the_preview_as_a_real_customer_and_for_a_stranger(
    admin_client_for, shop, other_shop, store
):
    from personalization.profiles.models import Profile

    customer = CustomerFactory(shop=shop, platform_id="555")
    Profile.objects.create(
        shop=shop, customer=customer, orders_count=1, lifecycle="first_time_customer"
    )
    CustomerFactory(shop=other_shop, platform_id="666")
    client = admin_client_for(shop)
    mine = client.get("/app/placements/home-recommended/preview/?customer=555", **HX)
    assert mine.status_code == 200
    assert "persona: customer:555" in mine.content.decode()
    stranger = client.get("/app/placements/home-recommended/preview/?customer=666", **HX)
    assert stranger.status_code == 422
    assert "No customer of this shop has that email or id." in stranger.content.decode()


def test_a_switched_off_placement_previews_as_off(admin_client_for, shop, store):
    client = admin_client_for(shop)
    client.post("/app/placements/cart-cross-sell/toggle/", {}, **HX)
    html = client.get(
        "/app/placements/cart-cross-sell/preview/?persona=new_visitor", **HX
    ).content.decode()
    assert "This placement is off" in html


def test_the_engines_own_preview_is_used_when_it_offers_one(
    admin_client_for, shop, store, monkeypatch
):
    calls = []

    def decision_preview(*, shop, placement, persona):
        calls.append((shop.pk, placement, persona))
        return {
            "title": "From the engine",
            "strategy": "trending",
            "items": [{"id": "c3", "title": "Candle 3", "reason": "Trending"}],
        }

    module = types.ModuleType("personalization.decisions.selectors")
    module.decision_preview = decision_preview  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "personalization.decisions.selectors", module)
    html = (
        admin_client_for(shop)
        .get("/app/placements/home-hero/preview/?persona=lapsed_vip", **HX)
        .content.decode()
    )
    assert calls == [(shop.pk, "home-hero", "lapsed_vip")]
    assert "“From the engine”" in html
    assert "Trending this month" in html


def test_unknown_placements_are_404(admin_client_for, shop):
    client = admin_client_for(shop)
    assert client.get("/app/placements/checkout-popup/").status_code == 404
    assert client.post("/app/placements/checkout-popup/toggle/", {}, **HX).status_code == 404


def test_product_lookup_finds_ids_by_title_in_this_shop_only(
    admin_client_for, shop, other_shop, store
):
    ProductFactory(shop=other_shop, platform_id="theirs-9", title="Candle of theirs")
    html = admin_client_for(shop).get("/app/placements/lookup/?q=candle", **HX).content.decode()
    assert "<code>c0</code>" in html
    assert "theirs-9" not in html
