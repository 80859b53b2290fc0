"""The demo's pretend checkout, its thank-you page with the post-purchase block, and the account
page with the buy-again block: reserved slots with server-rendered fallbacks, as a theme has."""

from __future__ import annotations

from tests.demo.test_storefront import catalog, demo_shop, parse  # noqa: F401


def test_checkout_empties_the_cart_and_the_thank_you_page_shows_the_order(client, catalog):  # noqa: F811
    # given the heart is in the cart
    client.post("/demo/cart/add/", {"product_id": catalog["heart"].pk, "quantity": "2"})
    # when the shopper checks out
    placed = client.post("/demo/checkout/")
    # then they land on the thank-you page, which lists the order and reserves the block
    assert placed.status_code == 302
    assert placed["Location"] == "/demo/order/thanks/"
    response = client.get("/demo/order/thanks/")
    html = response.content.decode()
    page = parse(response.content)
    assert response.status_code == 200
    assert page.meta["pz-page"] == "order"
    assert 'class="cart-line" data-pz-product-id="85123A"' in html
    assert "£5.10" in html
    slot = page.slots["post-purchase"]
    assert slot.attrs["data-pz-placement"] == "order"
    assert slot.attrs["data-pz-limit"] == "4"
    assert slot.product_ids == ["22632"]  # bestsellers, not what was just bought
    assert client.get("/demo/cart/").content.decode().count('class="cart-line"') == 0


def test_checking_out_an_empty_cart_is_a_400_with_a_message(client, catalog):  # noqa: F811
    response = client.post("/demo/checkout/")
    assert response.status_code == 400
    assert "Your cart is empty." in response.content.decode()


def test_the_thank_you_page_without_an_order_still_fills_the_block(client, catalog):  # noqa: F811
    page = parse(client.get("/demo/order/thanks/").content)
    assert page.slots["post-purchase"].product_ids == ["85123A", "22632"]


def test_the_account_page_reserves_the_buy_again_block(client, catalog):  # noqa: F811
    response = client.get("/demo/account/")
    page = parse(response.content)
    assert response.status_code == 200
    assert page.meta["pz-page"] == "account"
    assert page.slots["buy-again"].attrs["data-pz-limit"] == "4"
    assert page.slots["buy-again"].product_ids == ["85123A", "22632"]
