"""Experiments: the list, the "new experiment" form, results with intervals, start/stop/rollout."""

from __future__ import annotations

import contextlib
import math
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from personalization.experiments import selectors
from personalization.experiments.models import Experiment, Metric
from personalization.experiments.results import Comparison
from personalization.experiments.services import (
    MAX_HOLDOUT_PERCENT,
    ExperimentInvalid,
    experiment_create,
    experiment_rollout,
    experiment_start,
    experiment_stop,
    holdout_percent_set,
)
from shopapp.adminui import experiment_form
from shopapp.adminui.views.base import AdminPage

RECOMMENDATIONS = {
    "collecting": "Collecting data: the first look is at the end of the first full day.",
    "srm": "Sample ratio mismatch: the arms did not get the traffic their weights ask for, so the "
    "results cannot be trusted. Check how exposures are recorded before deciding anything.",
    "winner": "A winner: it beats the control on the primary metric, the minimum duration has "
    "passed and the split is sound. You can roll it out.",
    "winner_pending": "Ahead on the primary metric, but the minimum duration has not passed yet "
    "(weekday and weekend shoppers differ). Keep it running.",
    "keep_control": "Every arm does worse than the control on the primary metric: stop the test "
    "and keep the control.",
    "no_difference": "The planned sample is reached and no arm differs from the control on the "
    "primary metric.",
    "running": "No difference shown yet. The intervals stay valid however often you look.",
}


def _pct(value: float | None) -> float | None:
    return None if value is None else 100.0 * value


def _interval(comparison: Comparison | None, *, is_money: bool) -> dict[str, Any] | None:
    """A comparison for display: percentage points for rates, money for revenue per visitor."""
    if comparison is None:
        return None
    scale = 1.0 if is_money else 100.0
    bounded = math.isfinite(comparison.low) and math.isfinite(comparison.high)
    return {
        "estimate": scale * comparison.estimate,
        "low": scale * comparison.low if bounded else None,
        "high": scale * comparison.high if bounded else None,
        "relative": _pct(comparison.relative),
        "is_significant": comparison.is_significant,
        "direction": "better" if comparison.estimate > 0 else "worse",
        "information": _pct(comparison.information),
    }


def _experiment(view: AdminPage, pk: int) -> Experiment:
    experiment = selectors.experiment_get(shop=view.get_shop(), experiment_id=pk)
    if experiment is None:
        raise Http404("No such experiment.")
    return experiment


class ExperimentListView(AdminPage):
    nav_key = "experiments"

    def _render(self, holdout_value: str = "", error: str = "", status: int = 200) -> HttpResponse:
        shop = self.get_shop()
        percent = selectors.holdout_percent(shop=shop)
        return self.page(
            "adminui/experiments/list.html",
            {
                "experiments": selectors.experiment_list(shop=shop),
                "holdout_percent": percent,
                "holdout_value": holdout_value or f"{percent:g}",
                "holdout_error": error,
                "holdout_max": MAX_HOLDOUT_PERCENT,
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render()


class HoldoutView(ExperimentListView):
    """POST the always-on holdout's size (0 to 50 %); a bad value redraws the page, 422."""

    def post(self, request: HttpRequest) -> HttpResponse:
        raw = request.POST.get("percent", "").strip()
        try:
            percent = float(raw.replace(",", "."))
            holdout_percent_set(shop=self.get_shop(), percent=percent)
        except ValueError as exc:  # ExperimentInvalid is a ValueError, so is a bad number
            message = exc.message if isinstance(exc, ExperimentInvalid) else "must be a number"
            return self._render(raw, f"Holdout {message} %.", status=422)
        return self.go("adminui:experiments")


class ExperimentNewView(AdminPage):
    nav_key = "experiments"

    def _render(self, form: experiment_form.ExperimentForm, status: int = 200) -> HttpResponse:
        return self.page(
            "adminui/experiments/new.html",
            {
                "form": form,
                "placements": experiment_form.SLOT_PLACEMENTS,
                "arm_choices": [
                    (k, label) for k, (label, _) in experiment_form.ARM_CHOICES.items()
                ],
                "metrics": Metric.choices,
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(experiment_form.blank_form())

    def post(self, request: HttpRequest) -> HttpResponse:
        form, values = experiment_form.parse(request.POST)
        if values is not None:
            try:
                experiment = experiment_create(shop=self.get_shop(), **values)
            except ExperimentInvalid as exc:
                form.errors[experiment_form.field_for(exc.field)] = exc.message
            else:
                if request.POST.get("start") == "on":
                    # A clash leaves it a draft; its page offers Start, which says why not.
                    with contextlib.suppress(ExperimentInvalid):
                        experiment_start(shop=self.get_shop(), experiment=experiment)
                return self.go("adminui:experiment", experiment.pk)
        return self._render(form, status=422)


class ExperimentDetailView(AdminPage):
    nav_key = "experiments"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        experiment = _experiment(self, pk)
        results = selectors.experiment_results(shop=self.get_shop(), experiment=experiment)
        metric = experiment.primary_metric
        return self.page(
            "adminui/experiments/detail.html",
            {
                "experiment": experiment,
                "results": results,
                "primary_label": Metric(metric).label,
                "primary_is_money": metric == Metric.REVENUE_PER_VISITOR,
                "rows": [
                    {
                        "variant": v,
                        "ctr": _pct(v.ctr),
                        "add_to_cart": _pct(v.add_to_cart_rate),
                        "conversion": _pct(v.conversion_rate),
                        "primary": _interval(
                            v.comparisons.get(metric),
                            is_money=metric == Metric.REVENUE_PER_VISITOR,
                        ),
                    }
                    for v in results.variants
                ],
                "advice": RECOMMENDATIONS[results.recommendation],
                "error": request.GET.get("error", ""),
            },
        )


class ExperimentActionView(AdminPage):
    """POST start, stop, or rollout (with `variant`)."""

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        shop = self.get_shop()
        experiment = _experiment(self, pk)
        try:
            if action == "start":
                experiment_start(shop=shop, experiment=experiment)
            elif action == "stop":
                experiment_stop(shop=shop, experiment=experiment)
            elif action == "rollout":
                variant = experiment.variants.filter(key=request.POST.get("variant", "")).first()
                if variant is None:
                    return HttpResponse("variant: no such arm in this experiment.", status=400)
                experiment_rollout(shop=shop, experiment=experiment, variant=variant)
            else:
                raise Http404("No such action.")
        except ExperimentInvalid as exc:
            return HttpResponse(str(exc), status=409)
        return self.go("adminui:experiment", experiment.pk)
