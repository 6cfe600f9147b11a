"""Benchmark of the whole nightly (extract, dbt build, write-back) after 1% changed, and Prefect's cost.

    .venv/bin/python bench/nightly.py                  # `make bench-nightly`: preset 100k, 3 runs
    .venv/bin/python bench/nightly.py --preset 10k --runs 3 --seed 1 --changed 0.01
    .venv/bin/python bench/nightly.py --state DIR     # from DIR/store and DIR/leadflow.duckdb

Fills a fresh sandbox store with the direct loader (the preset's company, bench/presets.py),
serves it from a process of its own with the vendors' limits on (as bench/extract.py does:
HubSpot 190 requests per rolling 10 s, leadflow set to the same) and runs the real nightly flow
(`flows.nightly.nightly`, in this process, against a temporary Prefect server) twice, timed
apart: the full nightly, and the one after it that reads back what the full one wrote (an
ordinary night's starting point). The store and the DuckDB file are then copied as they are. Each
of --runs runs (default 3, at least 3) starts twice from a fresh copy of that state, with the same
1% of the records changed in the CRMs (`--changed`, bulk_changes.touched, loaded through the
sandbox's API, untimed):

- with Prefect: the nightly flow as production runs it; its wall time, and each phase's (the
  extract, build and write-back subflows' run times as the Prefect server recorded them);
- without Prefect: the same steps by the same code with Prefect taken out: the extract flow's
  and write-back flow's bodies (`.fn`) with their tasks run as plain functions (the extract's
  objects each in a thread, as Prefect's task runner does), no artifacts, no concurrency slots;
  the build a plain `dbt build` (dbtRunner, the flow's arguments, no prefect-dbt); then the
  nightly's summaries and report. Each step timed.

Prefect's overhead is the difference: the nightly's wall time with Prefect minus the same steps'
time without it, per phase and in all (medians over the runs). The goals: the nightly under
2 minutes, its orchestration under 15 s. Writes the "Nightly" section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import json
import logging
import os
import platform
import shlex
import shutil
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

import presets  # bench/presets.py (the script's folder is on sys.path)
import runs as repeated
from benchfile import machine, update_section
from extract import fill, served

from connectors.sandbox.app import ENV_FILE

HUBSPOT_PER_10S = 190
GOAL_S = 120.0
OVERHEAD_GOAL_S = 15.0
DAY_SHARE = 0.001  # of each object's records, changed between the first two nightlies
SLOT_WAIT_S = 300.0  # longest wait for a finished run's concurrency slots to be given back
PHASES = ("extract", "build", "writeback")
INTRO = """
The real nightly flow (`flows.nightly.nightly`: extract, `dbt build`, write-back, and since
stop 34 the DuckDB file's compaction, in one process)
against the sandbox served from a process of its own with the vendors' limits on (HubSpot 190
requests per rolling 10 s, leadflow set to the same; Salesforce 100,000 calls a day), on a
company loaded straight into the sandbox's store (bench/presets.py), with a temporary Prefect
server (`prefect_test_harness`). A first full nightly, and a second one that reads back what the
first wrote, are timed apart; each run then starts from a fresh copy of the state after them
(the sandbox's store and the DuckDB file) with the same 1% of the records changed in the CRMs,
and runs the nightly twice, each on its own copy: with Prefect (the flow as deployed) and without
it (the same code with Prefect taken out, below). Figures are medians of 3 runs, every run's
value beside them. `make bench-nightly` runs it on the 100k preset; `.venv/bin/python
bench/nightly.py --preset 10k|100k|1m [--seed S] [--runs N] [--changed 0.01] [--state DIR]`.

**Prefect's overhead**, as measured here: the nightly's wall time with Prefect minus the time of
the same steps without it. Without Prefect means: the extract and write-back flows' own function
bodies (`.fn`) with their tasks called as plain functions (the extract's objects each in a
thread of its own, as Prefect's task runner runs them), no artifacts and no Prefect concurrency
slots (the file locks stay); for the build, a plain `dbt build` (dbtRunner, with the flow's
arguments) instead of prefect-dbt's runner, which makes each dbt node a Prefect task; then the
nightly's summaries and HTML report, which are leadflow's work, not Prefect's. So the overhead
counts the flow and task runs (creation, state changes, logs shipped to the server), the
artifacts, the concurrency slots and prefect-dbt's per-node tasks (which flows/build.py starts
in a copy of the flow's context). Both variants run the same code on identical state, one after
the other: on this shared machine a difference of a few seconds is within the noise, which every
run's values show, and other jobs on the two cores slow both (the load average as each nightly
started is given beside the figures).
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    presets.add_arguments(parser)
    parser.add_argument(
        "--changed", type=float, default=0.01, help="share of records changed before each nightly"
    )
    repeated.add_argument(parser, "nightlies with and without Prefect, each on a fresh copy")
    parser.add_argument("--work", type=Path, default=None, help="scratch directory (default: a temp one)")
    parser.add_argument(
        "--state",
        type=Path,
        help="start from DIR/store and DIR/leadflow.duckdb (copied), the state after an earlier "
        "run's full nightly of the same company: no loading, no full nightly",
    )
    parser.add_argument("--output", type=Path, default=Path("BENCHMARKS.md"))
    args = parser.parse_args()
    repeated.check(parser, args)
    shape = presets.company(args)
    os.environ["LEADFLOW_HUBSPOT_REQUESTS_PER_10S"] = str(HUBSPOT_PER_10S)
    from prefect.testing.utilities import prefect_test_harness

    with tempfile.TemporaryDirectory(dir=args.work, prefix="bench-nightly-") as scratch:
        work = Path(scratch)
        base = work / "base"
        if args.state:
            copy_state(args.state, base)
            load_seconds = None
        else:
            loaded, load_seconds = fill(base / "store", shape)
            print(f"loaded {loaded:,} records in {load_seconds:.0f} s", flush=True)
        with prefect_test_harness(server_startup_timeout=120):
            first = full_nightly(base, shape, full=not args.state)
            at_ms = int(time.time() * 1000) - 1000
            changes = list(presets.changes(shape, args.changed, at_ms))
            measured = []
            for number in range(1, args.runs + 1):
                pair = {}
                for mode in ("prefect", "plain"):
                    pair[mode] = one_run(work, base, f"{number}-{mode}", changes, mode)
                measured.append(pair)
                print(json.dumps({"run": number, **{m: r["seconds"] for m, r in pair.items()}}), flush=True)
    print(
        json.dumps({"first": first, "measured": measured, "changed": len(changes)}, default=str), flush=True
    )
    title = presets.title(shape)
    command = " ".join(["python bench/nightly.py", *map(shlex.quote, sys.argv[1:])])
    body = report(title, command, shape, load_seconds, first, measured, len(changes))
    print(body)
    update_section(args.output, "Nightly", INTRO, title, body)
    print(f"\nwritten to {args.output}")


# -- state: the store and the warehouse after the full nightly ----------------------------------


def use(directory: Path, env: dict) -> None:
    """Point leadflow at this run's sandbox and DuckDB file."""
    os.environ.update(env)
    os.environ["LEADFLOW_DUCKDB_PATH"] = str(directory / "leadflow.duckdb")


def full_nightly(base: Path, shape: dict, full: bool = True) -> dict:
    """The first nightly (a full pull, a full build, every record written back), then a second
    one that reads back what the first wrote (every CRM record's modstamp moved): the state a
    nightly starts from on an ordinary night. Both timed apart from the runs.

    An object's watermark is the latest modstamp its extract saw, and each extract re-reads
    `overlap_minutes` before it. On a real day people change records after the night's write-back
    and move the watermarks past it; in the quiet sandbox the second nightly would leave them at
    the first one's writes, and every run would read those 100,000s again. So the second nightly
    starts that long after the first, with a day's activity (DAY_SHARE of each object's records
    modified then) to read. Without `full` (--state), only the second."""
    from flows.nightly import nightly
    from flows.settings import load_settings

    out = {}
    with served(base / "store", HUBSPOT_PER_10S) as (env, admin):
        use(base, env)
        for name in ("full", "settle") if full else ("settle",):
            if name == "settle":
                if full:
                    gap = load_settings().overlap_minutes * 60 + 30
                    print(f"waiting {gap} s: the extract's overlap", flush=True)
                    time.sleep(gap)
                admin.load(presets.changes(shape, DAY_SHARE, int(time.time() * 1000)))
            started = time.perf_counter()
            state = nightly(return_state=True)
            seconds = time.perf_counter() - started
            summary = state.result()
            out[name] = {"seconds": seconds, "phases": phases_of(state), **counts(summary)}
            print(f"{name} nightly: {seconds:.0f} s {out[name]}", flush=True)
    return out


def copy_state(base: Path, directory: Path) -> None:
    """A fresh copy of the state after the full nightly (the sandbox stopped)."""
    shutil.rmtree(directory, ignore_errors=True)
    shutil.copytree(base / "store", directory / "store")
    (directory / "store" / ENV_FILE).unlink(missing_ok=True)  # the next start writes its own
    for name in os.listdir(base):
        if name.startswith("leadflow.duckdb") and (base / name).is_file():
            shutil.copy2(base / name, directory / name)
    # On disk before the timed run: the first checkpoint's fsync would write the copy otherwise.
    os.sync()


def one_run(work: Path, base: Path, name: str, changes: list[dict], mode: str) -> dict:
    directory = work / name
    copy_state(base, directory)
    try:
        with served(directory / "store", HUBSPOT_PER_10S) as (env, admin):
            use(directory, env)
            admin.load(changes)
            load = os.getloadavg()[0]
            out = with_prefect() if mode == "prefect" else without_prefect()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    out["load"] = load
    print(f"run {name}: {out['seconds']:.1f} s {out['phases']}", flush=True)
    return out


# -- with Prefect: the flow as deployed ---------------------------------------------------------


def held_slots() -> list[str]:
    """The per-object extract limits (flows/slots.py) with a slot taken on the Prefect server."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        limits = client.read_global_concurrency_limits(limit=200)
    return sorted(x.name for x in limits if x.name.startswith("leadflow-extract-") and x.active_slots)


def slots_freed(wait_s: float = SLOT_WAIT_S) -> dict:
    """Wait (untimed) until no extract slot is taken, as on a real night, when the last run ended
    hours ago: how long it took, and the slots still taken at the start and at the end."""
    started, first = time.monotonic(), held_slots()
    held = first
    while held and time.monotonic() - started < wait_s:
        time.sleep(2)
        held = held_slots()
    return {"waited": time.monotonic() - started if first else 0.0, "held_before": first, "held_after": held}


def with_prefect() -> dict:
    from flows.nightly import nightly

    slots = slots_freed()
    started = time.perf_counter()
    state = nightly(return_state=True)
    seconds = time.perf_counter() - started
    summary = state.result()
    phases = phases_of(state)
    phases["after"] = seconds - sum(phases[p] for p in PHASES)
    return {"seconds": seconds, "phases": phases, "slots": slots, **counts(summary)}


def phases_of(state) -> dict:
    """Each subflow's run time as the Prefect server recorded it (start to end)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId

    parent = state.state_details.flow_run_id
    wanted = FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[parent]))
    times = {}
    with get_client(sync_client=True) as client:
        for run in client.read_flow_runs(flow_run_filter=wanted):
            if run.start_time and run.end_time:
                times[client.read_flow(run.flow_id).name] = (run.end_time - run.start_time).total_seconds()
    return {p: times.get(p, 0.0) for p in PHASES}


