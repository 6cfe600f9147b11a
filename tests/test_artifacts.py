"""Prefect artifacts of extract, build and write-back runs, the failure record, and no token in any."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from connectors.sandbox import Sandbox, SandboxSettings
from connectors.sandbox.admin import SandboxAdmin
from connectors.sandbox.seed import generate
from tests import clients
from tests.raw_fixture import load_raw

FAST = SandboxSettings(hubspot_requests_per_10s=5000, hubspot_search_per_second=500)
FAKE_TOKEN = "pat-na1-leadflow-fake-token-0f3c9e"
TODAY = date(2026, 3, 1)


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    with Sandbox(tmp_path_factory.mktemp("sandbox"), settings=FAST) as sandbox:
        SandboxAdmin(sandbox.directory).load(generate(people=200, seed=5))
        yield sandbox


@pytest.fixture()
def env(box, prefect_harness, monkeypatch, tmp_path) -> Path:
    for key, value in box.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("LEADFLOW_WRITEBACK_BACKOFF", "0.05")
    path = tmp_path / "lf.duckdb"
    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(path))
    return path


def queue(path: Path, rows: list[tuple]) -> None:
    """main.crm_updates as the build leaves it: (vendor, object_type, record_id, field, current, new)."""
    with duckdb.connect(str(path)) as con:
        con.execute(
            "create or replace table main.crm_updates (vendor varchar, object_type varchar, "
            "record_id varchar, person_id varchar, field_name varchar, current_value varchar, "
            "new_value varchar, clear_first boolean)"
        )
        con.executemany(
            "insert into main.crm_updates values (?, ?, ?, ?, ?, ?, ?, false)",
            [(v, o, r, f"p-{r}", f, c, n) for v, o, r, f, c, n in rows],
        )
        con.execute("create schema if not exists ops")
        con.execute(
            "create table if not exists ops.builds "
            "(started_at timestamp, finished_at timestamp, success boolean)"
        )
        con.execute(
            "insert into ops.builds values (now() at time zone 'UTC', now() at time zone 'UTC', true)"
        )


def contact_ids(box: Sandbox, n: int) -> list[str]:
    return [c.id for c in clients.hubspot(box).crm.contacts.basic_api.get_page(limit=n).results]


def artifacts(run_id) -> dict[str, object]:
    """The run's artifacts by key, tables decoded."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]))
        )
    out = {}
    for artifact in found:
        data = artifact.data
        out[artifact.key] = json.loads(data) if artifact.type == "table" and isinstance(data, str) else data
    return out


def logs(run_id) -> list[str]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=10)
    with get_client(sync_client=True) as client:
        return [
            log.message for log in client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
        ]


def stored_bytes(path: Path) -> bytes:
    """The DuckDB file, its write-ahead log and the lock and rate-limit files beside it, as on disk."""
    found = sorted(path.parent.glob(path.name + "*"))
    files = [f for p in found for f in ([p] if p.is_file() else sorted(p.rglob("*")))]
    return b"".join(f.read_bytes() for f in files if f.is_file())


def test_writeback_run_leaves_a_summary_and_its_stage_changes_and_rejects(box, env):
    from flows.writeback import writeback

    contacts = contact_ids(box, 6)
    rows = [("hubspot", "contacts", c, "leadflow_tier", None, "Warm") for c in contacts[:4]]
    rows.append(("hubspot", "contacts", contacts[4], "lifecyclestage", "lead", "marketingqualifiedlead"))
    rows.append(("hubspot", "contacts", contacts[5], "leadflow_tier", None, "Lukewarm"))  # refused
    queue(env, rows)
    state = writeback(return_state=True)
    summary = state.result()
    assert summary.written == 5 and summary.rejected == 1

    found = artifacts(state.state_details.flow_run_id)
    markdown = found["leadflow-writeback-summary"]
    assert "| CRM records written | 5 |" in markdown
    assert "| Records rejected | 1 |" in markdown
    assert f"| API calls spent | {summary.calls:,} |" in markdown and summary.calls > 0
    assert "| Stage changes | 1 |" in markdown
    assert found["leadflow-writeback-stage-changes"] == [
        {
            "vendor": "hubspot",
            "object_type": "contacts",
            "record_id": contacts[4],
            "person_id": f"p-{contacts[4]}",
            "old_stage": "lead",
            "new_stage": "marketingqualifiedlead",
        }
    ]
    (reject,) = found["leadflow-writeback-rejects"]
    assert reject["record_id"] == contacts[5] and "leadflow_tier" in reject["message"]


def test_dry_run_artifacts_say_nothing_was_written(box, env):
    from flows.writeback import writeback

    contacts = contact_ids(box, 3)
    queue(env, [("hubspot", "contacts", c, "lifecyclestage", "lead", "salesqualifiedlead") for c in contacts])
    state = writeback(dry_run=True, return_state=True)
    found = artifacts(state.state_details.flow_run_id)
    assert "| CRM records written | 0 |" in found["leadflow-writeback-summary"]
    assert "dry run: 3 records would change" in found["leadflow-writeback-summary"]
    assert sorted(r["record_id"] for r in found["leadflow-writeback-stage-changes"]) == sorted(contacts)
    assert found["leadflow-writeback-rejects"] == []


