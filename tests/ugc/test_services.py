"""Uploads, flags, moderation, tagging, imports, removal, privacy and the ranked storefront API."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from personalization.decisions import catalog
from personalization.privacy.services import customer_erase, customer_export_data
from personalization.ugc import imports, services
from personalization.ugc.models import Content, RemovalRequest, Status
from tests.factories import (
    CollectionFactory,
    MembershipFactory,
    ProductFactory,
)
from tests.ugc.conftest import photo_bytes, stored_files

pytestmark = pytest.mark.django_db


def upload(shop, *, email="ana@example.com", caption="", color=(200, 80, 40), product_id=""):
    return services.upload_submit(
        shop=shop,
        upload=services.Upload(
            data=(data := photo_bytes(color=color)),
            size=len(data),
            declared_type="image/jpeg",
            filename="me.jpg",
        ),
        email=email,
        name="Ana Silva",
        handle="ana.makes",
        caption=caption,
        has_consent=True,
        has_rights=True,
        product_id=product_id,
    )


def test_upload_from_a_buyer_gets_the_badge_and_suggestions_from_their_orders(shop, buyer):
    lamp = ProductFactory(shop=shop, platform_id="lamp-1")
    content = upload(shop, product_id=lamp.platform_id)
    assert content.is_verified_buyer is True
    assert content.customer == buyer
    assert content.tag_suggestions == ["lamp-1", "mug-1"]  # the page's product first
    stranger = upload(shop, email="someone@example.com", color=(10, 200, 90))
    assert stranger.is_verified_buyer is False
    assert stranger.tag_suggestions == []


def test_flags_duplicates_and_personal_data(shop):
    first = upload(shop)
    again = upload(shop, caption="write to me: ana@example.com")
    assert first.flags == []
    assert again.flags == ["duplicate", "personal_data:email"]
    assert again.quality == pytest.approx(first.quality / 4, abs=0.01)


def test_only_approved_content_with_rights_is_served_and_scoped_to_the_shop(
    shop, other_shop, storefront_client, ugc_media_root
):
    product = ProductFactory(shop=shop, platform_id="mug-1")
    shown, pending, rejected = (
        upload(shop),
        upload(shop, color=(0, 0, 255)),
        upload(shop, color=(0, 255, 0)),
    )
    assert (
        services.content_moderate(shop=shop, content_ids=[shown.pk, rejected.pk], action="approve")
        == 2
    )
    assert services.content_moderate(shop=shop, content_ids=[rejected.pk], action="reject") == 1
    services.content_tag(shop=shop, content=shown, product_platform_id="mug-1")
    catalog.forget()
    body = storefront_client.get("/api/v1/ugc/gallery").json()
    assert [item["id"] for item in body["items"]] == [shown.pk]
    item = body["items"][0]
    assert item["attribution"] == "@ana.makes"
    assert item["products"][0]["id"] == product.platform_id
    assert item["products"][0]["url"] == f"/products/{product.handle}"
    assert "reason" not in item  # reasons are for previews only
    # the image is served, as an image, never as a page
    media = Client().get(item["image"])
    assert media.status_code == 200
    assert media["Content-Type"] == "image/jpeg"
    assert media["X-Content-Type-Options"] == "nosniff"
    # another shop's key sees none of it; another shop cannot moderate it
    other = (
        Client(HTTP_X_STOREFRONT_KEY=other_shop.storefront_key).get("/api/v1/ugc/gallery").json()
    )
    assert other["items"] == []
    assert (
        services.content_moderate(shop=other_shop, content_ids=[pending.pk], action="approve") == 0
    )
    with pytest.raises(services.UgcInputInvalid) as refused:
        services.content_tag(shop=other_shop, content=pending, product_platform_id="mug-1")
    assert refused.value.field == "content"


def test_gallery_order_follows_the_visitor_and_preview_explains_it(shop, admin_client_for):
    kitchen, lights = (
        CollectionFactory(shop=shop, title="Kitchen"),
        CollectionFactory(shop=shop, title="Lighting"),
    )
    mug = ProductFactory(shop=shop, platform_id="mug-1")
    lamp = ProductFactory(shop=shop, platform_id="lamp-1")
    MembershipFactory(collection=kitchen, product=mug)
    MembershipFactory(collection=lights, product=lamp)
    mug_photo, lamp_photo = upload(shop), upload(shop, color=(20, 20, 220))
    services.content_moderate(
        shop=shop, content_ids=[mug_photo.pk, lamp_photo.pk], action="approve"
    )
    services.content_tag(shop=shop, content=mug_photo, product_platform_id="mug-1")
    services.content_tag(shop=shop, content=lamp_photo, product_platform_id="lamp-1")
    catalog.forget()
    admin = admin_client_for(shop)
    key = shop.storefront_key
    by_mug = admin.get(f"/api/v1/ugc/gallery?key={key}&recent=mug-1&explain=1").json()["items"]
    by_lamp = admin.get(f"/api/v1/ugc/gallery?key={key}&recent=lamp-1&explain=1").json()["items"]
    assert [i["id"] for i in by_mug] == [mug_photo.pk, lamp_photo.pk]
    assert [i["id"] for i in by_lamp] == [lamp_photo.pk, mug_photo.pk]
    assert by_mug[0]["reason"] == "Features a product you viewed"
    assert set(by_mug[0]["parts"]) == {"affinity", "quality", "recency"}


@pytest.mark.parametrize(
    ("param", "value"),
    [("product", "bad id!"), ("limit", "99"), ("recent", "a,<b>"), ("visitor", "x" * 80)],
)
def test_bad_gallery_parameters_are_400_naming_the_field(param, value, shop, storefront_client):
    response = storefront_client.get("/api/v1/ugc/gallery", {param: value})
    assert response.status_code == 400
    assert response.json()["field"] == param


def test_a_persona_needs_an_admin(shop, storefront_client):
    response = storefront_client.get("/api/v1/ugc/gallery", {"persona": "new_visitor"})
    assert response.status_code == 403
    assert response.json()["field"] == "persona"


JUDGEME = """title,body,rating,review_date,source,curated,reviewer_name,reviewer_email,product_id,product_handle,reply,picture_urls
Great,Lovely blue mug that keeps tea hot,5,2024-03-01 10:00:00 UTC,web,ok,Bo Chen,bo@example.com,,blue-mug,,
Meh,Not for me,2,2024-03-02,web,not-yet,Cy,cy@example.com,,blue-mug,,
X,Ghost product,4,2024-03-02,web,ok,Di,di@example.com,,no-such-handle,,
"""
YOTPO = """Review ID,Review Title,Review Content,Review Score,Date,Product ID,User Name,User Email,Published,Verified Purchase
77,Nice,Really nice mug for the price,4,2024-02-01,mug-1,Ed,ed@example.com,true,true
"""
LOOX = """id,status,rating,email,nickname,review,date,img,product_id,handle,verified_purchase
L1,Active,5,fi@example.com,Fi,Use it every morning,2024-01-05T09:00:00Z,,mug-1,,true
"""


def test_review_app_exports_are_recognised_and_imported(shop):
    ProductFactory(shop=shop, platform_id="mug-1", handle="blue-mug")
    # a file with one row naming an unknown product is refused whole (see test_csv_import.py)
    judgeme_ok = "\n".join(line for line in JUDGEME.splitlines() if "no-such" not in line)
    judgeme = imports.reviews_csv_import(shop=shop, text=judgeme_ok)
    assert judgeme.source == "judgeme"
    assert (judgeme.created, judgeme.updated, judgeme.skipped) == (2, 0, [])
    assert imports.reviews_csv_import(shop=shop, text=judgeme_ok).updated == 2  # re-import updates
    yotpo = imports.reviews_csv_import(shop=shop, text=YOTPO)
    loox = imports.reviews_csv_import(shop=shop, text=LOOX)
    assert (yotpo.source, yotpo.created, loox.source, loox.created) == ("yotpo", 1, "loox", 1)
    reviews = Content.objects.filter(shop=shop, kind="review")
    assert reviews.count() == 4
    assert sorted(reviews.values_list("status", flat=True)) == [
        "approved",
        "approved",
        "approved",
        "pending",
    ]
    ed = reviews.get(source="yotpo")
    assert (ed.rating, ed.is_verified_buyer, ed.creator_name, ed.external_id) == (
        4,
        True,
        "Ed",
        "77",
    )
    assert list(ed.tags.values_list("product__platform_id", flat=True)) == ["mug-1"]


def test_an_unknown_csv_is_refused_naming_the_file(shop):
    with pytest.raises(services.UgcInputInvalid) as refused:
        imports.reviews_csv_import(shop=shop, text="a,b\n1,2\n")
    assert refused.value.field == "file"
    assert "Judge.me, Yotpo or Loox" in str(refused.value)


def test_social_posts_by_url_and_csv_keep_attribution_and_need_rights(shop):
    ProductFactory(shop=shop, platform_id="mug-1")
    post = imports.social_post_import(
        shop=shop,
        url="https://www.instagram.com/p/Cx1/?igshid=abc",
        handle="@gio",
        product_ids=["mug-1"],
    )
    assert (post.source_url, post.creator_handle, post.has_rights, post.status) == (
        "https://www.instagram.com/p/Cx1/",
        "gio",
        False,
        "pending",
    )
    with pytest.raises(services.UgcInputInvalid) as refused:
        imports.social_post_import(shop=shop, url="javascript:alert(1)")
    assert refused.value.field == "url"
    result = imports.social_csv_import(
        shop=shop,
        text="url,handle,caption,product_ids,rights_granted\nhttps://www.tiktok.com/@hal/video/1,hal,Morning tea,mug-1,yes\n",
    )
    assert (result.created, len(result.skipped)) == (1, 0)
    tiktok = Content.objects.get(source="social_csv")
    assert (tiktok.has_rights, tiktok.attribution) == (True, "@hal")
    services.content_moderate(shop=shop, content_ids=[post.pk, tiktok.pk], action="approve")
    assert list(Content.objects.showable().filter(shop=shop)) == [tiktok]


def test_a_creator_removes_their_photo_and_files_go(
    shop, storefront_client, ugc_media_root, django_capture_on_commit_callbacks
):
    content = upload(shop)
    assert len(stored_files(ugc_media_root)) == 2
    # someone else asks: recorded for the merchant, nothing removed, same answer
    other = storefront_client.post(
        "/api/v1/ugc/removal-requests", {"content_id": content.pk, "email": "eve@example.com"}
    )
    assert other.status_code == 202
    content.refresh_from_db()
    assert content.status == Status.PENDING
    # the creator asks: gone at once, files deleted after commit
    with django_capture_on_commit_callbacks(execute=True):
        mine = storefront_client.post(
            "/api/v1/ugc/removal-requests", {"content_id": content.pk, "email": "ANA@example.com"}
        )
    assert mine.json() == other.json()
    content.refresh_from_db()
    assert (content.status, content.creator_name, content.media_name) == ("removed", "", "")
    assert stored_files(ugc_media_root) == []
    assert list(
        RemovalRequest.objects.filter(shop=shop).values_list("status", flat=True).order_by("pk")
    ) == ["open", "done"]
    bad = storefront_client.post(
        "/api/v1/ugc/removal-requests", {"content_id": "x", "email": "a@b.co"}
    )
    assert (bad.status_code, bad.json()["field"]) == (400, "content_id")


def test_ugc_is_part_of_customer_export_and_erasure(
    shop, buyer, ugc_media_root, django_capture_on_commit_callbacks
):
    content = upload(shop)
    exported = customer_export_data(shop=shop, customer=buyer)
    assert [item["id"] for item in exported["ugc"]] == [content.pk]
    assert exported["ugc"][0]["creator_name"] == "Ana Silva"
    with django_capture_on_commit_callbacks(execute=True):
        request = customer_erase(shop=shop, customer=buyer)
    assert request.result["ugc_content"] == 1
    assert Content.objects.count() == 0
    assert stored_files(ugc_media_root) == []


def test_upload_api_answers_201_with_the_badge(shop, buyer, storefront_client):
    response = storefront_client.post(
        "/api/v1/ugc/uploads",
        {
            "file": SimpleUploadedFile("me.jpg", photo_bytes(), content_type="image/jpeg"),
            "email": "ana@example.com",
            "name": "Ana",
            "consent": "1",
            "rights": "1",
            "product_id": "mug-1",
        },
    )
    assert response.status_code == 201
    assert response.json()["verified_buyer"] is True
    assert response.json()["status"] == "pending"
