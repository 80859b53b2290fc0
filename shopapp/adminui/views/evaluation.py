"""Quality: "how good are my recommendations?" — the shop's own orders replayed offline.

The page shows the last report; the button asks for a new one (built by a Celery task on the
training queue); while it runs, the report card polls itself.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from personalization.evaluation.selectors import shop_report_get
from personalization.evaluation.services import shop_report_request
from shopapp.adminui.views.base import AdminPage

# (heading, metric key) of the table's columns
COLUMNS = (
    ("NDCG@10", "ndcg@10"),
    ("Hit rate@20", "hr@20"),
    ("Recall@20", "recall@20"),
    ("Catalogue covered", "coverage@20"),
)


def _context(report: dict[str, Any] | None) -> dict[str, Any]:
    """The report as rows ready for the template (metric names hold '@', so not as keys)."""
    if report is None or report.get("status") != "done":
        return {"report": report, "rows": [], "columns": [c for c, _ in COLUMNS]}
    document = report["document"]
    best = document["best"]
    rows = [
        {
            "name": result["name"].removeprefix("ours:"),
            "is_ours": result["family"] == "ours",
            "is_best": result["name"] in (best["ours"], best["baseline"]),
            "values": [f"{result['test'].get(key, 0.0):.3f}" for _, key in COLUMNS],
        }
        for result in sorted(document["results"], key=lambda r: -r["test"]["ndcg@10"])
    ]
    margin = document["margin_ours_minus_baseline"].get("ndcg@10")
    return {
        "report": report,
        "rows": rows,
        "columns": [c for c, _ in COLUMNS],
        "settings": document["settings"],
        "best_ours": (best["ours"] or "").removeprefix("ours:"),
        "best_baseline": best["baseline"] or "",
        "margin": None if margin is None else [f"{value:+.3f}" for value in margin],
    }


class EvaluationView(AdminPage):
    nav_key = "evaluation"

    def get(self, request: HttpRequest) -> HttpResponse:
        report = shop_report_get(shop=self.get_shop())
        return self.page("adminui/evaluation/page.html", _context(report))

    def post(self, request: HttpRequest) -> HttpResponse:
        shop_report_request(shop=self.get_shop())
        return self.go("adminui:evaluation")


class EvaluationReportView(AdminPage):
    """The report card alone (polled while a report is being built)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        report = shop_report_get(shop=self.get_shop())
        return self.partial("adminui/evaluation/_report.html", _context(report))
