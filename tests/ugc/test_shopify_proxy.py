"""The Shopify blocks call the UGC API through the app proxy: the signature names the shop."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from personalization.decisions import catalog
from personalization.ugc import services
from personalization.ugc.models import Content
from tests.factories import ProductFactory, ShopFactory
from tests.integrations.shopify.test_proxy_personalization import SECRET, proxy_params, signed
from tests.ugc.conftest import photo_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def proxy_shop(settings):
    settings.SHOPIFY_API_SECRET = SECRET
    settings.SHOPIFY_OLD_API_SECRET = ""
    catalog.forget()
    shop = ShopFactory(domain="proxy-shop.myshopify.com")
    ProductFactory(shop=shop, platform_id="p1")
    return shop


def test_upload_and_gallery_through_the_proxy(client, proxy_shop, ugc_media_root):
    # when a shopper uploads through /apps/pz/ugc/uploads (no storefront key: the signature)
    response = client.post(
        f"/shopify/proxy/ugc/uploads?{signed(proxy_params())}",
        {
            "file": SimpleUploadedFile("me.jpg", photo_bytes(), content_type="image/jpeg"),
            "email": "ana@example.com",
            "name": "Ana",
            "consent": "1",
            "rights": "1",
            "product_id": "p1",
        },
    )
    assert response.status_code == 201, response.content
    content = Content.objects.get(shop=proxy_shop)
    services.content_moderate(shop=proxy_shop, content_ids=[content.pk], action="approve")
    services.content_tag(shop=proxy_shop, content=content, product_platform_id="p1")
    # then the gallery through the proxy shows it, linking the Shopify product page
    gallery = client.get(f"/shopify/proxy/ugc/gallery?{signed(proxy_params(product='p1'))}")
    assert gallery.status_code == 200
    items = gallery.json()["items"]
    assert [i["id"] for i in items] == [content.pk]
    assert items[0]["products"][0]["add_to_cart"]["action"] == "/cart/add"
    # and a bad signature is refused
    assert (
        client.get(
            "/shopify/proxy/ugc/gallery?shop=proxy-shop.myshopify.com&signature=00"
        ).status_code
        == 401
    )


def test_add_to_cart_picks_the_first_variant_in_stock(client, proxy_shop):
    from tests.factories import VariantFactory

    product = ProductFactory(shop=proxy_shop, platform_id="p2")
    VariantFactory(product=product, platform_id="900", position=0, in_stock=False)
    VariantFactory(product=product, platform_id="901", position=1, in_stock=True)
    data = photo_bytes()
    content = services.upload_submit(
        shop=proxy_shop,
        upload=services.Upload(
            data=data, size=len(data), declared_type="image/jpeg", filename="a.jpg"
        ),
        email="a@example.com",
        name="A",
        has_consent=True,
        has_rights=True,
    )
    services.content_moderate(shop=proxy_shop, content_ids=[content.pk], action="approve")
    services.content_tag(shop=proxy_shop, content=content, product_platform_id="p2")
    items = client.get(f"/shopify/proxy/ugc/gallery?{signed(proxy_params())}").json()["items"]
    assert items[0]["products"][0]["add_to_cart"]["fields"] == {"id": "901", "quantity": 1}
