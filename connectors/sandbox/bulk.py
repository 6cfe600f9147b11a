"""Loading records straight into a stopped sandbox's store, for benchmarks: no HTTP, one transaction.

`load_direct(directory, lines)` takes the lines `leadflow sandbox load` takes (dicts, or JSON text)
and stores them through the vendor apps' own loaders, so the records are the ones the admin load
endpoint would store. The whole load is one transaction: a bad line (named by its number) leaves
the store as it was. The directory's lock keeps a sandbox from serving it meanwhile, and refuses
the load while one does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from .app import Sandbox, hold_directory

try:  # a dependency of Prefect; parses lines several times faster than json
    from orjson import loads as _loads
except ImportError:  # pragma: no cover
    _loads = json.loads

CHUNK = 20_000  # records of one object handed to its loader at a time
CACHE_KIB = 1_000_000  # SQLite page cache during the load: big indexes stay in memory
DEFER_AFTER = 500_000  # lines loaded (and at least the rows held) before secondary indexes wait
SECONDARY = (  # every index but the unique one, which upserts need
    "select name, sql from sqlite_master where type = 'index' and tbl_name = 'records' "
    "and sql is not null and name <> 'records_by_id'"
)


class LoadError(ValueError):
    """A line the sandbox cannot store; nothing of the load was kept."""


def load_direct(directory: Path | str, lines: Iterable[dict | str | bytes]) -> dict[str, dict[str, int]]:
    """Store load lines in the sandbox at `directory` (not running); return counts per vendor and object."""
    directory = Path(directory).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    with hold_directory(directory, "a direct load (leadflow sandbox load --direct)"):
        box = Sandbox(directory)
        try:
            return _Load(box).run(lines)
        finally:
            box.store.close()


class _Load:
    def __init__(self, box: Sandbox):
        self.box = box
        self.conn = box.store.conn
        self.pending: dict[tuple[str, str], tuple[list[dict], list[int]]] = {}
        self.counts: dict[str, dict[str, int]] = {vendor: {} for vendor in box.apps}
        self.loaded = 0
        self.held = 0  # rows in the store before the load (an estimate: the highest rowid)
        self.deferred: list[tuple[str, str]] = []  # secondary indexes dropped until the end

    def run(self, lines: Iterable[dict | str | bytes]) -> dict[str, dict[str, int]]:
        # A rollback journal, not the WAL: new pages are written once, and one transaction is cheap.
        self.conn.execute("pragma journal_mode=truncate")
        self.conn.execute("pragma synchronous=off")
        self.conn.execute(f"pragma cache_size=-{CACHE_KIB}")
        try:
            with self.box.store.transaction():
                self.held = self.conn.execute("select coalesce(max(rowid), 0) from records").fetchone()[0]
                for number, line in enumerate(lines, start=1):
                    self.add(number, line)
                for key in list(self.pending):
                    self.flush(key)
                for _, sql in self.deferred:
                    self.conn.execute(sql)
        finally:
            self.conn.execute("pragma journal_mode=wal")
            self.conn.execute("pragma synchronous=normal")
        return {vendor: objects for vendor, objects in self.counts.items() if objects}

    def add(self, number: int, line: dict | str | bytes) -> None:
        if isinstance(line, str | bytes):
            if not line.strip():
                return
            try:
                line = _loads(line)
            except ValueError as err:
                raise LoadError(f"line {number}: not JSON ({err})") from None
        try:
            vendor, obj, record = line["vendor"], line["object"], line["record"]
        except (KeyError, TypeError):
            raise LoadError(f"line {number}: needs vendor, object and record") from None
        if vendor not in self.box.apps:
            raise LoadError(f"line {number}: unknown vendor {vendor!r} (salesforce or hubspot)")
        records, numbers = self.pending.setdefault((vendor, obj), ([], []))
        records.append(record)
        numbers.append(number)
        if len(records) >= CHUNK:
            self.flush((vendor, obj))

    def flush(self, key: tuple[str, str]) -> None:
        records, numbers = self.pending.pop(key)
        vendor, obj = key
        app = self.box.apps[vendor]
        try:
            app.load(obj, records)
        except (KeyError, ValueError) as err:
            raise self.locate(app, obj, records, numbers, err) from None
        objects = self.counts[vendor]
        objects[obj] = objects.get(obj, 0) + len(records)
        self.loaded += len(records)
        if not self.deferred and self.loaded >= max(DEFER_AFTER, self.held):
            self.defer_indexes()

    def defer_indexes(self) -> None:
        """A big load: secondary indexes are built once at the end (a sort), not row by row.

        Only once the load has brought as many rows as the store held, so that a small load into
        a big store never pays for rebuilding them; inside the transaction, so a failed load
        leaves them as they were.
        """
        self.deferred = self.conn.execute(SECONDARY).fetchall()
        for name, _ in self.deferred:
            self.conn.execute(f'drop index "{name}"')

    @staticmethod
    def locate(app, obj: str, records: list[dict], numbers: list[int], err: Exception) -> LoadError:
        """The first bad line of a refused chunk (the transaction is rolled back anyway)."""
        for record, number in zip(records, numbers, strict=True):
            try:
                app.load(obj, [record])
            except (KeyError, ValueError) as one:
                return LoadError(f"line {number}: {_text(one)}")
        return LoadError(f"lines {numbers[0]}..{numbers[-1]}: {_text(err)}")


def _text(err: Exception) -> str:
    return err.args[0] if isinstance(err, KeyError) and err.args else str(err)
