"""What the platform syncs share: the run record's common fields and its bookkeeping.

Each integration keeps its own concrete `SyncRun` (its kinds, phases and resume state differ:
Shopify resumes a bulk operation, WooCommerce a page), built on `SyncRunBase`, and its own tasks;
the status, progress, errors, stall detection and the one-running-run-per-shop start live here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone

from shopapp.languages.text import lazy_text as _lazy
from shopapp.shops.models import Shop, ShopOwned

MAX_ERRORS_KEPT = 20
# A running run whose heartbeat is older than this lost its worker: the repair task resumes it.
STALLED_AFTER = timedelta(minutes=10)
# Celery options of a platform's `*_sync_continue` task: a big store's phase runs long, and a
# worker killed past the limit is resumed by the repair task.
CONTINUE_TASK_OPTIONS: dict[str, Any] = {
    "time_limit": 60 * 60 * 3,
    "soft_time_limit": 60 * 60 * 3 - 60,
    "retry_backoff": 30,
    "retry_backoff_max": 900,
    "max_retries": 10,
}


class SyncStatus(models.TextChoices):
    RUNNING = "running", _lazy("Running")
    DONE = "done", _lazy("Done")
    FAILED = "failed", _lazy("Failed")
    CANCELLED = "cancelled", _lazy("Cancelled")


class SyncRunBase(ShopOwned):
    """One sync of a shop: the progress the admin shows and the heartbeat the repair watches.
    Subclasses add `kind` and `phase` (their own choices), their resume state, and the Meta
    (a partial unique constraint on running runs per shop, an index on recent runs)."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+", db_index=False)
    status = models.CharField(max_length=10, choices=SyncStatus.choices, default=SyncStatus.RUNNING)
    phases_done = models.JSONField(default=list, blank=True)
    rows_done = models.BigIntegerField(default=0)
    phase_rows_done = models.BigIntegerField(default=0)
    phase_rows_total = models.BigIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    phase_started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # The latest problems, newest last: [{"at", "phase", "message"}], bounded.
    errors = models.JSONField(default=list, blank=True)

    phase: str

    class Meta:
        abstract = True

    @property
    def eta_seconds(self) -> float | None:
        """Seconds left in the current phase at the rate it has run so far."""
        if not self.phase_rows_total or not self.phase_started_at or not self.phase_rows_done:
            return None
        elapsed = (timezone.now() - self.phase_started_at).total_seconds()
        rate = self.phase_rows_done / max(elapsed, 1e-3)
        return max(self.phase_rows_total - self.phase_rows_done, 0) / rate


Run = TypeVar("Run", bound=SyncRunBase)


def run_start(
    model: type[Run],
    *,
    shop: Shop,
    kind: str,
    fields: Callable[[], dict[str, Any]] | None = None,
) -> Run:
    """The shop's running sync, or a new one (`fields()` adds the platform's own, under the lock)."""
    with transaction.atomic():
        Shop.objects.select_for_update().filter(pk=shop.pk).first()
        manager: Any = model._default_manager
        running: Run | None = manager.filter(shop=shop, status=SyncStatus.RUNNING).first()
        if running is not None:
            return running
        created: Run = manager.create(shop=shop, kind=kind, **(fields() if fields else {}))
        return created


def record_error(run: SyncRunBase, message: str) -> None:
    run.errors = [
        *run.errors,
        {"at": timezone.now().isoformat(), "phase": run.phase, "message": message[:500]},
    ][-MAX_ERRORS_KEPT:]


def finish(run: Run, status: str) -> Run:
    run.status = status
    run.finished_at = timezone.now()
    if status == SyncStatus.DONE:
        run.phase = "done"
    run.save()
    return run


def runs_stalled(model: type[SyncRunBase], *, older_than: timedelta) -> list[int]:
    cutoff = timezone.now() - older_than
    manager: Any = model._default_manager
    return list(
        manager.filter(status=SyncStatus.RUNNING, heartbeat_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )


def runs_resume_stalled(
    model: type[SyncRunBase], enqueue: Callable[[int], object], *, older_than: timedelta
) -> list[int]:
    """Hand each stalled run to its platform's continue task; a resume starts where it stopped."""
    stalled = runs_stalled(model, older_than=older_than)
    for run_id in stalled:
        enqueue(run_id)
    return stalled
