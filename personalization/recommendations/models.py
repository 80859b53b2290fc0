from __future__ import annotations

from django.db import models

from shopapp.shops.models import ShopOwned


class TrainedModel(ShopOwned):
    """One trained item-to-item model of a shop. A new version becomes current in one transaction,
    so readers see the old model or the new one, never a mix."""

    kind = models.CharField(max_length=32)  # "copurchase" | "coview"
    version = models.PositiveIntegerField()
    artifact = models.BinaryField()
    item_ids = models.JSONField(help_text="row index -> product platform id")
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
