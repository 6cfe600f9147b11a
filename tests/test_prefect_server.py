"""Production end to end: `prefect server start`, `make deploy`, a process worker, the sandbox.

The nightly deployment runs against the sandbox with its tokens in Prefect Secret blocks (the
worker's environment holds none), a second nightly triggered meanwhile waits for the first,
each object's global concurrency slot is taken and given back, the schedule is registered,
and a backfill follows; the runs' artifacts are read back through
the Prefect API.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import httpx
import pytest

from connectors.sandbox import Sandbox, SandboxSettings
from connectors.sandbox.admin import SandboxAdmin
from connectors.sandbox.seed import generate
from flows.settings import REPO_ROOT

BIN = Path(sys.executable).parent  # the prefect CLI of the environment running the tests
TIMEZONE = "America/New_York"
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
TOKEN_VARS = ("LEADFLOW_SALESFORCE_SESSION_ID", "LEADFLOW_HUBSPOT_ACCESS_TOKEN")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args: list, env: dict, log: Path) -> subprocess.Popen:
    """A process of its own group (stopped with all it started), its output in `log`."""
    with log.open("w") as out:
        return subprocess.Popen(
            args, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A Prefect server on a free loopback port, with a Prefect home of its own."""
    home = tmp_path_factory.mktemp("prefect-server")
    url = f"http://127.0.0.1:{free_port()}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(home / "home"),
        "PREFECT_API_URL": url,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_UI_ENABLED": "false",
        # The scheduler looks at new deployments every 2 s instead of every minute.
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2",
    }
    for key in TOKEN_VARS:
        env.pop(key, None)
    port = url.rsplit(":", 1)[1].split("/")[0]
    proc = start(
        [BIN / "prefect", "server", "start", "--host", "127.0.0.1", "--port", port, "--no-ui"],
        env,
        home / "server.log",
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, (home / "server.log").read_text()
            assert time.monotonic() < deadline, "the Prefect server did not answer in 180 s"
            time.sleep(0.5)
        yield {"url": url, "env": env, "home": home}
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def client(server):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: server["url"]}), get_client(sync_client=True) as c:
        yield c


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    fast = SandboxSettings(hubspot_requests_per_10s=5000, hubspot_search_per_second=500)
    with Sandbox(tmp_path_factory.mktemp("sandbox"), settings=fast) as sandbox:
        SandboxAdmin(sandbox.directory).load(generate(people=60, seed=17))
        yield sandbox


