"""Shared fixtures: one sandbox per test session, started in-process on loopback."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from connectors.sandbox import Sandbox

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
# Subprocesses started by tests (`leadflow run ...`) get a Prefect home of their own, so
# nothing a test leaves behind (or a developer's ~/.prefect) leaks between runs.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="leadflow-prefect-")


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory) -> Sandbox:
    """A running sandbox with empty stores, shared by the session's tests."""
    with Sandbox(tmp_path_factory.mktemp("sandbox")) as box:
        yield box


@pytest.fixture()
def fresh_sandbox(tmp_path) -> Sandbox:
    """A sandbox of the test's own, for tests that need a known, empty state."""
    with Sandbox(tmp_path / "sandbox") as box:
        yield box


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server for the whole session (each start costs ~10 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture()
def leadflow_env(monkeypatch, tmp_path):
    """Point leadflow's settings at a sandbox and a DuckDB file of the test's own."""

    def apply(box: Sandbox, duckdb_path=None):
        for key, value in box.env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(duckdb_path or tmp_path / "leadflow.duckdb"))
        return box.env

    return apply


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server of the session's own on loopback (tests/postgres_server.py).

    Skipped when no PostgreSQL is installed, unless LEADFLOW_REQUIRE_POSTGRES is set (CI sets it:
    there a missing server is a failure, not a skip).
    """
    from tests.postgres_server import PostgresServer, binaries

    bin_dir = binaries()
    if bin_dir is None:
        if os.environ.get("LEADFLOW_REQUIRE_POSTGRES"):
            pytest.fail("LEADFLOW_REQUIRE_POSTGRES is set but no PostgreSQL binaries (initdb) are installed")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql); .ci/run installs it")
    # Not under pytest's temp dir: its folders are the session user's alone (0700), and under
    # root the cluster belongs to `postgres`.
    directory = Path(tempfile.mkdtemp(prefix="leadflow-postgres-"))
    server = PostgresServer(directory, bin_dir).start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)
