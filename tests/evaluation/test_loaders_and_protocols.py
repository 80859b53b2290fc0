from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from personalization.evaluation.loaders import DatasetError, load
from personalization.evaluation.protocols import make_split, sessionize

RETAIL_II = """Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country
100,A1,RED MUG,2,2011-01-01 10:00:00,1.50,17850,United Kingdom
100,B2,WHITE CANDLE,1,2011-01-01 10:00:00,2.00,17850,United Kingdom
101,A1,RED MUG,1,2011-03-01 10:00:00,1.50,17850,United Kingdom
102,C3,BLUE LAMP,1,2011-01-05 09:00:00,9.00,,United Kingdom
C103,A1,RED MUG,-1,2011-03-02 10:00:00,1.50,17850,United Kingdom
104,B2,WHITE CANDLE,3,2011-02-01 12:00:00,2.00,13047.0,France
105,POST,POSTAGE,1,2011-02-01 12:00:00,18.00,13047.0,France
106,C3,BLUE LAMP,1,2011-03-20 12:00:00,9.00,13047.0,France
"""


def test_uci_loader_keeps_customer_sales_as_baskets(tmp_path: Path):
    path = tmp_path / "retail.csv"
    path.write_text(RETAIL_II)
    dataset = load("uci", path)
    data = dataset.interactions
    # guest invoice 102, the cancellation and the postage line are not purchases
    assert len(data) == 5
    assert dataset.user_ids == ["17850", "13047"]
    assert [dataset.item_ids[i] for i in data.item] == ["A1", "B2", "A1", "B2", "C3"]
    assert data.weight.tolist() == [2.0, 1.0, 1.0, 3.0, 1.0]
    assert len(np.unique(data.basket)) == 4
    assert dataset.catalog is not None
    assert dataset.catalog.title[0] == "Red Mug"
    assert dataset.has_baskets


def test_sequential_loader_reads_attributes_as_tags(tmp_path: Path):
    path = tmp_path / "Tiny.txt"
    path.write_text("1 10 11 12\n2 11 12 13 10\n")
    (tmp_path / "Tiny_item2attributes.json").write_text(json.dumps({"10": [1, 2], "13": [2]}))
    dataset = load("sequential", path)
    assert dataset.item_ids == ["10", "11", "12", "13"]
    assert dataset.interactions.timestamp.tolist() == [0, 1, 2, 0, 1, 2, 3]
    assert dataset.catalog is not None
    assert dataset.catalog.tags[0] == ["a1", "a2"]
    assert dataset.catalog.tags[3] == ["a2"]
    assert not dataset.has_clock


def test_interactions_loader_weights_events_and_groups_purchases(tmp_path: Path):
    path = tmp_path / "events.csv"
    path.write_text(
        "timestamp,user_id,item_id,event\n"
        "2024-01-01T10:00:00Z,u1,p1,view\n"
        "1704103500,u1,p2,add_to_cart\n"
        "1704103800,u1,p1,purchase\n"
        "1704103800,u1,p2,purchase\n"
        "1704103900,u2,p3,wishlist\n"
    )
    dataset = load("interactions", path)
    data = dataset.interactions
    assert data.weight.tolist() == [1.0, 3.0, 5.0, 5.0, 1.0]
    assert data.basket is not None
    assert data.basket.tolist() == [-1, -1, 0, 0, -1]
    assert data.timestamp[0] == 1704103200.0


def test_loaders_refuse_bad_files(tmp_path: Path):
    with pytest.raises(DatasetError, match="does not exist"):
        load("sequential", tmp_path / "missing.txt")
    bad = tmp_path / "bad.csv"
    bad.write_text("when,who,what\n1,2,3\n")
    with pytest.raises(DatasetError, match="timestamp,user_id,item_id"):
        load("interactions", bad)
    bad.write_text("timestamp,user_id,item_id\nyesterday,u,i\n")
    with pytest.raises(DatasetError, match="ISO 8601"):
        load("interactions", bad)


