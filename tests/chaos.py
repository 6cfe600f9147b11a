"""Chaos trials: a nightly under injected faults, killed (kill -9) at a random point, run again.

Each trial starts from a copy of one seeded sandbox and an empty warehouse, so its CRM state
at the end can be compared, field by field, with a fault-free run's. The test
(tests/test_chaos.py) runs a few trials; bench/chaos.py runs 20 or more and writes the figures.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from connectors.hubspot.settings import WRITABLE_PROPERTIES
from connectors.salesforce.settings import WRITABLE_FIELDS
from connectors.sandbox import FaultPlan, Sandbox, SandboxSettings
from connectors.sandbox.admin import SandboxAdmin
from connectors.sandbox.app import LOCK_FILE
from connectors.sandbox.seed import generate

FAST = SandboxSettings(hubspot_requests_per_10s=5000, hubspot_search_per_second=500)
REPO = Path(__file__).resolve().parent.parent


def chaos_plans(seed: int) -> dict[str, FaultPlan]:
    """The issue's plan: 20% 429, 5% 5xx, 2% resets; Salesforce sessions expire too.

    HubSpot private-app tokens do not expire, so HubSpot gets no expiry.
    """
    common = {"rate_429": 0.2, "rate_500": 0.025, "rate_503": 0.025, "rate_drop": 0.01, "rate_reset": 0.01}
    return {
        "salesforce": FaultPlan(seed=seed, rate_expire=0.02, **common),
        "hubspot": FaultPlan(seed=seed + 1, **common),
    }


def seed_template(directory: Path, people: int, seed: int) -> Path:
    """A stopped sandbox holding one generated company, to copy for every run."""
    with Sandbox(directory, settings=FAST) as box:
        SandboxAdmin(box.directory).load(generate(people=people, seed=seed))
    return directory


def crm_state(box: Sandbox) -> dict[tuple, object]:
    """Every field leadflow may write, on every record it may write: (vendor, object, id, field) -> value."""
    state: dict[tuple, object] = {}
    for obj in ("Lead", "Contact"):
        for rec in box.store.select("salesforce", obj):
            for name in WRITABLE_FIELDS:
                state[("salesforce", obj, rec.id, name)] = rec.data.get(name)
    for rec in box.store.select("hubspot", "contacts"):
        props = rec.data.get("properties", {})
        for name in WRITABLE_PROPERTIES:
            state[("hubspot", "contacts", rec.id, name)] = props.get(name) or None
    return state


@dataclass
class Outcome:
    """What one run (fault-free or a trial) left behind."""

    state: dict[tuple, object]
    writes: Counter
    faults: Counter = field(default_factory=Counter)
    requests: int = 0
    killed_after: float | None = None  # seconds into the first run; None: it ended first
    killed_in: str = ""  # the stage the kill stopped: extract, build or write-back
    reruns: int = 0
    exits: list[int] = field(default_factory=list)
    seconds: float = 0.0


def _nightly(env: dict[str, str], as_of: date, kill_after: float | None = None) -> tuple[int, bool]:
    """`leadflow run nightly` in its own process group; (exit code, killed)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "run", "nightly", "--as-of", as_of.isoformat(), "--quiet"],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # the kill takes the run's temporary Prefect server too
    )
    if kill_after is not None:
        try:
            return proc.wait(timeout=kill_after), False
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return -9, True
    return proc.wait(timeout=1800), False


def run(
    template: Path,
    workdir: Path,
    as_of: date,
    plans: dict[str, FaultPlan] | None = None,
    kill_after: float | None = None,
    max_reruns: int = 3,
) -> Outcome:
    """A nightly on a copy of `template`; killed after `kill_after` s, then run again until it succeeds."""
    shutil.copytree(template, workdir / "sandbox", ignore=shutil.ignore_patterns(LOCK_FILE, "*.tmp"))
    started = time.perf_counter()
    with Sandbox(workdir / "sandbox", settings=FAST) as box:
        env = {
            **os.environ,
            **box.env,
            "LEADFLOW_DUCKDB_PATH": str(workdir / "leadflow.duckdb"),
            "LEADFLOW_REPORT_DIR": str(workdir / "report"),
            "LEADFLOW_HUBSPOT_REQUESTS_PER_10S": "4000",
            "LEADFLOW_HUBSPOT_SEARCHES_PER_SECOND": "400",
            "LEADFLOW_WRITEBACK_BACKOFF": "0.05",
        }
        env.pop("PREFECT_API_URL", None)  # each run its own temporary server, as a cron job would
        for vendor, plan in (plans or {}).items():
            box.set_faults(vendor, plan)
        code, killed = _nightly(env, as_of, kill_after)
        outcome = Outcome(state={}, writes=Counter(), exits=[code])
        outcome.killed_after = kill_after if killed else None
        outcome.killed_in = _stage(workdir / "leadflow.duckdb") if killed else ""
        while code != 0 and outcome.reruns < max_reruns:
            outcome.reruns += 1
            code, _ = _nightly(env, as_of)
            outcome.exits.append(code)
        for vendor in ("salesforce", "hubspot"):
            box.set_faults(vendor, FaultPlan())
        outcome.state = crm_state(box)
        outcome.writes = Counter(box.writes)
        for counts in box.fault_counts.values():
            outcome.faults.update(counts)
        outcome.requests = len(box.requests())
    outcome.seconds = time.perf_counter() - started
    return outcome


def _stage(path: Path) -> str:
    """How far a killed run got, from what it left in the warehouse."""
    if not path.exists():
        return "start"
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = {
            f"{s}.{t}"
            for s, t in con.execute("select schema_name, table_name from duckdb_tables()").fetchall()
        }
        if (
            "ops.writeback_batches" in tables
            and con.execute("select count(*) from ops.writeback_batches").fetchone()[0]
        ):
            return "write-back"
        return "build" if "main.people" in tables else "extract"
    finally:
        con.close()


@dataclass
class Verdict:
    """A trial against the fault-free run: the fields that differ and the writes sent again."""

    diffs: list[tuple]  # (key, fault-free value, trial value)
    duplicates: list[tuple]  # (key, fault-free writes, trial writes)

    @property
    def ok(self) -> bool:
        return not self.diffs and not self.duplicates


def compare(clean: Outcome, trial: Outcome) -> Verdict:
    keys = set(clean.state) | set(trial.state)
    diffs = [
        (k, clean.state.get(k), trial.state.get(k))
        for k in sorted(keys)
        if not _same(clean.state.get(k), trial.state.get(k))
    ]
    duplicates = [
        (k, clean.writes.get(k, 0), n) for k, n in sorted(trial.writes.items()) if n > clean.writes.get(k, 0)
    ]
    return Verdict(diffs, duplicates)


def _same(a, b) -> bool:
    if a in (None, "") or b in (None, ""):
        return a in (None, "") and b in (None, "")
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a) == str(b)


def kill_points(seed: int, trials: int, clean_seconds: float) -> list[float]:
    """Seeded kill times, spread over the fault-free run's length (a faulty run takes longer)."""
    rng = random.Random(seed)
    return [round(rng.uniform(0.1, 1.0) * clean_seconds, 2) for _ in range(trials)]
