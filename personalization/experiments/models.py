"""Experiments (A/B/n against a control), their exposures, the per-shop holdout, and RICE ideas."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q

from shopapp.shops.models import ShopOwned

DEFAULT_HOLDOUT_PERCENT = 5.0


def new_salt() -> str:
    return secrets.token_hex(8)


class TargetKind(models.TextChoices):
    PLACEMENT = "placement", "Placement strategy"
    CAMPAIGN = "campaign", "Campaign"


class ExperimentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    RUNNING = "running", "Running"
    STOPPED = "stopped", "Stopped"
    COMPLETED = "completed", "Completed"


class Metric(models.TextChoices):
    CTR = "ctr", "Click-through rate"
    ADD_TO_CART = "add_to_cart", "Add-to-cart rate"
    CONVERSION = "conversion", "Conversion rate"
    REVENUE_PER_VISITOR = "revenue_per_visitor", "Revenue per visitor"


class Experiment(ShopOwned):
    """One A/B/n test on a placement's strategy or a campaign.

    Visitors are bucketed by `bucketing.bucket(salt, visitor_key, weights)`; the salt never changes
    after the start, and neither do the weights (services refuse it), so a visitor keeps their arm.
    """

    key = models.SlugField(max_length=64)
    name = models.CharField(max_length=120)
    hypothesis = models.TextField(blank=True)
    target_kind = models.CharField(max_length=16, choices=TargetKind.choices)
    # A placement (slot) name such as "home-recommended", or a campaign key.
    target_key = models.CharField(max_length=64)
    status = models.CharField(
        max_length=16, choices=ExperimentStatus.choices, default=ExperimentStatus.DRAFT
    )
    salt = models.CharField(max_length=32, default=new_salt)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    min_duration_days = models.PositiveSmallIntegerField(default=7)
    attribution_window_hours = models.PositiveIntegerField(default=24)
    primary_metric = models.CharField(max_length=24, choices=Metric.choices, default=Metric.CTR)
    # The maximum information of the sequential test: visitors per arm when all of alpha is spent.
    planned_visitors_per_arm = models.PositiveIntegerField(default=5000)
    alpha = models.FloatField(default=0.05)
    auto_rollout = models.BooleanField(default=False)
    winner = models.ForeignKey(
        "experiments.Variant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop", "key"], name="experiment_unique_key"),
            # One running experiment per target, so a visitor's arm for a target is unambiguous.
            models.UniqueConstraint(
                fields=["shop", "target_kind", "target_key"],
                condition=Q(status="running"),
                name="experiment_one_running_per_target",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Variant(ShopOwned):
    """One arm. `config` is what the target does in this arm: for a placement
    {"strategy": "trending"} or {"personalization": false} (the non-personalized baseline);
    for a campaign whatever the campaign reads (e.g. {"show": false} for a no-show control)."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="variants")
    key = models.SlugField(max_length=32)
    name = models.CharField(max_length=120)
    weight = models.FloatField(default=1.0)
    is_control = models.BooleanField(default=False)
    config = models.JSONField(default=dict, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "experiment", "key"], name="variant_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.experiment.key}/{self.key}"


class Exposure(ShopOwned):
    """The first time a visitor was in a position to see the experiment's target (both arms:
    a control visitor of a campaign is exposed when the campaign would have shown)."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="exposures")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="exposures")
    visitor_key = models.CharField(max_length=64)
    first_exposed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "experiment", "visitor_key"], name="exposure_unique_visitor"
            ),
        ]


class HoldoutSettings(ShopOwned):
    """The always-on holdout's size for one shop; without a row it is DEFAULT_HOLDOUT_PERCENT."""

    percent = models.FloatField(default=DEFAULT_HOLDOUT_PERCENT)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop"], name="holdout_settings_unique")]


class IdeaStatus(models.TextChoices):
    BACKLOG = "backlog", "Backlog"
    LAUNCHED = "launched", "Launched"
    DISCARDED = "discarded", "Discarded"


class Idea(ShopOwned):
    """A personalization idea scored with RICE: reach * impact * confidence / effort.

    `campaign_template` names a built-in campaign template and `campaign_config` its settings, so
    the campaigns app can turn the idea into a campaign with one click.
    """

    title = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    segment = models.ForeignKey(
        "segments.Segment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Visitors or customers reached per month; estimated from the segment's size when it has one.
    reach = models.PositiveIntegerField(default=0)
    impact = models.FloatField(default=1.0)  # 0.25 minimal, 0.5 low, 1 medium, 2 high, 3 massive
    confidence = models.FloatField(default=0.5)  # 0..1
    effort = models.FloatField(default=1.0)  # person-weeks, > 0
    campaign_template = models.CharField(max_length=64, blank=True)
    campaign_config = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=IdeaStatus.choices, default=IdeaStatus.BACKLOG)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title

    @property
    def rice_score(self) -> float:
        return self.reach * self.impact * self.confidence / self.effort if self.effort > 0 else 0.0
