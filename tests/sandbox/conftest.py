"""Fixtures of the sandbox's conformance tests."""

from __future__ import annotations

import pytest
from hubspot import HubSpot

from tests import clients


@pytest.fixture()
def hs(sandbox) -> HubSpot:
    """A validating client with a token of its own, so each test has its own rate-limit windows."""
    return clients.hubspot(sandbox, token=clients.own_hubspot_token(sandbox), validate=True)
