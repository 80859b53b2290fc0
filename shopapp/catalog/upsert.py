"""Guarded bulk upsert: INSERT ... ON CONFLICT (shop, platform_id) DO UPDATE ... WHERE newer.

One statement per batch, on both PostgreSQL and SQLite (3.24+). The WHERE clause is the whole
ordering guarantee: a row whose stored `platform_updated_at` is newer than the incoming one is left
alone, so duplicate and out-of-order webhooks change nothing, without a read-then-write race.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

GUARD_COLUMN = "platform_updated_at"
CONFLICT_COLUMNS = ("shop_id", "platform_id")


def upsert_rows(
    model: type[models.Model],
    rows: Sequence[Mapping[str, Any]],
    *,
    update_fields: Iterable[str] | None = None,
    batch_size: int = 500,
) -> dict[str, int]:
    """Insert or update `rows` (dicts of field name -> value) keyed on (shop, platform_id).

    Returns {platform_id: pk} for the rows actually written (inserted, or updated because newer);
    rows the guard kept back are absent.
    """
    if not rows:
        return {}
    meta = model._meta
    field_names = list(rows[0].keys())
    fields = [meta.get_field(name) for name in field_names]
    now = timezone.now()
    auto_now_fields = [
        f
        for f in meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    extra = [f for f in auto_now_fields if f.name not in field_names]
    all_fields = fields + extra
    columns = [_column(f) for f in all_fields]
    if update_fields is None:
        update_fields = [n for n in field_names if n not in ("shop", "shop_id", "platform_id")]
    update_columns = [_column(meta.get_field(n)) for n in update_fields]
    update_columns += [_column(f) for f in extra if getattr(f, "auto_now", False)]

    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    assignments = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in update_columns)
    guard = quote(GUARD_COLUMN)
    sql_head = f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) VALUES "
    sql_tail = (
        f" ON CONFLICT ({', '.join(quote(c) for c in CONFLICT_COLUMNS)}) DO UPDATE SET {assignments}"
        f" WHERE {table}.{guard} IS NULL OR excluded.{guard} IS NULL"
        f" OR excluded.{guard} >= {table}.{guard}"
        f" RETURNING {quote('platform_id')}, {quote(_column(meta.pk))}"
    )
    written: dict[str, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            params: list[Any] = []
            for row in batch:
                # Keys may be field names ("shop") or column names ("shop_id"); both resolve.
                for name, field in zip(field_names, fields, strict=True):
                    value = _raw(row[name])
                    params.append(field.get_db_prep_save(value, connection))  # type: ignore[union-attr]
                for field in extra:
                    params.append(field.get_db_prep_save(now, connection))
            cursor.execute(sql_head + ", ".join([placeholders] * len(batch)) + sql_tail, params)
            written.update((str(pid), int(pk)) for pid, pk in cursor.fetchall())
    return written


def _column(field: Any) -> str:
    column = getattr(field, "column", None)
    if not isinstance(column, str):
        raise TypeError(f"{field!r} has no database column")
    return column


def _raw(value: Any) -> Any:
    # Foreign keys arrive as model instances or ids; the column wants the id.
    if isinstance(value, models.Model):
        return value.pk
    return value
