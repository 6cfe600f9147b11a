"""The build flow: each dbt node a Prefect task run with its state, a failed node a failed flow."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date

import duckdb

from connectors.sandbox.seed import generate
from tests.raw_fixture import load_raw

TODAY = date(2026, 3, 1)


def task_runs(flow_run_id) -> list:
    """Every task run of the flow run, however many pages."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    wanted = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
    found: list = []
    with get_client(sync_client=True) as client:
        while page := client.read_task_runs(flow_run_filter=wanted, limit=200, offset=len(found)):
            found += page
    return found


def node_names(results) -> Counter:
    """The task run names prefect-dbt gives the nodes dbt ran ("model people", "test ..."); the
    project's on-run-start hooks are no manifest nodes, and no tasks."""
    nodes = [r.node for r in results if r.node.resource_type != "operation"]
    return Counter(f"{n.resource_type.lower()} {n.name}" for n in nodes)


def test_each_dbt_node_is_a_completed_task_run_of_the_build(prefect_harness, monkeypatch, tmp_path):
    from flows import build as build_module

    path = tmp_path / "leadflow.duckdb"
    load_raw(path, generate(people=60, seed=3, today=TODAY))
    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(path))
    ran = []
    real_invoke = build_module.NodeTaskRunner.invoke

    def invoke(self, args, **kwargs):
        ran.append(result := real_invoke(self, args, **kwargs))
        return result

    monkeypatch.setattr(build_module.NodeTaskRunner, "invoke", invoke)
    state = build_module.build(as_of=TODAY, return_state=True)
    assert state.result()["success"]
    runs = task_runs(state.state_details.flow_run_id)
    assert Counter(r.name for r in runs) == node_names(ran[0].result)
    assert {r.state_name for r in runs} == {"Completed"}
    assert not [t for t in threading.enumerate() if t.name.endswith("(run_task)")]
    with duckdb.connect(str(path)) as con:
        assert con.execute("select bool_and(success), count(*) from ops.builds").fetchone() == (True, 1)


def test_a_failed_model_fails_its_task_run_and_the_build(prefect_harness, monkeypatch, tmp_path):
    from flows.build import build

    path = tmp_path / "leadflow.duckdb"
    load_raw(path, generate(people=60, seed=3, today=TODAY))
    with duckdb.connect(str(path)) as con:
        # A landed table without the columns stg_salesforce__users (its only reader) reads.
        con.execute("create or replace table raw_salesforce.user as select 1 as unexpected")
    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(path))
    state = build(as_of=TODAY, return_state=True)
    assert state.is_failed()
    runs = task_runs(state.state_details.flow_run_id)
    failed = [r.name for r in runs if r.state_name == "Failed"]
    assert failed == ["model stg_salesforce__users"]
    assert len(runs) > len(failed) and all(r.state_name in ("Completed", "Failed") for r in runs)
