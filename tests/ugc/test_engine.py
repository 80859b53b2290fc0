"""The pure parts: text flags, perceptual hash, ranking with reasons."""

from __future__ import annotations

import numpy as np

from personalization.engine import ugc_flags, ugc_rank


def test_text_flags_find_profanity_spam_and_personal_data():
    assert ugc_flags.text_flags("Lovely mug, arrived fast") == []
    assert ugc_flags.text_flags("This is sh1t quality") == ["profanity"]
    assert ugc_flags.text_flags("Click here https://a.example https://b.example") == ["spam"]
    assert ugc_flags.text_flags("mail me at ana@example.com") == ["personal_data:email"]
    assert ugc_flags.text_flags("call +44 20 7946 0958 any time") == ["personal_data:phone"]
    # a price or a year is not a phone number
    assert ugc_flags.text_flags("paid 12.99 in 2024 for 3 of them") == []


def test_perceptual_hash_matches_copies_and_separates_different_pictures():
    rng = np.random.default_rng(7)
    picture = np.kron(rng.random((8, 9)) * 255, np.ones((15, 18)))  # blocks of light and dark
    # half the size and a little darker: the same photo, re-encoded by someone else
    resized_copy = picture.reshape(60, 2, 81, 2).mean(axis=(1, 3)) * 0.9 + 10
    other = np.kron(rng.random((8, 9)) * 255, np.ones((15, 18)))
    h = ugc_flags.average_hash(picture)
    assert len(h) == 16
    assert ugc_flags.hash_distance(h, ugc_flags.average_hash(resized_copy)) <= 6
    assert ugc_flags.hash_distance(h, ugc_flags.average_hash(other)) > 12
    assert ugc_flags.near_duplicates(h, [(1, ugc_flags.average_hash(other)), (2, h)]) == [2]


def test_two_visitors_get_different_orders_with_reasons():
    items = [
        ugc_rank.UgcItem(1, ("mug-1",), ("Kitchen",), quality=0.6, age_days=10),
        ugc_rank.UgcItem(2, ("lamp-1",), ("Lighting",), quality=0.6, age_days=10),
        ugc_rank.UgcItem(3, (), (), quality=0.9, age_days=1),
    ]
    cook = ugc_rank.Visitor(category_affinity={"Kitchen": 0.8, "Lighting": 0.2})
    reader = ugc_rank.Visitor(category_affinity={"Lighting": 0.7}, viewed=["lamp-1"])
    cook_order = ugc_rank.rank(items, cook)
    reader_order = ugc_rank.rank(items, reader)
    assert [r.item_id for r in cook_order] == [1, 2, 3]
    assert [r.item_id for r in reader_order] == [2, 3, 1]
    assert cook_order[0].reason == "You like Kitchen"
    assert reader_order[0].reason == "Features a product you viewed"
    assert ugc_rank.rank(items, ugc_rank.Visitor())[0].item_id == 3  # nobody's taste: quality
    assert (
        ugc_rank.rank(items, ugc_rank.Visitor(current_product="lamp-1"))[0].reason
        == "Shows this product"
    )


def test_quality_rewards_rating_text_picture_and_buyer_and_halves_per_flag():
    best = ugc_rank.quality_score(
        rating=5, text_length=400, pixels=2_000_000, is_verified=True, flags=0
    )
    assert best == 1.0
    assert (
        ugc_rank.quality_score(
            rating=5, text_length=400, pixels=2_000_000, is_verified=True, flags=1
        )
        == 0.5
    )
    assert (
        ugc_rank.quality_score(rating=1, text_length=0, pixels=0, is_verified=False, flags=0)
        == 0.09
    )
