"""Build: the dbt project (scores, stages, owners, write-back queue), each dbt node a Prefect task."""

from __future__ import annotations

import json
import os
from datetime import date

from prefect import flow
from prefect_dbt import PrefectDbtRunner, PrefectDbtSettings

from flows.settings import load_settings


@flow(name="build", log_prints=True)
def build(full_refresh: bool = False, as_of: date | None = None) -> dict:
    """`dbt build` against the DuckDB file; raises if a model or a test fails."""
    settings = load_settings()
    project = settings.dbt_project_dir.resolve()
    # profiles.yml reads the database path from the environment.
    os.environ["LEADFLOW_DUCKDB_PATH"] = str(settings.duckdb_path.resolve())
    args = ["build"]
    if full_refresh:
        args.append("--full-refresh")
    if as_of is not None:
        args += ["--vars", json.dumps({"as_of": as_of.isoformat()})]
    runner = PrefectDbtRunner(
        settings=PrefectDbtSettings(project_dir=project, profiles_dir=project),
        disable_assets=True,
    )
    result = runner.invoke(args)
    statuses: dict[str, int] = {}
    for node in getattr(result, "result", None) or []:
        status = str(getattr(node, "status", "unknown"))
        statuses[status] = statuses.get(status, 0) + 1
    return {"success": bool(result.success), "nodes": statuses}


if __name__ == "__main__":
    build()
