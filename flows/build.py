"""Build: the dbt project (scores, stages, owners, write-back queue), each dbt node a Prefect task."""

from __future__ import annotations

import contextvars
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import prefect_dbt.core.runner as prefect_dbt_runner
import yaml
from dbt.cli.main import dbtRunner
from dbt.contracts.graph.manifest import Manifest
from dbt.node_types import NodeType
from dbt_common.events.base_types import EventLevel
from prefect import flow, get_run_logger
from prefect.context import FlowRunContext
from prefect.task_engine import run_task_sync
from prefect_dbt import PrefectDbtRunner, PrefectDbtSettings

from flows import progress, seeds
from flows.artifacts import publish_build, record_failure
from flows.marts import profile_environment
from flows.settings import load_settings
from flows.warehouse import Warehouse, utc_naive

# Unit tests check the SQL, not the data: they run in CI (make test), not every night; so do
# the data-quality views' tests (tag:quality), which read every raw record.
# dbt's JSON artifacts are not written (--no-write-json): its manifest, 3 MB written twice a
# build (after the parse and at the end), cost about 1.1 s of a build at 1,000,000 people, and
# prefect-dbt read it back (0.5 s). The build parses the project itself (parse_project) and
# hands prefect-dbt and dbt that parse; target/run_results.json is written from the run's
# results, as dbt would (ParsedDbtRunner).
BUILD_ARGS = ("build", "--exclude-resource-type", "unit_test", "--exclude", "tag:quality", "--no-write-json")
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
def build(full_refresh: bool = False, as_of: date | None = None, compact: bool = True) -> dict:
    """`dbt build` on the configured target (the DuckDB file by default); raises if a model or a
    test fails. compact: vacuum the DuckDB file after the build (flows/warehouse.py compact();
    the nightly does it at its own end, after the write-back)."""
    settings = load_settings()
    project = settings.dbt_project_dir.resolve()
    # profiles.yml reads the target and the database path from the environment.
    os.environ["LEADFLOW_DBT_TARGET"] = settings.dbt_target
    os.environ["LEADFLOW_DUCKDB_PATH"] = str(settings.duckdb_path.resolve())
    os.environ["LEADFLOW_DUCKDB_MEMORY_LIMIT"] = settings.duckdb_memory_limit
    profile_environment()
    args = list(BUILD_ARGS)
    if full_refresh:
        args.append("--full-refresh")
    # The seeds load only when their files or tables changed since their last load (flows/seeds.py).
    skip_seeds = False
    if settings.builds_in_duckdb and not full_refresh:
        with Warehouse(settings.duckdb_path) as wh, wh.lock:
            skip_seeds = seeds.unchanged(wh.con, project)
    args = seeds.build_args(args, skip_seeds)
    if skip_seeds:
        get_run_logger().info("The seeds are as at their last load: not loaded, their own tests not run.")
    variables = dbt_vars(project, in_duckdb=settings.builds_in_duckdb)
    if variables:
        args += ["--vars", json.dumps(variables)]
    dbt_settings = PrefectDbtSettings(
        project_dir=project,
        profiles_dir=project,
        # dbt's INFO lines, shipped per node, cost more than the SQL at this size.
        log_level=EventLevel(settings.dbt_log_level),
    )
    started = datetime.now(UTC)
    with run_date(as_of):
        manifest = parse_project(dbt_settings, variables)
    runner = NodeTaskRunner(manifest=manifest, settings=dbt_settings, disable_assets=True)
    runner.post_model(lambda _: progress.advance("dbt build"))
    progress.start("dbt build", total=_models_built(manifest), unit="models")
    before = set(threading.enumerate())
    try:
        with run_date(as_of):
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
        if result.success and settings.builds_in_duckdb and not skip_seeds:
            seeds.record(wh.con, project)
    statuses: dict[str, int] = {}
    for node in getattr(result, "result", None) or []:
        status = str(getattr(node, "status", "unknown"))
        statuses[status] = statuses.get(status, 0) + 1
    publish_build(settings, statuses)
    built = {"success": bool(result.success), "nodes": statuses}
    if compact:
        built["compaction_seconds"] = compact_warehouse()
    return built


def compact_warehouse() -> float:
    """The DuckDB file vacuumed (compact()), logged; its seconds. On the postgres target too:
    the file holds leadflow's own tables (ops) there, appended to at each run."""
    with Warehouse(load_settings().duckdb_path) as wh:
        seconds = wh.compact()
    get_run_logger().info("DuckDB file compacted in %.1f s.", seconds)
    return round(seconds, 1)


@contextmanager
def run_date(as_of: date | None) -> Iterator[None]:
    """The run date for dbt in LEADFLOW_AS_OF (unset: today), as it was after. Not var `as_of`:
    a var that changes from one run to the next makes dbt parse the whole project again, where
    the nightly otherwise reuses the previous run's parse (dbt's partial parsing)."""
    before = os.environ.pop("LEADFLOW_AS_OF", None)
    if as_of is not None:
        os.environ["LEADFLOW_AS_OF"] = as_of.isoformat()
    try:
        yield
    finally:
        os.environ.pop("LEADFLOW_AS_OF", None)
        if before is not None:
            os.environ["LEADFLOW_AS_OF"] = before