def test_build_run_leaves_people_scored_and_queued_stage_changes(prefect_harness, monkeypatch, tmp_path):
    from flows.build import build

    path = tmp_path / "leadflow.duckdb"
    load_raw(path, generate(people=120, seed=11, today=TODAY))
    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(path))
    state = build(as_of=TODAY, return_state=True)
    assert state.result()["success"]
    with duckdb.connect(str(path)) as con:
        scored = con.execute("select count(*) from main.people where score is not null").fetchone()[0]
        queued = con.execute(
            "select record_id from main.crm_updates "
            "where field_name in ('Lifecycle_Stage__c', 'lifecyclestage')"
        ).fetchall()
    found = artifacts(state.state_details.flow_run_id)
    assert scored > 0 and queued
    assert f"| People scored | {scored:,} |" in found["leadflow-build-summary"]
    assert f"| Stage changes | {len(queued):,} |" in found["leadflow-build-summary"]
    assert sorted(r["record_id"] for r in found["leadflow-build-stage-changes"]) == sorted(
        r for (r,) in queued
    )


def test_extract_run_leaves_its_counts_per_object_and_no_token(box, env):
    from flows.extract import extract

    state = extract(objects=["Lead", "contacts"], return_state=True)
    results = state.result()
    assert {(r["source"], r["object"]) for r in results} == {("salesforce", "Lead"), ("hubspot", "contacts")}
    assert all(r["records"] > 0 and r["api_calls"] > 0 for r in results)

    found = artifacts(state.state_details.flow_run_id)
    markdown = found["leadflow-extract-summary"]
    assert f"| Records extracted | {sum(r['records'] for r in results):,} |" in markdown
    assert f"| API calls spent | {sum(r['api_calls'] for r in results):,} |" in markdown
    assert "| Records rejected | 0 |" in markdown
    for r in results:
        row = (
            f"| {r['source']}.{r['object']} | {r['records']:,} | {r['new']:,} | {r['changed']:,} "
            f"| {r['api_calls']:,} | complete |"
        )
        assert row in markdown
    assert found["leadflow-extract-stage-changes"] == [] and found["leadflow-extract-rejects"] == []
    tokens = [box.token("salesforce"), box.token("hubspot")]
    assert not any(
        t in json.dumps(found, default=str) + "\n".join(logs(state.state_details.flow_run_id)) for t in tokens
    )


def test_a_failed_run_records_why_without_the_token(box, env, monkeypatch):
    from flows.writeback import writeback

    contacts = contact_ids(box, 2)
    queue(env, [("hubspot", "contacts", c, "leadflow_tier", None, "Hot") for c in contacts])
    monkeypatch.setenv("LEADFLOW_HUBSPOT_ACCESS_TOKEN", FAKE_TOKEN)  # the sandbox refuses it
    state = writeback(return_state=True)
    assert state.is_failed()
    run_id = state.state_details.flow_run_id

    with duckdb.connect(str(env)) as con:
        failures = con.execute(
            "select flow, state, error, message from ops.run_failures where run_id = ?", (str(run_id),)
        ).fetchall()
    assert len(failures) == 1
    flow, state_name, error, message = failures[0]
    assert flow == "writeback" and state_name == "Failed" and error and message
    lines = logs(run_id)
    assert any("leadflow writeback run" in line and "failed" in line for line in lines), lines
    assert not any(FAKE_TOKEN in line for line in lines)
    assert FAKE_TOKEN.encode() not in stored_bytes(env)


def test_tokens_never_reach_logs_artifacts_or_duckdb(box, env, monkeypatch):
    from flows.settings import load_settings
    from flows.writeback import writeback

    tokens = [box.token("salesforce"), box.token("hubspot")]
    settings = load_settings()
    assert not any(t in repr(settings) or t in str(settings.model_dump()) for t in tokens)

    contacts = contact_ids(box, 3)
    leads = [r["Id"] for r in clients.salesforce(box).query_all("SELECT Id FROM Lead LIMIT 3")["records"]]
    queue(
        env,
        [("hubspot", "contacts", c, "leadflow_tier", None, "Cold") for c in contacts]
        + [("salesforce", "Lead", lead, "Lead_Score__c", None, "12") for lead in leads],
    )
    state = writeback(return_state=True)
    assert state.result().written == 6
    run_id = state.state_details.flow_run_id
    lines, found = logs(run_id), artifacts(run_id)
    assert any("wrote 6 records" in line for line in lines) and found  # there is something to search
    seen = "\n".join(lines) + json.dumps(found, default=str)
    assert not any(t in seen for t in tokens)
    assert not any(t.encode() in stored_bytes(env) for t in tokens)
