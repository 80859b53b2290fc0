from __future__ import annotations

from django.db import models

from shopapp.shops.models import ShopOwned


class TrainedModel(ShopOwned):
    """One trained model of a shop, stored as its precomputed top-k table. A new version becomes
    current in one transaction, so readers see the old model or the new one, never a mix."""

    # "related" | "bought_together" | "cross_sell" | "trending" | "buy_again" | "for_you"
    kind = models.CharField(max_length=32)
    version = models.PositiveIntegerField()
    artifact = models.BinaryField()
    item_ids = models.JSONField(help_text="item index -> product platform id")
    row_ids = models.JSONField(
        default=list,
        blank=True,
        help_text="row index -> customer pk, or '*' / 'seg:<key>'; empty: rows are the items",
    )
    report = models.JSONField(default=dict)
    trained_at = models.DateTimeField()
    is_current = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "kind", "version"], name="trainedmodel_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version}"
