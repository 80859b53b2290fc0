"""The upload path under attack: every hostile file is refused with a clear message, naming the
`file` field, and leaves no file in storage and no row in the database."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from PIL import Image

from personalization.ugc import media
from personalization.ugc.models import Content
from tests.ugc.conftest import photo_bytes, stored_files

URL = "/api/v1/ugc/uploads"


def _form(data: bytes, *, name: str = "photo.jpg", content_type: str = "image/jpeg") -> dict:
    return {
        "file": SimpleUploadedFile(name, data, content_type=content_type),
        "email": "ana@example.com",
        "name": "Ana Silva",
        "consent": "on",
        "rights": "on",
    }


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload))
    )


def png_bomb(side: int = 30_000) -> bytes:
    """A real decompression bomb: a 1-bit PNG of side x side zeros, about 100 KB on disk."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + side // 8)
    body = (
        b"".join(compressor.compress(row * 1000) for _ in range(side // 1000)) + compressor.flush()
    )
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", body)
        + _png_chunk(b"IEND", b"")
    )


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small JPEG whose frame header claims other dimensions."""
    data = bytearray(photo_bytes(size=(16, 16)))
    sof = data.find(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
ATTACKS = {
    "svg with script, named .png": (
        SVG,
        "cat.png",
        "image/png",
        "unsupported_type",
        "SVG images are not accepted",
    ),
    "svg declared as svg": (
        SVG,
        "cat.svg",
        "image/svg+xml",
        "unsupported_type",
        "SVG images are not accepted",
    ),
    "html declared as jpeg": (
        b"<html><script>alert(1)</script></html>",
        "x.jpg",
        "image/jpeg",
        "unsupported_type",
        "not a JPEG, PNG or WebP",
    ),
    "png declared as jpeg": (
        photo_bytes("PNG"),
        "x.jpg",
        "image/jpeg",
        "type_mismatch",
        "says it is image/jpeg but its content is image/png",
    ),
    "jpeg named .gif": (photo_bytes(), "x.gif", "image/jpeg", "type_mismatch", "name ends in .gif"),
    "jpeg with a zip appended": (
        photo_bytes() + b"PK\x03\x04" + b"\x00" * 40,
        "x.jpg",
        "image/jpeg",
        "polyglot",
        "hidden",
    ),
    "jpeg with html appended": (
        photo_bytes() + b"<html><body>hi</body></html>",
        "x.jpg",
        "image/jpeg",
        "polyglot",
        "hidden",
    ),
    "png with php after IEND": (
        photo_bytes("PNG") + b"<?php system($_GET['c']); ?>",
        "x.png",
        "image/png",
        "polyglot",
        "hidden",
    ),
    "jpeg with trailing bytes": (
        photo_bytes() + b"\x00extra-data",
        "x.jpg",
        "image/jpeg",
        "polyglot",
        "after the end of the picture",
    ),
    "truncated jpeg": (
        photo_bytes()[:600],
        "x.jpg",
        "image/jpeg",
        "polyglot",
        "after the end of the picture",
    ),
    "jpeg with a broken body": (
        photo_bytes()[:20] + b"\x00" * 300 + b"\xff\xd9",
        "x.jpg",
        "image/jpeg",
        "malformed",
        "damaged",
    ),
    "png with a bad checksum": (
        photo_bytes("PNG")[:30] + b"\x00\x00" + photo_bytes("PNG")[32:],
        "x.png",
        "image/png",
        "malformed",
        "damaged",
    ),
    "png decompression bomb": (
        png_bomb(),
        "bomb.png",
        "image/png",
        "too_many_pixels",
        "the most is 6000 on a side",
    ),
    "jpeg claiming 60000x60000": (
        jpeg_claiming(60_000, 60_000),
        "x.jpg",
        "image/jpeg",
        "too_many_pixels",
        "the most is 6000 on a side",
    ),
    "jpeg claiming 7000x5000": (
        jpeg_claiming(7_000, 5_000),
        "x.jpg",
        "image/jpeg",
        "too_many_pixels",
        "is 7000x5000 pixels",
    ),
    "gif": (
        b"GIF89a" + b"\x00" * 100,
        "x.gif",
        "image/gif",
        "unsupported_type",
        "GIF files are not accepted",
    ),
    "empty file": (b"", "x.jpg", "image/jpeg", "empty", "empty"),
    "mp4 with broken boxes": (
        b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\xff" * 50,
        "v.mp4",
        "video/mp4",
        "malformed",
        "damaged",
    ),
}


@pytest.mark.parametrize("attack", list(ATTACKS), ids=list(ATTACKS))
def test_hostile_uploads_are_refused_and_nothing_is_stored(
    attack, shop, storefront_client, ugc_media_root
):
    # given a hostile file, posted as the storefront block posts it
    data, name, content_type, reason, message = ATTACKS[attack]
    # when it is uploaded
    response = storefront_client.post(URL, _form(data, name=name, content_type=content_type))
    # then it is refused with a clear message naming the field, and nothing is stored
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"] == reason
    assert body["field"] == "file"
    assert message in body["message"]
    assert Content.objects.count() == 0
    assert stored_files(ugc_media_root) == []


def test_an_oversized_body_is_refused_before_it_is_read(shop, storefront_client, ugc_media_root):
    # given a body larger than the largest video allowed
    data = b"\xff\xd8\xff" + b"\x00" * (media.MAX_VIDEO_BYTES + 100 * 1024)
    # when it is uploaded
    response = storefront_client.post(URL, _form(data))
    # then 413, naming the file, and nothing stored
    assert response.status_code == 413
    assert response.json()["field"] == "file"
    assert "larger than 25 MB" in response.json()["message"]
    assert Content.objects.count() == 0
    assert stored_files(ugc_media_root) == []


def test_an_image_over_the_image_limit_is_refused(shop, storefront_client, ugc_media_root):
    # given a 12 MB "JPEG" (under the video limit, over the picture limit)
    data = photo_bytes()[:-2] + b"\x00" * (12 * 1024 * 1024) + b"\xff\xd9"
    response = storefront_client.post(URL, _form(data))
    assert response.status_code == 413
    assert response.json()["message"] == "The file is larger than 10 MB."
    assert Content.objects.count() == 0
    assert stored_files(ugc_media_root) == []


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("consent", {"consent": ""}),
        ("rights", {"rights": ""}),
        ("email", {"email": "nope"}),
        ("name", {"name": ""}),
    ],
)
def test_missing_consent_rights_or_identity_names_the_field(
    field, change, shop, storefront_client, ugc_media_root
):
    form = {**_form(photo_bytes()), **change}
    response = storefront_client.post(URL, form)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert Content.objects.count() == 0
    assert stored_files(ugc_media_root) == []


def test_a_clean_photo_is_reencoded_without_exif_or_gps(shop, storefront_client, ugc_media_root):
    # given a phone photo with EXIF and a GPS position
    original = photo_bytes(exif=True)
    assert b"PhoneMaker" in original
    assert Image.open(io.BytesIO(original)).getexif()
    # when it is uploaded
    response = storefront_client.post(URL, _form(original))
    # then it is stored pending, re-encoded, with a thumbnail, and without the metadata
    assert response.status_code == 201, response.content
    content = Content.objects.get()
    assert content.status == "pending"
    assert content.has_rights
    assert content.has_consent
    files = sorted(stored_files(ugc_media_root), key=lambda p: p.name)
    assert len(files) == 2
    for path in files:
        data = path.read_bytes()
        assert b"PhoneMaker" not in data
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG"
        assert not image.getexif()
    assert (content.width, content.height) == (640, 480)
    assert len(content.phash) == 16


@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.binary(max_size=4096), st.sampled_from(["x.jpg", "x.png", "x.webp", "x.mp4", "x.svg", "x"])
)
def test_fuzz_random_bytes_never_get_past_the_checks(data, name):
    # given any bytes at all, when they are cleaned
    outcome = _outcome(data, name)
    # then they are refused with a known reason and a message, or (only real media) cleaned
    if isinstance(outcome, media.MediaRejected):
        assert outcome.reason in REASONS
        assert str(outcome)
    else:
        assert outcome.kind in ("photo", "video")


REASONS = {
    "empty",
    "unsupported_type",
    "type_mismatch",
    "polyglot",
    "malformed",
    "too_many_pixels",
    "too_large",
}


def _outcome(data: bytes, name: str) -> media.CleanMedia | media.MediaRejected:
    try:
        return media.clean(data, declared_type="", filename=name)
    except media.MediaRejected as exc:
        return exc


@hsettings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.sampled_from(["JPEG", "PNG", "WEBP"]),
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=4000), st.integers(min_value=0, max_value=255)
        ),
        min_size=1,
        max_size=12,
    ),
    st.binary(max_size=64),
)
def test_fuzz_mutated_images_are_refused_or_come_out_clean(fmt, flips, tail):
    # given a real picture with bytes flipped and something appended
    data = bytearray(photo_bytes(fmt, size=(64, 48)))
    for position, value in flips:
        data[position % len(data)] = value
    data = bytes(data) + tail
    ext = {"JPEG": "x.jpg", "PNG": "x.png", "WEBP": "x.webp"}[fmt]
    # when it is cleaned: either refused with a reason, or re-encoded into a plain picture
    outcome = _outcome(data, ext)
    if isinstance(outcome, media.MediaRejected):
        assert outcome.reason in REASONS - {"empty", "too_large"}
    else:
        out = Image.open(io.BytesIO(outcome.data))
        assert out.format in ("JPEG", "PNG")
        assert not out.getexif()
        assert media.FOREIGN.search(outcome.data) is None


@hsettings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    payload=st.sampled_from([SVG, b"<html>", b"PK\x03\x04zip", b"%PDF-1.7", b"<script>x</script>"]),
    fmt=st.sampled_from(["JPEG", "PNG"]),
    declared=st.sampled_from(["image/jpeg", "image/png", "image/svg+xml", "text/html", ""]),
)
def test_fuzz_polyglots_through_the_api_store_nothing(
    payload, fmt, declared, shop, storefront_client, ugc_media_root
):
    # given a picture with another file riding after it, declared as anything
    cache.clear()  # each example is a new shopper, not the upload throttle's concern
    data = photo_bytes(fmt, size=(32, 32)) + payload
    name = "x.jpg" if fmt == "JPEG" else "x.png"
    response = storefront_client.post(
        URL, _form(data, name=name, content_type=declared or "application/octet-stream")
    )
    assert response.status_code == 400
    assert response.json()["field"] == "file"
    assert Content.objects.count() == 0
    assert stored_files(ugc_media_root) == []


def test_other_shops_key_cannot_upload_to_this_shop(shop, other_shop, ugc_media_root):
    from django.test import Client

    response = Client().post(URL + "?key=pk_not_a_key", _form(photo_bytes()))
    assert response.status_code == 401
    assert stored_files(ugc_media_root) == []


def test_a_flood_of_uploads_is_throttled(shop, storefront_client, ugc_media_root, settings):
    # given the per-address limit (10 in ten minutes)
    for _ in range(10):
        assert storefront_client.post(URL, {"email": "x"}).status_code == 400
    # when one more arrives, it is refused before its body is looked at
    response = storefront_client.post(URL, _form(photo_bytes()))
    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    assert Content.objects.count() == 0


def test_a_broken_multipart_body_is_a_400_naming_the_file(shop, storefront_client):
    response = storefront_client.generic(
        "POST", URL, b"garbage", content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "file"
    assert response.json()["error"] == "bad_form"
    assert Content.objects.count() == 0


def test_a_short_mp4_is_kept_as_a_pending_video(shop, storefront_client, ugc_media_root):
    # given a well-formed MP4 container: ftyp, then a media box
    ftyp = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    mdat = (8 + 64).to_bytes(4, "big") + b"mdat" + bytes(64)
    response = storefront_client.post(
        URL, _form(ftyp + mdat, name="clip.mp4", content_type="video/mp4")
    )
    assert response.status_code == 201, response.content
    content = Content.objects.get()
    assert (content.kind, content.media_type, content.status) == ("video", "video/mp4", "pending")
    assert [p.suffix for p in stored_files(ugc_media_root)] == [".mp4"]
