"""Know-the-customer engine on the full UCI Online Retail file (4,372 customers, 2010-12..2011-12).

    python bench/customers_uci.py [--path FILE]

Parses the file with the demo's pure parser, then, with the pure engine only (no Django, no
database): RFM + lifecycle for every customer (timed), the repeat-purchase interval distribution
behind the lapsed threshold, built-in segment sizes, purchase propensity and churn risk with a
temporal split, and behaviour clusters. Last lines:

    RESULT propensity_auc=<x> baseline_recency_auc=<y> brier=<z> customers=<n>
    RESULT churn_auc=<x> baseline_recency_auc=<y> brier=<z> customers=<n>
    RESULT customers=<n> rfm_lifecycle_s=<s> parse_s=<s> total_s=<s>

Targets: RFM + lifecycle for all customers <= 30 s (the engine part well under a second);
purchase propensity AUC >= 0.75 and above the recency-only baseline; whole run under ~1 minute.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from personalization.engine.affinity import (  # noqa: E402
    PRICE_BAND_NAMES,
    affinity_matrix,
    price_band_edges,
    price_band_indices,
)
from personalization.engine.clustering import cluster_features, fit_clusters  # noqa: E402
from personalization.engine.lifecycle import (  # noqa: E402
    STAGES,
    LifecycleThresholds,
    lifecycle_stages,
)
from personalization.engine.orders import OrderHistory  # noqa: E402
from personalization.engine.propensity import (  # noqa: E402
    HORIZON_DAYS,
    EvaluationReport,
    Target,
    score,
    train,
    train_and_evaluate,
)
from personalization.engine.rfm import RFM_CLASSES, compute_rfm  # noqa: E402
from personalization.engine.segment_rules import (  # noqa: E402
    BUILTIN_SEGMENTS,
    ORDER_EVENT,
    Facts,
    compile_rule,
    evaluate_many,
)
from shopapp.demo.categories import categorize  # noqa: E402
from shopapp.demo.uci import best_title, read_retail_file  # noqa: E402

DEFAULT_PATH = (
    ROOT.parent / "shared" / "datasets" / "uci_online_retail" / "online_retail_2010_2011.csv.gz"
)
DAY = 86400.0


def table(headers: list[str], rows: list[list[Any]]) -> None:
    cells = [headers, *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print(
            "  "
            + "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))


def print_report(report: EvaluationReport) -> None:
    print(
        f"  customers={report.customers} positive_rate={report.positive_rate:.3f} "
        f"auc={report.auc:.4f} recency_baseline_auc={report.baseline_recency_auc:.4f} "
        f"brier={report.brier:.4f} l2={report.l2:g} (chosen one window earlier)"
    )
    table(
        ["predicted bin", "customers", "mean predicted", "observed"],
        [
            [
                f"{b.lower:.1f}-{b.upper:.1f}",
                b.count,
                "-" if b.count == 0 else f"{b.mean_predicted:.3f}",
                "-" if b.count == 0 else f"{b.observed_rate:.3f}",
            ]
            for b in report.calibration
        ],
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--path", type=Path, default=DEFAULT_PATH)
    args = parser.parse_args()
    started = time.perf_counter()

    parsed = read_retail_file(args.path)
    parse_s = time.perf_counter() - started
    customer_ids = sorted(parsed.customers)
    position = {cid: i for i, cid in enumerate(customer_ids)}
    n_customers = len(customer_ids)
    # The demo shop's clock (profiles.history.shop_now): an hour after the last order, so this
    # bench and the database path (bench/profiles_uci.py) train and judge on the same windows.
    now = parsed.latest_date.timestamp() + 3600 if parsed.latest_date else time.time()

    # One row per invoice of a known customer; guest invoices (no customer number) are not profiles.
    lines_per_invoice = np.bincount(
        np.frombuffer(parsed.line_invoice, dtype=np.int64), minlength=len(parsed.invoice_numbers)
    )
    invoice_position = {number: i for i, number in enumerate(parsed.invoice_numbers)}
    rows = [
        (
            position[inv.customer_id],
            inv.created_at.timestamp(),
            float(inv.total),
            inv.kind == "return",
            lines_per_invoice[invoice_position[inv.number]],
        )
        for inv in parsed.invoices.values()
        if inv.customer_id is not None
    ]
    index, times, values, returns, items = (np.array(col) for col in zip(*rows, strict=True))
    history = OrderHistory.from_columns(
        index, times, values, n_customers, is_return=returns, order_items=items
    )
    print(
        f"parsed {len(parsed.line_invoice):,} lines in {parse_s:.1f}s: {n_customers:,} customers, "
        f"{len(rows):,} customer invoices ({int(returns.sum()):,} returns), now = {parsed.latest_date}"
    )

    # --- RFM + lifecycle: the part a nightly profile refresh runs -------------------------
    engine_start = time.perf_counter()
    rfm = compute_rfm(
        history.customer_index,
        history.order_time,
        history.order_value,
        n_customers,
        now,
        is_return=history.is_return,
    )
    thresholds = LifecycleThresholds()
    # No sessions in this data; every order needed at least one, so orders is a lower bound.
    stages = lifecycle_stages(
        orders=rfm.frequency,
        sessions=rfm.frequency,
        days_since_last_order=rfm.recency_days,
        monetary=rfm.monetary,
        thresholds=thresholds,
    )
    rfm_lifecycle_s = time.perf_counter() - engine_start
    print(
        f"\nRFM + lifecycle for {n_customers:,} customers: {rfm_lifecycle_s * 1000:.1f} ms (VIP bar {stages.vip_bar:,.2f})"
    )
    stage_counts = Counter(stages.stage_names())
    table(["lifecycle stage", "customers"], [[s, stage_counts.get(s, 0)] for s in STAGES])
    print(
        f"  (of which lapsed VIPs: {int((stages.is_vip & (stages.stage_code == STAGES.index('lapsed'))).sum())})"
    )
    class_counts = Counter(rfm.rfm_class.tolist())
    table(["rfm class", "customers"], [[c, class_counts.get(c, 0)] for c in RFM_CLASSES])

    # --- why lapsed_after_days = 120: gaps between consecutive orders of a customer ---------
    sale = ~history.is_return
    order = np.lexsort((history.order_time[sale], history.customer_index[sale]))
    who, when = history.customer_index[sale][order], history.order_time[sale][order]
    gaps = np.diff(when)[who[1:] == who[:-1]] / DAY
    gaps = gaps[gaps >= 1.0]  # same-day invoices are one shopping trip split in parts
    percentiles = np.percentile(gaps, [50, 75, 90, 95])
    print(
        f"\nrepeat-purchase gaps (>= 1 day, n={gaps.size:,}): p50 {percentiles[0]:.0f}, p75 {percentiles[1]:.0f}, p90 {percentiles[2]:.0f}, p95 {percentiles[3]:.0f} days"
    )
    table(
        ["gap longer than", "share of gaps"],
        [[f"{d} days", f"{(gaps > d).mean():.3f}"] for d in (60, 90, 120, 180)],
    )

    # --- affinities: categories and price bands of the lines bought ------------------------
    affinity_start = time.perf_counter()
    primary = [categorize(best_title(parsed.products[code]))[0] for code in parsed.product_codes]
    category_names = sorted(set(primary))
    product_category = np.array([category_names.index(c) for c in primary])
    line_invoice = np.frombuffer(parsed.line_invoice, dtype=np.int64)
    line_product = np.frombuffer(parsed.line_product, dtype=np.int64)
    line_unit_price = np.array([float(p) for p in parsed.prices])[
        np.frombuffer(parsed.line_price, dtype=np.int64)
    ]
    invoices = [parsed.invoices[number] for number in parsed.invoice_numbers]
    invoice_customer = np.array(
        [position[i.customer_id] if i.customer_id else -1 for i in invoices]
    )
    invoice_time = np.array([i.created_at.timestamp() for i in invoices])
    invoice_is_sale = np.array([i.kind == "sale" for i in invoices])
    bought = (invoice_customer[line_invoice] >= 0) & invoice_is_sale[line_invoice]
    line_customer = invoice_customer[line_invoice][bought]
    line_age = (now - invoice_time[line_invoice][bought]) / DAY
    category_shares = affinity_matrix(
        line_customer,
        product_category[line_product[bought]],
        np.ones(line_customer.size),
        line_age,
        n_customers,
        len(category_names),
    )
    edges = price_band_edges([float(p.price) for p in parsed.products.values()])
    line_band = price_band_indices(line_unit_price[bought], edges)
    band_shares = affinity_matrix(
        line_customer,
        line_band,
        np.ones(line_customer.size),
        line_age,
        n_customers,
        len(PRICE_BAND_NAMES),
    )
    lines_bought = np.bincount(line_customer, minlength=n_customers)
    price_level = np.bincount(line_customer, weights=line_band, minlength=n_customers) / np.maximum(
        lines_bought, 1
    )
    affinity_s = time.perf_counter() - affinity_start
    print(
        f"\naffinities (categories, price bands) for {line_customer.size:,} lines: {affinity_s:.2f}s; price band edges {edges.round(2).tolist()}"
    )

    # --- propensity and churn: temporal split ------------------------------------------------
    reports: dict[str, EvaluationReport] = {}
    live_scores: dict[str, np.ndarray] = {}
    targets: tuple[Target, ...] = ("purchase_30d", "churn_90d")
    for target in targets:
        horizon = HORIZON_DAYS[target] * DAY
        t1 = now - 2 * horizon
        fit_start = time.perf_counter()
        _, report = train_and_evaluate(target, history, t1=t1)
        reports[target] = report
        print(
            f"\n{target}: trained at T1={time.strftime('%Y-%m-%d', time.gmtime(t1))}, evaluated at "
            f"T2={time.strftime('%Y-%m-%d', time.gmtime(t1 + horizon))} with labels to "
            f"{time.strftime('%Y-%m-%d', time.gmtime(t1 + 2 * horizon))} ({time.perf_counter() - fit_start:.2f}s)"
        )
        print_report(report)
        # The same split at earlier cutoffs: how much the latest number owes to its dates.
        rolling = []
        for weeks_back in (2, 4, 6, 8):
            _, earlier = train_and_evaluate(target, history, t1=t1 - weeks_back * 7 * DAY)
            rolling.append(f"-{weeks_back}w {earlier.auc:.3f}/{earlier.baseline_recency_auc:.3f}")
        print(f"  earlier cutoffs, model/recency AUC: {', '.join(rolling)}")
        # Production use: train on the latest fully observed window, score everybody now.
        live_scores[target] = score(train(target, history, cutoff=now - horizon), history, now)

    # --- built-in segments over facts built from the data -------------------------------
    segments_start = time.perf_counter()
    order_times: dict[int, list[float]] = {}
    for customer, moment, is_return in zip(
        history.customer_index.tolist(),
        history.order_time.tolist(),
        history.is_return.tolist(),
        strict=True,
    ):
        if not is_return:
            order_times.setdefault(customer, []).append(moment)
    stage_names = stages.stage_names()
    facts_list: list[Facts] = []
    for i, cid in enumerate(customer_ids):
        has_orders = rfm.frequency[i] > 0
        categories = {
            category_names[k]: float(s) for k, s in enumerate(category_shares[i]) if s > 0
        }
        facts: Facts = {
            "lifecycle": stage_names[i],
            "is_vip": bool(stages.is_vip[i]),
            "rfm": {
                "r": int(rfm.r_score[i]),
                "f": int(rfm.f_score[i]),
                "m": int(rfm.m_score[i]),
                "class": str(rfm.rfm_class[i]),
            },
            "recency_days": float(rfm.recency_days[i]) if has_orders else None,
            "frequency": int(rfm.frequency[i]),
            "orders": int(rfm.frequency[i]),
            "sessions": int(rfm.frequency[i]),
            "monetary": float(rfm.monetary[i]),
            "affinity": {
                "category": categories,
                "price_band": {
                    PRICE_BAND_NAMES[k]: float(s) for k, s in enumerate(band_shares[i]) if s > 0
                },
            },
            "top_category": max(categories, key=categories.__getitem__) if categories else None,
            "country": parsed.customers[cid].country,
            "cart": {"items": 0, "value": 0.0},  # carts are not in order data
            "events": {ORDER_EVENT: order_times.get(i, [])},
            "now": now,
        }
        if has_orders:
            facts["propensity"] = float(live_scores["purchase_30d"][i])
            facts["churn_risk"] = float(live_scores["churn_90d"][i])
        facts_list.append(facts)
    build_s = time.perf_counter() - segments_start
    evaluate_start = time.perf_counter()
    sizes = {
        name: evaluate_many(compile_rule(rule), facts_list).size
        for name, rule in BUILTIN_SEGMENTS.items()
    }
    extra = {
        "lapsed VIPs (lapsed + vip)": compile_rule(
            {"all": [BUILTIN_SEGMENTS["lapsed"], BUILTIN_SEGMENTS["vip"]]}
        ),
        "likely to buy (propensity >= 0.5)": compile_rule(
            {"field": "propensity", "op": "gte", "value": 0.5}
        ),
        "at risk (churn_risk >= 0.5, 3+ orders)": compile_rule(
            {
                "all": [
                    {"field": "churn_risk", "op": "gte", "value": 0.5},
                    {"field": "orders", "op": "gte", "value": 3},
                ]
            }
        ),
    }
    for name, rule in extra.items():
        sizes[name] = evaluate_many(rule, facts_list).size
    evaluate_s = time.perf_counter() - evaluate_start
    print(
        f"\nsegments: facts for {len(facts_list):,} customers built in {build_s:.2f}s, {len(sizes)} rules evaluated over all in {evaluate_s * 1000:.0f} ms"
    )
    table(
        ["segment", "customers", "share"],
        [[name, size, f"{size / n_customers:.1%}"] for name, size in sizes.items()],
    )
    print("  Visitors without orders do not exist in order data: every UCI customer is known by an")
    print("  invoice, and there are no sessions or carts (sessions = orders, carts empty), so the")
    print("  visitor segments and prospect are 0 by construction. The first_time_visitor count is")
    print(
        f"  the {int((rfm.frequency == 0).sum())} customer numbers whose invoices are all returns or skipped lines (no sale)."
    )

    # --- clusters --------------------------------------------------------------------------
    cluster_start = time.perf_counter()
    customers_with_orders = np.flatnonzero(rfm.frequency > 0)
    features = cluster_features(
        recency_days=rfm.recency_days[customers_with_orders],
        frequency=rfm.frequency[customers_with_orders],
        monetary=rfm.monetary[customers_with_orders],
        price_level=price_level[customers_with_orders],
        category_shares=category_shares[customers_with_orders],
        category_names=category_names,
    )
    model, assigned = fit_clusters(features)
    cluster_s = time.perf_counter() - cluster_start
    by_k = ", ".join(f"k={k}: {v:.3f}" for k, v in model.silhouette_by_k)
    print(
        f"\nclusters: k={len(model.ids)}, the best silhouette over 4..8 ({by_k}); {cluster_s:.1f}s"
    )
    members = Counter(assigned)
    assigned_ids = np.array(assigned)
    orders_of = rfm.frequency[customers_with_orders]
    recency_of = rfm.recency_days[customers_with_orders]
    medians = [
        (
            int(np.median(orders_of[assigned_ids == cid])),
            float(np.median(recency_of[assigned_ids == cid])),
        )
        for cid in model.ids
    ]
    table(
        ["id", "customers", "median orders", "median recency d", "description"],
        [
            [cid, members[cid], m[0], f"{m[1]:.0f}", text]
            for cid, text, m in zip(model.ids, model.descriptions, medians, strict=True)
        ],
    )
    # Retrain on a 90% subsample: unchanged groups should keep their ids.
    subsample = np.random.default_rng(1).choice(
        len(assigned), int(0.9 * len(assigned)), replace=False
    )
    resampled = type(features)(features.matrix[subsample], features.category_names)
    retrained, _ = fit_clusters(resampled, previous=model, seed=7)
    kept = sorted(set(model.ids) & set(retrained.ids))
    print(
        f"  retrained on a 90% subsample (another seed): k={len(retrained.ids)}, ids kept {len(kept)}/{len(model.ids)}: {', '.join(kept)}; new: {', '.join(sorted(set(retrained.ids) - set(model.ids))) or 'none'}"
    )

    total_s = time.perf_counter() - started
    purchase, churn = reports["purchase_30d"], reports["churn_90d"]
    print()
    print(
        f"RESULT propensity_auc={purchase.auc:.4f} baseline_recency_auc={purchase.baseline_recency_auc:.4f} brier={purchase.brier:.4f} customers={purchase.customers}"
    )
    print(
        f"RESULT churn_auc={churn.auc:.4f} baseline_recency_auc={churn.baseline_recency_auc:.4f} brier={churn.brier:.4f} customers={churn.customers}"
    )
    print(
        f"RESULT customers={n_customers} rfm_lifecycle_s={rfm_lifecycle_s:.4f} parse_s={parse_s:.2f} total_s={total_s:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
