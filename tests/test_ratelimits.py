"""API limits shared by leadflow processes: two runs at once stay within one token's limits together."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from connectors.sandbox import Sandbox, SandboxSettings
from flows.ratelimits import SharedWindow
from flows.settings import REPO_ROOT

# Each process sends CALLS through the flows' HubSpot client; together they need two windows.
LIMIT, CALLS = 10, 8

# Both processes start spending together: each says it is ready, then waits for the go file.
READY = """
import os, sys, time

def ready():
    print("ready", flush=True)
    while not os.path.exists(os.environ["GO_FILE"]):
        time.sleep(0.01)
"""

SPEND_HUBSPOT = (
    READY
    + """
import json, sys
from connectors.hubspot import HubSpotSource
from flows.ratelimits import hubspot_client
from flows.settings import load_settings

settings = load_settings()
source = HubSpotSource(settings.hubspot(), client=hubspot_client(settings))
ready()
for _ in range(int(sys.argv[1])):
    source.property_names("contacts")
print(json.dumps({"calls": source.client.calls}))
"""
)

SPEND_DAILY = (
    READY
    + """
import json
from connectors.errors import BudgetExhausted
from connectors.salesforce import SalesforceSource
from connectors.hubspot import HubSpotSource
from flows.ratelimits import hubspot_client
from flows.settings import load_settings

settings = load_settings()
ready()
spent = {}
for name, source, call in (
    ("salesforce", SalesforceSource(settings.salesforce()), lambda s: s.count("Lead")),
    (
        "hubspot",
        HubSpotSource(settings.hubspot(), client=hubspot_client(settings)),
        lambda s: s.property_names("contacts"),
    ),
):
    try:
        while True:
            call(source)
    except BudgetExhausted:
        spent[name] = source.meter.total
print(json.dumps(spent))

"""
)


class FakeTime:
    """A clock that moves only when someone sleeps."""

    def __init__(self) -> None:
        self.now, self.waits = 1000.0, []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def run_together(script: str, env: dict, *args: str) -> list[dict]:
    """Start two processes running `script`, wait for both, return what each printed."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, *args],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for proc in procs:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    (Path(env["GO_FILE"])).touch()
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
        outputs.append(json.loads(out.strip().splitlines()[-1]))
    return outputs


def leadflow_env(box: Sandbox, tmp_path, **extra: str) -> dict:
    env = {
        **os.environ,
        **box.env,
        "LEADFLOW_DUCKDB_PATH": str(tmp_path / "leadflow.duckdb"),
        "GO_FILE": str(tmp_path / "go"),
    }
    return {**env, **extra}


def test_two_windows_on_one_file_count_each_others_calls(tmp_path):
    fake = FakeTime()
    path = tmp_path / "hubspot-10s.json"
    nightly = SharedWindow(path, 3, 10.0, clock=fake.clock, sleep=fake.sleep)
    backfill = SharedWindow(path, 3, 10.0, clock=fake.clock, sleep=fake.sleep)
    nightly.acquire()
    fake.now += 2
    nightly.acquire()
    backfill.acquire()
    assert fake.waits == []
    backfill.acquire()  # the fourth call in 10 s waits for the first to leave the window
    assert fake.waits == [pytest.approx(8.0)]


def test_a_slot_counts_until_its_answer_comes_back(tmp_path):
    fake = FakeTime()
    window = SharedWindow(tmp_path / "w.json", 1, 10.0, clock=fake.clock, sleep=fake.sleep)
    with window.held():
        fake.now += 30  # a slow answer
    window.acquire()
    assert sum(fake.waits) == pytest.approx(10.0)  # counted from the answer, not from the send


def test_a_slot_held_by_a_killed_process_is_given_back(tmp_path):
    path = tmp_path / "w.json"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from flows.ratelimits import SharedWindow\n"
            f"w = SharedWindow({str(path)!r}, 1, 0.5)\n"
            "with w.held():\n"
            "    print('held', flush=True)\n"
            "    time.sleep(600)\n",
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    waits: list[float] = []
    SharedWindow(path, 1, 0.5, sleep=lambda s: (waits.append(s), time.sleep(s))).acquire()
    # Taken as answered when its death was seen: one window's wait, not IN_FLIGHT_MAX's.
    assert sum(waits) <= 0.5 + 0.01, waits


@pytest.fixture()
def strict_box(tmp_path):
    """A sandbox allowing one token LIMIT requests per 10 s: it answers 429 to the next."""
    with Sandbox(tmp_path / "sandbox", settings=SandboxSettings(hubspot_requests_per_10s=LIMIT)) as box:
        yield box


def test_two_processes_share_one_hubspot_window(strict_box, tmp_path):
    env = leadflow_env(strict_box, tmp_path, LEADFLOW_HUBSPOT_REQUESTS_PER_10S=str(LIMIT))
    after = strict_box.requests()[-1]["seq"] if strict_box.requests() else 0
    outputs = run_together(SPEND_HUBSPOT, env, str(CALLS))
    assert [o["calls"] for o in outputs] == [CALLS, CALLS]
    sent = strict_box.requests(after, vendor="hubspot")
    # Each process alone stays under LIMIT; only a shared window keeps the two from a 429.
    statuses = [r["status"] for r in sent]
    assert statuses.count(200) == 2 * CALLS and 429 not in statuses, statuses


@pytest.fixture()
def nearly_spent_box(tmp_path):
    """A sandbox whose daily allocations leave 30 calls above leadflow's reserve of 20."""
    settings = SandboxSettings(salesforce_daily_limit=50, hubspot_daily_limit=50)
    with Sandbox(tmp_path / "sandbox", settings=settings) as box:
        yield box


def test_two_processes_stop_together_at_the_daily_reserve(nearly_spent_box, tmp_path):
    box = nearly_spent_box
    env = leadflow_env(
        box,
        tmp_path,
        LEADFLOW_SALESFORCE_DAILY_RESERVE="20",
        LEADFLOW_HUBSPOT_DAILY_RESERVE="20",
    )
    outputs = run_together(SPEND_DAILY, env)
    for vendor in ("salesforce", "hubspot"):
        spent = sum(o[vendor] for o in outputs)
        refused = [r for r in box.requests(vendor=vendor) if r["status"] in (403, 429)]
        # Both read the account's remaining calls from every answer: together they spend what
        # is left above the reserve, each at most one call past it (its answer tells it so).
        assert 30 - 2 <= spent <= 30 + 2, (vendor, outputs)
        assert not refused, refused
        assert min(o[vendor] for o in outputs) > 0  # both processes spent from the one budget
