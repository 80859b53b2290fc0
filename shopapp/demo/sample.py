"""Cut the demo sample from the full UCI file: every line on or after a start date.

    python -m shopapp.demo.sample SOURCE.csv.gz DEST.csv.gz [--since 2011-09-10]

The lines are copied byte for byte (quirks included), so the demo exercises the same importer
paths as the full file. The default cut, the last twelve weeks, stays under 3 MB gzipped.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import sys
from pathlib import Path

DEFAULT_SINCE = "2011-09-15"


def cut_sample(source: Path, dest: Path, *, since: str) -> tuple[int, int]:
    """Copy the header and the lines dated `since` or later; returns (kept, read) line counts."""
    kept = read = 0
    with (
        gzip.open(source, "rt", encoding="utf-8", newline="") as src,
        gzip.open(dest, "wt", encoding="utf-8", newline="", compresslevel=9) as out,
    ):
        header = src.readline()
        out.write(header)
        date_column = [c.strip('"') for c in header.rstrip("\r\n").split(",")].index("InvoiceDate")
        for line in src:
            read += 1
            # Descriptions may hold quoted commas: parse the row rather than split it.
            if _invoice_date(line, date_column) >= since:
                out.write(line)
                kept += 1
    return kept, read


def _invoice_date(line: str, column: int) -> str:
    row = next(csv.reader([line]))
    return row[column][:10]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source", type=Path)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--since", default=DEFAULT_SINCE, help="first day kept, YYYY-MM-DD")
    args = parser.parse_args(argv)
    kept, read = cut_sample(args.source, args.dest, since=args.since)
    size_mb = args.dest.stat().st_size / 1e6
    print(f"kept {kept:,} of {read:,} lines since {args.since}: {args.dest} ({size_mb:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
