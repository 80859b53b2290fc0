"""engine.toplists: a model's rows ahead of time, in plain NumPy."""

from __future__ import annotations

import numpy as np

from personalization.engine.cooccurrence import Neighbours
from personalization.engine.toplists import top_lists

SCORES = np.array(
    [
        [5.0, 2.0, 2.0, 0.0, 4.0],
        [0.0, 9.0, 3.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 0.0],
    ]
)


def by_block(start: int, end: int) -> np.ndarray:
    return SCORES[start:end]


def test_rows_keep_the_best_positive_items_scaled_to_the_rows_best():
    table = top_lists(by_block, 3, k=3, block=2)
    # ties (items 1 and 2 at 2.0) go to the lower index; zeros never appear
    assert table.indices.tolist() == [[0, 4, 1], [1, 2, -1], [-1, -1, -1]]
    assert np.allclose(table.scores[0], [1.0, 0.8, 0.4])
    assert np.allclose(table.scores[1], [1.0, 1 / 3, 0.0])


def test_item_tables_leave_out_the_item_itself_and_carry_a_detail():
    table = top_lists(
        by_block, 3, k=2, exclude_self=True, detail=lambda rows, items: rows * 10 + items
    )
    assert table.indices.tolist() == [[4, 1], [2, -1], [-1, -1]]
    assert table.support.tolist() == [[4, 1], [12, 0], [0, 0]]


def test_a_table_round_trips_through_bytes_either_way():
    table = top_lists(by_block, 3, k=2)
    for compress in (True, False):
        back = Neighbours.from_bytes(table.to_bytes(compress=compress))
        assert back.indices.tolist() == table.indices.tolist()
        assert np.array_equal(back.scores, table.scores)
    assert len(table.to_bytes(compress=False)) > 0


def test_k_wider_than_the_catalog_and_no_rows():
    assert top_lists(by_block, 3, k=10).indices.shape == (3, 10)
    assert top_lists(by_block, 0, k=4).indices.shape == (0, 4)
