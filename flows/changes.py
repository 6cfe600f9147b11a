"""The write-back queue as records to send, and what happened to them (no Prefect here)."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from connectors.records import WriteResult
from connectors.salesforce.settings import NUMBER_FIELDS
from flows.warehouse import Warehouse

QUEUE = "main.crm_updates"


@dataclass
class Change:
    """All field changes of one CRM record."""

    vendor: str
    object_type: str
    record_id: str
    person_id: str | None
    fields: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # old, new

    @property
    def payload(self) -> dict:
        return {name: new for name, (_, new) in sorted(self.fields.items())}

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(self.payload, sort_keys=True).encode()).hexdigest()[:16]

    def salesforce_row(self) -> dict:
        row: dict = {"Id": self.record_id}
        for name, value in self.payload.items():
            if value is None or value == "":
                row[name] = None
            elif name in NUMBER_FIELDS:
                row[name] = int(float(value))
            else:
                row[name] = value
        return row

    def hubspot_row(self) -> dict:
        # HubSpot clears a property with an empty string.
        return {"id": self.record_id, "properties": {k: v or "" for k, v in self.payload.items()}}


def pending_changes(wh: Warehouse, only: str | None = None) -> list[Change]:
    """Rows of the dbt queue grouped by record, minus those refused before for the same values."""
    if not wh.table_exists("main", "crm_updates"):
        return []
    rows = wh.query(
        f"""
        select vendor, object_type, record_id, person_id, field_name, current_value, new_value
        from {QUEUE}
        where ? is null or vendor = ?
        order by vendor, object_type, record_id, field_name
        """,
        (only, only),
    )
    grouped: dict[tuple[str, str, str], Change] = {}
    for vendor, obj, rid, person, name, old, new in rows:
        change = grouped.setdefault((vendor, obj, rid), Change(vendor, obj, rid, person))
        change.fields[name] = (old, new)
    refused = {
        (v, o, r): payload
        for v, o, r, payload in wh.query(
            "select vendor, object_type, record_id, payload from ops.rejects "
            "where resolved_at is null and not retryable"
        )
    }
    keep = []
    for key, change in grouped.items():
        # A validation error is not retried blindly: only once leadflow's values change.
        if key in refused and json.loads(refused[key]) == change.payload:
            continue
        keep.append(change)
    return keep


def record_results(wh: Warehouse, run_id: str, changes: list[Change], results: list[WriteResult]) -> None:
    """Log what was written; keep each refused record with the vendor's reason, for retry."""
    by_id = {r.record_id: r for r in results}
    written, rejected, resolved = [], [], []
    for change in changes:
        result = by_id.get(change.record_id)
        if result is None:
            continue
        key = (change.vendor, change.object_type, change.record_id)
        if result.ok:
            resolved.append(key)
            written.extend((run_id, *key, name, old, new) for name, (old, new) in change.fields.items())
        else:
            rejected.append(
                (
                    *key,
                    json.dumps(change.payload),
                    result.code,
                    result.message,
                    ",".join(result.fields),
                    result.retryable,
                )
            )
    with wh.lock:
        con = wh.con
        con.execute("begin")
        if written:
            con.executemany(
                "insert into ops.writeback_log values (?, ?, ?, ?, ?, ?, ?, now() at time zone 'UTC')",
                written,
            )
        if resolved:
            con.executemany(
                "update ops.rejects set resolved_at = now() at time zone 'UTC' "
                "where vendor = ? and object_type = ? and record_id = ? and resolved_at is null",
                resolved,
            )
        if rejected:
            con.executemany(
                """
                insert into ops.rejects values
                    (?, ?, ?, ?, ?, ?, ?, ?, 1, now() at time zone 'UTC', now() at time zone 'UTC', null)
                on conflict (vendor, object_type, record_id) do update set
                    payload = excluded.payload, code = excluded.code, message = excluded.message,
                    fields = excluded.fields, retryable = excluded.retryable,
                    attempts = ops.rejects.attempts + 1,
                    last_seen_at = excluded.last_seen_at, resolved_at = null
                """,
                rejected,
            )
        con.execute("commit")


def by_target(changes: list[Change]) -> dict[tuple[str, str], list[Change]]:
    groups: dict[tuple[str, str], list[Change]] = defaultdict(list)
    for change in changes:
        groups[(change.vendor, change.object_type)].append(change)
    return dict(groups)
