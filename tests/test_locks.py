"""Per-object extract locks and global concurrency slots: exclusive, and freed when the holder dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from flows import slots
from flows.locks import LockTimeout, lock_path, object_lock


def test_second_holder_waits_until_first_releases(tmp_path):
    db = tmp_path / "lf.duckdb"
    order: list[str] = []
    with object_lock(db, "hubspot", "contacts"):
        got = threading.Event()

        def second():
            with object_lock(db, "hubspot", "contacts", wait_seconds=30):
                order.append("second")
                got.set()

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.8)
        assert not got.is_set(), "a second extract of the same object ran alongside the first"
        order.append("first done")
    thread.join(10)
    assert order == ["first done", "second"]


def test_other_objects_are_not_blocked(tmp_path):
    db = tmp_path / "lf.duckdb"
    with object_lock(db, "hubspot", "contacts"):
        with object_lock(db, "hubspot", "companies", wait_seconds=1):
            pass
        with object_lock(db, "salesforce", "contacts", wait_seconds=1):
            pass


def test_waiting_too_long_names_the_object(tmp_path):
    db = tmp_path / "lf.duckdb"
    with (
        object_lock(db, "salesforce", "Lead"),
        pytest.raises(LockTimeout, match=r"salesforce\.Lead"),
        object_lock(db, "salesforce", "Lead", wait_seconds=0.5),
    ):
        pass


def test_a_killed_holder_leaves_the_object_free(tmp_path):
    db = tmp_path / "lf.duckdb"
    code = (
        "import sys, time\n"
        "from flows.locks import object_lock\n"
        f"with object_lock({str(db)!r}, 'hubspot', 'contacts'):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(600)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        assert lock_path(db, "hubspot", "contacts").read_text().strip() == str(proc.pid)
        with pytest.raises(LockTimeout), object_lock(db, "hubspot", "contacts", wait_seconds=0.5):
            pass
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    with object_lock(db, "hubspot", "contacts", wait_seconds=5):
        pass


def test_two_extracts_of_one_object_take_turns_at_its_global_slot(prefect_harness):
    from prefect.client.orchestration import get_client

    name = slots.limit_name("hubspot", "contacts")
    assert slots.ensure_limits([("hubspot", "contacts")]) == [name]
    spans: list[tuple[float, float]] = []
    taken: list[int] = []
    both = threading.Barrier(2)

    def extract() -> None:
        both.wait()
        with slots.object_slot("hubspot", "contacts"):
            entered = time.monotonic()
            with get_client(sync_client=True) as client:
                taken.append(client.read_global_concurrency_limit_by_name(name).active_slots)
            time.sleep(0.5)
            spans.append((entered, time.monotonic()))

    threads = [threading.Thread(target=extract) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(spans) == 2, spans
    (first_in, first_out), (second_in, _) = sorted(spans)
    assert first_out <= second_in, f"both extracts held {name} at once: {spans}"
    assert taken == [1, 1]  # the server showed the slot taken while each one read
    with get_client(sync_client=True) as client:
        assert client.read_global_concurrency_limit_by_name(name).active_slots == 0


def test_a_slot_left_by_a_dead_run_is_waited_out_not_forever(prefect_harness, monkeypatch):
    from prefect.client.orchestration import get_client

    (name,) = slots.ensure_limits([("salesforce", "Lead")])
    monkeypatch.setattr(slots, "STALE_SLOT_WAIT_SECONDS", 1.0)
    stale: list[str] = []
    with get_client(sync_client=True) as client:
        # A slot whose holder is gone: nobody renews or releases its lease.
        dead = client.increment_concurrency_slots_with_lease(
            names=[name], slots=1, mode="concurrency", lease_duration=60
        ).json()["lease_id"]
        try:
            with slots.object_slot("salesforce", "Lead", on_stale=stale.append):
                ran = True
        finally:
            client.release_concurrency_slots_with_lease(dead)
    assert ran and stale == [name]


def test_a_slot_no_lease_holds_is_given_back_once_waited_out(prefect_harness, monkeypatch):
    """A leaked slot (the server lost its lease: restarted, or a request failed half-way) would
    make every later extract wait; the first to wait it out gives it back and takes its own."""
    from prefect.client.orchestration import get_client

    (name,) = slots.ensure_limits([("hubspot", "deals")])
    monkeypatch.setattr(slots, "STALE_SLOT_WAIT_SECONDS", 1.0)
    stale: list[str] = []
    taken: list[int] = []
    with get_client(sync_client=True) as client:
        client.increment_concurrency_slots(names=[name], slots=1, mode="concurrency")  # no lease
        with slots.object_slot("hubspot", "deals", on_stale=stale.append):
            taken.append(client.read_global_concurrency_limit_by_name(name).active_slots)
        with slots.object_slot("hubspot", "deals", on_stale=stale.append):
            taken.append(client.read_global_concurrency_limit_by_name(name).active_slots)
        assert client.read_global_concurrency_limit_by_name(name).active_slots == 0
    assert stale == [name]  # the second extract found the slot free
    assert taken == [1, 1]  # each held the slot while it read


def test_a_release_the_server_fails_does_not_fail_the_extract(prefect_harness, monkeypatch):
    import logging

    import prefect.concurrency._sync as concurrency_sync
    from prefect.exceptions import PrefectHTTPStatusError

    def gone(lease_id):
        raise PrefectHTTPStatusError("410 Gone", request=None, response=None)

    slots.ensure_limits([("hubspot", "tickets")])

    class Said(logging.Handler):
        def emit(self, record):
            said.append(record.getMessage())

    said: list[str] = []
    logger = logging.getLogger("test_locks.slots")
    logger.addHandler(Said())
    monkeypatch.setattr(slots, "_logger", lambda: logger)
    monkeypatch.setattr(concurrency_sync, "release_concurrency_slots_with_lease", gone)
    ran = []
    with slots.object_slot("hubspot", "tickets"):
        ran.append(True)
    assert ran and [m for m in said if m.startswith("could not release leadflow-extract-hubspot-tickets")]
