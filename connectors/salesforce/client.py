"""simple-salesforce, configured: TLS trust, retries on transient errors, errors mapped."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import requests
from requests.adapters import HTTPAdapter
from requests.utils import get_environ_proxies
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError
from urllib3.util.retry import Retry

from ..errors import AuthenticationError, BudgetExhausted, ConnectorError
from .settings import API_VERSION

T = TypeVar("T")


@dataclass(frozen=True)
class SalesforceConfig:
    """Where and as whom to reach Salesforce; only these differ between sandbox and production."""

    instance_url: str
    session_id: str = field(repr=False)
    api_version: str = API_VERSION
    ca_bundle: str | None = None
    timeout: float = 120.0
    daily_reserve: int = 1000  # API calls leadflow never spends, left for the org's other users
    bulk_threshold: int = 10_000  # reads of more records go through Bulk API 2.0 (0: never)
    bulk_page_size: int = 50_000
    writeback_bulk_threshold: int = 2_000  # updates of more records go through a Bulk ingest job


def _session(config: SalesforceConfig) -> requests.Session:
    session = requests.Session()
    # With trust_env, requests lets REQUESTS_CA_BUNDLE override `verify` (see API_NOTES).
    session.trust_env = False
    session.verify = config.ca_bundle or True
    session.proxies.update(get_environ_proxies(config.instance_url))
    retry = Retry(
        total=5,
        backoff_factor=0.5,
        status_forcelist=(500, 502, 503, 504),
        allowed_methods=None,
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session.mount("https://", HTTPAdapter(max_retries=retry, pool_maxsize=8))
    return session


def connect(config: SalesforceConfig) -> Salesforce:
    return Salesforce(
        instance_url=config.instance_url,
        session_id=config.session_id,
        session=_session(config),
        version=config.api_version,
    )


def vendor_error(err: SalesforceError) -> ConnectorError:
    """Turn simple-salesforce's exception into ours, keeping the vendor's code and message."""
    content = err.content
    code, message = "", str(content)
    if isinstance(content, list) and content and isinstance(content[0], dict):
        code = content[0].get("errorCode", "")
        message = content[0].get("message", message)
    if err.status == 401:
        return AuthenticationError("salesforce", message, err.status, code)
    if code == "REQUEST_LIMIT_EXCEEDED" and "TotalRequests" in message:
        return BudgetExhausted("salesforce", message, err.status, code)
    return ConnectorError("salesforce", message, err.status, code)


def call(fn: Callable[[], T]) -> T:
    """Run one simple-salesforce call, raising ConnectorError on a vendor error."""
    try:
        return fn()
    except SalesforceError as err:
        raise vendor_error(err) from None
