from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client

from personalization.audiences.models import ProductFeed
from personalization.audiences.services import (
    FEED_COLUMNS,
    AudienceInvalid,
    audience_export,
    feed_create,
    feed_restore,
    feed_revoke,
)
from personalization.audiences.tasks import feeds_regenerate_all
from personalization.decisions import catalog
from personalization.engine.audience_ids import sha256_hex
from personalization.preferences.models import StatedPreferences
from personalization.profiles.models import Profile
from personalization.segments.models import Segment, SegmentMembership
from tests.factories import CustomerFactory
from tests.preferences.conftest import make_store

PRICE = re.compile(r"^\d+\.\d{2} [A-Z]{3}$")


@pytest.fixture(autouse=True)
def _fresh() -> None:
    catalog.forget()


def member(shop, segment, *, email, accepts, likes="Candles", phone=""):
    customer = CustomerFactory(shop=shop, email=email, accepts_marketing=accepts)
    profile = Profile.objects.create(
        shop=shop,
        customer=customer,
        lifecycle="repeat_customer",
        affinities={"category": {"as_of": 0, "raw": {likes: 4.0}}},
    )
    SegmentMembership.objects.create(shop=shop, segment=segment, profile=profile)
    if phone:
        StatedPreferences.objects.create(shop=shop, customer=customer, phone=phone)
    return customer


@pytest.fixture
def segments(shop):
    make_store(shop)
    candles = Segment.objects.create(shop=shop, key="candle-fans", name="Candle fans")
    kitchen = Segment.objects.create(shop=shop, key="cooks", name="Cooks")
    member(shop, candles, email="Jane.Doe@gmail.com", accepts=True, phone="+44 20 7031 3000")
    member(shop, candles, email="no-consent@example.com", accepts=False)
    member(shop, candles, email="national@example.com", accepts=True, phone="020 7946 0000")
    member(shop, kitchen, email="cook@example.com", accepts=True, likes="Kitchen")
    return candles, kitchen


@pytest.mark.django_db
def test_audience_export_hashes_consenting_members_only(shop, segments):
    candles, _ = segments
    google = audience_export(
        shop=shop, segment=candles, platform="google", default_calling_code="44"
    )
    assert google.rows == [
        (sha256_hex("janedoe@gmail.com"), sha256_hex("+442070313000")),
        (sha256_hex("national@example.com"), sha256_hex("+442079460000")),
    ]
    meta = audience_export(shop=shop, segment=candles, platform="meta")
    assert meta.rows == [
        (sha256_hex("jane.doe@gmail.com"), sha256_hex("442070313000")),
        (sha256_hex("national@example.com"), ""),  # no country code known: phone left out
    ]
    text = google.as_csv()
    assert text.splitlines()[0] == "Email,Phone"
    # the customer without marketing consent never appears, in any form
    for export in (google, meta):
        body = export.as_csv()
        assert "no-consent" not in body
        assert sha256_hex("no-consent@example.com") not in body


@pytest.mark.django_db
def test_audience_export_refuses_unknown_platforms(shop, segments):
    with pytest.raises(AudienceInvalid) as error:
        audience_export(shop=shop, segment=segments[0], platform="tiktok")
    assert error.value.field == "platform"


@pytest.mark.django_db
def test_feeds_have_every_column_valid_prices_and_differ_by_segment(client: Client, shop, segments):
    candles, kitchen = segments
    candle_feed = feed_create(shop=shop, segment=candles, size=6)
    kitchen_feed = feed_create(shop=shop, segment=kitchen, size=6)
    rows = {}
    for name, feed in (("candles", candle_feed), ("kitchen", kitchen_feed)):
        response = client.get(f"/feeds/{feed.token}.tsv")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/tab-separated-values")
        table = list(csv.DictReader(io.StringIO(response.content.decode()), delimiter="\t"))
        assert len(table) == 6
        for row in table:
            assert tuple(row) == FEED_COLUMNS
            assert all(row[c] for c in FEED_COLUMNS if c != "brand"), row
            assert PRICE.match(row["price"]), row["price"]
            assert row["availability"] in ("in_stock", "out_of_stock")
            assert row["link"].startswith("https://alpha.myshopify.com/products/")
        rows[name] = table
    # the engine picks each segment's favourite category, and says so
    assert {r["product_type"] for r in rows["candles"]} == {"Candles"}
    assert {r["product_type"] for r in rows["kitchen"]} == {"Kitchen"}
    assert {r["custom_label_0"] for r in rows["candles"]} == {"Because you like Candles"}
    assert {r["custom_label_0"] for r in rows["kitchen"]} == {"Because you like Kitchen"}
    assert rows["candles"][0]["price"].endswith(" GBP")


@pytest.mark.django_db
def test_a_revoked_feed_url_is_gone_for_good(client: Client, shop, segments):
    feed = feed_create(shop=shop, segment=segments[0])
    old = feed.token
    feed_revoke(shop=shop, feed=feed)
    assert client.get(f"/feeds/{old}.tsv").status_code == 404
    feed_restore(shop=shop, feed=feed)
    assert client.get(f"/feeds/{old}.tsv").status_code == 404
    assert client.get(f"/feeds/{feed.token}.tsv").status_code == 200
    assert client.get("/feeds/guess.tsv").status_code == 404


@pytest.mark.django_db
def test_the_schedule_regenerates_active_feeds_only(shop, segments):
    live = feed_create(shop=shop, segment=segments[0], size=3)
    revoked = feed_create(shop=shop, segment=segments[1], size=3)
    feed_revoke(shop=shop, feed=revoked)
    ProductFeed.objects.update(rows=[], generated_at=None)
    assert feeds_regenerate_all() == 1  # eager Celery: the per-feed tasks ran inline
    live.refresh_from_db()
    revoked.refresh_from_db()
    assert len(live.rows) == 3
    assert live.generated_at is not None
    assert revoked.rows == []


@pytest.mark.django_db
def test_a_feed_for_another_shops_segment_is_refused(shop, other_shop, segments):
    with pytest.raises(AudienceInvalid) as error:
        feed_create(shop=other_shop, segment=segments[0])
    assert error.value.field == "segment"