def dbt_vars(project: Path, in_duckdb: bool) -> dict:
    """The build's vars: on a warehouse that cannot read files, the routing file parsed (var
    routing; DuckDB reads routing.yml itself). The run date goes by run_date."""
    variables: dict = {}
    if not in_duckdb:
        variables["routing"] = yaml.safe_load((project / "routing.yml").read_text(encoding="utf-8")) or {}
    return variables


def parse_project(dbt_settings: PrefectDbtSettings, variables: dict) -> Manifest:
    """dbt's parse of the project, in memory (dbt keeps its partial-parse state in target/ and
    reuses it while the files are unchanged): the manifest the build runs on. Raises with dbt's
    error if the project does not parse."""
    args = [
        *("parse", "--no-write-json", "--project-dir", str(dbt_settings.project_dir)),
        *("--target-path", str(dbt_settings.target_path)),
        # As prefect-dbt runs the build in a flow: nothing on stdout, the log file at the level set.
        *("--log-level", "none", "--log-level-file", dbt_settings.log_level.value),
    ]
    if variables:
        args += ["--vars", json.dumps(variables)]
    with dbt_settings.resolve_profiles_yml() as profiles_dir:
        parsed = dbtRunner().invoke([*args, "--profiles-dir", profiles_dir])
    if not parsed.success or not isinstance(parsed.result, Manifest):
        raise ValueError(f"dbt could not parse {dbt_settings.project_dir}: {parsed.exception}")
    return parsed.result


class ParsedDbtRunner(dbtRunner):
    """dbt's runner on a manifest already parsed (`manifest`, set for the build's invocation),
    writing each run's results to `results_path` (target/run_results.json), as dbt does unless
    --no-write-json (which the build passes, to leave the manifest unwritten); a failed build's
    results are written too."""

    manifest: Manifest | None = None
    results_path: Path | None = None

    def __init__(self, callbacks=None) -> None:
        super().__init__(manifest=self.manifest, callbacks=callbacks)

    def invoke(self, args: list[str], **kwargs):
        result = super().invoke(args, **kwargs)
        results = getattr(result, "result", None)
        if hasattr(results, "write") and self.results_path is not None:
            results.write(str(self.results_path))
        return result


@contextmanager
def parsed_dbt(manifest: Manifest | None, results_path: Path) -> Iterator[None]:
    """prefect-dbt's dbt invocations run on `manifest` inside, their results written to
    `results_path` (ParsedDbtRunner): dbt then does not parse the project again. prefect-dbt
    makes its dbtRunner itself, by its module's name for it. Without a manifest dbt parses the
    project itself, and the results are written all the same."""
    runner = type("ParsedDbtRunner", (ParsedDbtRunner,), {"manifest": manifest, "results_path": results_path})
    saved = prefect_dbt_runner.dbtRunner
    prefect_dbt_runner.dbtRunner = runner
    try:
        yield
    finally:
        prefect_dbt_runner.dbtRunner = saved


class NodeTaskRunner(PrefectDbtRunner):
    """prefect-dbt's runner, each node's task run in a copy of the build flow's context.

    prefect-dbt starts each node's task in a thread that rebuilds Prefect's context from its
    serialised form, twice (once itself, once in the task engine), validating Prefect's settings
    anew each time: about 70 ms holding the GIL per node, which dbt's thread waits for. Prefect's
    own thread pool task runner copies the caller's context instead; so does this.
    """

    def invoke(self, args: list[str], **kwargs):
        self._flow_context = contextvars.copy_context()
        with parsed_dbt(self._manifest, self.project_dir / self.target_path / "run_results.json"):
            return super().invoke(args, **kwargs)

    def _call_task(self, task_state, manifest_node, context, enable_assets):
        tracker = _InFlowContext(task_state, self._flow_context)
        super()._call_task(tracker, manifest_node, context, enable_assets)


class _InFlowContext:
    """prefect-dbt's node tracker, its tasks started in threads that run in the flow's context."""

    def __init__(self, tracker, flow_context: contextvars.Context):
        self._tracker, self._flow_context = tracker, flow_context

    def __getattr__(self, name):
        return getattr(self._tracker, name)

    def run_task_in_thread(self, node_id, task, task_run_id, parameters, context) -> None:
        def run_task() -> None:
            # As the serialised context was, detached: each task run gets a dynamic key of its
            # own instead of a counter the node threads would race on.
            detached = FlowRunContext.get().model_copy(update={"detached": True})
            with detached:
                upstream = self._tracker.get_node_dependencies(node_id)
                waits = [s for s in map(self._tracker.get_task_result, upstream) if s]
                state = run_task_sync(
                    task, task_run_id=task_run_id, parameters=parameters, wait_for=waits, return_type="state"
                )
            self._tracker.set_task_result(node_id, state or None)

        # The name _join_node_tasks waits for, as prefect-dbt's own threads are named.
        thread = threading.Thread(
            target=self._flow_context.copy().run, args=(run_task,), name=f"{node_id} (run_task)", daemon=True
        )
        thread.start()


def _models_built(manifest: Manifest) -> int:
    """Models a build runs (the progress bar's total)."""
    return sum(
        1
        for node in manifest.nodes.values()
        if node.resource_type == NodeType.Model
        and node.config.enabled
        and node.config.materialized != "ephemeral"
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
