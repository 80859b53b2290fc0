"""Review-app and social CSV imports are all or nothing, and name each bad row's line and
column."""

from __future__ import annotations

import pytest

from personalization.ugc import imports
from personalization.ugc.models import Content
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

YOTPO_HEAD = (
    "Review ID,Review Title,Review Content,Review Score,Date,Product ID,User Name,User Email,"
    "Published\n"
)


def test_every_bad_row_is_listed_by_line_and_column_and_nothing_is_written(shop):
    # given a product, and a Yotpo export with three bad rows among good ones (one record spans
    # two physical lines, so line numbers are the file's, not the record count)
    ProductFactory(shop=shop, platform_id="mug-1")
    text = YOTPO_HEAD + (
        '1,Nice,"Good mug,\nreally",5,2024-02-01,mug-1,Ed,ed@example.com,true\n'
        "2,Bad,,4,2024-02-01,mug-1,Fi,fi@example.com,true\n"
        "3,Odd,Fine,9,2024-02-01,mug-1,Gu,gu@example.com,true\n"
        "4,Lost,Fine,4,someday,mug-404,Ha,ha@example.com,true\n"
        "5,Ok,Also good,4,2024-02-03,mug-1,Io,io@example.com,true\n"
    )
    # when it is imported
    with pytest.raises(imports.ImportRowsInvalid) as refused:
        imports.reviews_csv_import(shop=shop, text=text)
    # then each problem names its line and the file's own column, and no row was written
    assert [(e.line, e.column) for e in refused.value.errors] == [
        (4, "Review Content"),
        (5, "Review Score"),
        (6, "Product ID"),
        (6, "Date"),
    ]
    assert refused.value.errors[2].message == "unknown product 'mug-404'"
    assert refused.value.field == "file"
    assert "4 rows cannot be imported" in str(refused.value)
    assert not Content.objects.filter(shop=shop).exists()


def test_a_failure_while_writing_rolls_back_the_rows_before_it(shop, monkeypatch):
    # given a valid two-row file, and a write that fails on the second row
    ProductFactory(shop=shop, platform_id="mug-1")
    text = YOTPO_HEAD + (
        "1,A,First,5,2024-02-01,mug-1,Ed,ed@example.com,true\n"
        "2,B,Second,4,2024-02-01,mug-1,Fi,fi@example.com,true\n"
    )
    real_upsert = imports.content_upsert
    calls = []

    def failing_upsert(**kwargs):
        calls.append(kwargs["fields"].external_id)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_upsert(**kwargs)

    monkeypatch.setattr(imports, "content_upsert", failing_upsert)
    # when it is imported
    with pytest.raises(RuntimeError):
        imports.reviews_csv_import(shop=shop, text=text)
    # then the first row was rolled back too
    assert calls == ["1", "2"]
    assert not Content.objects.filter(shop=shop).exists()


def test_a_social_csv_with_a_bad_row_is_refused_whole(shop):
    text = (
        "url,handle,caption,rights_granted\n"
        "https://www.tiktok.com/@hal/video/1,hal,Morning tea,yes\n"
        "http://evil.example/x,z,,yes\n"
        "https://www.instagram.com/p/Q1/,bad handle!,,yes\n"
    )
    with pytest.raises(imports.ImportRowsInvalid) as refused:
        imports.social_csv_import(shop=shop, text=text)
    assert [(e.line, e.column) for e in refused.value.errors] == [(3, "url"), (4, "handle")]
    assert not Content.objects.filter(shop=shop).exists()


def test_a_nul_byte_is_refused_naming_its_line_and_nothing_is_written(shop):
    # given an export with binary data on its third line (PostgreSQL cannot store a NUL in text)
    text = "body,rating,reviewer_name,product_handle\nNice,5,Ana,mug\nBa\x00d,4,Bo,mug\n"
    # when it is imported, then it is refused whole with the line named
    with pytest.raises(imports.UgcInputInvalid) as refused:
        imports.reviews_csv_import(shop=shop, text=text)
    assert refused.value.field == "file"
    assert "Line 3" in str(refused.value)
    assert Content.objects.filter(shop=shop).count() == 0
