"""hubspot-api-client, configured: TLS trust, retries, one shared rate limiter, raw JSON answers."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from hubspot import HubSpot
from urllib3.exceptions import HTTPError as TransportError
from urllib3.util.retry import Retry

from ..errors import AuthenticationError, BudgetExhausted, CertificateError, ConnectorError
from ..metering import CallCounter
from ..tls import TrustRetry, is_certificate_error
from .settings import BASE_URL
from .window import RollingWindow


@dataclass(frozen=True)
class HubSpotConfig:
    """Where and as whom to reach HubSpot; only these differ between sandbox and production."""

    access_token: str = field(repr=False)
    base_url: str = BASE_URL
    ca_bundle: str | None = None
    requests_per_10s: int = 100  # HubSpot Free/Starter; Professional/Enterprise allow 190
    searches_per_second: int = 4  # HubSpot allows 5; one spare for clock skew between us
    daily_reserve: int = 1000  # calls leadflow never spends, left for the account's other apps


CONNECTION_LOST = "CONNECTION_LOST"  # the answer never came whole: a write may have landed
READ_ATTEMPTS = 4  # reads cut off mid-answer are sent again, after 0.25, 0.5 and 1 s


def _retry() -> Retry:
    # POSTs (search, batch) are retried too; spent retries answer instead of raising. A failed
    # certificate check is not retried (TrustRetry).
    return TrustRetry(
        total=6,
        backoff_factor=0.2,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=None,
        respect_retry_after_header=True,
        raise_on_status=False,
    )


class HubSpotClient:
    """The generated APIs leadflow uses, built once (each attribute access builds a new client).

    `window` and `search_window` (anything with RollingWindow's `held()`) default to limiters of
    this client's own; a caller running several processes on one token passes shared ones.
    """

    def __init__(self, config: HubSpotConfig, window=None, search_window=None):
        self.config = config
        client = HubSpot(
            access_token=config.access_token,
            host=config.base_url,
            ssl_ca_cert=config.ca_bundle,
            retry=_retry(),
        )
        self.objects = client.crm.objects.basic_api
        self.search_api = client.crm.objects.search_api
        self.batch = client.crm.objects.batch_api
        self.properties = client.crm.properties.core_api
        self.owners = client.crm.owners.owners_api
        self.forms = client.marketing.forms.forms_api
        self.events = client.events.events_api
        self._raw = self.objects.api_client  # for endpoints with no generated API
        self.window = window or RollingWindow(config.requests_per_10s, 10.0)
        self.search_window = search_window or RollingWindow(config.searches_per_second, 1.0)
        self.meter = CallCounter()
        self._counting = threading.local()  # a Tally per thread that counts for another one
        self.daily_remaining: int | None = None

    @property
    def calls(self) -> int:
        return self.meter.total

    @contextmanager
    def counted_in(self, tally) -> Iterator[None]:
        """Calls this thread makes meanwhile go to `tally`, for the thread it works for to count."""
        self._counting.tally = tally
        try:
            yield
        finally:
            self._counting.tally = None

    def send(self, fn: Callable, *args, search: bool = False, idempotent: bool = True, **kwargs) -> dict:
        """Call a generated API method and return its JSON answer as plain dicts.

        An answer cut off mid-body is asked for again when the call only reads (`idempotent`);
        a write raises CONNECTION_LOST, as it may have landed and only the caller can check.
        """
        for attempt in range(READ_ATTEMPTS):
            try:
                return self._send_once(fn, *args, search=search, **kwargs)
            except ConnectorError as err:
                if err.code != CONNECTION_LOST or not idempotent or attempt == READ_ATTEMPTS - 1:
                    raise
            time.sleep(0.25 * 2**attempt)
        raise AssertionError("unreachable")

    def _send_once(self, fn: Callable, *args, search: bool = False, **kwargs) -> dict:
        remaining = self.daily_remaining
        if remaining is not None and remaining <= self.config.daily_reserve:
            raise BudgetExhausted(
                "hubspot",
                f"daily API limit nearly spent ({remaining} calls left, reserve "
                f"{self.config.daily_reserve}); stopping to resume next run",
            )
        tally = getattr(self._counting, "tally", None)
        if tally is None:
            self.meter.add()
        else:
            tally.calls += 1
        try:
            with (self.search_window if search else self.window).held():
                response = fn(*args, _preload_content=False, **kwargs)
                data = response.data  # read here: an answer cut off mid-body fails here
        except Exception as err:  # each API module has its own ApiException class
            raise self._error(err) from None
        remaining = response.headers.get("X-HubSpot-RateLimit-Daily-Remaining")
        if remaining is not None:
            self.daily_remaining = int(remaining)
        return json.loads(data) if data else {}

    def get(self, path: str, params: list[tuple[str, object]]) -> dict:
        """GET an endpoint the client has no generated API for (legacy marketing endpoints)."""
        return self.send(
            self._raw.call_api,
            path,
            "GET",
            query_params=params,
            header_params={"Accept": "application/json"},
            auth_settings=["oauth2"],
            response_types_map={},
        )

    @staticmethod
    def _error(err: Exception) -> ConnectorError:
        status = getattr(err, "status", None)
        body = getattr(err, "body", None)
        if status is None and is_certificate_error(err):
            return CertificateError("hubspot", f"certificate not trusted: {type(err).__name__}: {err}")
        if status is None:
            code = CONNECTION_LOST if isinstance(err, TransportError) else ""
            return ConnectorError("hubspot", f"{type(err).__name__}: {err}", None, code)
        try:
            detail = json.loads(body) if body else {}
        except ValueError:
            detail = {"message": str(body)[:500]}
        message = detail.get("message", "") or str(getattr(err, "reason", ""))
        code = detail.get("category") or detail.get("errorType") or ""
        if status == 401:
            return AuthenticationError("hubspot", message, status, code)
        if status == 429 and detail.get("policyName") == "DAILY":
            return BudgetExhausted("hubspot", message, status, code)
        error = ConnectorError("hubspot", message, status, code)
        error.detail = detail
        return error