def counts(summary: dict) -> dict:
    return {
        "extracted": sum(r["records"] for r in summary["extracted"]),
        "calls": sum(r["api_calls"] for r in summary["extracted"]),
        "written": summary["writeback"]["written"],
        "writeback_calls": summary["writeback"]["calls"],
        "nodes": summary["build"]["nodes"],
    }


# -- without Prefect: the same code, Prefect taken out ------------------------------------------


class PlainTask:
    """A task called as its function (arguments wrapped in `quote` unwrapped, as Prefect does);
    `.submit` runs it in a thread of `pool`."""

    def __init__(self, task, pool: concurrent.futures.Executor | None = None):
        self.fn, self.pool = task.fn, pool

    def __call__(self, *args, **kwargs):
        return self.fn(*map(plain, args), **{k: plain(v) for k, v in kwargs.items()})

    def submit(self, *args, **kwargs):
        return self.pool.submit(self, *args, **kwargs)


def plain(value):
    from prefect.utilities.annotations import BaseAnnotation

    return value.unwrap() if isinstance(value, BaseAnnotation) else value


def without_prefect() -> dict:
    import flows.extract as extract_module
    import flows.writeback as writeback_module
    from flows.nightly import people_summary
    from flows.report import report_dir, write_report
    from flows.route import routing_summary
    from flows.settings import load_settings
    from flows.warehouse import Warehouse

    logger = logging.getLogger("bench.nightly")
    phases = {}
    started = time.perf_counter()
    with (
        concurrent.futures.ThreadPoolExecutor(64, thread_name_prefix="extract") as pool,
        mock.patch.object(extract_module, "extract_object", PlainTask(extract_module.extract_object, pool)),
        mock.patch.object(extract_module, "wait", concurrent.futures.wait),
        mock.patch.object(extract_module, "ensure_limits", lambda pairs: []),
        mock.patch.object(extract_module, "object_slot", lambda *a, **k: contextlib.nullcontext()),
        mock.patch.object(extract_module, "get_run_logger", lambda: logger),
        mock.patch.object(extract_module, "publish_extract", lambda *a, **k: None),
    ):
        extracted = extract_module.extract.fn()
    phases["extract"] = time.perf_counter() - started
    mark = time.perf_counter()
    built = plain_build()
    phases["build"] = time.perf_counter() - mark
    mark = time.perf_counter()
    with (
        mock.patch.object(writeback_module, "write_target", PlainTask(writeback_module.write_target)),
        mock.patch.object(writeback_module, "recover", PlainTask(writeback_module.recover)),
        mock.patch.object(writeback_module, "prepare", PlainTask(writeback_module.prepare)),
        mock.patch.object(writeback_module, "get_run_logger", lambda: logger),
        mock.patch.object(writeback_module, "publish_writeback", lambda *a, **k: None),
    ):
        written = asdict(writeback_module.writeback.fn())
    phases["writeback"] = time.perf_counter() - mark
    mark = time.perf_counter()
    people_summary()
    routing_summary()
    settings = load_settings()
    write_report(settings.duckdb_path, report_dir(settings))
    with Warehouse(settings.duckdb_path) as wh:
        wh.compact()  # as the nightly flow ends
    phases["after"] = time.perf_counter() - mark
    seconds = time.perf_counter() - started
    summary = {"extracted": extracted, "writeback": written, "build": built}
    return {"seconds": seconds, "phases": phases, **counts(summary)}


