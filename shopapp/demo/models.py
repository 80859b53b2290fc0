from __future__ import annotations

from django.db import models

from shopapp.languages.text import lazy_text as _lazy
from shopapp.shops.models import ShopOwned


class ImportStatus(models.TextChoices):
    SUCCEEDED = "succeeded", _lazy("Succeeded")
    FAILED = "failed", _lazy("Failed")


class ImportRun(ShopOwned):
    """One import of a retail file into a shop, with its reconciliation report."""

    source_name = models.CharField(max_length=255)
    source_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=ImportStatus.choices)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    report = models.JSONField(default=dict)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["shop", "-finished_at"], name="importrun_latest")]
