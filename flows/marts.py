"""The last build's marts (people, crm_updates, ...), read where the build wrote them.

On the dev target that is the DuckDB file, read through the caller's own connection (a
flows.warehouse.Warehouse or flows.reading.Reader: the same four questions). On the postgres
target it is the database of dbt_project/profiles.yml (LEADFLOW_PG_*, schema main), while
leadflow's own state (ops.*) stays in the DuckDB file: a mart joined with ops tables (the
write-back queue) is copied into the DuckDB connection first. Queries are written once, with `?`
placeholders, in SQL both engines run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import psycopg2
import pyarrow as pa
from dotenv import dotenv_values

SCHEMA = "main"  # where profiles.yml builds the models, on every target
POSTGRES_TARGET = "postgres"
# What dbt_project/profiles.yml reads from the environment beside the settings the flows set.
PROFILE_VARIABLES = (
    "LEADFLOW_PG_HOST",
    "LEADFLOW_PG_PORT",
    "LEADFLOW_PG_USER",
    "LEADFLOW_PG_PASSWORD",
    "LEADFLOW_PG_DATABASE",
    "LEADFLOW_DBT_THREADS",
)
COPY_ROWS = 50_000  # rows fetched at a time when a mart is copied into DuckDB
# PostgreSQL type oids (pg_type) and their Arrow types, for the copy; others are inferred.
ARROW_TYPES = {
    16: pa.bool_(),
    20: pa.int64(),
    21: pa.int64(),
    23: pa.int64(),
    25: pa.string(),
    1043: pa.string(),
    700: pa.float64(),
    701: pa.float64(),
    1082: pa.date32(),
    1114: pa.timestamp("us"),
}


class MartsUnavailable(RuntimeError):
    """The build's target is one leadflow cannot read the marts of."""


def profile_environment(env_file: Path = Path(".env")) -> None:
    """profiles.yml's variables (the postgres target's server, dbt's threads) from `.env` too, as
    every other setting: dbt reads only the process's environment, which wins."""
    if not env_file.is_file():
        return
    for name, value in dotenv_values(env_file).items():
        if name in PROFILE_VARIABLES and value is not None:
            os.environ.setdefault(name, value)


def postgres_parameters() -> dict:
    """The postgres target's server as profiles.yml reads it (same variables, same defaults)."""
    profile_environment()
    env = os.environ.get
    return {
        "host": env("LEADFLOW_PG_HOST", "127.0.0.1"),
        "port": int(env("LEADFLOW_PG_PORT", "5432")),
        "user": env("LEADFLOW_PG_USER", "leadflow"),
        "password": env("LEADFLOW_PG_PASSWORD", ""),
        "dbname": env("LEADFLOW_PG_DATABASE", "leadflow"),
    }


class PostgresMarts:
    """A read-only connection to the PostgreSQL database the build wrote."""

    def __init__(self, parameters: dict | None = None):
        parameters = parameters or postgres_parameters()
        # Where the marts are, for messages (as Warehouse.path and Reader.path): no password.
        self.path = (
            f"PostgreSQL {parameters['user']}@{parameters['host']}:{parameters['port']}/"
            f"{parameters['dbname']} (schema {SCHEMA})"
        )
        self.con = psycopg2.connect(**parameters, application_name="leadflow")
        self.con.set_session(readonly=True, autocommit=True)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> PostgresMarts:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _execute(self, sql: str, params: list | tuple):
        cursor = self.con.cursor()
        # The queries are written for DuckDB's `?`; psycopg2 reads `%s` (and `%%` for a `%`).
        cursor.execute(sql.replace("%", "%%").replace("?", "%s"), tuple(params))
        return cursor

    def query(self, sql: str, params: list | tuple = ()) -> list[tuple]:
        with self._execute(sql, params) as cursor:
            return cursor.fetchall()

    def records(self, sql: str, params: list | tuple = ()) -> list[dict]:
        """Rows as dicts by column name."""
        with self._execute(sql, params) as cursor:
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def table_exists(self, schema: str, table: str) -> bool:
        return bool(
            self.query(
                "select 1 from information_schema.tables where table_schema = ? and table_name = ?",
                (schema, table),
            )
        )

    def arrow(self, table: str) -> pa.Table:
        """The whole mart as an Arrow table, fetched a batch at a time."""
        with self.con.cursor(name=f"leadflow_copy_{table}", withhold=True) as cursor:
            cursor.itersize = COPY_ROWS
            cursor.execute(f'select * from {SCHEMA}."{table}"')
            batches = []
            while rows := cursor.fetchmany(COPY_ROWS):
                batches.append(_batch(cursor.description, rows))
            if not batches:
                batches.append(_batch(cursor.description, []))
        return pa.Table.from_batches(batches)


def _batch(description, rows: list[tuple]) -> pa.RecordBatch:
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in description]
    pairs = zip(description, columns, strict=True)
    arrays = [pa.array(list(column), ARROW_TYPES.get(d.type_code)) for d, column in pairs]
    return pa.RecordBatch.from_arrays(arrays, names=[d.name for d in description])


@contextmanager
def open_marts(settings, db=None) -> Iterator:
    """The last build's marts: `db` (the DuckDB file, open) on the dev target, else a connection to
    the warehouse the build wrote, closed on leaving."""
    if settings.builds_in_duckdb:
        yield db
        return
    if settings.dbt_target != POSTGRES_TARGET:
        raise MartsUnavailable(
            f"the build runs on dbt target {settings.dbt_target!r}: leadflow reads the marts of the dev "
            f"(DuckDB) and {POSTGRES_TARGET} targets only"
        )
    with PostgresMarts() as marts:
        yield marts


def joinable(marts, db, table: str) -> str | None:
    """`table` as a relation of the DuckDB connection `db`, to join with ops.*: the mart itself when
    the build wrote the DuckDB file, else a temporary copy of the warehouse's rows (the
    connection's own, gone when it closes); None when the build made no such mart."""
    if not marts.table_exists(SCHEMA, table):
        return None
    if marts is db:
        return f"{SCHEMA}.{table}"
    rows = marts.arrow(table)
    with getattr(db, "lock", None) or nullcontext():
        db.con.register("warehouse_rows", rows)
        try:
            db.con.execute(f'create or replace temp table "{table}" as select * from warehouse_rows')
        finally:
            db.con.unregister("warehouse_rows")
    return f'temp.main."{table}"'


@contextmanager
def read_marts(settings, duckdb_path: Path | str) -> Iterator:
    """The last build's marts, for a reader that needs nothing else: the DuckDB file opened read
    only on the dev target (flows.reading.Reader), else the warehouse the build wrote."""
    if settings.builds_in_duckdb:
        from flows.reading import Reader

        with Reader(duckdb_path) as db:
            yield db
        return
    with open_marts(settings) as marts:
        yield marts
