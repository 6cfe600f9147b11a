"""The DuckDB file: raw tables the connectors fill, and leadflow's own state beside them.

With a raw URL (LEADFLOW_RAW_URL, PostgreSQL) the raw tables, watermarks and resume positions
live in that warehouse instead (flows/landing_postgres.py); the rest of ops stays in DuckDB.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from connectors.records import RawRecord

STATE = """
create schema if not exists ops;
create table if not exists ops.watermarks (
    source varchar, object varchar, watermark timestamp, updated_at timestamp,
    primary key (source, object)
);
create table if not exists ops.runs (
    run_id varchar primary key, flow varchar, started_at timestamp, finished_at timestamp,
    status varchar, summary json
);
create table if not exists ops.builds (
    started_at timestamp, finished_at timestamp, success boolean
);
create table if not exists ops.cursors (
    source varchar, object varchar, position json, updated_at timestamp,
    primary key (source, object)
);
create table if not exists ops.extract_log (
    run_id varchar, source varchar, object varchar, started_at timestamp,
    finished_at timestamp, status varchar, message varchar, pages integer, records integer,
    new_records integer, changed_records integer, api_calls integer,
    watermark_before timestamp, watermark_after timestamp,
    source_count bigint, warehouse_count bigint, count_difference bigint
);
create table if not exists ops.writeback_log (
    run_id varchar, vendor varchar, object_type varchar, record_id varchar,
    field_name varchar, old_value varchar, new_value varchar, written_at timestamp
);
create table if not exists ops.written_values (
    vendor varchar, object_type varchar, record_id varchar, field_name varchar, value varchar,
    written_at timestamp, primary key (vendor, object_type, record_id, field_name)
);
create table if not exists ops.writeback_batches (
    batch_id varchar primary key, run_id varchar, vendor varchar, object_type varchar,
    changes json, state varchar, created_at timestamp, finished_at timestamp
);
create table if not exists ops.conflicts (
    vendor varchar, object_type varchar, record_id varchar, field_name varchar,
    written_value varchar, crm_value varchar, wanted_value varchar, first_seen_at timestamp,
    last_seen_at timestamp, primary key (vendor, object_type, record_id, field_name)
);
create table if not exists ops.rejects (
    vendor varchar, object_type varchar, record_id varchar, payload json, code varchar,
    message varchar, fields varchar, retryable boolean, attempts integer,
    first_seen_at timestamp, last_seen_at timestamp, resolved_at timestamp,
    primary key (vendor, object_type, record_id)
);
create table if not exists ops.run_failures (
    run_id varchar, flow varchar, run_name varchar, deployment_id varchar, failed_at timestamp,
    state varchar, error varchar, message varchar
);
"""

# DuckDB's own default for max_vacuum_tasks: what compact() turns vacuuming back on with.
VACUUM_TASKS = 100

RAW_TABLE = """
create table if not exists {table} (
    id varchar primary key, modified_at timestamp, is_deleted boolean, record json,
    _loaded_at timestamp
)
"""


def compact(con: duckdb.DuckDBPyConnection) -> float:
    """Vacuum the database now; its seconds.

    leadflow's connections, dbt's among them (profiles.yml), run with DuckDB's vacuum off
    (max_vacuum_tasks 0): a nightly's deletes and small appends would otherwise make each
    checkpoint during the build rewrite the last row groups of every table kept up to date
    (about 3 s at 1,000,000 people, BENCHMARKS.md). The nightly and the build flow call this once
    at their end instead: a checkpoint with vacuuming on merges what they left. A checkpoint of
    a database with nothing to write does nothing, so the run is recorded first
    (ops.compactions), which also tells when the database was last compacted."""
    con.execute("create schema if not exists ops")
    con.execute("create table if not exists ops.compactions (started_at timestamp, seconds double)")
    con.execute("insert into ops.compactions values (?, null)", [utc_naive(datetime.now(UTC))])
    con.execute(f"set max_vacuum_tasks = {VACUUM_TASKS}")
    started = time.perf_counter()
    try:
        con.execute("force checkpoint")
    finally:
        con.execute("set max_vacuum_tasks = 0")
    seconds = time.perf_counter() - started
    con.execute("update ops.compactions set seconds = ? where seconds is null", [round(seconds, 3)])
    return seconds


def utc_naive(moment: datetime | None) -> datetime | None:
    """DuckDB TIMESTAMP columns hold UTC without a zone."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


