from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from personalization.engine.recs import Interactions, Query
from personalization.evaluation.baselines import (
    SKNN,
    ItemKNN,
    MarkovChain,
    MostPopular,
    RecentlyPopular,
    TopFrequency,
)
from personalization.evaluation.cli import main
from personalization.evaluation.metrics import target_ranks

DAY = 86400.0


def test_whole_file_popularity_uses_its_own_counts_for_ties():
    train = Interactions.from_arrays([0, 1], [0, 1], n_items=3)
    model = MostPopular(whole_file=True, counts=np.array([1.0, 1.0, 2.0])).fit(train)
    scores = model.score([Query()])
    # items 0 and 1 tie at 1: the target counts below the other one
    assert target_ranks(scores, np.array([0]), model.popularity).tolist() == [2]


def test_recently_popular_counts_the_recent_end_of_training():
    data = Interactions.from_arrays(
        [0, 0, 1], [0, 1, 1], np.array([0.0, 9.0, 10.0]) * DAY, n_items=2
    )
    assert RecentlyPopular(days=5.0).fit(data).score([Query()])[0].tolist() == [0.0, 2.0]
    # without a clock: each user's last event
    ordered = Interactions.from_arrays([0, 0, 1], [0, 1, 0])
    model = RecentlyPopular(days=None, last_n=1).fit(ordered)
    assert model.score([Query()])[0].tolist() == [1.0, 1.0]


def test_item_knn_sums_cosine_similarities():
    # users: {0,1}, {0,1}, {0,2}
    data = Interactions.from_arrays([0, 0, 1, 1, 2, 2], [0, 1, 0, 1, 0, 2])
    model = ItemKNN(neighbours=5).fit(data)
    scores = model.score([Query.of(history=[0])])[0]
    # cos(0,1) = 2 / sqrt(3 * 2), cos(0,2) = 1 / sqrt(3 * 1)
    assert scores == pytest.approx([0.0, 2 / np.sqrt(6), 1 / np.sqrt(3)])


def test_sknn_and_vsknn_weights():
    # sessions [0, 1] and [2, 3]; the query saw 2 then 0
    data = Interactions.from_arrays([0, 0, 1, 1], [0, 1, 2, 3])
    query = [Query.of(history=[2, 0])]
    plain = SKNN(k=5).fit(data).score(query)[0]
    # overlap 1 with each session: 1 / sqrt(2 * 2)
    assert plain == pytest.approx([0.5, 0.5, 0.5, 0.5])
    linear = SKNN(k=5, weighting="linear").fit(data).score(query)[0]
    # V-SKNN: the latest item (0) weighs 1, the first (2) 1/2
    assert linear == pytest.approx([0.5, 0.5, 0.25, 0.25])


def test_markov_chain_and_top_frequency():
    data = Interactions.from_arrays(
        [0, 0, 0, 1, 1], [0, 1, 0, 0, 2], basket=[0, 0, 1, 2, 2], n_items=3
    )
    chain = MarkovChain().fit(data)
    assert chain.score([Query.of(history=[2, 0])])[0].tolist() == [0.0, 1.0, 1.0]
    # user 0 bought item 0 in two baskets and item 1 in one
    frequency = TopFrequency().fit(data)
    assert frequency.score([Query.of(user=0)])[0].tolist() == [2.0, 1.0, 0.0]


def _tiny_sequences(path: Path) -> None:
    rng = np.random.default_rng(3)
    lines = []
    for user in range(60):
        start = int(rng.integers(0, 20))
        # items mostly follow each other: 5 -> 6 -> 7 ...
        items = [(start + step) % 25 for step in range(int(rng.integers(4, 8)))]
        lines.append(" ".join([str(user), *[str(i + 1) for i in items]]))
    path.write_text("\n".join(lines) + "\n")


def test_cli_prints_a_table_and_ends_with_the_result_line(tmp_path: Path, capsys):
    data = tmp_path / "Tiny.txt"
    _tiny_sequences(data)
    out = tmp_path / "out.json"
    plot = tmp_path / "hr.png"
    code = main(
        [
            "--format",
            "sequential",
            "--path",
            str(data),
            "--protocol",
            "loo-full",
            "--models",
            "most-popular,markov,transitions",
            "--json",
            str(out),
            "--plot",
            str(plot),
            "--quiet",
        ]
    )
    assert code == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert re.fullmatch(
        r"RESULT ours=ours:transitions ndcg@10=\d\.\d{4} hr@20=\d\.\d{4} "
        r"baseline=(markov|most-popular) ndcg@10=\d\.\d{4} hr@20=\d\.\d{4}",
        lines[-1],
    )
    assert any(line.startswith("| ours:transitions | ours |") for line in lines)
    document = json.loads(out.read_text())
    assert document["result_line"] == lines[-1]
    assert {r["name"] for r in document["results"]} == {
        "most-popular",
        "markov",
        "ours:transitions",
    }
    assert document["settings"]["exclude_seen"] is True
    assert plot.stat().st_size > 0


def test_cli_reports_bad_input_without_a_traceback(tmp_path: Path, capsys):
    data = tmp_path / "Tiny.txt"
    _tiny_sequences(data)
    code = main(["--format", "sequential", "--path", str(data), "--protocol", "temporal-basket"])
    assert code == 2
    assert "needs clock times" in capsys.readouterr().err


def test_replay_runs_on_a_shops_own_arrays():
    from personalization.evaluation.loaders import Dataset
    from personalization.evaluation.replay import Options, replay

    # given 30 customers who each reorder items 0-2 monthly and try item 3 + their index % 5
    users, items, times, baskets = [], [], [], []
    basket = 0
    for customer in range(30):
        for month in range(6):
            for item in (0, 1, 2, 3 + (customer + month) % 5):
                users.append(customer)
                items.append(item)
                times.append((month * 30 + customer % 7) * DAY)
                baskets.append(basket)
            basket += 1
    data = Interactions.from_arrays(users, items, times, basket=baskets)
    dataset = Dataset(
        name="shop-1",
        format="shop",
        interactions=data,
        user_ids=[str(u) for u in range(30)],
        item_ids=[str(i) for i in range(8)],
        has_baskets=True,
    )
    # when the shop's orders are replayed with two models
    run = replay(
        dataset, "temporal-basket", Options(models="top-frequency,buy-again", test_days=45)
    )
    # then both are scored on every customer with a basket after the cutoff
    assert {r.name for r in run.results} == {"top-frequency", "ours:buy-again"}
    assert len(run.split.test) == 30
    assert run.result_line.startswith("RESULT ours=ours:buy-again ndcg@10=")
    document = run.document()
    assert document["settings"]["test_queries"] == 30
    assert set(document["margin_ours_minus_baseline"]) == {"ndcg@10", "hr@20"}
