"""Per-object extract locks: exclusive, and freed when the holder dies however it dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

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
