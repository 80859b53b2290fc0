"""The duplicate check reads candidates through the hash-band index and finds exactly what a
scan of every stored hash finds."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from personalization.engine import ugc_flags
from personalization.ugc import services
from personalization.ugc.models import Content, PhashBand
from tests.ugc.test_services import upload


@given(
    value=st.integers(min_value=0, max_value=2**64 - 1),
    flips=st.sets(st.integers(min_value=0, max_value=63), max_size=ugc_flags.BANDS - 1),
)
def test_hashes_within_seven_bits_always_share_a_band(value, flips):
    # given a hash and a copy with up to 7 bits flipped
    other = value
    for bit in flips:
        other ^= 1 << bit
    a, b = f"{value:016x}", f"{other:016x}"
    # then the bands cut the hash losslessly and at least one band is equal
    bands = ugc_flags.hash_bands(a)
    assert len(bands) == 8
    assert int("".join(f"{band:02x}" for band in bands), 16) == value
    assert any(x == y for x, y in zip(bands, ugc_flags.hash_bands(b), strict=True))


def _store(shop, hashes: list[str]) -> list[int]:
    rows = Content.objects.bulk_create(
        Content(shop=shop, kind="photo", source="upload", phash=h) for h in hashes
    )
    PhashBand.objects.bulk_create(
        PhashBand(shop=shop, content=row, key=key)
        for row in rows
        for key in ugc_flags.band_keys(row.phash)
    )
    return [row.pk for row in rows]


@pytest.mark.django_db
def test_indexed_lookup_matches_the_linear_scan(shop, other_shop):
    # given 2,000 random hashes, plus near copies of a probe 3, 6 and 7 bits away
    rng = random.Random(7)
    probe = rng.getrandbits(64)
    near = [
        probe ^ (1 << 1 | 1 << 20 | 1 << 40),
        probe ^ sum(1 << b for b in (0, 9, 18, 27, 36, 45)),
    ]
    far = probe ^ sum(1 << b for b in (2, 11, 19, 29, 37, 47, 60))
    ids = _store(shop, [f"{rng.getrandbits(64):016x}" for _ in range(2000)])
    near_ids = _store(shop, [f"{h:016x}" for h in near])
    far_id = _store(shop, [f"{far:016x}"])[0]
    _store(other_shop, [f"{probe:016x}"])  # another shop's copy is never a candidate
    phash = f"{probe:016x}"
    # when the candidates are read through the index
    candidates = services.duplicate_candidates(shop=shop, phash=phash)
    # then they are a small part of the shop's hashes, and hold exactly the scan's duplicates
    everything = list(Content.objects.filter(shop=shop).values_list("pk", "phash"))
    assert len(everything) == len(ids) + 3
    assert len(candidates) < len(everything) // 10
    assert ugc_flags.near_duplicates(phash, candidates) == ugc_flags.near_duplicates(
        phash, everything
    )
    assert set(ugc_flags.near_duplicates(phash, candidates)) == set(near_ids)
    assert far_id not in ugc_flags.near_duplicates(phash, candidates)


@pytest.mark.django_db
def test_an_upload_writes_its_bands_and_removal_clears_them(shop):
    first = upload(shop)
    assert sorted(PhashBand.objects.filter(content=first).values_list("key", flat=True)) == (
        ugc_flags.band_keys(first.phash)
    )
    again = upload(shop)
    assert "duplicate" in again.flags
    services.content_remove(shop=shop, content=first)
    assert not PhashBand.objects.filter(content=first).exists()
