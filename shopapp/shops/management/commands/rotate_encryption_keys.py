"""Re-encrypt every encrypted column under the primary key (the first of FIELD_ENCRYPTION_KEYS).

Rotation: prepend a new key to FIELD_ENCRYPTION_KEYS and deploy, run this command, then drop the
old key. Every model field that encrypts (shopapp.shops.fields) is found by type, so a new encrypted
column is rotated without touching this file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction

from shopapp.shops.crypto import DecryptionError
from shopapp.shops.fields import EncryptedJSONField, EncryptedTextField

ENCRYPTED_FIELD_TYPES = (EncryptedTextField, EncryptedJSONField)


@dataclass(frozen=True)
class EncryptedColumns:
    model: type[models.Model]
    field_names: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.model._meta.label} ({', '.join(self.field_names)})"


def encrypted_columns() -> list[EncryptedColumns]:
    """Every concrete model with encrypted fields, in a stable order."""
    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.abstract or meta.proxy or not meta.managed:
            continue
        names = tuple(
            f.name
            for f in meta.concrete_fields
            if isinstance(f, ENCRYPTED_FIELD_TYPES) and f.model is model
        )
        if names:
            found.append(EncryptedColumns(model=model, field_names=names))
    return sorted(found, key=lambda c: c.model._meta.label)


def columns_rotate(
    columns: EncryptedColumns,
    *,
    batch_size: int,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Re-encrypt `columns` for every row, one locked batch per transaction; returns rows done.

    Reading decrypts with any configured key; writing encrypts with the first. The rows of a batch
    are locked from read to write, so a concurrent update is neither lost nor overwritten.
    """
    manager: models.Manager[Any] = columns.model._base_manager
    rotated = 0
    last_pk: Any = None
    while True:
        with transaction.atomic():
            batch_query = (
                manager.select_for_update().order_by("pk").only("pk", *columns.field_names)
            )
            if last_pk is not None:
                batch_query = batch_query.filter(pk__gt=last_pk)
            try:
                rows = list(batch_query[:batch_size])
            except DecryptionError as exc:
                raise CommandError(
                    f"{columns.label}: a row with pk > {last_pk or 0} is encrypted with a key that "
                    "is not in FIELD_ENCRYPTION_KEYS; add the old key back (after the new one) "
                    "and rerun"
                ) from exc
            if not rows:
                return rotated
            manager.bulk_update(rows, list(columns.field_names))
        rotated += len(rows)
        last_pk = rows[-1].pk
        if on_batch is not None:
            on_batch(rotated)


class Command(BaseCommand):
    help = "Re-encrypt every encrypted column under the first key of FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="rows per transaction (default 500)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size: int = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        key_count = len(settings.FIELD_ENCRYPTION_KEYS)
        self.stdout.write(
            f"Re-encrypting under the primary key (1 of {key_count} configured keys), "
            f"{batch_size} rows per batch."
        )
        verbose = options["verbosity"] > 1
        total = 0
        for columns in encrypted_columns():
            count = columns_rotate(
                columns,
                batch_size=batch_size,
                on_batch=partial(self._progress, columns.label) if verbose else None,
            )
            self.stdout.write(f"{columns.label}: {count} rows re-encrypted")
            total += count
        self.stdout.write(self.style.SUCCESS(f"Done: {total} rows re-encrypted."))

    def _progress(self, label: str, done: int) -> None:
        self.stdout.write(f"  {label}: {done} rows so far")