@pytest.fixture(scope="module")
def deployed(server, client, box, tmp_path_factory):
    """`make deploy`, the sandbox's tokens as Secret blocks, and a process worker polling the pool."""
    from prefect.blocks.system import Secret

    done = subprocess.run(
        ["make", "-s", "deploy"],
        cwd=REPO_ROOT,
        env={**server["env"], "LEADFLOW_TIMEZONE": TIMEZONE},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for name, vendor in (
        ("leadflow-salesforce-session-id", "salesforce"),
        ("leadflow-hubspot-access-token", "hubspot"),
    ):
        Secret(value=box.token(vendor)).save(name, overwrite=True, client=client, _sync=True)

    data = tmp_path_factory.mktemp("worker")
    env = {
        **server["env"],
        **{k: v for k, v in box.env.items() if k not in TOKEN_VARS},
        "LEADFLOW_DUCKDB_PATH": str(data / "leadflow.duckdb"),
        "PREFECT_WORKER_QUERY_SECONDS": "1",
    }
    worker = start(
        [
            BIN / "prefect",
            "worker",
            "start",
            "--pool",
            "leadflow-process",
            "--type",
            "process",
            "--install-policy",
            "never",
        ],
        env,
        data / "worker.log",
    )
    try:
        yield {"duckdb": data / "leadflow.duckdb", "log": data / "worker.log", "worker": worker}
    finally:
        stop(worker)


def trigger(client, name: str, parameters: dict | None = None):
    deployment = client.read_deployment_by_name(name)
    return client.create_flow_run_from_deployment(deployment.id, parameters=parameters or {})


def wait_final(client, run_id, log: Path, seconds: float = 600):
    deadline = time.monotonic() + seconds
    while True:
        run = client.read_flow_run(run_id)
        if run.state is not None and run.state.type.value in FINAL:
            return run
        assert time.monotonic() < deadline, f"run still {run.state.name} after {seconds} s\n{log.read_text()}"
        time.sleep(1)


def read_duckdb(path: Path, sql: str, params=()) -> list[tuple]:
    """Rows from the worker's DuckDB file, once the finished run's process has let go of it."""
    deadline = time.monotonic() + 60
    while True:
        try:
            with duckdb.connect(str(path), read_only=True) as con:
                return con.execute(sql, params).fetchall()
        except duckdb.IOException:  # "Could not set lock": the run's process is still exiting
            assert time.monotonic() < deadline, f"{path} still locked after 60 s"
            time.sleep(0.5)


@pytest.fixture(scope="module")
def nightlies(client, deployed):
    """Two nightly runs triggered together: one runs, the other waits for its slot (then is cancelled)."""
    from prefect.states import Cancelled

    triggered = [trigger(client, "nightly/nightly"), trigger(client, "nightly/nightly")]
    seen: dict[str, list[str]] = {str(r.id): [] for r in triggered}
    running = waiting = None
    deadline = time.monotonic() + 600
    while True:
        runs = [client.read_flow_run(r.id) for r in triggered]
        for run in runs:
            names = seen[str(run.id)]
            if run.state is not None and (not names or names[-1] != run.state.name):
                names.append(run.state.name)
        running = next((r for r in runs if "Running" in seen[str(r.id)]), running)
        others = [r for r in runs if running is not None and r.id != running.id]
        if waiting is None and others and others[0].state.name == "AwaitingConcurrencySlot":
            waiting = others[0]
            # Seen waiting while the first runs: that is the point made; a second nightly on
            # the same data would only cost the test another build.
            assert client.read_flow_run(running.id).state.name == "Running"
            client.set_flow_run_state(waiting.id, Cancelled(message="test: seen waiting"), force=True)
        if all(r.state.type.value in FINAL for r in runs):
            break
        assert time.monotonic() < deadline, f"{seen}\n{deployed['log'].read_text()[-5000:]}"
        time.sleep(0.5)
    assert running is not None, seen
    final = {r.id: r for r in runs}
    return {"first": final[running.id], "second": final[waiting.id] if waiting else None, "seen": seen}


def test_the_nightly_deployment_completes_against_the_sandbox(nightlies, deployed):
    first = nightlies["first"]
    assert first.state.type.value == "COMPLETED", (first.state, deployed["log"].read_text()[-5000:])
    ((summary,),) = read_duckdb(
        deployed["duckdb"], "select summary from ops.runs where run_id = ?", (str(first.id),)
    )
    extracted = json.loads(summary)["extracted"]
    # The tokens came from the Secret blocks only: both CRMs answered with records.
    assert {r["source"] for r in extracted if r["records"]} >= {"salesforce", "hubspot"}


def test_a_second_nightly_waits_while_the_first_runs(nightlies):
    second = nightlies["second"]
    assert second is not None, nightlies["seen"]
    states = nightlies["seen"][str(second.id)]
    assert "AwaitingConcurrencySlot" in states and "Running" not in states, states
    assert second.state.type.value == "CANCELLED" and second.run_count == 0


def test_each_object_took_its_global_concurrency_slot_and_gave_it_back(client, nightlies):
    from prefect.events.filters import EventFilter, EventNameFilter

    from flows.extract import TABLES
    from flows.slots import limit_name

    names = {limit_name(s, o) for s in ("salesforce", "hubspot") for o in TABLES[s]}
    for name in names:
        limit = client.read_global_concurrency_limit_by_name(name)
        assert (limit.limit, limit.active_slots) == (1, 0), limit
    taken: dict[str, set[str]] = {"acquired": set(), "released": set()}
    deadline = time.monotonic() + 60  # the server stores events a few seconds after they come
    while not all(taken[k] >= names for k in taken) and time.monotonic() < deadline:
        wanted = [f"prefect.concurrency-limit.{k}" for k in taken]
        page = client.read_events(EventFilter(event=EventNameFilter(name=wanted)), limit=50)
        while page is not None:
            for event in page.events:
                taken[event.event.rsplit(".", 1)[1]].add(event.resource.get("prefect.resource.name"))
            page = client.read_events_page(page.next_page) if page.next_page else None
        time.sleep(1)
    assert names <= taken["acquired"] and names <= taken["released"], {
        k: sorted(names - v) for k, v in taken.items()
    }


def test_the_nightly_schedule_is_registered_in_the_sales_teams_zone(client, deployed):
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateName,
    )

    nightly = client.read_deployment_by_name("nightly/nightly")
    (schedule,) = nightly.schedules
    assert schedule.active
    assert schedule.schedule.cron == "0 2 * * *" and schedule.schedule.timezone == TIMEZONE
    # The scheduler has put the coming nights on the calendar: 02:00 in New York.
    deadline, upcoming = time.monotonic() + 60, []
    while not upcoming and time.monotonic() < deadline:
        upcoming = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[nightly.id])),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(name=FlowRunFilterStateName(any_=["Scheduled"]))
            ),
        )
        upcoming = [r for r in upcoming if r.auto_scheduled]
        time.sleep(1)
    assert upcoming, "the scheduler put no nightly on the calendar"
    from zoneinfo import ZoneInfo

    for run in upcoming:
        local = run.expected_start_time.astimezone(ZoneInfo(TIMEZONE))
        assert (local.hour, local.minute) == (2, 0), local


