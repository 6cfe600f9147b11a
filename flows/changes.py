"""The write-back queue as records to send: grouped, held back where refused or contested."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from connectors.hubspot.settings import WRITABLE_PROPERTIES
from connectors.records import WriteResult
from connectors.salesforce.settings import NUMBER_FIELDS, WRITABLE_FIELDS, WRITEBACK_OBJECTS
from flows.warehouse import Warehouse

QUEUE = "main.crm_updates"
# What write-back may touch, per vendor: objects, and fields of theirs (the connectors' allow-lists).
ALLOWED = {
    "salesforce": (frozenset(WRITEBACK_OBJECTS), WRITABLE_FIELDS),
    "hubspot": (frozenset({"contacts"}), WRITABLE_PROPERTIES),
}
NOT_ALLOWED = "FIELD_NOT_ALLOWED"


@dataclass
class Change:
    """All field changes of one CRM record."""

    vendor: str
    object_type: str
    record_id: str
    person_id: str | None
    fields: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # old, new
    clear_first: set[str] = field(default_factory=set)  # HubSpot stage moving back: clear, then set

    @property
    def key(self) -> tuple[str, str, str]:
        return self.vendor, self.object_type, self.record_id

    @property
    def payload(self) -> dict:
        return {name: new for name, (_, new) in sorted(self.fields.items())}

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

    def row(self) -> dict:
        return self.salesforce_row() if self.vendor == "salesforce" else self.hubspot_row()

    def clearing_row(self) -> dict | None:
        """The update that empties the fields HubSpot only lets go back once cleared."""
        if not self.clear_first:
            return None
        return {"id": self.record_id, "properties": {name: "" for name in sorted(self.clear_first)}}


def same_value(crm, ours: str | None) -> bool:
    """Does the CRM's value equal leadflow's (Salesforce numbers come back as 42.0)?"""
    if crm in (None, "") or ours in (None, ""):
        return crm in (None, "") and ours in (None, "")
    try:
        return float(crm) == float(ours)
    except (TypeError, ValueError):
        return str(crm) == str(ours)


@dataclass
class Conflict:
    vendor: str
    object_type: str
    record_id: str
    field_name: str
    written_value: str | None  # what leadflow wrote last
    crm_value: str | None  # what someone has set since
    wanted_value: str | None  # what leadflow would write now


def pending_changes(
    wh: Warehouse,
    only: str | None = None,
    protected: frozenset[str] = frozenset(),
    queue: str | None = QUEUE,
) -> tuple[list[Change], list[Conflict]]:
    """The dbt queue grouped by record, minus refused values and fields a person has taken over.

    A protected field (owner, stage) that someone changed in the CRM after leadflow last wrote
    it is left as they set it; the disagreement is returned as a conflict. A value leadflow has
    written since the queue was built is not sent again (a write-back run after a killed one).
    `queue` is the build's queue as a relation of `wh` (flows.marts.joinable: a copy when the build
    ran on another warehouse); None: the build made none.
    """
    if queue is None or (queue == QUEUE and not wh.table_exists("main", "crm_updates")):
        return [], []
    rows = wh.query(
        f"""
        select q.vendor, q.object_type, q.record_id, q.person_id, q.field_name, q.current_value,
               q.new_value, q.clear_first, w.value as written_value, w.record_id is not null as was_written,
               w.written_at >= (select max(started_at) from ops.builds where success) as since_build
        from {queue} q
        left join ops.written_values w using (vendor, object_type, record_id, field_name)
        where ? is null or q.vendor = ?
        order by q.vendor, q.object_type, q.record_id, q.field_name
        """,
        (only, only),
    )
    grouped: dict[tuple[str, str, str], Change] = {}
    conflicts: list[Conflict] = []
    for vendor, obj, rid, person, name, old, new, clear, written, was_written, since_build in rows:
        if since_build and same_value(written, new):
            continue
        if name in protected and was_written and not same_value(old, written):
            conflicts.append(Conflict(vendor, obj, rid, name, written, old, new))
            continue
        change = grouped.setdefault((vendor, obj, rid), Change(vendor, obj, rid, person))
        change.fields[name] = (old, new)
        if clear:
            change.clear_first.add(name)
    refused = {
        (v, o, r): json.loads(payload)
        for v, o, r, payload in wh.query(
            "select vendor, object_type, record_id, payload from ops.rejects "
            "where resolved_at is null and not retryable"
        )
    }
    # A validation error is not retried blindly: only once leadflow's values change.
    keep = [c for key, c in grouped.items() if refused.get(key) != c.payload]
    return keep, conflicts


def split_allowed(changes: list[Change]) -> tuple[list[Change], list[tuple[Change, WriteResult]]]:
    """The changes write-back may send, and the others refused before any call.

    A queue row for a field (or object) off the allow-list is a fault in the rules, not in the
    record: the whole record is held back and kept in ops.rejects, the rest go on.
    """
    allowed, refused = [], []
    for change in changes:
        objects, fields = ALLOWED.get(change.vendor, (frozenset(), frozenset()))
        off = sorted(set(change.fields) - fields) if change.object_type in objects else sorted(change.fields)
        if not off:
            allowed.append(change)
            continue
        where = f"{change.vendor} {change.object_type}"
        message = f"{where}: not on leadflow's write-back allow-list: {', '.join(off)}"
        refused.append((change, WriteResult(change.record_id, False, NOT_ALLOWED, message, tuple(off))))
    return allowed, refused


def by_target(changes: list[Change]) -> dict[tuple[str, str], list[Change]]:
    groups: dict[tuple[str, str], list[Change]] = defaultdict(list)
    for change in changes:
        groups[(change.vendor, change.object_type)].append(change)
    return dict(groups)
