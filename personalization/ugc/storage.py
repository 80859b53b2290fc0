"""Where UGC files live: the `ugc` entry of Django's STORAGES.

By default a local folder (`UGC_MEDIA_ROOT`, `var/media/ugc`) served by `ugc_media` below at
`/ugc-media/`. For S3-compatible object storage set `UGC_STORAGE_BACKEND` to
`storages.backends.s3.S3Storage` (django-storages) and `UGC_STORAGE_OPTIONS` to its options as
JSON, e.g. `{"bucket_name": "shop-ugc", "endpoint_url": "https://s3.example.com",
"custom_domain": "cdn.example.com", "querystring_auth": false}`; files are then served by the
bucket and `ugc_media` is not used. Names are random, per shop: `<shop id>/<uuid>.<ext>`.
"""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages

ALIAS = "ugc"


def ugc_storage() -> Storage:
    return storages[ALIAS]


def file_save(*, shop_id: int, data: bytes, extension: str, suffix: str = "") -> str:
    name = f"{shop_id}/{uuid.uuid4().hex}{suffix}.{extension}"
    return ugc_storage().save(name, ContentFile(data))


def file_delete(name: str) -> None:
    if name:
        ugc_storage().delete(name)


def file_url(name: str) -> str:
    return ugc_storage().url(name) if name else ""