def plain_build() -> dict:
    """`dbt build` with the build flow's arguments, by dbtRunner alone; records the build as the flow does."""
    from dbt.cli.main import dbtRunner

    from flows.settings import load_settings
    from flows.warehouse import Warehouse, utc_naive

    settings = load_settings()
    project = str(settings.dbt_project_dir.resolve())
    os.environ["LEADFLOW_DUCKDB_PATH"] = str(settings.duckdb_path.resolve())
    os.environ["LEADFLOW_DUCKDB_MEMORY_LIMIT"] = settings.duckdb_memory_limit
    args = ["build", "--exclude-resource-type", "unit_test", "--exclude", "tag:quality"]
    args += ["--project-dir", project, "--profiles-dir", project, "--log-level", settings.dbt_log_level]
    started = datetime.now(UTC)
    result = dbtRunner().invoke(args)
    with Warehouse(settings.duckdb_path) as wh, wh.lock:
        wh.con.execute(
            "insert into ops.builds values (?, ?, ?)",
            (utc_naive(started), utc_naive(datetime.now(UTC)), bool(result.success)),
        )
    if not result.success:
        raise RuntimeError(f"dbt build failed: {result.exception}")
    statuses: dict[str, int] = {}
    for node in result.result or []:
        statuses[str(node.status)] = statuses.get(str(node.status), 0) + 1
    return {"success": True, "nodes": statuses}


