"""The seeds (the rules a marketer edits, dbt_project/seeds/*.csv) load when they changed.

Every `dbt build` loads each seed again and runs its tests: 22 seeds and 45 tests, a fifth of the
nightly's nodes and about 2.5 s of dbt's own work per night, for files that rarely change. The
build flow leaves them out (`SKIP_SEEDS`) when both hold:

- their files are as they were at the last load that succeeded (`files_fingerprint`: the CSVs
  and the YAML beside them, dbt_project.yml, and the versions of dbt and its DuckDB adapter);
- the seed tables are as that load left them (`tables_hash`): none missing, none edited by hand.

Otherwise, and on a full refresh, the build loads them all, and `record` keeps both once the
build succeeded. Tests that read a seed beside a model (relationships to a seed) still run.
No Prefect here: bench/dbt_build.py makes the same choice for the nightly it times.
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

import duckdb

SEED_LOADS = """
create schema if not exists ops;
create table if not exists ops.seed_loads (
    fingerprint varchar, tables_hash varchar, loaded_at timestamp
);
"""

# Appended to `--exclude`: the seeds, and (cautious indirect selection) the tests that read only
# seeds; a test of a model against a seed keeps running.
SKIP_SEEDS = ("resource_type:seed",)
SKIP_SEEDS_FLAGS = ("--indirect-selection", "cautious")


def seed_names(project: Path) -> list[str]:
    """The seeds' names: their CSV files' stems (the tables dbt loads them into)."""
    return sorted(path.stem for path in (project / "seeds").rglob("*.csv"))


def files_fingerprint(project: Path) -> str:
    """What the seed tables are loaded from: every file under seeds/ (name and bytes), the
    project file (seed settings live there too) and the dbt versions that load them."""
    digest = hashlib.sha256()
    files = sorted(path for path in (project / "seeds").rglob("*") if path.is_file())
    for path in [*files, project / "dbt_project.yml"]:
        digest.update(path.relative_to(project).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    for package in ("dbt-core", "dbt-duckdb"):
        try:
            digest.update(f"{package}={metadata.version(package)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package}=\0".encode())
    return digest.hexdigest()


def tables_hash(con: duckdb.DuckDBPyConnection, project: Path, schema: str = "main") -> str | None:
    """The seed tables' rows, hashed (each table's rows as text, sorted); None if one is missing."""
    names = seed_names(project)
    present = {
        name
        for (name,) in con.execute(
            "select table_name from duckdb_tables() "
            "where schema_name = ? and database_name = current_database()",
            [schema],
        ).fetchall()
    }
    if not names or not set(names) <= present:
        return None
    parts = " union all ".join(
        f"select '{name}' as seed, "
        f"md5(coalesce(string_agg(cast(t as varchar), '|' order by cast(t as varchar)), '')) as rows "
        f'from {schema}."{name}" as t'
        for name in names
    )
    rows = con.execute(f"select string_agg(seed || ':' || rows, ';' order by seed) from ({parts})").fetchone()
    return hashlib.sha256(rows[0].encode()).hexdigest()


def unchanged(con: duckdb.DuckDBPyConnection, project: Path) -> bool:
    """Whether the last load that succeeded is still in the tables and the files (see above). A
    seed table missing is a change, whatever was recorded."""
    con.execute(SEED_LOADS)
    last = con.execute("select fingerprint, tables_hash from ops.seed_loads").fetchone()
    now = tables_hash(con, project)
    return now is not None and last == (files_fingerprint(project), now)


def record(con: duckdb.DuckDBPyConnection, project: Path) -> None:
    """After a build that loaded the seeds and succeeded: what it loaded them from, and into."""
    con.execute(SEED_LOADS)
    fingerprint, loaded = files_fingerprint(project), tables_hash(con, project)
    if loaded is None:  # a CSV dbt does not load (disabled): nothing to rely on
        return
    con.execute("begin")
    con.execute("delete from ops.seed_loads")
    con.execute("insert into ops.seed_loads values (?, ?, now()::timestamp)", [fingerprint, loaded])
    con.execute("commit")


def build_args(args: list[str], skip: bool) -> list[str]:
    """`dbt build`'s arguments (with an `--exclude`), the seeds left out when `skip`."""
    if not skip:
        return list(args)
    if "--exclude" not in args:
        return [*args, "--exclude", *SKIP_SEEDS, *SKIP_SEEDS_FLAGS]
    at = args.index("--exclude") + 1
    while at < len(args) and not args[at].startswith("--"):
        at += 1
    return [*args[:at], *SKIP_SEEDS, *args[at:], *SKIP_SEEDS_FLAGS]
