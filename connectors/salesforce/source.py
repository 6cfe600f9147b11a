"""Reading Salesforce: pages of records in modstamp order, ready for the raw layer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from simple_salesforce import Salesforce, format_soql

from ..errors import BudgetExhausted
from ..records import Page, RawRecord
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

    def fields(self, obj: str) -> list[str]:
        """Every queryable field of the object, custom fields included (schema drift lands)."""
        described = call(lambda: getattr(self.sf, obj).describe())
        return [f["name"] for f in described["fields"] if f.get("type") not in _COMPOUND_TYPES]

    def count(self, obj: str) -> int:
        soql = format_soql("SELECT COUNT() FROM {:literal}", obj)
        return call(lambda: self.sf.query(soql))["totalSize"]

    def query(self, template: str, *args, **kwargs) -> list[dict]:
        """Every record a SOQL query answers; values are quoted by format_soql, never by hand."""
        soql = format_soql(template, *args, **kwargs)
        records = call(lambda: self.sf.query_all(soql))["records"]
        return [{k: v for k, v in r.items() if k != "attributes"} for r in records]

    def api_usage(self) -> tuple[int, int] | None:
        """(used, max) of the daily allocation, as the last answer's Sforce-Limit-Info said."""
        usage = self.sf.api_usage.get("api-usage")
        return (usage.used, usage.total) if usage else None

    def check_budget(self) -> None:
        usage = self.api_usage()
        if usage and usage[1] - usage[0] <= self.config.daily_reserve:
            raise BudgetExhausted(
                "salesforce",
                f"daily API allocation nearly spent ({usage[0]}/{usage[1]} used, "
                f"reserve {self.config.daily_reserve}); stopping to resume next run",
            )

    def pages(self, obj: str, since: datetime | None = None, until: datetime | None = None) -> Iterator[Page]:
        """Records modified in [since, until), deleted ones included, oldest first, by page."""
        spec = OBJECTS[obj]
        fields = self.fields(obj)
        soql = format_soql("SELECT {:literal} FROM {:literal}", ", ".join(fields), obj)
        conditions = []
        if since is not None:
            conditions.append(format_soql("{:literal} >= {}", spec.cursor, since))
        if until is not None:
            conditions.append(format_soql("{:literal} < {}", spec.cursor, until))
        if conditions:
            soql += " WHERE " + " AND ".join(conditions)
        soql += format_soql(" ORDER BY {:literal}, Id", spec.cursor)

        result = call(lambda: self.sf.query(soql, include_deleted=True))
        while True:
            records = [self._raw(r, spec.cursor) for r in result["records"]]
            # Ordered by the cursor: everything up to the last record's time is now read.
            yield Page(records, checkpoint=records[-1].modified_at if records else None)
            if result.get("done", True) or not result.get("nextRecordsUrl"):
                return
            self.check_budget()
            next_url = result["nextRecordsUrl"]
            result = call(lambda u=next_url: self.sf.query_more(u, identifier_is_url=True))

    @staticmethod
    def _raw(record: dict, cursor: str) -> RawRecord:
        record = {k: v for k, v in record.items() if k != "attributes"}
        return RawRecord(
            id=record["Id"],
            modified_at=parse_datetime(record.get(cursor)),
            is_deleted=bool(record.get("IsDeleted")),
            record=record,
        )
