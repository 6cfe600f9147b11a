"""Writing to Salesforce: the custom fields leadflow needs, and updates in sObject Collections."""

from __future__ import annotations

from collections.abc import Iterable

from simple_salesforce import Salesforce

from ..errors import ConnectorError
from ..records import WriteResult
from .client import SalesforceConfig, call, connect
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
        """Update records given as {"Id": ..., field: value}; one result per row, in order."""
        for row in rows:
            extra = set(row) - WRITABLE_FIELDS - {"Id"}
            if extra:
                raise ValueError(f"{obj} {row.get('Id')}: fields not on the allow-list: {extra}")
        results: list[WriteResult] = []
        for start in range(0, len(rows), COLLECTION_SIZE):
            chunk = rows[start : start + COLLECTION_SIZE]
            payload = {
                "allOrNone": False,
                "records": [{"attributes": {"type": obj}, **row} for row in chunk],
            }
            answer = call(lambda p=payload: self.sf.restful("composite/sobjects", method="PATCH", json=p))
            self.calls += 1
            results.extend(_result(row["Id"], item) for row, item in zip(chunk, answer, strict=True))
        return results


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
