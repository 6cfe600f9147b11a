"""Reading the product team's file drop: every row of every Parquet/CSV file, keyed by content.

Expected columns: `email`, `event_name` and `occurred_at` (a timestamp), optionally `event_id` and
`quantity` (what stg_product__usage_events reads); any others are kept. Rows lacking them still
land (nothing is dropped); the models leave them out.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..metering import CallCounter
from ..records import Page, RawRecord

OBJECTS = ("usage_events",)
PATTERNS = ("*.parquet", "*.csv", "*.csv.gz")
BATCH = 10_000


def _json_value(value):
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _time(value) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


class FileDropSource:
    """The files of one folder; a file counts as changed when its modification time moves."""

    def __init__(self, directory: Path | str):
        self.directory = Path(directory)
        self.meter = CallCounter()  # files cost no API call

    def files(self, since: datetime | None = None, until: datetime | None = None) -> list[Path]:
        # The folder and its subfolders, as DuckDB reads the drop (`folder/**/*.csv` ...).
        found = {p for pattern in PATTERNS for p in self.directory.rglob(pattern) if p.is_file()}

        def mtime(p: Path) -> datetime:
            return datetime.fromtimestamp(p.stat().st_mtime, UTC)

        return sorted(
            (
                p
                for p in found
                if (since is None or mtime(p) >= since) and (until is None or mtime(p) < until)
            ),
            key=lambda p: (p.stat().st_mtime, p.name),
        )

    def _name(self, path: Path) -> str:
        """A file's name within the drop (its subfolder too)."""
        return path.relative_to(self.directory).as_posix()

    def pages(self, name: str, since=None, until=None, resume=None) -> Iterator[Page]:
        if name not in OBJECTS:
            raise KeyError(f"unknown product object {name!r}")
        for path in self.files(since, until):
            table = pq.read_table(path) if path.suffix == ".parquet" else pacsv.read_csv(path)
            for batch in table.to_batches(BATCH):
                records = []
                for row in batch.to_pylist():
                    body = {k: _json_value(v) for k, v in row.items()}
                    key = hashlib.sha1(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
                    record = {**body, "_file": self._name(path)}
                    records.append(RawRecord(key, _time(row.get("occurred_at")), False, record))
                yield Page(records)
            # Files go in modification order: up to this one, everything is read.
            yield Page([], checkpoint=datetime.fromtimestamp(path.stat().st_mtime, UTC))