def test_loo_full_holds_out_the_last_two_items(tmp_path: Path):
    path = tmp_path / "Seq.txt"
    path.write_text("a 1 2 3 4\nb 2 3\nc 4 3 1\n")
    split = make_split("loo-full", load("sequential", path))
    # users a and c have >= 3 items; b only trains
    assert [q.user for q in split.test.queries] == [0, 2]
    names = load("sequential", path).item_ids
    as_ids = lambda items: [names[i] for i in items]  # noqa: E731
    assert as_ids(split.test.queries[0].history) == ["1", "2", "3"]
    assert as_ids(split.test.targets[0]) == ["4"]
    assert as_ids(split.validation.queries[0].history) == ["1", "2"]
    assert as_ids(split.validation.targets[0]) == ["3"]
    # validation training drops each user's last two items, test training the last one
    assert len(split.validation.train) == 9 - 2 - 2 - 2
    assert len(split.test.train) == 9 - 3
    assert split.test.exclude is not None
    assert sorted(as_ids(split.test.exclude[1])) == ["3", "4"]


def test_temporal_basket_predicts_the_first_basket_after_each_cutoff(tmp_path: Path):
    day = 86400
    rows = ["timestamp,user_id,item_id,event"]
    # u1 buys on days 0, 50, 80, 100; u2 on day 0 and 95
    for d, user, item in [
        (0, "u1", "a"),
        (50, "u1", "b"),
        (80, "u1", "c"),
        (100, "u1", "a"),
        (0, "u2", "b"),
        (95, "u2", "d"),
    ]:
        rows.append(f"{d * day},{user},{item},purchase")
    path = tmp_path / "orders.csv"
    path.write_text("\n".join(rows) + "\n")
    dataset = load("interactions", path)
    split = make_split("temporal-basket", dataset, test_days=30)
    names = dataset.item_ids
    # test cutoff day 70: u1's first basket after it is day 80 {c}, u2's day 95 {d}
    assert [[names[i] for i in t] for t in split.test.targets] == [["c"], ["d"]]
    assert split.test.queries[0].time == 80 * day
    assert [names[i] for i in split.test.queries[0].history] == ["a", "b"]
    assert split.test.bought_before is not None
    assert split.test.bought_before[0].tolist() == [False]
    # validation cutoff day 40: u1's next basket is day 50 {b}; u2 has none before day 70
    assert [[names[i] for i in t] for t in split.validation.targets] == [["b"]]


def test_sessions_split_after_thirty_minutes_and_every_prefix_is_a_query(tmp_path: Path):
    rows = ["timestamp,user_id,item_id"]
    minute = 60
    # u1: a, b, c within minutes (session 1); then x, y an hour later (session 2);
    # u2: b, c at minutes 50 and 52 (session 3)
    for t, user, item in [
        (0, "u1", "a"),
        (5, "u1", "b"),
        (10, "u1", "c"),
        (75, "u1", "x"),
        (80, "u1", "y"),
        (50, "u2", "b"),
        (52, "u2", "c"),
    ]:
        rows.append(f"{t * minute},{user},{item}")
    path = tmp_path / "clicks.csv"
    path.write_text("\n".join(rows) + "\n")
    dataset = load("interactions", path)
    assert sessionize(dataset.interactions).session.tolist() == [0, 0, 0, 1, 1, 2, 2]
    split = make_split("session-next", dataset, test_fraction=0.2)
    names = dataset.item_ids
    # validation: sessions starting in [48, 64) min: u2's [b] -> c, trained on minutes < 48
    assert [names[i] for i in split.validation.targets[0]] == ["c"]
    assert len(split.validation.train) == 3
    # the last 20% of the span (t >= 64 min) holds session 2: one prefix [x] -> y
    assert [[names[i] for i in q.session] for q in split.test.queries] == [["x"]]
    assert [names[i] for i in split.test.targets[0]] == ["y"]
    assert split.test.queries[0].user is None
