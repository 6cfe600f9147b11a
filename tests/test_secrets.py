"""Tokens (environment or Prefect Secret blocks) reach the vendor clients; nothing a run leaves holds them.

A whole nightly that renews its Salesforce session mid-run is scanned too (logs, artifacts, the
summary, DuckDB and the files beside it, dbt's target and logs), and so are the exception texts
of refused tokens."""

from __future__ import annotations

import json
import time
import traceback
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from connectors.sandbox import Sandbox, SandboxSettings
from connectors.sandbox.admin import SandboxAdmin
from connectors.sandbox.seed import generate
from tests.test_artifacts import artifacts

FAST = SandboxSettings(hubspot_requests_per_10s=5000, hubspot_search_per_second=500)
TOKEN_VARS = ("LEADFLOW_SALESFORCE_SESSION_ID", "LEADFLOW_HUBSPOT_ACCESS_TOKEN")
DBT_PROJECT = Path(__file__).resolve().parent.parent / "dbt_project"


def every_log() -> list[str]:
    """Every log line the Prefect server holds (the run's, its subflows', its tasks')."""
    from prefect.client.orchestration import get_client
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=10)
    lines: list[str] = []
    with get_client(sync_client=True) as client:
        while page := client.read_logs(limit=200, offset=len(lines)):
            lines += [log.message for log in page]
    return lines


def stored_bytes(folder) -> bytes:
    """Every file the run left in the data folder: DuckDB, its WAL, locks, budgets."""
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    with Sandbox(tmp_path_factory.mktemp("sandbox"), settings=FAST) as sandbox:
        SandboxAdmin(sandbox.directory).load(generate(people=40, seed=3))
        yield sandbox


@pytest.fixture()
def blocks(prefect_harness):
    """Save Secret blocks by name for the test; delete them after."""
    from prefect.blocks.system import Secret

    saved = []

    def save(name: str, value: str) -> None:
        Secret(value=value).save(name, overwrite=True, _sync=True)
        saved.append(name)

    yield save
    for name in saved:
        Secret.delete(name, _sync=True)


@pytest.fixture()
def env_without_tokens(box, monkeypatch, tmp_path):
    """The sandbox's URLs and CA in the environment, its tokens not."""
    for key, value in box.env.items():
        monkeypatch.setenv(key, value)
    for key in TOKEN_VARS:
        monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no .env of a developer's checkout underneath
    path = tmp_path / "lf.duckdb"
    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(path))
    return path


def test_a_token_missing_from_the_environment_comes_from_its_block(box, blocks, env_without_tokens):
    from flows.settings import load_settings

    assert not load_settings().hubspot_enabled  # no block yet: the source is off
    blocks("leadflow-hubspot-access-token", box.token("hubspot"))
    settings = load_settings()
    assert settings.hubspot_access_token.get_secret_value() == box.token("hubspot")
    assert settings.salesforce_session_id is None
    assert box.token("hubspot") not in repr(settings)


def test_the_environment_wins_over_a_block(box, blocks, env_without_tokens, monkeypatch):
    from flows.settings import load_settings

    blocks("leadflow-hubspot-access-token", "pat-from-the-block")
    monkeypatch.setenv("LEADFLOW_HUBSPOT_ACCESS_TOKEN", "pat-from-the-environment")
    assert load_settings().hubspot_access_token.get_secret_value() == "pat-from-the-environment"


def test_block_names_are_settings(box, blocks, env_without_tokens, monkeypatch):
    from flows.settings import load_settings

    blocks("acme-sfdc-prod", box.token("salesforce"))
    monkeypatch.setenv("LEADFLOW_SALESFORCE_SESSION_ID_BLOCK", "acme-sfdc-prod")
    assert load_settings().salesforce_session_id.get_secret_value() == box.token("salesforce")


def test_without_a_prefect_server_no_block_is_looked_for(env_without_tokens, monkeypatch):
    from flows import secrets
    from flows.settings import load_settings

    def refuse(name):
        raise AssertionError(f"looked for block {name} with no server configured")

    monkeypatch.setattr(secrets, "read_secret_block", refuse)
    monkeypatch.setattr(secrets, "prefect_server_configured", lambda: False)
    assert load_settings().hubspot_access_token is None


def test_block_tokens_reach_both_crms_and_stay_out_of_logs_artifacts_and_duckdb(
    box, blocks, env_without_tokens
):
    from flows.backfill import backfill

    tokens = [box.token("salesforce"), box.token("hubspot")]
    blocks("leadflow-salesforce-session-id", tokens[0])
    blocks("leadflow-hubspot-access-token", tokens[1])
    state = backfill(since=datetime.now(UTC) - timedelta(days=400), return_state=True)
    extracted = state.result()
    by_source = {}
    for row in extracted:
        by_source[row["source"]] = by_source.get(row["source"], 0) + row["records"]
    # Each CRM answered with records: the block's token reached its client and was accepted.
    assert by_source.get("salesforce", 0) > 0 and by_source.get("hubspot", 0) > 0, by_source
    assert all(row["status"] == "complete" for row in extracted)

    run_id = state.state_details.flow_run_id
    lines, found = every_log(), artifacts(run_id)
    assert (
        any("hubspot.contacts" in line for line in lines) and "leadflow-backfill-summary" in found
    )  # there is something to search
    seen = "\n".join(lines) + json.dumps(found, default=str)
    assert not any(t in seen for t in tokens)
    assert not any(t.encode() in stored_bytes(env_without_tokens.parent) for t in tokens)


