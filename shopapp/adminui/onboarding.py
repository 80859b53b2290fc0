"""The setup page's state: is the store connected, how far is the sync, what is left to do.

Sync progress comes from the shop's platform integration when it is installed: both
`integrations.shopify` and `integrations.woocommerce` keep a `SyncRun` with the same fields
(phase, phases done, rows, ETA, errors), imported lazily so this page works without them. A demo
shop shows its import instead (`shopapp.demo`'s ImportRun), which is always complete.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from personalization.events.models import Event
from personalization.privacy.models import PrivacySettings
from shopapp.demo.selectors import import_run_latest
from shopapp.shops.models import Platform, Shop

# The phases shown before any sync has run (and for a demo import).
SYNC_PHASES = (
    ("products", "Products"),
    ("collections", "Collections"),
    ("customers", "Customers"),
    ("orders", "Orders"),
)
NOT_PHASES = frozenset({"queued", "done"})
ACTIVE_EVENTS_DAYS = 7


@dataclass(frozen=True)
class PhaseStep:
    key: str
    label: str
    state: str  # "done" | "current" | "pending"


@dataclass(frozen=True)
class SyncProgress:
    source: str  # "shopify" | "demo-import" | "none"
    run_id: int | None
    status: str  # running | done | failed | cancelled | none
    status_label: str
    kind_label: str
    phase_label: str
    phases: tuple[PhaseStep, ...]
    percent: float  # of the whole run, 0..100
    phase_rows_done: int
    phase_rows_total: int | None
    rows_done: int
    eta_seconds: float | None
    started_at: datetime | None
    finished_at: datetime | None
    errors: tuple[dict[str, Any], ...] = field(default=())
    has_retry: bool = False  # the integration can start a new run from here

    @property
    def is_running(self) -> bool:
        return self.status == "running"

    @property
    def can_retry(self) -> bool:
        return self.has_retry and self.status in ("failed", "cancelled")

    @property
    def eta_text(self) -> str:
        if self.eta_seconds is None:
            return ""
        seconds = int(self.eta_seconds)
        if seconds < 60:
            return "less than a minute left"
        minutes = round(seconds / 60)
        if minutes < 90:
            return f"about {minutes} min left"
        return f"about {minutes / 60:.1f} h left"


def _integration(shop: Shop, module: str, name: str) -> Any:
    """`integrations.<platform>.<module>.<name>`, or None when that integration (or that part of
    it) is not installed."""
    try:
        return getattr(importlib.import_module(f"integrations.{shop.platform}.{module}"), name)
    except (ImportError, AttributeError):
        return None


def _retry_parts(shop: Shop) -> tuple[Any, Any] | None:
    start = _integration(shop, "sync", "sync_run_start")
    task = _integration(shop, "tasks", f"{shop.platform}_sync_continue")
    if start is None or task is None or shop.is_demo:
        return None
    return start, task


def _from_sync_run(run: Any, *, has_retry: bool) -> SyncProgress:
    done = set(run.phases_done or [])
    choices = run._meta.get_field("phase").choices or SYNC_PHASES
    phases = []
    for key, label in choices:
        if key in NOT_PHASES:
            continue
        state = "done" if key in done else "current" if key == run.phase else "pending"
        phases.append(PhaseStep(key, str(label), state))
    total = run.phase_rows_total
    fraction = min(run.phase_rows_done / total, 1.0) if total else 0.0
    finished = sum(1 for p in phases if p.state == "done")
    if run.status == "done":
        percent = 100.0
    else:
        current = fraction if any(p.state == "current" for p in phases) else 0.0
        percent = 100.0 * (finished + current) / max(len(phases), 1)
    return SyncProgress(
        source=run._meta.app_label,
        run_id=run.pk,
        status=run.status,
        status_label=run.get_status_display(),
        kind_label=run.get_kind_display(),
        phase_label=str(run.get_phase_display()),
        phases=tuple(phases),
        percent=round(percent, 1),
        phase_rows_done=run.phase_rows_done,
        phase_rows_total=total,
        rows_done=run.rows_done,
        eta_seconds=run.eta_seconds if run.status == "running" else None,
        started_at=run.started_at,
        finished_at=run.finished_at,
        errors=tuple((run.errors or [])[-3:]),
        has_retry=has_retry,
    )


def sync_progress(*, shop: Shop) -> SyncProgress:
    model = _integration(shop, "models", "SyncRun")
    if model is not None:
        run = model.objects.filter(shop=shop).order_by("-started_at", "-pk").first()
        if run is not None:
            return _from_sync_run(run, has_retry=_retry_parts(shop) is not None)
    imported = import_run_latest(shop=shop)
    if imported is not None:
        lines = int((imported.report.get("lines") or {}).get("imported", 0))
        return SyncProgress(
            source="demo-import",
            run_id=imported.pk,
            status="done",
            status_label="Done",
            kind_label=f"Import of {imported.source_name}",
            phase_label="Done",
            phases=tuple(PhaseStep(key, label, "done") for key, label in SYNC_PHASES),
            percent=100.0,
            phase_rows_done=lines,
            phase_rows_total=lines,
            rows_done=lines,
            eta_seconds=None,
            started_at=imported.started_at,
            finished_at=imported.finished_at,
        )
    return SyncProgress(
        source="none",
        run_id=None,
        status="none",
        status_label="Not started",
        kind_label="",
        phase_label="Waiting for the first sync",
        phases=tuple(PhaseStep(key, label, "pending") for key, label in SYNC_PHASES),
        percent=0.0,
        phase_rows_done=0,
        phase_rows_total=None,
        rows_done=0,
        eta_seconds=None,
        started_at=None,
        finished_at=None,
    )


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    title: str
    text: str
    is_done: bool
    link: str = ""
    link_label: str = ""
    is_external: bool = False


@dataclass(frozen=True)
class Connection:
    platform_label: str
    state: str
    state_label: str
    installed_at: datetime | None
    scopes: int
    last_event_at: datetime | None
    is_receiving: bool


def connection(*, shop: Shop) -> Connection:
    last_event_at = (
        Event.objects.filter(shop=shop)
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    recent = timezone.now() - timedelta(days=ACTIVE_EVENTS_DAYS)
    return Connection(
        platform_label=shop.get_platform_display(),
        state=shop.install_state,
        state_label=shop.get_install_state_display(),
        installed_at=shop.installed_at,
        scopes=len(shop.granted_scopes or []),
        last_event_at=last_event_at,
        is_receiving=bool(last_event_at and last_event_at >= recent),
    )


def _theme_editor(shop: Shop, query: str = "") -> str:
    return f"https://{shop.domain}/admin/themes/current/editor{query}"


def checklist(
    *, shop: Shop, progress: SyncProgress, link: Connection, privacy_url: str
) -> list[ChecklistItem]:
    # The newest impression of the last week, walking the (shop, occurred_at) index backwards:
    # quick when blocks show, and bounded for a shop with many page views and no block yet.
    recent = timezone.now() - timedelta(days=ACTIVE_EVENTS_DAYS)
    has_impressions = (
        Event.objects.filter(shop=shop, occurred_at__gte=recent, type="impression")
        .order_by("-occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
        is not None
    )
    has_consent_setting = PrivacySettings.objects.filter(shop=shop).exists()
    demo = shop.is_demo and settings.DEMO_ENABLED
    if demo:
        embed = ("/demo/", "Open the demo storefront", False)
        blocks = ("/demo/", "Browse the demo storefront", False)
    elif shop.platform == Platform.SHOPIFY:
        embed = (_theme_editor(shop, "?context=apps"), "Open App embeds in the theme editor", True)
        blocks = (_theme_editor(shop), "Open the theme editor", True)
    else:
        embed = ("", "", False)
        blocks = ("", "", False)
    where = (
        "In the theme editor, under App embeds, switch on Personalization and save."
        if shop.platform == Platform.SHOPIFY and not demo
        else "The storefront script sends page views once it runs on your store."
    )
    return [
        ChecklistItem(
            "sync",
            "Sync your store",
            "Products, collections, customers and orders are copied so recommendations can learn.",
            progress.status == "done",
        ),
        ChecklistItem(
            "embed",
            "Turn on the app embed",
            f"{where} Done when storefront events arrive.",
            link.is_receiving,
            *embed,
        ),
        ChecklistItem(
            "blocks",
            "Add personalized blocks",
            "Place recommendation blocks on the home, product and cart pages. Done when blocks have been shown to shoppers this week.",
            has_impressions,
            *blocks,
        ),
        ChecklistItem(
            "consent",
            "Set consent",
            "Choose how shoppers agree to personalization and how long data is kept.",
            has_consent_setting,
            privacy_url,
            "Open privacy settings",
            False,
        ),
    ]


def sync_retry(*, shop: Shop) -> int | None:
    """Start a new full sync after a failed or cancelled one; the run's id, or None when this
    shop's integration has no sync to start here. The run continues in the background (its
    integration's task, on the `sync` queue, after commit)."""
    parts = _retry_parts(shop)
    if parts is None:
        return None
    start, task = parts
    from django.db import transaction

    run = start(shop=shop)
    transaction.on_commit(lambda: task.delay(run.pk))
    return int(run.pk)
