"""Writes for the demo: importing a retail file into a shop, and loading the demo shop."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from shopapp.demo.categories import DEFAULT_RULES, CategoryRule
from shopapp.demo.importer import file_sha256, retail_import
from shopapp.demo.models import ImportRun
from shopapp.demo.progress import ProgressBar
from shopapp.demo.selectors import import_run_latest
from shopapp.demo.uci import read_retail_file
from shopapp.shops.models import InstallState, Platform, Shop
from shopapp.shops.services import shop_get_or_create


@dataclass(frozen=True)
class DemoLoadResult:
    shop: Shop
    report: dict[str, Any] | None
    changed: bool


def retail_file_import(
    *,
    shop: Shop,
    path: Path,
    rules: tuple[CategoryRule, ...] = DEFAULT_RULES,
    progress: bool = False,
    force: bool = False,
) -> tuple[ImportRun, bool]:
    """Import `path` into `shop`; a file already imported (same SHA-256) is skipped unless forced.

    Returns the run and whether anything changed. Raises UciFormatError, naming the line and
    column, before anything is written.
    """
    digest = file_sha256(path)
    latest = import_run_latest(shop=shop)
    if latest is not None and latest.source_sha256 == digest and not force:
        return latest, False
    bar = ProgressBar(enabled=progress)
    parsed = read_retail_file(path, on_progress=bar.parsing)
    run = retail_import(
        shop=shop,
        parsed=parsed,
        source_name=path.name,
        source_sha256=digest,
        rules=rules,
        on_step=bar.step,
    )
    bar.finish(
        f"imported {run.report['lines']['imported']:,} of {run.report['lines']['total']:,} lines"
    )
    return run, True


def demo_shop_load(*, path: Path | None = None, progress: bool = False) -> DemoLoadResult:
    """Create the demo shop and load the UCI sample into it; a second run changes nothing."""
    shop, _ = shop_get_or_create(
        platform=Platform.SHOPIFY,
        domain=settings.DEMO_SHOP_DOMAIN,
        name="Hearth & Twine",
        currency="GBP",
        timezone_name="Europe/London",
        is_demo=True,
    )
    if shop.install_state != InstallState.INSTALLED:
        shop.mark_installed()
        shop.save(update_fields=["install_state", "installed_at", "uninstalled_at", "updated_at"])
    run, changed = retail_file_import(
        shop=shop, path=path or settings.DEMO_DATA_PATH, progress=progress
    )
    if changed or not demo_shop_learned(shop=shop):
        demo_shop_learn(shop=shop)
    return DemoLoadResult(shop=shop, report=run.report, changed=changed)


def demo_shop_learned(*, shop: Shop) -> bool:
    from personalization.profiles.models import ProfileSettings

    return ProfileSettings.objects.filter(shop=shop, recomputed_at__isnull=False).exists()


def demo_shop_learn(*, shop: Shop) -> None:
    """What the nightly jobs would have learned: profiles, scores, segments, item neighbours."""
    from personalization.profiles.history import shop_clock_forget
    from personalization.profiles.recompute import profiles_recompute
    from personalization.recommendations.services import models_train
    from personalization.segments.services import segments_refresh

    shop_clock_forget(shop.pk)
    profiles_recompute(shop=shop, retrain=True)
    segments_refresh(shop=shop)
    models_train(shop=shop)
