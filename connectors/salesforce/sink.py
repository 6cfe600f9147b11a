"""Writing to Salesforce: the custom fields leadflow needs, and updates in sObject Collections."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from simple_salesforce import Salesforce, format_soql

from ..errors import ConnectorError
from ..records import WriteResult
from .client import CONNECTION_LOST, SalesforceConfig, call, connect
from .settings import COLLECTION_SIZE, WRITABLE_FIELDS, WRITEBACK_FIELDS, CustomField

# Errors worth another try on a later call; the rest need a person to look at the record.
RETRYABLE_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "REQUEST_LIMIT_EXCEEDED", "SERVER_UNAVAILABLE"})


class SalesforceSink:
    """Updates Lead and Contact records, a collection of up to 200 per call."""

    def __init__(self, config: SalesforceConfig, sf: Salesforce | None = None):
        self.config = config
        self.sf = sf or connect(config)
        self.calls = 0

    def ensure_fields(self, obj: str, fields: Iterable[CustomField] = WRITEBACK_FIELDS) -> list[str]:
        """Create through the Tooling API the write-back fields the object lacks; return them."""
        described = call(lambda: getattr(self.sf, obj).describe())
        self.calls += 1
        present = {f["name"] for f in described["fields"]}
        created = []
        for spec in fields:
            if spec.name in present:
                continue
            answer = call(
                lambda s=spec: self.sf.toolingexecute(
                    "sobjects/CustomField/", method="POST", data=s.metadata(obj)
                )
            )
            self.calls += 1
            if not (isinstance(answer, dict) and answer.get("success")):
                raise ConnectorError("salesforce", f"could not create {obj}.{spec.name}: {answer}")
            created.append(spec.name)
        return created

    def update(self, obj: str, rows: list[dict]) -> list[WriteResult]:
        """Update records given as {"Id": ..., field: value}; one result per row, in order.

        Up to the bulk threshold: sObject Collections, 200 a call. Above: one Bulk API 2.0
        ingest job (a handful of calls whatever the size).
        """
        for row in rows:
            extra = set(row) - WRITABLE_FIELDS - {"Id"}
            if extra:
                raise ValueError(f"{obj} {row.get('Id')}: fields not on the allow-list: {extra}")
        if self.config.writeback_bulk_threshold and len(rows) > self.config.writeback_bulk_threshold:
            return self._bulk_update(obj, rows)
        results: list[WriteResult] = []
        for start in range(0, len(rows), COLLECTION_SIZE):
            chunk = rows[start : start + COLLECTION_SIZE]
            payload = {
                "allOrNone": False,
                "records": [{"attributes": {"type": obj}, **row} for row in chunk],
            }
            self.calls += 1
            try:
                answer = call(
                    lambda p=payload: self.sf.restful("composite/sobjects", method="PATCH", json=p),
                    idempotent=False,
                )
            except ConnectorError as err:
                if err.code != CONNECTION_LOST:
                    raise
                # Landed or not: the caller reads the records back before sending them again.
                results.extend(
                    WriteResult(row["Id"], False, code=CONNECTION_LOST, message=str(err), retryable=True)
                    for row in chunk
                )
                continue
            results.extend(_result(row["Id"], item) for row, item in zip(chunk, answer, strict=True))
        return results

    def _bulk_update(self, obj: str, rows: list[dict]) -> list[WriteResult]:
        # In a Bulk CSV an empty cell leaves the field alone; #N/A clears it.
        records = [{k: "#N/A" if v is None else v for k, v in row.items()} for row in rows]
        jobs = call(lambda: getattr(self.sf.bulk2, obj).update(records=records, wait=1))
        failed: dict[str, WriteResult] = {}
        for job in jobs:
            self.calls += 6  # create, upload, close, poll, status, failed results
            text = call(lambda j=job["job_id"]: getattr(self.sf.bulk2, obj).get_failed_records(j))
            for item in csv.DictReader(io.StringIO(text)):
                code, _, message = (item.get("sf__Error") or "UNKNOWN").partition(":")
                failed[item["sf__Id"]] = WriteResult(
                    item["sf__Id"],
                    False,
                    code=code,
                    message=message.rstrip(":-"),
                    retryable=code in RETRYABLE_CODES,
                )
        return [failed.get(row["Id"], WriteResult(row["Id"], True)) for row in rows]

    def read_fields(self, obj: str, ids: list[str], fields: list[str]) -> dict[str, dict]:
        """The current values of some fields of some records, by id (to check what arrived)."""
        found: dict[str, dict] = {}
        for start in range(0, len(ids), COLLECTION_SIZE):
            chunk = ids[start : start + COLLECTION_SIZE]
            soql = format_soql(
                "SELECT {:literal} FROM {:literal} WHERE Id IN {}", ", ".join(["Id", *fields]), obj, chunk
            )
            answer = call(lambda q=soql: self.sf.query_all(q))
            self.calls += 1
            for record in answer["records"]:
                found[record["Id"]] = {k: v for k, v in record.items() if k != "attributes"}
        return found


def _result(record_id: str, item: dict) -> WriteResult:
    if item.get("success"):
        return WriteResult(record_id, True)
    errors = item.get("errors") or [{}]
    first = errors[0]
    code = first.get("statusCode", "UNKNOWN")
    return WriteResult(
        record_id,
        False,
        code=code,
        message="; ".join(e.get("message", "") for e in errors),
        fields=tuple(first.get("fields") or ()),
        retryable=code in RETRYABLE_CODES,
    )
