"""Stated interests outrank inferred affinities (engine.affinity.stated_first)."""

from __future__ import annotations

import pytest

from personalization.engine.affinity import stated_first


def test_a_stated_key_leads_even_against_a_strong_inferred_one():
    # given behaviour that points almost entirely at Kitchen, and a stated love of Candles
    inferred = {"Kitchen": 0.9, "Garden": 0.1}
    # when the two are blended
    shares = stated_first(inferred, ["Candles"])
    # then Candles leads by at least the lead factor, the order of the rest is kept, sum is 1
    assert sorted(shares, key=shares.get, reverse=True) == ["Candles", "Kitchen", "Garden"]
    assert shares["Candles"] == pytest.approx(3.0 / 4.0)
    assert shares["Kitchen"] == pytest.approx(0.9 / 4.0)
    assert shares["Candles"] >= 3 * shares["Kitchen"]
    assert sum(shares.values()) == pytest.approx(1.0)


def test_behaviour_orders_the_stated_keys_among_themselves():
    shares = stated_first({"Mugs": 0.2, "Lamps": 0.8}, ["Mugs", "Lamps", "Mugs"])
    assert shares["Lamps"] > shares["Mugs"] > 0.5 * shares["Lamps"]
    assert shares["Lamps"] == pytest.approx(3.8 / 7.0)


def test_nothing_stated_leaves_the_inferred_shares_alone():
    inferred = {"Kitchen": 0.75, "Garden": 0.25}
    assert stated_first(inferred, []) == inferred
    assert stated_first({}, ["Candles"]) == {"Candles": 1.0}
