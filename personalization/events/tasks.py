"""Celery tasks for events: drain the buffer into the database."""

from __future__ import annotations

import logging
import time

from celery import shared_task
from django.conf import settings

logger = logging.getLogger(__name__)

DRAIN_BUDGET_SECONDS = 10.0
DRAIN_CLAIM = 500


@shared_task(
    name="personalization.events.tasks.events_drain",
    queue="events",
    time_limit=120,
    soft_time_limit=100,
    acks_late=True,
)
def events_drain() -> int:
    """Persist buffered batches until the buffer is empty or the time budget is spent."""
    from personalization.events.services import buffer_drain_once

    started = time.monotonic()
    stored = 0
    while time.monotonic() - started < DRAIN_BUDGET_SECONDS:
        stats = buffer_drain_once(max_batches=DRAIN_CLAIM)
        stored += stats.stored
        if stats.batches == 0:
            return stored
    events_drain.delay()  # more is waiting: hand over rather than hold the worker forever
    return stored


def drain_soon(*, due: bool) -> None:
    """After an accepted batch: without a broker persist now; with one, schedule a drain when
    `due` (the first batch of a second, per the buffer's drain flag). The countdown outlasts
    the second, so that drain sees every batch the second accepted."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # The batch is already buffered and acknowledged only after its commit: a drain that
        # fails (say, a visitor erased mid-batch) leaves it for the next drain, and must not turn
        # the shopper's accepted request into a 500.
        result = events_drain.apply(throw=False)
        if result.failed():
            logger.warning("events drain failed; the batch stays buffered: %r", result.result)
    elif due:
        events_drain.apply_async(countdown=1.2)