# -- the report ---------------------------------------------------------------------------------


def report(title, command, shape, load_seconds, first, measured, changed) -> str:
    prefect = [m["prefect"] for m in measured]
    plain = [m["plain"] for m in measured]
    overhead = [a["seconds"] - b["seconds"] for a, b in zip(prefect, plain, strict=True)]
    wall = repeated.median([r["seconds"] for r in prefect])
    cost = repeated.median(overhead)
    nodes = sum(prefect[0]["nodes"].values())
    rows = []
    for phase in (*PHASES, "after"):
        a = [r["phases"][phase] for r in prefect]
        b = [r["phases"][phase] for r in plain]
        d = [x - y for x, y in zip(a, b, strict=True)]
        rows.append(
            f"| {LABELS[phase]} | {repeated.median(a):.1f} | {repeated.every(a)} | {repeated.median(b):.1f} "
            f"| {repeated.every(b)} | {repeated.median(d):+.1f} |"
        )
    b_all = [r["seconds"] for r in plain]
    rows.append(
        f"| **nightly** | **{wall:.1f}** | {repeated.every([r['seconds'] for r in prefect])} "
        f"| {repeated.median(b_all):.1f} | {repeated.every(b_all)} | **{cost:+.1f}** |"
    )
    before = [
        f"{what} {first[name]['seconds']:.0f} s ("
        + ", ".join(f"{LABELS[p]} {first[name]['phases'][p]:.0f} s" for p in PHASES)
        + f"; {first[name]['extracted']:,} records extracted, {first[name]['written']:,} written back)"
        for name, what in (("full", "the full nightly"), ("settle", "the nightly after it"))
        if name in first
    ]
    if "full" not in first:
        before.insert(0, "the state after an earlier run's full nightly (`--state`)")
    median = repeated.median_run(prefect, "seconds")
    lines = [
        f"### {title}",
        "",
        f"- Machine: {machine()}; Python {platform.python_version()}",
        f"- Company: {presets.described(shape)}; "
        + (f"the store filled in {load_seconds:.0f} s" if load_seconds else "from `--state`"),
        f"- Command: `{command}` ({len(measured)} runs, each with and without Prefect on its own fresh copy; "
        "medians)",
        f"- Date: {datetime.now(UTC).date().isoformat()}",
        "- Load average (1 min) as each nightly started (with / without Prefect): "
        + "; ".join(f"{a['load']:.1f} / {b['load']:.1f}" for a, b in zip(prefect, plain, strict=True)),
        "",
        "Once, before the runs and not in their figures: " + "; then ".join(before) + ". The second "
        "reads back every record the first wrote (their modstamps moved), and 0.1% of the records "
        "changed in between (a day's activity, which moves the extract's watermarks past the first "
        "nightly's writes, as a real day does): the runs start from the state after it.",
        "",
        f"Nightly after {changed:,} records changed (1%): **{wall:.1f} s with Prefect, goal under "
        f"{GOAL_S:.0f} s: {'met' if wall < GOAL_S else 'not met'}**; orchestration overhead "
        f"**{cost:+.1f} s, goal under {OVERHEAD_GOAL_S:.0f} s: "
        f"{'met' if cost < OVERHEAD_GOAL_S else 'not met'}** (runs: {repeated.every(overhead, '+.1f')}). "
        f"The median run extracted {median['extracted']:,} records in {median['calls']:,} API calls, built "
        f"{nodes} dbt nodes and wrote {median['written']:,} records back in "
        f"{median['writeback_calls']:,} calls.",
        "",
        "| phase | with Prefect, s (median) | every run | without Prefect, s (median) | every run "
        "| Prefect's cost, s (median) |",
        "| --- | ---: | --- | ---: | --- | ---: |",
        *rows,
        "",
        same_work(prefect, plain),
        "",
        slot_note(first, prefect),
        "",
        "With Prefect, a phase is its subflow's run time as the Prefect server recorded it; after the "
        "write-back come the nightly's summaries, its artifacts and the HTML report (with Prefect: the "
        "nightly's wall time less its three subflows). Without Prefect, each step is timed in the "
        "bench's process. The build with Prefect runs each dbt node as a Prefect task (prefect-dbt); "
        "without, a plain `dbt build` with the same arguments.",
    ]
    return "\n".join(lines)


