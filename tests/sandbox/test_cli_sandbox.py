"""`leadflow sandbox faults | requests | load --direct | up --faults` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
import requests
from typer.testing import CliRunner

from connectors.sandbox import FaultPlan, Sandbox
from connectors.sandbox.admin import SandboxAdmin
from connectors.sandbox.app import DirectoryInUse, hold_directory
from connectors.sandbox.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    with Sandbox(tmp_path_factory.mktemp("cli")) as sandbox:
        yield sandbox


@pytest.fixture(autouse=True)
def no_faults(box):
    yield
    for vendor in ("salesforce", "hubspot"):
        box.set_faults(vendor, FaultPlan())


def sandbox(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def call(box: Sandbox, vendor: str, path: str) -> requests.Response:
    session = requests.Session()
    session.verify, session.trust_env = str(box.ca_path), False
    session.headers["Authorization"] = f"Bearer {box.token(vendor)}"
    return session.get(box.url(vendor) + path)


def test_faults_set_show_and_clear(box):
    d = box.directory
    done = sandbox("faults", "--dir", d, "--vendor", "hubspot", "--rate-500", "1", "--seed", "3")
    assert done.exit_code == 0, done.output
    assert done.output.strip() == "hubspot     seed 3: 100% 500"
    assert call(box, "hubspot", "/crm/v3/objects/contacts").status_code == 500
    assert call(box, "salesforce", "/services/data/v59.0/limits").status_code == 200
    shown = json.loads(sandbox("faults", "--dir", d, "--json").output)
    assert shown["hubspot"]["rate_500"] == 1.0 and shown["hubspot"]["seed"] == 3
    assert shown["salesforce"] == FaultPlan().to_dict()
    both = sandbox("faults", "--dir", d, "--rate-slow", "0.5", "--slow-ms", "10", "--rate-lock", "0.25")
    assert both.output.splitlines() == [
        "salesforce  seed 0: 50% slow (10 ms), 25% lock",
        "hubspot     seed 0: 50% slow (10 ms), 25% lock",
    ]
    assert box.faults["hubspot"].rate_500 == 0  # a new plan replaces the old one
    cleared = sandbox("faults", "--dir", d, "--clear")
    assert cleared.output.splitlines() == ["salesforce  no faults", "hubspot     no faults"]
    assert call(box, "hubspot", "/crm/v3/objects/contacts").status_code == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rate-500", "1.5"], "rate_500 must be a number from 0 to 1"),
        (["--rate-500", "0.6", "--rate-429", "0.6"], "add up to 1.2"),
        (["--clear", "--rate-500", "0.1"], "--clear and --rate-* options do not go together"),
    ],
)
def test_faults_refuses_bad_plans(box, args, message):
    done = sandbox("faults", "--dir", box.directory, *args)
    assert done.exit_code == 1 and message in done.output
    assert not box.faults["salesforce"].any()


def test_commands_that_need_a_running_sandbox_say_so(tmp_path):
    done = sandbox("requests", "--dir", tmp_path)
    assert done.exit_code == 1 and "no sandbox in" in done.output and "sandbox up" in done.output


def test_requests_prints_each_request_and_a_summary(box):
    start = box.requests()[-1]["seq"] if box.requests() else 0
    box.set_faults("salesforce", FaultPlan(seed=1, rate_500=0.5))  # 500, 200, 200, 500, 500, 500
    statuses = [call(box, "salesforce", "/services/data/v59.0/limits").status_code for _ in range(6)]
    call(box, "hubspot", "/crm/v3/objects/contacts")
    answer = json.loads(sandbox("requests", "--dir", box.directory, "--after", start, "--json").output)
    logged = answer["requests"]
    assert statuses == [500, 200, 200, 500, 500, 500]
    assert [e["status"] for e in logged] == [*statuses, 200]
    assert logged[0]["method"] == "GET" and logged[0]["path"] == "/services/data/v59.0/limits"
    assert all(e["ms"] > 0 for e in logged) and not any("/_sandbox/" in e["path"] for e in logged)
    summary = answer["summary"]
    assert summary["count"] == 7 and summary["by_status"] == {"200": 3, "500": 4}
    assert 0 < summary["median_ms"] <= summary["p95_ms"]
    only = json.loads(
        sandbox("requests", "--dir", box.directory, "--after", start, "--vendor", "hubspot", "--json").output
    )
    assert [e["vendor"] for e in only["requests"]] == ["hubspot"]
    text = sandbox("requests", "--dir", box.directory, "--after", start).output.splitlines()
    assert text[0].split() == ["seq", "vendor", "method", "status", "ms", "path"]
    assert text[1].split()[1:4] == ["salesforce", "GET", str(statuses[0])]
    assert text[-1].startswith("7 requests: 200 x3, 500 x4; median ") and " ms, p95 " in text[-1]


def test_direct_load_refuses_while_the_sandbox_runs(box, tmp_path):
    lines = tmp_path / "one.jsonl"
    lines.write_text('{"vendor": "hubspot", "object": "contacts", "record": {"id": "5"}}\n')
    done = sandbox("load", lines, "--direct", "--dir", box.directory)
    assert done.exit_code == 1
    assert "in use by a running sandbox" in done.output and "without --direct" in done.output
    with pytest.raises(DirectoryInUse):
        Sandbox(box.directory).start()


def test_direct_load_then_serve(tmp_path):
    lines = tmp_path / "people.jsonl"
    rows = [
        {"vendor": "salesforce", "object": "Lead", "record": {"LastName": f"L{i}", "Company": "Co"}}
        for i in range(30)
    ] + [{"vendor": "hubspot", "object": "contacts", "record": {"properties": {"email": "a@b.example"}}}]
    lines.write_text("".join(json.dumps(r) + "\n" for r in rows))
    done = sandbox("load", lines, "--direct", "--dir", tmp_path / "box")
    assert done.exit_code == 0, done.output
    assert "31 records in" in done.output and "salesforce: 30 Lead" in done.output
    with hold_directory(tmp_path / "box", "a test"):  # a sandbox (or another load) holds it
        busy = sandbox("load", lines, "--direct", "--dir", tmp_path / "box")
    assert busy.exit_code == 1 and "in use by a test" in busy.output
    lines.write_text(lines.read_text() + "{oops\n")
    bad = sandbox("load", lines, "--direct", "--dir", tmp_path / "box")
    assert bad.exit_code == 1 and "line 32: not JSON" in bad.output and "nothing was loaded" in bad.output
    with Sandbox(tmp_path / "box") as served:
        assert served.store.count("salesforce", "Lead") == 30


def test_up_with_a_fault_file(tmp_path):
    plans = tmp_path / "faults.json"
    plans.write_text('{"hubspot": {"seed": 2, "rate_503": 1.0}}')
    directory = tmp_path / "box"
    proc = subprocess.Popen(
        [sys.executable, "-m", "connectors.sandbox", "up", "--dir", str(directory), "--faults", str(plans)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not ((directory / "sandbox.env").exists() and SandboxAdmin(directory).healthy()):
            assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read()
            time.sleep(0.1)
        admin = SandboxAdmin(directory)
        assert admin.faults("hubspot")["rate_503"] == 1.0 and admin.faults("salesforce")["rate_503"] == 0
        again = sandbox("up", "--dir", directory)  # one sandbox per directory
        assert again.exit_code == 1 and "in use by a running sandbox (pid" in again.output
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
    assert proc.returncode == 0
    assert "Faults      hubspot: seed 2: 100% 503" in output
    plans.write_text('{"hubspot": {"rate_503": 3}}')
    refused = sandbox("up", "--dir", directory, "--faults", plans)
    assert refused.exit_code == 1 and "rate_503 must be a number from 0 to 1" in refused.output


def test_up_refuses_while_a_direct_load_writes(tmp_path):
    with hold_directory(tmp_path, "a direct load (leadflow sandbox load --direct)"):
        done = sandbox("up", "--dir", tmp_path)
    assert done.exit_code == 1 and "in use by a direct load" in done.output
