from __future__ import annotations

import random

import pytest

from personalization.engine.rerank import MerchantRules, apply_rules, rerank_search


def test_rerank_keeps_every_result_and_bounds_the_moves():
    ids = [f"p{i}" for i in range(100)]
    liked = {f"p{i}" for i in range(60, 100, 3)}
    order = rerank_search(ids, lambda pid: 1.0 if pid in liked else 0.0, max_shift=3)
    assert sorted(order) == sorted(ids)
    assert max(abs(order.index(pid) - ids.index(pid)) for pid in ids) <= 3
    assert order.index("p63") < 63  # a liked item moved up


def test_rerank_with_no_personal_signal_changes_nothing():
    ids = [str(i) for i in range(20)]
    assert rerank_search(ids, lambda pid: 0.0) == ids


@pytest.mark.parametrize("seed", range(20))
def test_rerank_bound_holds_for_any_scores(seed):
    rng = random.Random(seed)
    ids = [str(i) for i in range(rng.randint(2, 60))]
    scores = {pid: rng.random() for pid in ids}
    shift = rng.randint(1, 5)
    order = rerank_search(ids, scores.__getitem__, max_shift=shift, weight=5.0)
    assert sorted(order, key=int) == ids
    assert all(abs(order.index(pid) - ids.index(pid)) <= shift for pid in ids)


def test_rules_pin_boost_bury_exclude_and_cap_diversity():
    candidates = [("a", 0.9), ("b", 0.8), ("c", 0.7), ("d", 0.6), ("e", 0.1)]
    rules = MerchantRules(
        pinned=("e",),
        boosted=frozenset({"d"}),
        buried=frozenset({"a"}),
        excluded=frozenset({"b"}),
        max_per_group=1,
        groups={"c": "mugs", "d": "mugs", "a": "candles"},
    )
    # e pinned first; d boosted to 1.1 beats c (0.7), but the mugs cap keeps c out until the end
    assert apply_rules(candidates, rules, limit=3) == ["e", "d", "a"]
    assert apply_rules(candidates, rules, limit=5) == ["e", "d", "a", "c"]


def test_search_rerank_benchmark(benchmark):
    ids = [str(i) for i in range(100)]
    scores = {pid: (int(pid) * 37 % 100) / 100 for pid in ids}
    order = benchmark(rerank_search, ids, scores.__getitem__)
    assert sorted(order, key=int) == ids
