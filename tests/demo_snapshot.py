"""The loaded demo shop, once per run: the browser tests' `demo_shop` fixtures restore a snapshot.

`demo_shop_load()` imports the 12-week UCI sample and trains on it (about a minute on a loaded
2-core machine). The browser tests need that same result every time, so the first one loads it
for real and snapshots every table; later ones get the rows back with COPY (PostgreSQL) or
INSERT (SQLite) in well under a second. They run under `transactional_db`, whose flush at
teardown removes whatever the test wrote, so the snapshot never sees another test's rows.
`tests/demo/test_importer.py` still loads the sample for real: that is what it tests. It runs
first (pytest-django orders tests without `transactional_db` before those with it) and leaves its
checked load as the snapshot, so in a whole run the sample is loaded once.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction

from shopapp.demo.services import demo_shop_load
from shopapp.shops.models import Shop

# table -> (columns, rows) on SQLite; table -> COPY text on PostgreSQL. Keyed by database vendor
# and name, so a run that switches databases never restores rows into the wrong one.
_snapshots: dict[tuple[str, str], dict[str, Any]] = {}


def _key() -> tuple[str, str]:
    return (connection.vendor, str(connection.settings_dict["NAME"]))


def demo_shop_remember() -> None:
    """Snapshot the database as it is now: a test that has just loaded the sample (and checked
    it) calls this, so the browser tests after it need not load it again."""
    _snapshots[_key()] = _take()


def demo_shop_loaded() -> Shop:
    """The demo shop with the whole sample loaded and learned, as `demo_shop_load()` leaves it."""
    snapshot = _snapshots.get(_key())
    if snapshot is None:
        shop = demo_shop_load().shop
        demo_shop_remember()
        return shop
    _restore(snapshot)
    shop = Shop.objects.get(domain=settings.DEMO_SHOP_DOMAIN)
    _forget_process_caches(shop.pk)
    return shop


def _tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True))


def _take() -> dict[str, Any]:
    snapshot: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for table in _tables():
            quoted = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {quoted} TO STDOUT") as copy:
                    snapshot[table] = b"".join(bytes(chunk) for chunk in copy)
            else:
                cursor.execute(f"SELECT * FROM {quoted}")
                columns = [column[0] for column in cursor.description]
                snapshot[table] = (columns, cursor.fetchall())
    return snapshot


def _restore(snapshot: dict[str, Any]) -> None:
    tables = _tables()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Every table at once, so no foreign key is left pointing at a removed row; Django's
            # foreign keys are DEFERRABLE INITIALLY DEFERRED, so the load order does not matter.
            cursor.execute("TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in tables))
            for table in tables:
                data = snapshot.get(table)
                if data:
                    quoted = connection.ops.quote_name(table)
                    with cursor.cursor.copy(f"COPY {quoted} FROM STDIN") as copy:
                        copy.write(data)
            _sequences_past_restored_ids(cursor)
        else:
            # SQLite's foreign keys are deferred too; it never moves an AUTOINCREMENT back.
            for table in tables:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
            for table in tables:
                columns, rows = snapshot.get(table, ([], []))
                if rows:
                    names = ", ".join(connection.ops.quote_name(c) for c in columns)
                    marks = ", ".join(["%s"] * len(columns))
                    cursor.executemany(
                        f"INSERT INTO {connection.ops.quote_name(table)} ({names}) VALUES ({marks})",
                        rows,
                    )
    from django.contrib.contenttypes.models import ContentType

    # The flush before this test recreated the content types with other ids.
    ContentType.objects.clear_cache()


def _sequences_past_restored_ids(cursor: Any) -> None:
    """Never move a sequence back: ids already used by earlier tests are keys of process caches."""
    for model in apps.get_models(include_auto_created=True):
        pk = model._meta.pk
        if pk is None or pk.get_internal_type() not in {
            "AutoField",
            "BigAutoField",
            "SmallAutoField",
        }:
            continue
        table = connection.ops.quote_name(model._meta.db_table)
        column = connection.ops.quote_name(pk.column)
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk.column])
        sequence = cursor.fetchone()[0]
        if sequence:
            cursor.execute(
                f"SELECT setval(%s, GREATEST((SELECT COALESCE(MAX({column}), 0) FROM {table}), "
                f"(SELECT last_value FROM {sequence})))",
                [sequence],
            )


def _forget_process_caches(shop_id: int) -> None:
    """The restored shop has the id of the one loaded for an earlier test: drop what the
    process (and the live server's thread) remembered about that one."""
    from personalization.decisions import catalog
    from personalization.decisions import services as decisions
    from personalization.events import products
    from personalization.experiments import selectors as experiments
    from personalization.merchandising import selectors as merchandising
    from personalization.preferences import recommend
    from personalization.privacy import selectors as privacy
    from personalization.profiles import history, lifecycle
    from personalization.profiles import selectors as profiles
    from personalization.recommendations import selectors as recommendations
    from personalization.segments import rules
    from shopapp.adminui import segment_count

    catalog.forget(shop_id)
    decisions.forget_configs(shop_id)
    products.forget(shop_id)
    experiments.forget_shop(shop_id)
    merchandising.forget(shop_id)
    recommend.forget(shop_id)
    privacy.forget(shop_id)
    history.shop_clock_forget(shop_id)
    lifecycle.forget(shop_id)
    profiles._edges_cache.pop(shop_id, None)
    recommendations.forget()
    rules.forget(shop_id)
    segment_count.forget(shop_id)
