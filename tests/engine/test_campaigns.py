"""engine/campaigns.py: caps, trigger matching, conflict resolution, the free-shipping gap."""

from __future__ import annotations

from personalization.engine.campaigns import (
    Candidate,
    Cap,
    caps_conflict,
    choose,
    free_shipping_remaining,
    rank,
    trigger_matches,
)


def candidate(key: str, placement: str, priority: int, order: int, seen: int = 0) -> Candidate:
    return Candidate(key, placement, priority, order, seen, Cap(1, 24))


def test_one_overlay_and_one_embedded_block_highest_priority_first():
    winners = choose(
        [
            candidate("bar", "bar", 5, 1),
            candidate("popup", "popup", 50, 2),
            candidate("slide", "slide_in", 50, 3),  # same priority, newer: loses the tie
            candidate("block", "embedded", 1, 4),
        ],
        shop_wide_contacts=0,
        shop_wide=Cap(3, 24),
    )
    assert {group: c.key for group, c in winners.items()} == {
        "overlay": "popup",
        "embedded": "block",
    }


def test_a_campaign_at_its_cap_gives_way_to_the_next():
    ranked = rank([candidate("popup", "popup", 50, 1, seen=1), candidate("bar", "bar", 5, 2)])
    assert [c.key for c in ranked] == ["bar"]


def test_the_shop_wide_cap_stops_everything():
    assert choose([candidate("bar", "bar", 5, 1)], shop_wide_contacts=3, shop_wide=Cap(3, 24)) == {}


def test_caps_conflict_only_when_the_campaign_is_looser_over_a_shorter_window():
    assert caps_conflict(Cap(2, 24), Cap(3, 24)) is None
    assert caps_conflict(Cap(5, 168), Cap(3, 24)) is None  # a week vs a day: both can hold
    assert caps_conflict(Cap(4, 12), Cap(3, 24)) == (
        "4 per 12 h conflicts with the shop-wide cap of 3 per 24 h"
    )
    assert caps_conflict(Cap(0, 24), Cap(3, 24)) == "must allow at least one contact"
    assert caps_conflict(Cap(1, 0), Cap(3, 24)) == "the window must be at least one hour"


def test_triggers():
    assert trigger_matches("return_with_cart", 0, visit=2, has_cart=True, returning=True)
    assert not trigger_matches("return_with_cart", 0, visit=1, has_cart=True, returning=False)
    assert not trigger_matches("return_with_cart", 0, visit=2, has_cart=False, returning=True)
    assert trigger_matches("nth_visit", 3, visit=3, has_cart=False, returning=True)
    assert not trigger_matches("nth_visit", 3, visit=2, has_cart=False, returning=True)
    assert trigger_matches("exit_intent", 0, visit=1, has_cart=False, returning=False)
    assert not trigger_matches("cart_abandoned", 60, visit=1, has_cart=True, returning=True)


def test_free_shipping_gap():
    assert free_shipping_remaining(50, 12.5) == 37.5
    assert free_shipping_remaining(50, 0) is None
    assert free_shipping_remaining(50, 50) is None
