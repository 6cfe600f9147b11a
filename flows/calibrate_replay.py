"""History scored again under other seeds, by the dbt models that score it every night.

A replay never writes to the warehouse: dbt builds into a scratch DuckDB file in a temporary
folder, which attaches the warehouse read-only and sees each of its tables and views through a
view of the same name. The scratch project is the dbt project with the given seeds; dbt seeds
them and rebuilds, from scratch (--full-refresh), every model between the seeds and `people`
except the owner models (owners do not score). The staging tables and the raw data are read
where they are. dbt runs in a process of its own: it keeps its DuckDB connections open, and the
scratch file and the warehouse are let go when the replay ends.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import yaml

# Owners are decided after the score and never feed it: left as the last build decided them.
OWNER_MODELS = (
    "int_owner_assignment",
    "int_mql_sla",
    "int_business_calendar",
    "int_routing_current_owners",
    "int_routing_owners",
    "int_routing_rotation_state",
)
DBT = "import sys; from dbt.cli.main import cli; sys.exit(cli())"


class ReplayError(RuntimeError):
    """dbt could not replay the history (the message says which model and why)."""


@dataclass
class Replay:
    """Everyone's score and tier as of the run date, and when their score first reached the MQL threshold."""

    scores: dict[str, tuple[int | None, str | None]]
    mql_reached: dict[str, datetime]


def replay(duckdb_path: Path, seeds_dir: Path, project_dir: Path, as_of: date) -> Replay:
    """Score the warehouse's history with `seeds_dir`'s rules as of `as_of`; nothing is written to it."""
    duckdb_path = Path(duckdb_path).resolve()
    with tempfile.TemporaryDirectory(prefix="leadflow-replay-") as scratch:
        scratch = Path(scratch)
        project = scratch / "project"
        shutil.copytree(project_dir, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
        shutil.rmtree(project / "seeds")
        shutil.copytree(seeds_dir, project / "seeds")
        # Named after the warehouse, not as it: the warehouse's views name their tables by its name.
        database = scratch / f"{duckdb_path.stem}_replay.duckdb"
        _write_profile(project, database, duckdb_path)
        _mirror(database, duckdb_path, {p.stem for p in (project / "seeds").glob("*.csv")})
        run_dbt(
            [
                "build",
                "--full-refresh",
                "--select",
                "+people,resource_type:seed+",
                "--exclude",
                *OWNER_MODELS,
                "--exclude-resource-type",
                "test",
                "--exclude-resource-type",
                "unit_test",
                "--exclude-resource-type",
                "snapshot",
                "--vars",
                json.dumps({"as_of": as_of.isoformat()}),
                "--project-dir",
                str(project),
                "--profiles-dir",
                str(project),
                "--target-path",
                str(scratch / "target"),
                "--log-path",
                str(scratch / "logs"),
            ]
        )
        return _read(database)


def run_dbt(args: list[str], env: dict[str, str] | None = None) -> None:
    """One dbt command in a process of its own; ReplayError with dbt's errors if it fails."""
    done = subprocess.run(
        [sys.executable, "-c", DBT, *args, "--no-use-colors"],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        lines = (done.stdout + done.stderr).splitlines()
        errors = [line for line in lines if "Error" in line or "error" in line] or lines[-10:]
        raise ReplayError(f"dbt {args[0]} failed: " + " | ".join(e.strip() for e in errors[-6:]))


def _write_profile(project: Path, database: Path, warehouse: Path) -> None:
    """The project's own profile (its settings) on the scratch file, the warehouse attached read-only."""
    name = yaml.safe_load((project / "dbt_project.yml").read_text())["profile"]
    profile = yaml.safe_load((project / "profiles.yml").read_text())[name]
    # The replay attaches the DuckDB file: the DuckDB output, whatever target the build uses.
    output = dict(next(o for o in profile["outputs"].values() if o["type"] == "duckdb"))
    output["path"] = str(database)
    output["attach"] = [{"path": str(warehouse), "alias": warehouse.stem, "read_only": True}]
    profiles = {name: {"target": "replay", "outputs": {"replay": output}}}
    (project / "profiles.yml").write_text(yaml.safe_dump(profiles, sort_keys=False))


def _mirror(database: Path, warehouse: Path, seeds: set[str]) -> None:
    """A view in the scratch file for each table and view of the warehouse (not the seeds, not dbt_state)."""
    try:
        con = duckdb.connect(str(database))
        con.execute(f"attach '{_quoted(warehouse)}' as \"{warehouse.stem}\" (read_only)")
    except duckdb.IOException as err:
        raise ReplayError(
            f"{warehouse} is in use by a running flow (DuckDB allows one writer): {err}"
        ) from None
    try:
        relations = con.execute(
            """
            select schema_name, table_name from duckdb_tables() where database_name = ?
            union all
            select schema_name, view_name from duckdb_views() where database_name = ? and not internal
            """,
            (warehouse.stem, warehouse.stem),
        ).fetchall()
        for schema, name in relations:
            # Seeds come from the replayed rules; the increments table is the replay's own (a full build).
            if schema == "dbt_state" or (schema == "main" and name in seeds):
                continue
            con.execute(f'create schema if not exists "{schema}"')
            con.execute(
                f'create view "{schema}"."{name}" as select * from "{warehouse.stem}"."{schema}"."{name}"'
            )
    finally:
        con.close()


def _read(database: Path) -> Replay:
    with duckdb.connect(str(database), read_only=True) as con:
        built = con.execute(
            "select table_type from information_schema.tables "
            "where table_schema = 'main' and table_name = 'people'"
        ).fetchall()
        if built != [("BASE TABLE",)]:
            raise ReplayError("dbt did not rebuild people in the replay")
        rows = con.execute("select person_id, score, tier from people").fetchall()
        scores = {person_id: (score, tier) for person_id, score, tier in rows}
        reached = dict(
            con.execute(
                "select person_id, min(reached_at) from int_lifecycle_events "
                "where stage = 'mql' and rule_type = 'score_at_least' group by person_id"
            ).fetchall()
        )
    return Replay(scores, reached)


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