def same_work(prefect: list[dict], plain: list[dict]) -> str:
    """Whether both variants did the same work: records extracted and written back."""
    keys = ("extracted", "written")
    if all(a[k] == b[k] for a, b in zip(prefect, plain, strict=True) for k in keys):
        return "Both variants did the same work in every run: the same records extracted and written back."
    pairs = "; ".join(
        f"{a['extracted']:,} / {b['extracted']:,} extracted, {a['written']:,} / {b['written']:,} written"
        for a, b in zip(prefect, plain, strict=True)
    )
    return f"The variants' work differed (with / without Prefect): {pairs}."


def slot_note(first: dict, prefect: list[dict]) -> str:
    """What the wait for the previous run's concurrency slots (untimed) found."""
    waits = [r["slots"] for r in prefect]
    if not any(w["held_before"] for w in waits):
        return (
            "Before each run with Prefect no extract concurrency slot (flows/slots.py) was still taken by "
            "the run before it."
        )
    return (
        "Before each run with Prefect the bench waited, untimed, for the extract concurrency slots "
        "(flows/slots.py) the run before it had left taken, as a real night starts hours after the last "
        "run: waited " + repeated.every([w["waited"] for w in waits], ".0f") + " s; slots taken before "
        "the wait: " + "; ".join(", ".join(w["held_before"]) or "none" for w in waits) + "; still taken "
        "after it: " + "; ".join(", ".join(w["held_after"]) or "none" for w in waits) + ". A run that "
        "finds an object's slot taken waits for it up to 120 s before it extracts under the file lock."
    )


LABELS = {"extract": "extract", "build": "dbt build", "writeback": "write-back", "after": "after"}


if __name__ == "__main__":
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    main()
