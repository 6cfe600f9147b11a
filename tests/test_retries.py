"""Extract tasks under the sandbox's faults: a transient failure is tried again after a backoff,
a final one is not (flows/retries.py)."""

from __future__ import annotations

import threading
import time

import pytest

from connectors.salesforce.client import CALL_ATTEMPTS
from connectors.sandbox import FaultPlan, Sandbox, SandboxSettings
from connectors.sandbox.admin import SandboxAdmin
from connectors.sandbox.seed import generate
from tests import clients

FAST = SandboxSettings(hubspot_requests_per_10s=5000, hubspot_search_per_second=500)
FIRST_WAIT, JITTER = 5, 0.5  # what extract_object's retries are said to be (README, flows/extract.py)


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    with Sandbox(tmp_path_factory.mktemp("retries"), settings=FAST) as sandbox:
        SandboxAdmin(sandbox.directory).load(generate(people=40, seed=3))
        yield sandbox


@pytest.fixture()
def env(box, prefect_harness, leadflow_env):
    leadflow_env(box)
    yield
    box.set_faults("salesforce", FaultPlan())


def clear_faults_after(box: Sandbox, vendor: str, kind: str, count: int) -> threading.Thread:
    """Take the vendor's fault plan away once it has injected `count` faults of `kind`."""

    def watch() -> None:
        deadline = time.monotonic() + 120
        while box.fault_counts[vendor][kind] < count and time.monotonic() < deadline:
            time.sleep(0.02)
        box.set_faults(vendor, FaultPlan())

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def task_run_states(flow_run_id) -> dict[str, tuple[object, list]]:
    """Each task run of the flow run by name: the run and its states in order."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        # Task run states reach the server as events: wait until the last one is recorded.
        deadline = time.monotonic() + 30
        while True:
            runs = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
            )
            if (runs and all(r.state and r.state.is_final() for r in runs)) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        return {
            r.name: (r, sorted(client.read_task_run_states(r.id), key=lambda s: s.timestamp)) for r in runs
        }


def test_io_tasks_retry_transient_errors_three_times_with_growing_waits():
    from flows.extract import extract_object
    from flows.retries import retry_unless_final
    from flows.writeback import prepare, recover, write_target

    for task, first in ((extract_object, FIRST_WAIT), (recover, 10), (prepare, 10)):
        assert task.retries == 3, task.name
        assert task.retry_delay_seconds == [first, 2 * first, 4 * first], task.name
        assert task.retry_jitter_factor == JITTER, task.name
        assert task.retry_condition_fn is retry_unless_final, task.name
    # A whole write task is never run again: it would send its batches twice (README).
    assert write_target.retries == 0


def test_a_transient_failure_of_an_extract_task_is_retried_after_a_backoff(box, env):
    from flows.extract import extract

    # Salesforce refuses every call (403 REQUEST_LIMIT_EXCEEDED, a passing limit) until the
    # client's own tries are spent: the task fails, and the fault is gone when Prefect retries it.
    after = max((e["seq"] for e in box.requests()), default=0)
    box.set_faults("salesforce", FaultPlan(rate_429=1.0))
    watcher = clear_faults_after(box, "salesforce", "429", CALL_ATTEMPTS)
    state = extract(objects=["Lead"], return_state=True)
    watcher.join(timeout=5)

    (result,) = state.result()
    leads = len(clients.salesforce(box).query_all("SELECT Id FROM Lead")["records"])
    assert result["status"] == "complete" and result["records"] >= leads > 0

    log = box.requests(after=after, vendor="salesforce")
    faulted = [e for e in log if e["fault"]]
    assert [e["fault"] for e in faulted] == ["429"] * CALL_ATTEMPTS
    retried = [e for e in log if e["seq"] > faulted[-1]["seq"]]
    assert retried and retried[0]["status"] == 200
    # The client does not wait after its last try: this pause is the task's backoff (5 s jittered:
    # 3.15 to 7.5 s with a jitter factor of 0.5).
    assert retried[0]["at"] - faulted[-1]["at"] >= FIRST_WAIT * (1 - JITTER)

    run, states = task_run_states(state.state_details.flow_run_id)["extract salesforce.Lead"]
    assert run.run_count == 2 and run.state.is_completed()
    names = [s.name for s in states]
    assert names == ["Pending", "Running", "AwaitingRetry", "Retrying", "Completed"], names
    waiting = states[names.index("AwaitingRetry")]
    delay = (waiting.state_details.scheduled_time - waiting.timestamp).total_seconds()
    assert FIRST_WAIT * (1 - JITTER) <= delay <= FIRST_WAIT * (1 + JITTER) + 0.5, delay


def test_a_refused_session_is_not_retried(box, env, monkeypatch):
    from flows.extract import extract

    # Without a connected app to log in again, an expired session is final (AuthenticationError).
    monkeypatch.delenv("LEADFLOW_SALESFORCE_CLIENT_ID")
    monkeypatch.delenv("LEADFLOW_SALESFORCE_CLIENT_SECRET")
    after = max((e["seq"] for e in box.requests()), default=0)
    box.set_faults("salesforce", FaultPlan(rate_expire=1.0))
    state = extract(objects=["Lead"], return_state=True)
    assert state.is_failed()

    log = box.requests(after=after, vendor="salesforce")
    assert [e["fault"] for e in log] == ["expire"]  # one call, never sent again
    run, states = task_run_states(state.state_details.flow_run_id)["extract salesforce.Lead"]
    assert run.run_count == 1 and run.state.is_failed()
    assert "AwaitingRetry" not in [s.name for s in states]
