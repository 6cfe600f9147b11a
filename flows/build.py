"""Build: the dbt project (scores, stages, owners, write-back queue), each dbt node a Prefect task."""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, date, datetime
from pathlib import Path

from dbt_common.events.base_types import EventLevel
from prefect import flow, get_run_logger
from prefect_dbt import PrefectDbtRunner, PrefectDbtSettings

from flows import progress
from flows.artifacts import publish_build, record_failure
from flows.settings import load_settings
from flows.warehouse import Warehouse, utc_naive

NODE_TASKS_TIMEOUT = 600.0
# A full build of a million people takes minutes; hours means something is stuck.
BUILD_TIMEOUT = 3 * 3600


@flow(
    name="build",
    log_prints=True,
    timeout_seconds=BUILD_TIMEOUT,
    on_failure=[record_failure],
    on_crashed=[record_failure],
)
def build(full_refresh: bool = False, as_of: date | None = None) -> dict:
    """`dbt build` against the DuckDB file; raises if a model or a test fails."""
    settings = load_settings()
    project = settings.dbt_project_dir.resolve()
    # profiles.yml reads the database path from the environment.
    os.environ["LEADFLOW_DUCKDB_PATH"] = str(settings.duckdb_path.resolve())
    os.environ["LEADFLOW_DUCKDB_MEMORY_LIMIT"] = settings.duckdb_memory_limit
    # Unit tests check the SQL, not the data: they run in CI (make test), not every night; so do
    # the data-quality views' tests (tag:quality), which read every raw record.
    args = ["build", "--exclude-resource-type", "unit_test", "--exclude", "tag:quality"]
    if full_refresh:
        args.append("--full-refresh")
    if as_of is not None:
        args += ["--vars", json.dumps({"as_of": as_of.isoformat()})]
    runner = PrefectDbtRunner(
        settings=PrefectDbtSettings(
            project_dir=project,
            profiles_dir=project,
            # dbt's INFO lines, shipped per node, cost more than the SQL at this size.
            log_level=EventLevel(settings.dbt_log_level),
        ),
        disable_assets=True,
    )
    runner.post_model(lambda _: progress.advance("dbt build"))
    progress.start("dbt build", total=_models_built(project), unit="models")
    before = set(threading.enumerate())
    started = datetime.now(UTC)
    try:
        result = runner.invoke(args)
    finally:
        _join_node_tasks(before)
        progress.finish("dbt build")
    # Write-back reads this: values it wrote after the build are not in the queue's view.
    with Warehouse(settings.duckdb_path) as wh, wh.lock:
        wh.con.execute(
            "insert into ops.builds values (?, ?, ?)",
            (utc_naive(started), utc_naive(datetime.now(UTC)), bool(result.success)),
        )
    statuses: dict[str, int] = {}
    for node in getattr(result, "result", None) or []:
        status = str(getattr(node, "status", "unknown"))
        statuses[status] = statuses.get(status, 0) + 1
    publish_build(settings.duckdb_path, statuses)
    return {"success": bool(result.success), "nodes": statuses}


def _models_built(project: Path) -> int | None:
    """Models a build runs, as the last parse saw them (None before the first: a count, no bar)."""
    try:
        nodes = json.loads((project / "target" / "manifest.json").read_text())["nodes"].values()
    except (OSError, ValueError, KeyError):
        return None
    return sum(
        1
        for n in nodes
        if n.get("resource_type") == "model"
        and n.get("config", {}).get("enabled", True)
        and n.get("config", {}).get("materialized") != "ephemeral"
    )


def _join_node_tasks(before: set[threading.Thread]) -> None:
    """Wait for the thread prefect-dbt starts per node to report its task run.

    `invoke` returns when dbt is done, not when those threads are: left running, they would
    report after the flow ended, and the interpreter aborts if they are still alive at exit.
    """
    pending = [t for t in threading.enumerate() if t not in before and t.name.endswith("(run_task)")]
    for thread in pending:
        thread.join(NODE_TASKS_TIMEOUT)
    late = [t.name for t in pending if t.is_alive()]
    if late:
        get_run_logger().warning(
            "%d dbt node tasks still running after %.0f s", len(late), NODE_TASKS_TIMEOUT
        )


if __name__ == "__main__":
    build()
