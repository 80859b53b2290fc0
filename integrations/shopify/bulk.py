"""Bulk operations: start one, wait for it, and read its JSONL result as a stream.

With `groupObjects: false` a child line (a variant, a line item, a collection's product) carries
`__parentId` and may come before its parent or far from it. The stream is spooled into a temporary
SQLite file (parents in file order, children indexed by parent), so a parent is rebuilt with all of
its children in bounded memory, however large the shop, and the file is read once.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from integrations.shopify.client import AdminClient, ShopifyError, ShopifyUserError, document

TERMINAL = ("COMPLETED", "FAILED", "CANCELED", "EXPIRED")
# Shopify writes __parentId as the last key; finding it without parsing keeps the spool pass cheap.
_PARENT_RE = re.compile(rb'"__parentId"\s*:\s*"([^"]+)"')


class BulkOperationFailed(ShopifyError):
    pass


@dataclass(frozen=True)
class BulkResult:
    id: str
    status: str
    url: str | None
    object_count: int
    error_code: str | None


def bulk_query_text(name: str) -> str:
    """A bulk document as the query string bulkOperationRunQuery takes (comments dropped)."""
    return "\n".join(
        line for line in document(name).splitlines() if not line.lstrip().startswith("#")
    )


def bulk_start(client: AdminClient, name: str) -> str:
    payload = client.mutate(
        "bulk_operation_run", "bulkOperationRunQuery", {"query": bulk_query_text(name)}
    )
    operation = payload.get("bulkOperation") or {}
    if not operation.get("id"):
        raise ShopifyUserError(f"{name}: no bulk operation returned")
    return str(operation["id"])


def bulk_get(client: AdminClient, operation_id: str) -> BulkResult:
    node = client.execute("bulk_operation_get", {"id": operation_id}).get("bulkOperation")
    if not node:
        return BulkResult(operation_id, "EXPIRED", None, 0, "NOT_FOUND")
    return BulkResult(
        id=str(node["id"]),
        status=str(node["status"]),
        url=node.get("url") or node.get("partialDataUrl"),
        object_count=int(node.get("objectCount") or 0),
        error_code=node.get("errorCode"),
    )


def bulk_wait(
    client: AdminClient,
    operation_id: str,
    *,
    on_poll: Callable[[BulkResult], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    timeout: float = 6 * 3600,
    clock: Callable[[], float] = time.monotonic,
) -> BulkResult:
    """Poll until the operation ends (1 s at first, then up to every 10 s)."""
    started = clock()
    delay = 0.2
    while True:
        result = bulk_get(client, operation_id)
        if on_poll is not None:
            on_poll(result)
        if result.status in TERMINAL:
            return result
        if clock() - started > timeout:
            raise BulkOperationFailed(f"{operation_id}: still {result.status} after {timeout}s")
        sleep(delay)
        delay = min(delay * 2, 10.0)


def gid_type(gid: str) -> str:
    """gid://shopify/ProductVariant/12 -> ProductVariant"""
    parts = gid.split("/")
    return parts[3] if len(parts) > 4 else ""


def gid_id(gid: str | None) -> str | None:
    """gid://shopify/Product/12 -> "12"; the mirror keys on Shopify's numeric ids, as webhooks and
    Liquid (`product.id`) do."""
    if not gid:
        return None
    return gid.rsplit("/", 1)[-1].split("?", 1)[0]


class Spool:
    """The JSONL result on disk: parents in file order, children by parent in file order."""

    def __init__(self, directory: str | None = None) -> None:
        handle, self.path = tempfile.mkstemp(
            prefix="shopify-bulk-", suffix=".sqlite3", dir=directory
        )
        os.close(handle)
        self.db = sqlite3.connect(self.path)
        self.db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE;"
            "CREATE TABLE parents (seq INTEGER PRIMARY KEY, gid TEXT, line BLOB);"
            "CREATE TABLE children (seq INTEGER PRIMARY KEY, parent TEXT, line BLOB);"
        )
        self.parent_count = 0
        self.child_count = 0

    def load(self, lines: Iterable[bytes], *, batch: int = 20_000) -> int:
        parents: list[tuple[str, bytes]] = []
        children: list[tuple[str, bytes]] = []

        def flush() -> None:
            self.db.executemany("INSERT INTO parents (gid, line) VALUES (?, ?)", parents)
            self.db.executemany("INSERT INTO children (parent, line) VALUES (?, ?)", children)
            self.parent_count += len(parents)
            self.child_count += len(children)
            parents.clear()
            children.clear()

        for line in lines:
            match = _PARENT_RE.search(line)
            if match:
                children.append((match.group(1).decode(), line))
            else:
                parents.append(("", line))
            if len(parents) + len(children) >= batch:
                flush()
        flush()
        self.db.execute("CREATE INDEX children_parent ON children (parent, seq)")
        self.db.commit()
        return self.parent_count + self.child_count

    def batches(self, size: int) -> Iterator[list[tuple[dict[str, Any], list[dict[str, Any]]]]]:
        """Parents in file order, `size` at a time, each with its children in file order."""
        cursor = self.db.execute("SELECT line FROM parents ORDER BY seq")
        while True:
            rows = cursor.fetchmany(size)
            if not rows:
                return
            parents = [json.loads(row[0]) for row in rows]
            by_parent: dict[str, list[dict[str, Any]]] = {p["id"]: [] for p in parents}
            gids = list(by_parent)
            for start in range(0, len(gids), 900):  # SQLite's bound-parameter limit
                chunk = gids[start : start + 900]
                marks = ",".join("?" * len(chunk))
                for (line,) in self.db.execute(
                    f"SELECT line FROM children WHERE parent IN ({marks}) ORDER BY parent, seq",
                    chunk,
                ):
                    child = json.loads(line)
                    by_parent[child["__parentId"]].append(child)
            yield [(p, by_parent[p["id"]]) for p in parents]

    def close(self) -> None:
        self.db.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