def artifacts(client, run_id) -> dict[str, object]:
    """The run's latest artifacts by key, tables decoded."""
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    found = client.read_artifacts(
        artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]))
    )
    out = {}
    for artifact in found:
        data = artifact.data
        out[artifact.key] = json.loads(data) if artifact.type == "table" and isinstance(data, str) else data
    return out


def every_log(client) -> str:
    lines: list[str] = []
    while page := client.read_logs(limit=200, offset=len(lines)):
        lines += [log.message for log in page]
    return "\n".join(lines)


def test_nightly_artifacts_give_the_runs_counts_and_tables(client, nightlies, deployed, box):
    first = nightlies["first"]
    found = artifacts(client, first.id)
    ((summary,),) = read_duckdb(
        deployed["duckdb"], "select summary from ops.runs where run_id = ?", (str(first.id),)
    )
    stages = read_duckdb(
        deployed["duckdb"],
        "select record_id, new_value from main.crm_updates where field_name in "
        "('Lifecycle_Stage__c', 'lifecyclestage') order by vendor, object_type, record_id",
    )
    summary = json.loads(summary)
    extracted = sum(r["records"] for r in summary["extracted"])
    written = summary["writeback"]
    calls = sum(r["api_calls"] for r in summary["extracted"]) + written["calls"]
    markdown = found["leadflow-nightly-summary"]
    assert extracted > 0 and written["written"] > 0
    assert f"| Records extracted | {extracted:,} |" in markdown
    assert f"| CRM records written | {written['written']:,} |" in markdown
    assert f"| Records rejected | {written['rejected']:,} |" in markdown
    assert f"| API calls spent | {calls:,} |" in markdown
    assert f"| People scored | {summary['people']['people']:,} |" in markdown
    table = found["leadflow-nightly-stage-changes"]
    assert f"| Stage changes | {len(table):,} |" in markdown
    assert [(r["record_id"], r["new_stage"]) for r in table] == stages
    assert found["leadflow-nightly-rejects"] == written["rejects"]
    tokens = [box.token("salesforce"), box.token("hubspot")]
    seen = json.dumps(found, default=str) + every_log(client)
    assert not any(t in seen for t in tokens)


def test_backfill_deployment_leaves_its_counts(client, nightlies, deployed, box):
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId

    since = (datetime.now(UTC) - timedelta(days=30)).isoformat()
    run = trigger(client, "backfill/backfill", {"since": since, "objects": ["Lead", "contacts"]})
    run = wait_final(client, run.id, deployed["log"])
    assert run.state.type.value == "COMPLETED", deployed["log"].read_text()[-5000:]
    (extract_run,) = client.read_flow_runs(
        flow_run_filter=FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[run.id]))
    )
    rows = read_duckdb(
        deployed["duckdb"],
        "select source, object, records, api_calls from ops.extract_log where run_id = ?",
        (str(extract_run.id),),
    )
    assert {(s, o) for s, o, *_ in rows} == {("salesforce", "Lead"), ("hubspot", "contacts")}
    found = artifacts(client, run.id)
    markdown = found["leadflow-backfill-summary"]
    assert f"| Records extracted | {sum(r[2] for r in rows):,} |" in markdown
    assert f"| API calls spent | {sum(r[3] for r in rows):,} |" in markdown
    assert found["leadflow-backfill-stage-changes"] == [] and found["leadflow-backfill-rejects"] == []
    tokens = [box.token("salesforce"), box.token("hubspot")]
    assert not any(t in json.dumps(found, default=str) + every_log(client) for t in tokens)
