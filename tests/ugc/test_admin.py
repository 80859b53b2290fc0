"""The moderation page: queue, bulk approve and reject, tagging with suggestions, imports,
removal requests, the persona preview; every write scoped to the signed-in shop."""

from __future__ import annotations

import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from personalization.decisions import catalog
from personalization.profiles.models import Profile
from personalization.ugc import services
from personalization.ugc.models import Content, RemovalRequest
from tests.factories import CustomerFactory, ProductFactory
from tests.ugc.test_services import JUDGEME, upload

pytestmark = pytest.mark.django_db


def ids_on(html: str) -> list[int]:
    return [int(v) for v in re.findall(r'data-ugc-id="(\d+)"', html)]


def test_queue_bulk_approve_and_reject(admin_client_for, shop):
    a, b, c = upload(shop), upload(shop, color=(0, 0, 250)), upload(shop, color=(0, 250, 0))
    admin = admin_client_for(shop)
    page = admin.get("/app/ugc/").content.decode()
    assert ids_on(page) == [c.pk, b.pk, a.pk]
    assert "Customer content" in page
    response = admin.post(
        "/app/ugc/moderate/", {"ids": [a.pk, b.pk], "action": "approve", "status": "pending"}
    )
    assert response.status_code == 303
    assert "2+item%28s%29+approved" in response["Location"]
    admin.post("/app/ugc/moderate/", {"ids": [c.pk], "action": "reject"})
    statuses = dict(Content.objects.values_list("pk", "status"))
    assert statuses == {a.pk: "approved", b.pk: "approved", c.pk: "rejected"}
    assert ids_on(admin.get("/app/ugc/?status=approved").content.decode()) == [b.pk, a.pk]
    refused = admin.post("/app/ugc/moderate/", {"action": "approve"})
    assert refused.status_code == 422
    assert "Select at least one item." in refused.content.decode()


def test_tagging_offers_the_uploaders_orders_and_refuses_unknown_products(
    admin_client_for, shop, buyer
):
    content = upload(shop)
    admin = admin_client_for(shop)
    page = admin.get("/app/ugc/").content.decode()
    assert 'name="product" value="mug-1"' in page  # suggestion from their order
    assert admin.post(f"/app/ugc/{content.pk}/tags/", {"product": "mug-1"}).status_code == 303
    assert list(content.tags.values_list("product__platform_id", flat=True)) == ["mug-1"]
    bad = admin.post(f"/app/ugc/{content.pk}/tags/", {"product": "nope"})
    assert bad.status_code == 422
    assert "Unknown product &#x27;nope&#x27;." in bad.content.decode()


def test_another_shops_content_is_out_of_reach(admin_client_for, shop, other_shop):
    content = upload(shop)
    ProductFactory(shop=other_shop, platform_id="x-1")
    intruder = admin_client_for(other_shop)
    assert content.pk not in ids_on(intruder.get("/app/ugc/").content.decode())
    assert intruder.post(f"/app/ugc/{content.pk}/tags/", {"product": "x-1"}).status_code == 404
    intruder.post("/app/ugc/moderate/", {"ids": [content.pk], "action": "approve"})
    content.refresh_from_db()
    assert content.status == "pending"
    removal = RemovalRequest.objects.create(
        shop=shop, content=content, content_ref=content.pk, requester_email_hash="x"
    )
    assert intruder.post(f"/app/ugc/removals/{removal.pk}/").status_code == 404


def test_csv_import_from_the_page(admin_client_for, shop):
    ProductFactory(shop=shop, platform_id="mug-1", handle="blue-mug")
    admin = admin_client_for(shop)
    # given a Judge.me export whose line 4 names an unknown product
    refused = admin.post(
        "/app/ugc/import/",
        {"kind": "reviews_csv", "file": SimpleUploadedFile("r.csv", JUDGEME.encode())},
    )
    # then the page lists the row by line and column, and nothing was imported
    assert refused.status_code == 422
    assert re.findall(r'data-line="(\d+)" data-column="([^"]+)"', refused.content.decode()) == [
        ("4", "product_handle")
    ]
    assert "unknown product &#x27;no-such-handle&#x27;" in refused.content.decode()
    assert not Content.objects.filter(shop=shop).exists()
    fixed = "\n".join(line for line in JUDGEME.splitlines() if "no-such" not in line)
    response = admin.post(
        "/app/ugc/import/",
        {"kind": "reviews_csv", "file": SimpleUploadedFile("r.csv", fixed.encode())},
    )
    assert response.status_code == 303
    assert "judgeme" in response["Location"]
    assert Content.objects.filter(shop=shop, source="judgeme").count() == 2
    bad = admin.post(
        "/app/ugc/import/",
        {"kind": "reviews_csv", "file": SimpleUploadedFile("r.csv", b"\xff\xfe\x00bad")},
    )
    assert bad.status_code == 422
    assert "not UTF-8" in bad.content.decode()


def test_writes_need_a_session(client, shop):
    assert client.post("/app/ugc/moderate/", {"ids": [1], "action": "approve"}).status_code in (
        302,
        403,
    )


def _customer_with_taste(shop, category: str) -> str:
    customer = CustomerFactory(shop=shop)
    Profile.objects.create(
        shop=shop,
        customer=customer,
        lifecycle="repeat_customer",
        orders_count=2,
        affinities={"category": {"as_of": time.time(), "raw": {category: 5.0}}},
    )
    return f"customer:{customer.platform_id}"


def test_preview_explains_a_different_order_for_two_personas(admin_client_for, shop):
    ProductFactory(shop=shop, platform_id="mug-1", product_type="Kitchen")
    ProductFactory(shop=shop, platform_id="lamp-1", product_type="Lighting")
    mug_photo, lamp_photo = upload(shop), upload(shop, color=(20, 20, 220))
    services.content_moderate(
        shop=shop, content_ids=[mug_photo.pk, lamp_photo.pk], action="approve"
    )
    services.content_tag(shop=shop, content=mug_photo, product_platform_id="mug-1")
    services.content_tag(shop=shop, content=lamp_photo, product_platform_id="lamp-1")
    catalog.forget()
    cook, reader = _customer_with_taste(shop, "Kitchen"), _customer_with_taste(shop, "Lighting")
    admin = admin_client_for(shop)
    cook_page = admin.get("/app/ugc/preview/", {"persona": cook}).content.decode()
    reader_page = admin.get("/app/ugc/preview/", {"persona": reader}).content.decode()
    assert ids_on(cook_page) == [mug_photo.pk, lamp_photo.pk]
    assert ids_on(reader_page) == [lamp_photo.pk, mug_photo.pk]
    assert "You like Kitchen" in cook_page
    assert "You like Lighting" in reader_page
    assert admin.get("/app/ugc/preview/", {"persona": "customer:none"}).status_code == 404
