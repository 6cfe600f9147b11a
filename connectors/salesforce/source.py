"""Reading Salesforce: pages of records in modstamp order, ready for the raw layer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from simple_salesforce import Salesforce, format_soql

from ..errors import BudgetExhausted
from ..metering import CallCounter
from ..records import Page, RawRecord
from .bulk import decode
from .client import SalesforceConfig, call, connect
from .settings import OBJECTS

# Compound fields repeat their components and are refused by Bulk API: leave them out.
_COMPOUND_TYPES = {"address", "location"}


def parse_datetime(value: str | None) -> datetime | None:
    """Salesforce's `2026-01-31T09:15:00.000+0000` as an aware UTC datetime."""
    if not value:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z").astimezone(UTC)


class SalesforceSource:
    """One org: describe, count and read objects, mindful of the daily API allocation."""

    def __init__(self, config: SalesforceConfig, sf: Salesforce | None = None):
        self.config = config
        self.sf = sf or connect(config)
        self.meter = CallCounter()
        self._types: dict[str, dict[str, str]] = {}

    def _call(self, fn, budgeted: bool = True):
        """One API call, counted; refused before it is made once the daily budget is spent."""
        if budgeted:
            self.check_budget()
        self.meter.add()
        return call(fn)

    def field_types(self, obj: str) -> dict[str, str]:
        """Every queryable field and its type, custom fields included (schema drift lands)."""
        if obj not in self._types:
            described = self._call(lambda: getattr(self.sf, obj).describe())
            self._types[obj] = {
                f["name"]: f.get("type", "string")
                for f in described["fields"]
                if f.get("type") not in _COMPOUND_TYPES
            }
        return self._types[obj]

    def fields(self, obj: str) -> list[str]:
        return list(self.field_types(obj))

    def count(self, obj: str, where: str = "") -> int:
        """Live records (deleted ones excluded), optionally under a condition."""
        # `where` is SOQL format_soql made; it is joined on, never formatted into text.
        soql = format_soql("SELECT COUNT() FROM {:literal}", obj) + (" WHERE " + where if where else "")
        return self._call(lambda: self.sf.query(soql))["totalSize"]

    def query(self, template: str, *args, **kwargs) -> list[dict]:
        """Every record a SOQL query answers; values are quoted by format_soql, never by hand."""
        soql = format_soql(template, *args, **kwargs)
        records = self._call(lambda: self.sf.query_all(soql))["records"]
        return [{k: v for k, v in r.items() if k != "attributes"} for r in records]

    def api_usage(self) -> tuple[int, int] | None:
        """(used, max) of the daily allocation, as the last answer's Sforce-Limit-Info said."""
        usage = self.sf.api_usage.get("api-usage")
        return (usage.used, usage.total) if usage else None

    def refresh_usage(self) -> tuple[int, int]:
        """Read DailyApiRequests from /limits (one call) and remember it."""
        limits = self._call(lambda: self.sf.limits(), budgeted=False)["DailyApiRequests"]
        used = limits["Max"] - limits["Remaining"]
        return used, limits["Max"]

    def check_budget(self, needed: int = 1) -> None:
        usage = self.api_usage() or self.refresh_usage()
        left = usage[1] - usage[0]
        if left - needed < self.config.daily_reserve:
            raise BudgetExhausted(
                "salesforce",
                f"daily API allocation nearly spent ({usage[0]}/{usage[1]} used, "
                f"reserve {self.config.daily_reserve}); stopping here to resume next run",
            )

    def pages(
        self,
        obj: str,
        since: datetime | None = None,
        until: datetime | None = None,
        resume: dict | None = None,
    ) -> Iterator[Page]:
        """Records modified in [since, until), deleted ones included.

        Small reads use REST queryAll in cursor order (a checkpoint per page); reads above the
        bulk threshold use a Bulk API 2.0 queryAll job (unordered: one checkpoint at the end).
        The first REST page's totalSize decides, so that a nightly read of a few changes costs
        no count call of its own; a read that turns out big leaves that page for the job.
        """
        spec = OBJECTS[obj]
        conditions = []
        if since is not None:
            conditions.append(format_soql("{:literal} >= {}", spec.cursor, since))
        if until is not None:
            conditions.append(format_soql("{:literal} < {}", spec.cursor, until))
        where = " AND ".join(conditions)
        soql = self._select(obj, where) + format_soql(" ORDER BY {:literal}, Id", spec.cursor)
        first = self._call(lambda: self.sf.query(soql, include_deleted=True))
        threshold = self.config.bulk_threshold
        if threshold and first["totalSize"] > threshold:
            yield from self._bulk_pages(obj, spec, where, until)
        else:
            yield from self._rest_pages(spec, first)

    def _select(self, obj: str, where: str) -> str:
        soql = format_soql("SELECT {:literal} FROM {:literal}", ", ".join(self.fields(obj)), obj)
        return soql + (" WHERE " + where if where else "")

    def _rest_pages(self, spec, result: dict) -> Iterator[Page]:
        while True:
            records = [self._raw(r, spec.cursor) for r in result["records"]]
            # Ordered by the cursor: everything up to the last record's time is now read.
            yield Page(records, checkpoint=records[-1].modified_at if records else None)
            if result.get("done", True) or not result.get("nextRecordsUrl"):
                return
            next_url = result["nextRecordsUrl"]
            result = self._call(lambda u=next_url: self.sf.query_more(u, identifier_is_url=True))

    def _bulk_pages(self, obj: str, spec, where: str, until: datetime | None) -> Iterator[Page]:
        # Bulk results are unordered (ORDER BY would stop Salesforce chunking the job), so the
        # job reads up to a fixed upper bound and the watermark moves to it only at the end.
        upper = until or datetime.now(UTC)
        bounded = " AND ".join(c for c in (where, format_soql("{:literal} < {}", spec.cursor, upper)) if c)
        types = self.field_types(obj)
        self.check_budget(needed=2)
        job = getattr(self.sf.bulk2, obj).query_all(
            self._select(obj, bounded), max_records=self.config.bulk_page_size, wait=0.5
        )
        self.meter.add(2)  # the job and its first status poll
        for page in job:
            self.meter.add()
            self.check_budget()  # a spent budget ends the job here; the next run reads it again
            yield Page([self._raw(r, spec.cursor) for r in decode(page, types)])
        yield Page([], checkpoint=upper)

    @staticmethod
    def _raw(record: dict, cursor: str) -> RawRecord:
        record = {k: v for k, v in record.items() if k != "attributes"}
        return RawRecord(
            id=record["Id"],
            modified_at=parse_datetime(record.get(cursor)),
            is_deleted=bool(record.get("IsDeleted")),
            record=record,
        )
