"""What write-back did, kept in DuckDB: intents before a send, results after, in order.

A batch is recorded as `pending` before it is sent and `done` with its results after, so a run
killed in between leaves a pending batch; the next run reads those records back from the CRM
and counts what had arrived as written, instead of sending it twice.
"""

from __future__ import annotations

import json
import uuid

import pyarrow as pa

from connectors.records import WriteResult
from flows.changes import QUEUE, Change, Conflict
from flows.warehouse import Warehouse

NOW = "now() at time zone 'UTC'"


def _arrow(names: list[str], rows: list[tuple]) -> pa.Table:
    """Rows as an Arrow table of text columns (booleans where named `is_*`), for one insert.

    DuckDB binds Python parameters one value at a time (and looks for pandas on each), so a
    batch's rows go in as one registered table instead.
    """
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in names]
    return pa.table(
        {
            name: pa.array(list(col), pa.bool_() if name.startswith("is_") else pa.string())
            for name, col in zip(names, columns, strict=True)
        }
    )


def _with(con, name: str, table: pa.Table, statement: str) -> None:
    con.register(name, table)
    try:
        con.execute(statement)
    finally:
        con.unregister(name)


def open_batch(wh: Warehouse, run_id: str, changes: list[Change]) -> str:
    """Record the intent to send `changes` (one target); return the batch id."""
    batch_id = str(uuid.uuid4())
    first = changes[0]
    body = [{"record_id": c.record_id, "person_id": c.person_id, "fields": c.fields} for c in changes]
    with wh.lock:
        wh.con.execute(
            f"insert into ops.writeback_batches values (?, ?, ?, ?, ?, 'pending', {NOW}, null)",
            (batch_id, run_id, first.vendor, first.object_type, json.dumps(body)),
        )
    return batch_id


def pending_batches(wh: Warehouse) -> list[tuple[str, list[Change]]]:
    """Batches a killed run sent (or was sending) without recording the outcome."""
    out = []
    for batch_id, vendor, obj, body in wh.query(
        "select batch_id, vendor, object_type, changes from ops.writeback_batches "
        "where state = 'pending' order by created_at"
    ):
        changes = [
            Change(
                vendor,
                obj,
                item["record_id"],
                item["person_id"],
                {k: tuple(v) for k, v in item["fields"].items()},
            )
            for item in json.loads(body)
        ]
        out.append((batch_id, changes))
    return out


def close_batch(
    wh: Warehouse,
    batch_id: str,
    run_id: str,
    changes: list[Change],
    results: list[WriteResult],
    state: str = "done",
) -> None:
    """Log what was written, keep each refused record with the vendor's reason: one transaction."""
    by_id = {r.record_id: r for r in results}
    written, values, rejected, resolved = [], [], [], []
    for change in changes:
        result = by_id.get(change.record_id)
        if result is None:
            continue
        if result.ok:
            resolved.append(change.key)
            for name, (old, new) in change.fields.items():
                written.append((run_id, *change.key, name, old, new))
                values.append((*change.key, name, new))
        else:
            rejected.append(_reject_row(change, result))
    with wh.lock:
        con = wh.con
        con.execute("begin")
        try:
            if written:
                names = [
                    "run_id",
                    "vendor",
                    "object_type",
                    "record_id",
                    "field_name",
                    "old_value",
                    "new_value",
                ]
                _with(
                    con,
                    "written",
                    _arrow(names, written),
                    f"insert into ops.writeback_log select *, {NOW} from written",
                )
                names = ["vendor", "object_type", "record_id", "field_name", "value"]
                _with(
                    con,
                    "written_now",
                    _arrow(names, values),
                    f"insert or replace into ops.written_values select *, {NOW} from written_now",
                )
            if resolved:
                _with(
                    con,
                    "resolved",
                    _arrow(["vendor", "object_type", "record_id"], resolved),
                    f"""
                    update ops.rejects set resolved_at = {NOW} from resolved
                    where ops.rejects.vendor = resolved.vendor
                      and ops.rejects.object_type = resolved.object_type
                      and ops.rejects.record_id = resolved.record_id
                      and ops.rejects.resolved_at is null
                    """,
                )
            if rejected:
                _upsert_rejects(con, rejected)
            con.execute(
                f"update ops.writeback_batches set state = ?, finished_at = {NOW} where batch_id = ?",
                (state, batch_id),
            )
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise


def _reject_row(change: Change, result: WriteResult) -> tuple:
    return (
        *change.key,
        json.dumps(change.payload),
        result.code,
        result.message,
        ",".join(result.fields),
        result.retryable,
    )


def _upsert_rejects(con, rejected: list[tuple]) -> None:
    """Keep refused records (a row per record; a later refusal replaces the reason, counts an attempt)."""
    names = ["vendor", "object_type", "record_id", "payload", "code", "message", "fields"]
    _with(
        con,
        "refused",
        _arrow([*names, "is_retryable"], rejected),
        f"""
        insert into ops.rejects
        select *, 1, {NOW}, {NOW}, null from refused
        on conflict (vendor, object_type, record_id) do update set
            payload = excluded.payload, code = excluded.code, message = excluded.message,
            fields = excluded.fields, retryable = excluded.retryable,
            attempts = ops.rejects.attempts + 1,
            last_seen_at = excluded.last_seen_at, resolved_at = null
        """,
    )


def record_refusals(wh: Warehouse, refused: list[tuple[Change, WriteResult]]) -> None:
    """Keep in ops.rejects the records refused before any call (a field off the allow-list)."""
    if not refused:
        return
    with wh.lock:
        _upsert_rejects(wh.con, [_reject_row(change, result) for change, result in refused])


def close_unqueued_rejects(wh: Warehouse, queue: str | None = QUEUE) -> int:
    """Close the open rejects of records the queue no longer holds; return how many.

    A record deleted in the CRM, or whose values now agree with leadflow's, leaves nothing to
    retry: its row stays in ops.rejects, with resolved_at set, instead of staying open for ever.
    `queue`: as for flows.changes.pending_changes.
    """
    if queue is None or (queue == QUEUE and not wh.table_exists("main", "crm_updates")):
        return 0
    with wh.lock:
        return wh.con.execute(
            f"""
            update ops.rejects set resolved_at = {NOW}
            where resolved_at is null and not exists (
                select 1 from {queue} q
                where q.vendor = ops.rejects.vendor and q.object_type = ops.rejects.object_type
                  and q.record_id = ops.rejects.record_id
            )
            """
        ).fetchone()[0]


def record_conflicts(wh: Warehouse, conflicts: list[Conflict]) -> None:
    rows = [
        (c.vendor, c.object_type, c.record_id, c.field_name, c.written_value, c.crm_value, c.wanted_value)
        for c in conflicts
    ]
    if not rows:
        return
    with wh.lock:
        wh.con.executemany(
            f"""
            insert into ops.conflicts values (?, ?, ?, ?, ?, ?, ?, {NOW}, {NOW})
            on conflict (vendor, object_type, record_id, field_name) do update set
                written_value = excluded.written_value, crm_value = excluded.crm_value,
                wanted_value = excluded.wanted_value, last_seen_at = excluded.last_seen_at
            """,
            rows,
        )
