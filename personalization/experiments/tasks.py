"""Background work for experiments: the daily check that rolls out decided winners."""

from __future__ import annotations

from celery import shared_task

from personalization.experiments.models import Experiment, ExperimentStatus
from personalization.experiments.services import experiment_conclude_if_decided
from shopapp.shops.models import InstallState


@shared_task(time_limit=600)
def experiments_auto_rollout() -> int:
    """Every running experiment with automatic rollout: conclude it if its test has decided."""
    concluded = 0
    for experiment_id in Experiment.objects.filter(
        status=ExperimentStatus.RUNNING,
        auto_rollout=True,
        shop__install_state=InstallState.INSTALLED,
    ).values_list("pk", flat=True):
        experiment = Experiment.objects.select_related("shop").filter(pk=experiment_id).first()
        if experiment is None or experiment.status != ExperimentStatus.RUNNING:
            continue  # stopped meanwhile
        result = experiment_conclude_if_decided(shop=experiment.shop, experiment=experiment)
        concluded += result == "winner"
    return concluded
