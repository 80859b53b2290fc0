from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from shopapp.shops.crypto import lookup_hash
from tests.factories import CustomerFactory, OrderFactory, OrderLineFactory, ProductFactory

# The fake WooCommerce store, for the reviews importer's tests.
from tests.integrations.woocommerce.conftest import fake_woo, woo_settings  # noqa: F401


@pytest.fixture(autouse=True)
def ugc_media_root(tmp_path: Path, settings) -> Path:  # type: ignore[no-untyped-def]
    """Each test stores UGC files in its own folder, so "nothing stored" can be checked."""
    root = tmp_path / "ugc-media"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "ugc": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": "/ugc-media/"},
        },
    }
    return root


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def photo_bytes(
    fmt: str = "JPEG",
    size: tuple[int, int] = (640, 480),
    color: tuple[int, int, int] = (200, 80, 40),
    exif: bool = False,
) -> bytes:
    image = Image.new("RGB", size, color)
    # a gradient, so the perceptual hash has something to see
    for x in range(0, size[0], 8):
        for y in range(0, size[1], 8):
            image.putpixel((x, y), ((x * 3) % 256, (y * 5) % 256, color[2]))
    out = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "PhoneMaker"  # Make
        data[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS IFD
        kwargs["exif"] = data.tobytes()
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


@pytest.fixture
def buyer(shop):
    customer = CustomerFactory(
        shop=shop, email="ana@example.com", email_hash=lookup_hash("ana@example.com")
    )
    mug = ProductFactory(shop=shop, platform_id="mug-1", title="Blue mug")
    order = OrderFactory(shop=shop, customer=customer)
    OrderLineFactory(order=order, product=mug)
    return customer
