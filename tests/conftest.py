"""Shared fixtures: one sandbox per test session, started in-process on loopback."""

from __future__ import annotations

import os

import pytest

from connectors.sandbox import Sandbox

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


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