@dataclass
class Landed:
    records: int = 0
    new: int = 0
    changed: int = 0


class Warehouse:
    """One DuckDB connection; every write takes the lock, so extract tasks may share it."""

    def __init__(self, path: Path | str, wait_seconds: float = 600.0, raw_url: str | None = None):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = self._connect(wait_seconds)
        self.lock = threading.RLock()
        self.con.execute(STATE)
        self.raw = None
        if raw_url:
            from flows.landing_postgres import PostgresLanding

            self.raw = PostgresLanding(raw_url)

    def _connect(self, wait_seconds: float) -> duckdb.DuckDBPyConnection:
        """Open the file, waiting while another leadflow process holds it (one writer per file)."""
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                con = duckdb.connect(str(self.path))
                # Vacuuming waits for compact() at the end of the nightly or the build.
                con.execute("set max_vacuum_tasks = 0")
                return con
            except duckdb.IOException as err:
                if "lock" not in str(err).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(1.0)

    def close(self) -> None:
        with self.lock:
            self.con.close()
        if self.raw is not None:
            self.raw.close()

    def compact(self) -> float:
        """compact() on this connection."""
        with self.lock:
            return compact(self.con)

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def query(self, sql: str, params: list | tuple = ()) -> list[tuple]:
        with self.lock:
            return self.con.execute(sql, params).fetchall()

    def records(self, sql: str, params: list | tuple = ()) -> list[dict]:
        """Rows as dicts by column name."""
        with self.lock:
            cursor = self.con.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def table_exists(self, schema: str, table: str) -> bool:
        rows = self.query(
            "select 1 from information_schema.tables where table_schema = ? and table_name = ?",
            (schema, table),
        )
        return bool(rows)

    # -- watermarks ------------------------------------------------------------------------------

    def watermark(self, source: str, obj: str) -> datetime | None:
        if self.raw is not None:
            return self.raw.watermark(source, obj)
        rows = self.query(
            "select watermark from ops.watermarks where source = ? and object = ?",
            (source, obj),
        )
        return rows[0][0].replace(tzinfo=UTC) if rows and rows[0][0] else None

    def resume_position(self, source: str, obj: str) -> dict | None:
        if self.raw is not None:
            return self.raw.resume_position(source, obj)
        rows = self.query("select position from ops.cursors where source = ? and object = ?", (source, obj))
        return json.loads(rows[0][0]) if rows else None

    def clear_resume(self, source: str, obj: str) -> None:
        if self.raw is not None:
            self.raw.clear_resume(source, obj)
        with self.lock:
            self.con.execute("delete from ops.cursors where source = ? and object = ?", (source, obj))

    def live_count(self, schema: str, table: str) -> int | None:
        if self.raw is not None:
            return self.raw.live_count(schema, table)
        if not self.table_exists(schema, table):
            return 0
        return self.query(f'select count(*) from "{schema}"."{table}" where not is_deleted')[0][0]

    def log_extract(self, row: dict) -> None:
        columns = ", ".join(row)
        marks = ", ".join("?" * len(row))
        with self.lock:
            self.con.execute(f"insert into ops.extract_log ({columns}) values ({marks})", list(row.values()))

    def reset_watermark(self, source: str, obj: str) -> None:
        if self.raw is not None:
            self.raw.reset_watermark(source, obj)
        with self.lock:
            self.con.execute("delete from ops.watermarks where source = ? and object = ?", (source, obj))

    # -- landing ---------------------------------------------------------------------------------

    def land(
        self,
        schema: str,
        table: str,
        records: list[RawRecord],
        source: str,
        obj: str,
        checkpoint: datetime | None = None,
        resume: dict | None = None,
    ) -> Landed:
        """Merge a page by id and move the watermark forward, in one transaction.

        A record already held with the same modification time and body is left untouched,
        so re-reading an overlap window changes nothing.
        """
        latest: dict[str, RawRecord] = {}
        for rec in records:  # one id twice in a page: keep the newest
            held = latest.get(rec.id)
            if held is None or (rec.modified_at or datetime.min.replace(tzinfo=UTC)) >= (
                held.modified_at or datetime.min.replace(tzinfo=UTC)
            ):
                latest[rec.id] = rec
        if self.raw is not None:
            new, changed = self.raw.land(schema, table, latest, source, obj, checkpoint, resume)
            if checkpoint is not None:
                self._mirror_watermark(source, obj, self.raw.watermark(source, obj))
            return Landed(records=len(latest), new=new, changed=changed)
        target = f'"{schema}"."{table}"'
        incoming = pa.table(
            {
                "id": pa.array(list(latest), pa.string()),
                "modified_at": pa.array(
                    [utc_naive(r.modified_at) for r in latest.values()], pa.timestamp("us")
                ),
                "is_deleted": pa.array([r.is_deleted for r in latest.values()], pa.bool_()),
                "record": pa.array(
                    [json.dumps(r.record, separators=(",", ":")) for r in latest.values()],
                    pa.string(),
                ),
            }
        )
        landed = Landed(records=len(latest))
        with self.lock:
            con = self.con
            con.execute("begin")
            try:
                con.execute(f'create schema if not exists "{schema}"')
                con.execute(RAW_TABLE.format(table=target))
                con.register("incoming", incoming)
                if latest:
                    # New ids are the rows the table gained: a count is kept per row group, while
                    # `id not in (select id from target)` read every id held (0.4 s a page at 10M).
                    held = con.execute(f"select count(*) from {target}").fetchone()[0]
                    touched = con.execute(
                        f"""
                        insert into {target}
                        select id, modified_at, is_deleted, record::json, now() at time zone 'UTC'
                        from incoming
                        on conflict (id) do update set
                            modified_at = excluded.modified_at, is_deleted = excluded.is_deleted,
                            record = excluded.record, _loaded_at = excluded._loaded_at
                        where {target}.modified_at is distinct from excluded.modified_at
                           or {target}.is_deleted is distinct from excluded.is_deleted
                           or {target}.record::varchar is distinct from excluded.record::varchar
                        returning id
                        """
                    ).fetchall()
                    landed.new = con.execute(f"select count(*) from {target}").fetchone()[0] - held
                    landed.changed = len(touched) - landed.new
                con.unregister("incoming")
                if resume is not None:
                    con.execute(
                        "insert or replace into ops.cursors values (?, ?, ?, now() at time zone 'UTC')",
                        (source, obj, json.dumps(resume)),
                    )
                if checkpoint is not None:
                    con.execute(
                        """
                        insert into ops.watermarks values (?, ?, ?, now() at time zone 'UTC')
                        on conflict (source, object) do update set
                            watermark = greatest(ops.watermarks.watermark, excluded.watermark),
                            updated_at = excluded.updated_at
                        """,
                        (source, obj, utc_naive(checkpoint)),
                    )
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise
        return landed

    def _mirror_watermark(self, source: str, obj: str, watermark: datetime | None) -> None:
        """A copy of the warehouse's watermark for `leadflow status`; the extract reads the warehouse's."""
        with self.lock:
            self.con.execute(
                "insert or replace into ops.watermarks values (?, ?, ?, now() at time zone 'UTC')",
                (source, obj, utc_naive(watermark)),
            )
