"""Fast append of many rows into one table: COPY on PostgreSQL, executemany on SQLite.

For bulk first loads only (a fresh shop, or rows known to be new): no upsert, no guard, no model
instances. Values are adapted here the way Django would store them, so rows read back through the
ORM exactly as if they had been saved one by one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models

from shopapp.shops.fields import EncryptedTextField

CHUNK = 20_000
SQLITE_CACHE_KIB = 128 * 1024
Converter = Callable[[Any], Any]


def _to_utc_text(value: Any) -> Any:
    # Django keeps SQLite datetimes as naive UTC text.
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    return value


def _to_decimal_text(value: Any) -> Any:
    return format(value, "f") if isinstance(value, Decimal) else value


def _to_json_text(value: Any) -> Any:
    return json.dumps(value) if value is not None else None


def _converters(model: type[models.Model], columns: Sequence[str]) -> list[tuple[int, Converter]]:
    """Per-column adapters, only where the backend needs one (most columns pass through)."""
    by_column = {getattr(f, "column", None): f for f in model._meta.concrete_fields}
    sqlite = connection.vendor == "sqlite"
    found: list[tuple[int, Converter]] = []
    for index, column in enumerate(columns):
        field = by_column[column]
        if isinstance(field, EncryptedTextField):
            # COPY bypasses the field: encrypt here, as saving through the model would.
            found.append((index, field.get_prep_value))
        elif isinstance(field, models.JSONField):
            found.append((index, _to_json_text))
        elif sqlite and isinstance(field, models.DateTimeField):
            found.append((index, _to_utc_text))
        elif sqlite and isinstance(field, models.DecimalField):
            found.append((index, _to_decimal_text))
    return found


def _adapted(
    rows: Iterable[Sequence[Any]], converters: list[tuple[int, Converter]]
) -> Iterator[Sequence[Any]]:
    if not converters:
        yield from rows
        return
    for row in rows:
        values = list(row)
        for index, convert in converters:
            values[index] = convert(values[index])
        yield values


def bulk_append(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Append `rows` (tuples in `columns` order, column names as in the table). Returns the count."""
    table = model._meta.db_table
    quote = connection.ops.quote_name
    column_sql = ", ".join(quote(c) for c in columns)
    written = 0
    rows = _adapted(rows, _converters(model, columns))
    with connection.cursor() as cursor:
        raw: Any = cursor.cursor
        if connection.vendor == "postgresql":
            with raw.copy(f"COPY {quote(table)} ({column_sql}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
                    if on_progress is not None and not written % CHUNK:
                        on_progress(written)
        else:
            # A larger page cache keeps the indexes' hot pages in memory during the load.
            raw.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
            sql = f"INSERT INTO {quote(table)} ({column_sql}) VALUES ({', '.join('?' * len(columns))})"
            batch: list[Sequence[Any]] = []
            for row in rows:
                batch.append(row)
                if len(batch) == CHUNK:
                    raw.executemany(sql, batch)
                    written += len(batch)
                    batch.clear()
                    if on_progress is not None:
                        on_progress(written)
            if batch:
                raw.executemany(sql, batch)
                written += len(batch)
    return written
