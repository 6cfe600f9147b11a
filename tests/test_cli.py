"""The CLI as a user runs it: `leadflow sandbox up/seed`, a restart, `leadflow run extract`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceExpiredSession

from connectors.sandbox.admin import SandboxAdmin, read_env

LEADFLOW = [sys.executable, "-m", "flows.cli"]


def start(directory: Path) -> subprocess.Popen:
    env_file = directory / "sandbox.env"
    env_file.unlink(missing_ok=True)
    proc = subprocess.Popen(
        [*LEADFLOW, "sandbox", "up", "--dir", str(directory)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read()
        if env_file.exists() and SandboxAdmin(env_file).healthy():
            return proc
        time.sleep(0.1)
    proc.kill()
    raise AssertionError("sandbox did not come up")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    assert proc.wait(timeout=30) == 0


def salesforce(env: dict[str, str], token: str | None = None) -> Salesforce:
    session = requests.Session()
    session.verify = env["LEADFLOW_CA_BUNDLE"]
    session.trust_env = False
    return Salesforce(
        instance_url=env["LEADFLOW_SALESFORCE_INSTANCE_URL"],
        session_id=token or env["LEADFLOW_SALESFORCE_SESSION_ID"],
        session=session,
        version="59.0",
    )


def test_sandbox_up_seed_restart_and_extract(tmp_path):
    box = tmp_path / "sandbox"
    proc = start(box)
    try:
        env = read_env(box / "sandbox.env")
        for key in (
            "LEADFLOW_SALESFORCE_INSTANCE_URL",
            "LEADFLOW_SALESFORCE_SESSION_ID",
            "LEADFLOW_HUBSPOT_BASE_URL",
            "LEADFLOW_HUBSPOT_ACCESS_TOKEN",
            "LEADFLOW_CA_BUNDLE",
        ):
            assert env[key]
        seeded = subprocess.run(
            [*LEADFLOW, "sandbox", "seed", "--dir", str(box), "--people", "60", "--seed", "3"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert seeded.returncode == 0, seeded.stderr
        leads = salesforce(env).query("SELECT COUNT() FROM Lead")["totalSize"]
        assert leads > 0
        try:
            salesforce(env, token="00D000000000001!wrong").query("SELECT Id FROM Lead LIMIT 1")
            raise AssertionError("a wrong token was accepted")
        except SalesforceExpiredSession as err:
            assert err.content[0]["errorCode"] == "INVALID_SESSION_ID"
    finally:
        stop(proc)

    # Restarted: the same records, the same token, the same URLs when the ports are free.
    proc = start(box)
    try:
        again = read_env(box / "sandbox.env")
        assert again["LEADFLOW_SALESFORCE_SESSION_ID"] == env["LEADFLOW_SALESFORCE_SESSION_ID"]
        assert salesforce(again).query("SELECT COUNT() FROM Lead")["totalSize"] == leads

        run_env = {**os.environ, "LEADFLOW_DUCKDB_PATH": str(tmp_path / "lf.duckdb")}
        extracted = subprocess.run(
            [
                *LEADFLOW,
                "run",
                "extract",
                "--env-file",
                str(box / "sandbox.env"),
                "--objects",
                "Lead",
                "--objects",
                "hubspot.contacts",
                "--json",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            env=run_env,
        )
        assert extracted.returncode == 0, extracted.stderr[-3000:]
        rows = {(r["source"], r["object"]): r for r in json.loads(extracted.stdout)}
        assert set(rows) == {("salesforce", "Lead"), ("hubspot", "contacts")}
        assert rows[("salesforce", "Lead")]["records"] == leads
        assert rows[("hubspot", "contacts")]["records"] > 0
    finally:
        stop(proc)


def test_progress_shows_counts_and_rate_on_a_terminal():
    import io

    from rich.console import Console

    from flows import progress

    screen = io.StringIO()
    with progress.shown(Console(file=screen, force_terminal=True, width=120)):
        progress.start("extract salesforce.Lead")
        for _ in range(3):
            progress.advance("extract salesforce.Lead", 500)
        progress.finish("extract salesforce.Lead")
        progress.start("write-back hubspot", total=200)
        progress.advance("write-back hubspot", 100)
    shown = screen.getvalue()
    assert "extract salesforce.Lead" in shown and "1,500/1,500 records" in shown
    assert "records/s" in shown
    assert "100/200 records" in shown
    progress.advance("extract salesforce.Lead", 1)  # nothing shown any more: no error either


def test_progress_only_for_a_person_at_a_terminal():
    import io

    from flows import progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert progress.wanted(False, False, Terminal())
    assert not progress.wanted(True, False, Terminal())  # --quiet
    assert not progress.wanted(False, True, Terminal())  # --json
    assert not progress.wanted(False, False, io.StringIO())  # piped, logged, under test


def test_partial_runs_exit_3_with_the_reason():
    from typer.testing import CliRunner

    from flows.cli import app
    from flows.exits import PARTIAL, partial_reason

    rows = [{"source": "hubspot", "object": "contacts", "status": "budget_exhausted"}]
    assert "hubspot.contacts" in partial_reason(rows)
    assert "2 records rejected" in partial_reason({"writeback": {"rejected": 2, "dry_run": False}})
    assert partial_reason({"extracted": [], "writeback": {"rejected": 0, "dry_run": False}}) is None
    result = CliRunner().invoke(app, ["run", "extract", "--objects", "NoSuchObject"])
    assert result.exit_code == 2 and "NoSuchObject" in result.output
    assert PARTIAL == 3


def test_demo_runs_the_nightly_against_the_sandbox_and_reads_back(tmp_path):
    """`make demo`'s command, as a new user runs it: the sandbox started and filled, the nightly
    against it (its own temporary Prefect server), records read back with the vendors' clients."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEADFLOW_", "PREFECT_API_"))}
    done = subprocess.run(
        [*LEADFLOW, "demo", "--dir", str(tmp_path / "demo"), "--people", "150", "--seed", "5"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Salesforce Leads at MQL (read back with simple-salesforce)" in done.stdout
    assert "HubSpot contacts at MQL (read back with hubspot-api-client)" in done.stdout
    with duckdb.connect(str(tmp_path / "demo" / "leadflow.duckdb"), read_only=True) as con:
        people, written = con.execute(
            "select (select count(*) from main.people), (select count(*) from ops.writeback_log)"
        ).fetchone()
    assert people >= 100 and written > 0
