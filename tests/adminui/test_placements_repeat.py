"""The placements page offers the "buy it again" and "after the order" blocks, and its preview
shows what a persona or a real customer would see in them, with the reasons."""

from __future__ import annotations

import re

import pytest

from personalization.decisions.models import PlacementConfig
from personalization.profiles.models import Profile
from personalization.recommendations import selectors
from personalization.recommendations.tasks import models_train_shop
from shopapp.adminui import placements
from shopapp.catalog.models import Customer
from tests.recommendations.conftest import fresh_process_caches, store  # noqa: F401

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def trained(shop, store):  # noqa: F811
    customer = Customer.objects.get(shop=shop, platform_id="regular")
    Profile.objects.create(
        shop=shop, customer=customer, lifecycle="repeat_customer", orders_count=6
    )
    models_train_shop.delay(shop.pk).get()
    selectors.forget()
    return store


def preview_items(html: str) -> list[tuple[str, str]]:
    """(product id, reason) per previewed item, in order."""
    return re.findall(
        r'data-product="([^"]+)">\s*<div>\s*<span class="preview-item__title">[^<]*</span>\s*'
        r'(?:<span class="preview-item__why"> · ([^<]*)</span>)?',
        html,
    )


def test_both_placements_are_listed_with_their_strategies():
    assert placements.BY_KEY["buy-again"].strategies[:2] == ("", "buy_again")
    assert placements.BY_KEY["post-purchase"].strategies[:2] == ("", "post_purchase")
    assert placements.BY_KEY["post-purchase"].page == "order"
    assert "buy_again" in placements.BY_KEY["home-recommended"].strategies


@pytest.mark.django_db
def test_the_list_and_the_form_offer_them(admin_client_for, shop):
    client = admin_client_for(shop)
    listed = client.get("/app/placements/").content.decode()
    assert 'data-placement="buy-again"' in listed
    assert 'data-placement="post-purchase"' in listed
    form = client.get("/app/placements/home-recommended/").content.decode()
    assert 'value="buy_again"' in form
    assert "The shopper&#x27;s repeat buys, when due" in form


@pytest.mark.django_db
def test_buy_again_previews_a_real_customers_repeat_buy_with_its_interval(
    admin_client_for, shop, trained
):
    client = admin_client_for(shop)
    mine = client.get("/app/placements/buy-again/preview/?customer=regular", **HX)
    assert mine.status_code == 200
    items = preview_items(mine.content.decode())
    assert items[0][0] == "c3"
    assert re.fullmatch(r"You buy this about every (2[6-9]|3[0-4]) days", items[0][1])
    # a new visitor has no repeat buys: the block still fills, with no interval claimed
    stranger = preview_items(
        client.get("/app/placements/buy-again/preview/?persona=new_visitor", **HX).content.decode()
    )
    assert len(stranger) == 4
    assert not any("You buy this" in reason for _, reason in stranger)


@pytest.mark.django_db
def test_post_purchase_previews_complements_of_the_order_and_follows_a_rule(
    admin_client_for, shop, trained
):
    client = admin_client_for(shop)
    url = "/app/placements/post-purchase/preview/?persona=new_visitor"
    html = client.get(url, **HX).content.decode()
    assert "Just after an order of “Tea towel”." in html  # k0, the bestseller
    items = preview_items(html)
    assert items[0] == ("g0", "Goes well with Tea towel")

    saved = client.post(
        "/app/placements/post-purchase/",
        {"is_enabled": "on", "strategy": "post_purchase", "excluded": "g0", "pinned": "c5"},
        **HX,
    )
    assert saved.status_code == 200
    assert PlacementConfig.objects.get(shop=shop, placement="post-purchase").rules == {
        "pinned": ["c5"],
        "excluded": ["g0"],
    }
    after = preview_items(client.get(url, **HX).content.decode())
    assert after[0] == ("c5", "Chosen by the shop")
    assert "g0" not in [pid for pid, _ in after]