def every_artifact() -> str:
    """Every artifact the Prefect server holds (the nightly's and its subflows'), as text."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        found = client.read_artifacts()
    return json.dumps([[a.key, a.type, a.data, a.description] for a in found], default=str)


def files_since(folder: Path, started: float) -> bytes:
    """Every file under `folder` written since `started` (dbt's target and logs of the run)."""
    files = [p for p in sorted(folder.rglob("*")) if p.is_file() and p.stat().st_mtime >= started]
    return b"".join(p.read_bytes() for p in files)


@pytest.fixture(scope="module")
def renewed_nightly(box, prefect_harness, tmp_path_factory):
    """A whole nightly whose Salesforce session expires now and then: leadflow buys new ones."""
    from flows.nightly import nightly

    folder = tmp_path_factory.mktemp("nightly")
    before = box.tokens("salesforce")
    admin = SandboxAdmin(box.directory)
    started = time.time()
    with pytest.MonkeyPatch.context() as mp:
        for key, value in box.env.items():
            mp.setenv(key, value)
        mp.setenv("LEADFLOW_DUCKDB_PATH", str(folder / "lf.duckdb"))
        mp.chdir(folder)  # anything written relative to the working directory lands here too
        admin.set_faults("salesforce", seed=4, rate_expire=0.15)
        try:
            state = nightly(return_state=True)
        finally:
            admin.set_faults("salesforce")
    return {"state": state, "folder": folder, "started": started, "issued": box.tokens("salesforce") - before}


def test_a_nightly_renewing_its_session_leaves_no_secret_in_logs_artifacts_files_or_duckdb(
    box, renewed_nightly
):
    state, folder = renewed_nightly["state"], renewed_nightly["folder"]
    assert state.is_completed(), state.message
    issued = renewed_nightly["issued"]
    assert issued, "no session expired: nothing renewed to look for"
    secrets = [
        *box.tokens("salesforce"),  # the first session id and every one bought during the run
        box.token("hubspot"),
        box.salesforce_client()["client_secret"],
    ]
    summary = json.dumps(state.result(), default=str)
    lines, found = every_log(), every_artifact()
    assert any("nightly" in line for line in lines) and "leadflow-nightly-summary" in found
    text = "\n".join(lines) + found + summary
    assert not [s for s in secrets if s in text]
    stored = stored_bytes(folder)  # DuckDB, its WAL, locks, rate-limit files, the HTML report
    stored += files_since(DBT_PROJECT / "target", renewed_nightly["started"])
    stored += files_since(DBT_PROJECT / "logs", renewed_nightly["started"])
    assert b"leadflow" in stored and b"people" in stored  # there is something to search
    assert not [s for s in secrets if s.encode() in stored]


def test_refusals_name_no_secret_in_their_exceptions(box):
    """A refused session, a refused re-login and a refused HubSpot token: the exception texts."""
    import dataclasses

    from connectors.errors import AuthenticationError
    from connectors.hubspot.client import HubSpotClient
    from connectors.salesforce.client import call, connect
    from flows.settings import load_settings

    wrong = {
        "session": "00D5g0000000001!AQwrongsession",
        "secret": "wrong-client-secret-9f8e",
        "pat": "pat-na1-x",
    }
    with pytest.MonkeyPatch.context() as mp:
        for key, value in box.env.items():
            mp.setenv(key, value)
        settings = load_settings()
    config = dataclasses.replace(
        settings.salesforce(), session_id=wrong["session"], client_secret=wrong["secret"]
    )
    sf = connect(config)
    with pytest.raises(AuthenticationError) as salesforce:
        call(lambda: sf.query("SELECT Id FROM Lead"))
    hubspot = HubSpotClient(dataclasses.replace(settings.hubspot(), access_token=wrong["pat"]))
    with pytest.raises(AuthenticationError) as refused:
        hubspot.send(hubspot.properties.get_all, "contacts")
    secrets = [
        *wrong.values(),
        *box.tokens("salesforce"),
        box.token("hubspot"),
        box.salesforce_client()["client_secret"],
    ]
    for caught in (salesforce, refused):
        text = "".join(traceback.format_exception(caught.value)) + repr(caught.value)
        assert not [s for s in secrets if s in text], text
    assert "logging in again failed" in str(salesforce.value)  # the re-login was tried, and refused
