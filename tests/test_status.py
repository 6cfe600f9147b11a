"""`leadflow status`: runs, watermarks, budget, queue, rejects and SLA breaches, from the warehouse."""

from __future__ import annotations

import json

import duckdb
import pytest
from typer.testing import CliRunner

from flows.budget import TABLE as BUDGET_TABLE
from flows.cli import app
from flows.status import status
from flows.warehouse import Warehouse
from tests.built_warehouse import built_warehouse


@pytest.fixture(autouse=True)
def no_toml(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)


def test_no_warehouse_yet_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(tmp_path / "none" / "leadflow.duckdb"))
    result = CliRunner().invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    assert "Nothing has run yet" in result.stdout
    result = CliRunner().invoke(app, ["status", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["has_run"] is False
    assert not (tmp_path / "none").exists()  # status creates nothing


def test_fresh_warehouse_says_nothing_ran(monkeypatch, tmp_path):
    path = tmp_path / "leadflow.duckdb"
    Warehouse(path).close()
    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(path))
    result = CliRunner().invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    assert "Nothing has run yet" in result.stdout


@pytest.fixture(scope="module")
def ran():
    """The built company, with what a night's extract and write-back leave in ops."""
    path = built_warehouse()
    with Warehouse(path) as wh, wh.lock:
        con = wh.con
        con.execute("delete from ops.runs; delete from ops.run_failures; delete from ops.extract_log")
        con.execute("delete from ops.watermarks; delete from ops.rejects")
        con.execute(
            "insert into ops.runs values ('r1', 'nightly', '2026-03-01 02:00', '2026-03-01 02:20', "
            "'completed', '{}')"
        )
        con.execute(
            "insert into ops.run_failures values ('r2', 'nightly', 'n', null, '2026-03-02 02:05', "
            "'FAILED', 'SalesforceExpiredSession', 'INVALID_SESSION_ID')"
        )
        con.execute("insert into ops.watermarks values ('salesforce', 'Lead', '2026-03-01 01:59', now())")
        con.execute(
            "insert into ops.extract_log (run_id, source, object, finished_at, status, records, "
            "count_difference) values ('r1', 'salesforce', 'Lead', '2026-03-01 02:05', 'complete', 120, 0), "
            "('r1', 'hubspot', 'contacts', '2026-03-01 02:06', 'budget_exhausted', 40, 3)"
        )
        con.execute(
            "insert into ops.rejects values ('hubspot', 'contacts', '901', '{}', 'VALIDATION_ERROR', "
            "'bad value', 'leadflow_tier', false, 1, now(), now(), null), "
            "('salesforce', 'Lead', '00Q1', '{}', 'UNABLE_TO_LOCK_ROW', 'locked', '', true, 3, "
            "now(), now(), now())"
        )
        # A lead an import left with words for its employees: the quarantine (a view) names it.
        con.execute("delete from raw_salesforce.lead where id = '00Q5g0000QUARANAAA'")
        con.execute(
            "insert into raw_salesforce.lead values ('00Q5g0000QUARANAAA', now(), false, "
            """'{"Id": "00Q5g0000QUARANAAA", "LastName": "Q", "NumberOfEmployees": "fifty"}', now())"""
        )
        con.execute(BUDGET_TABLE)
        con.execute("delete from ops.api_budget")
        con.execute("insert into ops.api_budget values ('salesforce', 14000, 15000, 1000, now())")
    return path


def test_status_reads_what_runs_left(ran, monkeypatch):
    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(ran))
    s = status()
    assert [(r["flow"], r["status"]) for r in s["runs"]] == [("nightly", "failed"), ("nightly", "completed")]
    assert "INVALID_SESSION_ID" in s["runs"][0]["message"]
    objects = {(o["source"], o["object"]): o for o in s["objects"]}
    assert objects[("salesforce", "Lead")]["watermark"] is not None
    assert objects[("hubspot", "contacts")]["last_status"] == "budget_exhausted"
    assert s["api_budget"][0]["calls_left"] == 14000
    assert s["rejects"] == {"open": 1, "by_code": {"hubspot VALIDATION_ERROR": 1}}
    with duckdb.connect(str(ran)) as con:
        queued = con.execute(
            "select count(*) from (select distinct vendor, object_type, record_id from main.crm_updates)"
        ).fetchone()[0]
        breaches = con.execute(
            "select count(*) from main.int_mql_sla s join main.people p using (person_id) "
            "where s.breach_kind is not null and p.lifecycle_stage = 'mql'"
        ).fetchone()[0]
    # The refused HubSpot record is held back until leadflow's values for it change.
    assert s["writeback"]["records"] <= queued
    assert s["writeback"]["records"] == sum(s["writeback"]["by_vendor"].values())
    assert s["sla"]["open"] == breaches == sum(s["sla"]["by_owner"].values())
    with duckdb.connect(str(ran)) as con:
        named = con.execute("select reason, count(*) from main.quarantine group by 1").fetchall()
    assert s["quarantine"]["by_reason"] == dict(named) and s["quarantine"]["by_reason"]["not_a_number"] >= 1
    assert s["quarantine"]["values"] == sum(n for _, n in named)


def test_status_cli_table_and_json(ran, monkeypatch):
    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(ran))
    result = CliRunner().invoke(app, ["status", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rejects"]["open"] == 1
    result = CliRunner().invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    for words in (
        "Last runs",
        "salesforce.Lead",
        "budget_exhausted",
        "Waiting for write-back",
        "Rejects open: 1",
        "Quarantined (main.quarantine):",
        "not_a_number",
    ):
        assert words in result.stdout
