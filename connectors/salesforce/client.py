"""simple-salesforce, configured: TLS trust, retries on transient errors, errors mapped."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.utils import get_environ_proxies
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError

from ..errors import AuthenticationError, BudgetExhausted, CertificateError, ConnectorError
from ..tls import TrustRetry, is_certificate_error
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
    # A connected app's client credentials: with them an expired session is replaced, not fatal.
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)


def _session(config: SalesforceConfig) -> requests.Session:
    session = requests.Session()
    # With trust_env, requests lets REQUESTS_CA_BUNDLE override `verify` (see API_NOTES).
    session.trust_env = False
    session.verify = config.ca_bundle or True
    session.proxies.update(get_environ_proxies(config.instance_url))
    retry = TrustRetry(
        total=5,
        backoff_factor=0.5,
        status_forcelist=(500, 502, 503, 504),
        allowed_methods=None,
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session.mount("https://", HTTPAdapter(max_retries=retry, pool_maxsize=8))
    return session


# A refusal for a passing reason (ConcurrentPerOrgLongTxn and the like): tried again after
# 0.25, 0.5, 1, 2 and 4 s. TotalRequests (the daily allocation) is final: BudgetExhausted.
CALL_ATTEMPTS = 6
CALL_BACKOFF = 0.25
CONNECTION_LOST = "CONNECTION_LOST"  # the answer never came whole: a write may have landed


def connect(config: SalesforceConfig) -> Salesforce:
    session = _session(config)
    sf = Salesforce(
        instance_url=config.instance_url,
        session_id=config.session_id,
        session=session,
        version=config.api_version,
    )
    if config.client_id and config.client_secret:
        # simple-salesforce logs in again on INVALID_SESSION_ID when it has a login to call; its
        # own logins post to login.salesforce.com, so leadflow gives it the org's token endpoint.
        sf._salesforce_login_partial = partial(_client_credentials_login, session, config)
    return sf


def _client_credentials_login(session: requests.Session, config: SalesforceConfig) -> tuple[str, str]:
    """A new session id from the OAuth client-credentials flow of the org's own domain."""
    answer = session.post(
        f"{config.instance_url.rstrip('/')}/services/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": config.client_id,
            "client_secret": config.client_secret,
        },
        timeout=config.timeout,
    )
    if answer.status_code != 200:
        try:
            detail = answer.json().get("error_description", "")
        except ValueError:
            detail = answer.text[:200]
        raise AuthenticationError("salesforce", f"logging in again failed: {detail}", answer.status_code)
    return answer.json()["access_token"], urlsplit(config.instance_url).netloc


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


def call(fn: Callable[[], T], idempotent: bool = True) -> T:
    """Run one simple-salesforce call, raising ConnectorError on a vendor error.

    Refusals for a passing reason are tried again. An answer cut off (the connection lost
    mid-body) is tried again for reads; for a write it raises CONNECTION_LOST, as the write may
    have landed and only the caller can check.
    """
    for attempt in range(CALL_ATTEMPTS):
        last = attempt == CALL_ATTEMPTS - 1
        try:
            return fn()
        except SalesforceError as err:
            error = vendor_error(err)
            if last or type(error) is not ConnectorError or error.code != "REQUEST_LIMIT_EXCEEDED":
                raise error from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as err:
            if is_certificate_error(err):
                raise CertificateError("salesforce", f"certificate not trusted: {err}") from None
            if last or not idempotent:
                message = f"{type(err).__name__}: {err}"
                raise ConnectorError("salesforce", message, None, CONNECTION_LOST) from None
        time.sleep(CALL_BACKOFF * 2**attempt)
    raise AssertionError("unreachable")
