"""The sandbox's records: one SQLite file, a JSON body per record, indexed by id and modstamp."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import codec

SCHEMA = """
create table if not exists records (
    vendor   text    not null,
    object   text    not null,
    id       text    not null,
    created  integer not null,            -- epoch milliseconds
    modstamp integer not null,            -- epoch milliseconds, moves on every write
    deleted  integer not null default 0,  -- Salesforce IsDeleted / HubSpot archived
    data     text    not null             -- the record as the vendor stores it (JSON)
);
create unique index if not exists records_by_id on records (vendor, object, id);
-- deleted last: counts of a modstamp range (HubSpot search totals) read the index alone.
create index if not exists records_by_modstamp on records (vendor, object, modstamp, id, deleted);
create table if not exists kv (key text primary key, value text not null);
"""


@dataclass
class Record:
    vendor: str
    object: str
    id: str
    data: dict
    created: int = 0
    modstamp: int = 0
    deleted: bool = False
    rowid: int | None = field(default=None, compare=False)


class Clock:
    """Wall time in epoch milliseconds, with an offset tests can move forward."""

    def __init__(self) -> None:
        self.offset_ms = 0
        self._last = 0
        self._lock = threading.Lock()

    def now_ms(self) -> int:
        return int(time.time() * 1000) + self.offset_ms

    def tick_ms(self) -> int:
        """A strictly increasing now: two writes never share a modstamp within one sandbox."""
        with self._lock:
            self._last = max(self._last + 1, self.now_ms())
            return self._last


class Store:
    """Thread-safe access to the records file; every call takes the one lock."""

    def __init__(self, path: Path | str):
        self.path = str(path)
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.conn.execute("pragma journal_mode=wal")
        self.conn.execute("pragma synchronous=normal")
        self.conn.execute("pragma cache_size=-200000")
        self._drop_old_modstamp_index()
        self.conn.executescript(SCHEMA)

    def _drop_old_modstamp_index(self) -> None:
        """A store made before the modstamp index covered `deleted` gets the new one."""
        row = self.conn.execute(
            "select sql from sqlite_master where type = 'index' and name = 'records_by_modstamp'"
        ).fetchone()
        if row and "deleted" not in row[0]:
            self.conn.execute("drop index records_by_modstamp")

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            self.conn.execute("begin immediate")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("rollback")
                raise
            self.conn.execute("commit")

    # -- records -----------------------------------------------------------------------------

    @staticmethod
    def _record(row: tuple) -> Record:
        rowid, vendor, obj, rid, created, modstamp, deleted, data = row
        return Record(vendor, obj, rid, codec.loads(data), created, modstamp, bool(deleted), rowid)

    _COLUMNS = "rowid, vendor, object, id, created, modstamp, deleted, data"

    def get(self, vendor: str, obj: str, rid: str) -> Record | None:
        with self.lock:
            row = self.conn.execute(
                f"select {self._COLUMNS} from records where vendor=? and object=? and id=?",
                (vendor, obj, rid),
            ).fetchone()
        return self._record(row) if row else None

    def get_many(self, vendor: str, obj: str, ids: Iterable[str]) -> dict[str, Record]:
        ids = list(dict.fromkeys(ids))
        out: dict[str, Record] = {}
        with self.lock:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for row in self.conn.execute(
                    f"select {self._COLUMNS} from records where vendor=? and object=? and id in ({marks})",
                    (vendor, obj, *chunk),
                ):
                    rec = self._record(row)
                    out[rec.id] = rec
        return out

    def put(self, rec: Record) -> None:
        self.put_many([rec])

    def put_many(self, records: Iterable[Record]) -> None:
        rows = [
            (
                r.vendor,
                r.object,
                r.id,
                r.created,
                r.modstamp,
                int(r.deleted),
                codec.dumps_text(r.data),
            )
            for r in records
        ]
        with self.lock:
            own = not self.conn.in_transaction
            if own:
                self.conn.execute("begin immediate")
            try:
                self.conn.executemany(
                    "insert into records (vendor, object, id, created, modstamp, deleted, data) "
                    "values (?, ?, ?, ?, ?, ?, ?) on conflict (vendor, object, id) do update set "
                    "created=excluded.created, modstamp=excluded.modstamp, "
                    "deleted=excluded.deleted, data=excluded.data",
                    rows,
                )
            except BaseException:
                if own:
                    self.conn.execute("rollback")
                raise
            if own:
                self.conn.execute("commit")

    def remove(self, vendor: str, obj: str, rid: str) -> None:
        with self.lock:
            self.conn.execute("delete from records where vendor=? and object=? and id=?", (vendor, obj, rid))

    def select(
        self,
        vendor: str,
        obj: str,
        where: str = "",
        params: Iterable = (),
        order: str = "rowid",
        limit: int | None = None,
        offset: int = 0,
        include_deleted: bool = False,
    ) -> list[Record]:
        """Records of one object; `where` is SQL over the columns and json_extract(data, ...)."""
        sql = f"select {self._COLUMNS} from records where vendor=? and object=?"
        if not include_deleted:
            sql += " and deleted=0"
        if where:
            sql += f" and ({where})"
        sql += f" order by {order}"
        if limit is not None:
            sql += f" limit {int(limit)} offset {int(offset)}"
        with self.lock:
            rows = self.conn.execute(sql, (vendor, obj, *params)).fetchall()
        return [self._record(r) for r in rows]

    def count(
        self,
        vendor: str,
        obj: str,
        where: str = "",
        params: Iterable = (),
        include_deleted: bool = False,
    ) -> int:
        sql = "select count(*) from records where vendor=? and object=?"
        if not include_deleted:
            sql += " and deleted=0"
        if where:
            sql += f" and ({where})"
        with self.lock:
            return self.conn.execute(sql, (vendor, obj, *params)).fetchone()[0]

    # -- small state: sequences, tokens, metadata --------------------------------------------

    def get_value(self, key: str, default=None):
        with self.lock:
            row = self.conn.execute("select value from kv where key=?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def set_value(self, key: str, value) -> None:
        with self.lock:
            self.conn.execute(
                "insert into kv (key, value) values (?, ?) "
                "on conflict (key) do update set value=excluded.value",
                (key, json.dumps(value)),
            )

    def next_sequence(self, name: str, count: int = 1) -> int:
        """Reserve `count` numbers of a named sequence; return the first."""
        key = f"seq:{name}"
        with self.lock:
            row = self.conn.execute("select value from kv where key=?", (key,)).fetchone()
            first = (json.loads(row[0]) if row else 0) + 1
            self.conn.execute(
                "insert into kv (key, value) values (?, ?) "
                "on conflict (key) do update set value=excluded.value",
                (key, json.dumps(first + count - 1)),
            )
        return first
