"""Raw tables in PostgreSQL (LEADFLOW_RAW_URL): the landing contract of flows/warehouse.py, by COPY.

A page goes in with one COPY into a temporary table, then one merge by id, its watermark and
resume position in the same transaction: the same semantics as the DuckDB landing (a record
held with the same modification time and body is left untouched; watermarks only move forward).
"""

from __future__ import annotations

import io
import json
import threading
from datetime import UTC, datetime

import psycopg2

from connectors.records import RawRecord

STATE = """
create schema if not exists ops;
create table if not exists ops.watermarks (
    source varchar, object varchar, watermark timestamp, updated_at timestamp,
    primary key (source, object)
);
create table if not exists ops.cursors (
    source varchar, object varchar, position jsonb, updated_at timestamp,
    primary key (source, object)
);
"""

RAW_TABLE = """
create table if not exists {table} (
    id varchar primary key, modified_at timestamp, is_deleted boolean, record jsonb,
    _loaded_at timestamp
)
"""

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_field(value) -> str:
    """One field in COPY's text format: \\N for null, backslash escapes for the separators."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value).translate(_ESCAPES)


def _naive(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


class PostgresLanding:
    """One connection to the warehouse; raw pages, watermarks and resume positions."""

    def __init__(self, url: str):
        self.con = psycopg2.connect(url, application_name="leadflow-extract")
        self.lock = threading.RLock()
        with self.con, self.con.cursor() as cur:
            # Two workers creating the schema at once would race on the catalog.
            cur.execute("select pg_advisory_xact_lock(hashtext('leadflow.ops'))")
            cur.execute(STATE)

    def close(self) -> None:
        with self.lock:
            self.con.close()

    def query(self, sql: str, params: list | tuple = ()) -> list[tuple]:
        with self.lock, self.con, self.con.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else []

    def table_exists(self, schema: str, table: str) -> bool:
        return bool(
            self.query(
                "select 1 from information_schema.tables where table_schema = %s and table_name = %s",
                (schema, table),
            )
        )

    def watermark(self, source: str, obj: str) -> datetime | None:
        rows = self.query(
            "select watermark from ops.watermarks where source = %s and object = %s", (source, obj)
        )
        return rows[0][0].replace(tzinfo=UTC) if rows and rows[0][0] else None

    def resume_position(self, source: str, obj: str) -> dict | None:
        rows = self.query("select position from ops.cursors where source = %s and object = %s", (source, obj))
        return rows[0][0] if rows else None

    def clear_resume(self, source: str, obj: str) -> None:
        self.query("delete from ops.cursors where source = %s and object = %s", (source, obj))

    def reset_watermark(self, source: str, obj: str) -> None:
        self.query("delete from ops.watermarks where source = %s and object = %s", (source, obj))

    def live_count(self, schema: str, table: str) -> int:
        if not self.table_exists(schema, table):
            return 0
        return self.query(f'select count(*) from "{schema}"."{table}" where not is_deleted')[0][0]

    def land(
        self,
        schema: str,
        table: str,
        latest: dict[str, RawRecord],
        source: str,
        obj: str,
        checkpoint: datetime | None,
        resume: dict | None,
    ) -> tuple[int, int]:
        """Merge a page (one record per id) by COPY; (new, changed) ids."""
        target = f'"{schema}"."{table}"'
        buffer = io.StringIO()
        for rid, rec in latest.items():
            record = json.dumps(rec.record, separators=(",", ":"))
            fields = (rid, _naive(rec.modified_at), rec.is_deleted, record)
            buffer.write("\t".join(copy_field(f) for f in fields) + "\n")
        buffer.seek(0)
        new = changed = 0
        with self.lock, self.con, self.con.cursor() as cur:
            # One landing transaction per object at a time, whichever worker runs it.
            cur.execute("select pg_advisory_xact_lock(hashtext(%s))", (f"leadflow.{source}.{obj}",))
            cur.execute(f'create schema if not exists "{schema}"')
            cur.execute(RAW_TABLE.format(table=target))
            if latest:
                cur.execute(
                    "create temporary table incoming (id varchar, modified_at timestamp, "
                    "is_deleted boolean, record text) on commit drop"
                )
                cur.copy_expert("copy incoming from stdin", buffer)
                # xmax is 0 for a row this statement inserted, set for one it updated.
                cur.execute(
                    f"""
                    insert into {target} as held
                    select id, modified_at, is_deleted, record::jsonb, now() at time zone 'UTC'
                    from incoming
                    on conflict (id) do update set
                        modified_at = excluded.modified_at, is_deleted = excluded.is_deleted,
                        record = excluded.record, _loaded_at = excluded._loaded_at
                    where held.modified_at is distinct from excluded.modified_at
                       or held.is_deleted is distinct from excluded.is_deleted
                       or held.record is distinct from excluded.record
                    returning (xmax = 0)
                    """
                )
                inserted = [row[0] for row in cur.fetchall()]
                new = sum(inserted)
                changed = len(inserted) - new
            if resume is not None:
                cur.execute(
                    """
                    insert into ops.cursors values (%s, %s, %s, now() at time zone 'UTC')
                    on conflict (source, object) do update set
                        position = excluded.position, updated_at = excluded.updated_at
                    """,
                    (source, obj, json.dumps(resume)),
                )
            if checkpoint is not None:
                cur.execute(
                    """
                    insert into ops.watermarks values (%s, %s, %s, now() at time zone 'UTC')
                    on conflict (source, object) do update set
                        watermark = greatest(ops.watermarks.watermark, excluded.watermark),
                        updated_at = excluded.updated_at
                    """,
                    (source, obj, _naive(checkpoint)),
                )
        return new, changed
