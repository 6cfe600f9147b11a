"""Running SOQL: the matching rows are fixed when the query starts (a cursor of rowids), then paged."""

from __future__ import annotations

import re
import secrets
import threading
from array import array
from collections import OrderedDict
from dataclasses import dataclass

from .. import codec
from ..store import Record, Store
from . import times
from .errors import SalesforceError
from .ids import BASE62
from .parse import parse
from .render import VENDOR, render_rows
from .schema import Schema
from .sql import Plan, compile_query

DEFAULT_BATCH = 2000
MIN_BATCH = 200
CURSOR_IDLE_MS = 15 * 60 * 1000  # Salesforce drops a query cursor after 15 minutes unused
MAX_CURSORS = 200
_BATCH = re.compile(r"batchSize\s*=\s*(\d+)", re.I)


@dataclass
class Cursor:
    plan: Plan
    rowids: array
    batch: int
    used_ms: int


def batch_size(header: str | None) -> int:
    """`Sforce-Query-Options: batchSize=N`, held to Salesforce's 200..2000."""
    m = _BATCH.search(header or "")
    return min(max(int(m.group(1)), MIN_BATCH), DEFAULT_BATCH) if m else DEFAULT_BATCH


def page_size(plan: Plan, batch: int) -> int:
    """The batch size a query gets: at most 200 when it selects two or more custom long text fields."""
    long_texts = sum(1 for f, via in plan.columns if via is None and f.custom and f.long_text)
    return min(batch, MIN_BATCH) if long_texts >= 2 else batch


class QueryEngine:
    def __init__(self, store: Store, schema: Schema, now_ms):
        self.store, self.schema, self.now_ms = store, schema, now_ms
        self._cursors: OrderedDict[str, Cursor] = OrderedDict()
        self._lock = threading.Lock()

    def plan(self, soql: str) -> Plan:
        today = times.ms_to_date(self.now_ms())
        return compile_query(self.schema, parse(soql), today)

    def rowids(self, plan: Plan, include_deleted: bool) -> array:
        sql, params = self._from(plan, include_deleted)
        sql = f"select rowid {sql} order by {plan.order}"
        if plan.limit is not None or plan.offset:
            sql += f" limit {-1 if plan.limit is None else int(plan.limit)} offset {int(plan.offset)}"
        with self.store.lock:
            return array("q", (r[0] for r in self.store.conn.execute(sql, params)))

    def count(self, plan: Plan, include_deleted: bool) -> int:
        sql, params = self._from(plan, include_deleted)
        with self.store.lock:
            total = self.store.conn.execute(f"select count(*) {sql}", params).fetchone()[0]
        total = max(total - plan.offset, 0)
        return total if plan.limit is None else min(total, plan.limit)

    @staticmethod
    def _from(plan: Plan, include_deleted: bool) -> tuple[str, list]:
        sql = "from records where vendor=? and object=?"
        if not include_deleted:
            sql += " and deleted=0"
        if plan.where:
            sql += f" and ({plan.where})"
        return sql, [VENDOR, plan.object, *plan.params]

    def records(self, rowids) -> list[Record]:
        """The current state of the rows, in the order given."""
        found: dict[int, Record] = {}
        rowids = list(rowids)
        with self.store.lock:
            for start in range(0, len(rowids), 500):
                chunk = rowids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for row in self.store.conn.execute(
                    "select rowid, vendor, object, id, created, modstamp, deleted, data "
                    f"from records where rowid in ({marks})",
                    chunk,
                ):
                    found[row[0]] = Record(
                        row[1], row[2], row[3], codec.loads(row[7]), row[4], row[5], bool(row[6]), row[0]
                    )
        return [found[r] for r in rowids if r in found]

    # -- the REST resources ------------------------------------------------------------------

    def run(self, soql: str, include_deleted: bool, batch: int, version: str) -> dict:
        plan = self.plan(soql)
        if plan.count:
            return {"totalSize": self.count(plan, include_deleted), "done": True, "records": []}
        rows = self.rowids(plan, include_deleted)
        cursor = Cursor(plan, rows, page_size(plan, batch), self.now_ms())
        locator = self._open(cursor) if len(rows) > cursor.batch else None
        return self._page(cursor, locator, 0, version)

    def more(self, token: str, batch: int | None, version: str) -> dict:
        locator, _, offset = token.rpartition("-")
        with self._lock:
            cursor = self._cursors.get(locator)
            now = self.now_ms()
            if cursor is None or not offset.isdigit() or now - cursor.used_ms > CURSOR_IDLE_MS:
                raise SalesforceError("INVALID_QUERY_LOCATOR", "invalid query locator")
            cursor.used_ms = now
            self._cursors.move_to_end(locator)
        if batch:
            cursor.batch = page_size(cursor.plan, batch)
        return self._page(cursor, locator, int(offset), version)

    def _open(self, cursor: Cursor) -> str:
        locator = "01g" + "".join(secrets.choice(BASE62) for _ in range(15))
        with self._lock:
            self._cursors[locator] = cursor
            while len(self._cursors) > MAX_CURSORS:
                self._cursors.popitem(last=False)
        return locator

    def _page(self, cursor: Cursor, locator: str | None, start: int, version: str) -> dict:
        end = min(start + cursor.batch, len(cursor.rowids))
        records = self.records(cursor.rowids[start:end])
        out: dict = {"totalSize": len(cursor.rowids), "done": end >= len(cursor.rowids)}
        if not out["done"]:
            out["nextRecordsUrl"] = f"/services/data/v{version}/query/{locator}-{end}"
        out["records"] = render_rows(self.store, self.schema, records, cursor.plan.columns, version)
        return out
