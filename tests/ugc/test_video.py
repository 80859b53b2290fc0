"""A video is kept as uploaded (container check only, no frame decoded): it waits for the
merchant's approval and is shown with a neutral poster tile."""

from __future__ import annotations

import re

import pytest

from personalization.ugc import selectors
from personalization.ugc.models import Content
from tests.ugc.test_upload_attacks import URL, _form

pytestmark = pytest.mark.django_db

MP4 = (
    b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    + (72).to_bytes(4, "big")
    + b"mdat"
    + bytes(64)
)


def test_a_video_waits_for_approval_and_shows_the_neutral_poster(
    shop, storefront_client, admin_client_for
):
    # given a shopper's MP4 upload
    response = storefront_client.post(URL, _form(MP4, name="clip.mp4", content_type="video/mp4"))
    assert response.status_code == 201, response.content
    video = Content.objects.get()
    # then it is pending and not in the gallery
    assert video.status == "pending"
    assert storefront_client.get("/api/v1/ugc/gallery").json()["items"] == []
    # and the moderation page shows the poster tile, linking to the file, never an <img> of it
    page = admin_client_for(shop).get("/app/ugc/").content.decode()
    assert f'src="{selectors.VIDEO_POSTER}"' in page
    assert 'class="ugc-video-tile"' in page
    assert not re.findall(r'<img src="[^"]*\.mp4"', page)
    # when the merchant approves it
    admin_client_for(shop).post("/app/ugc/moderate/", {"ids": [video.pk], "action": "approve"})
    # then the gallery serves it with the poster and no image
    (item,) = storefront_client.get("/api/v1/ugc/gallery").json()["items"]
    assert (item["id"], item["kind"], item["image"]) == (video.pk, "video", "")
    assert item["poster"] == selectors.VIDEO_POSTER
    assert item["media"].endswith(".mp4")
