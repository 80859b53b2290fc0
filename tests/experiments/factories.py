from __future__ import annotations

from personalization.experiments.models import Experiment
from personalization.experiments.services import (
    NO_PERSONALIZATION,
    VariantIn,
    experiment_create,
    experiment_start,
)
from shopapp.shops.models import Shop


def running_experiment(
    shop: Shop,
    *,
    key: str = "home-test",
    target_kind: str = "placement",
    target_key: str = "home-recommended",
    treatment_config: dict | None = None,
    control_config: dict | None = None,
    started=None,
    **kwargs,
) -> Experiment:
    experiment = experiment_create(
        shop=shop,
        key=key,
        name="Home recommendations",
        target_kind=target_kind,
        target_key=target_key,
        variants=[
            VariantIn(
                key="control",
                name="No personalization",
                is_control=True,
                config=NO_PERSONALIZATION if control_config is None else control_config,
            ),
            VariantIn(key="personalized", name="Personalized", config=treatment_config or {}),
        ],
        **kwargs,
    )
    return experiment_start(shop=shop, experiment=experiment, now=started)


def visitors_where(predicate, count: int = 1, prefix: str = "visitor-") -> list[str]:
    found = []
    i = 0
    while len(found) < count:
        vid = f"{prefix}{i:06d}"
        if predicate(vid):
            found.append(vid)
        i += 1
    return found
