"""The HubSpot emulator: token auth, rate limits, routing and HubSpot-shaped errors."""

from __future__ import annotations

import uuid

from ..app import VendorApp
from ..web import HTTPError, Request, Response
from . import (
    associations,
    batch,
    conversations,
    errors,
    events,
    loader,
    marketing,
    objects,
    owners,
    properties,
    search,
    webinars,
)
from .limits import RateLimiter
from .properties import Registry
from .records import Records
from .values import decode_cursor

_MAX_INPUTS_MESSAGE = "Batch input is limited to {limit} inputs, got {count}"


class HubSpotApp(VendorApp):
    """CRM objects, properties, owners, associations and marketing activity, HubSpot style."""

    name = "hubspot"

    def __init__(self, sandbox):
        super().__init__(sandbox)
        self.registry = Registry(self.store)
        self.records = Records(self)
        self.associations = associations.Associations(self)
        self.limits = RateLimiter(self.clock, self.settings, self.store)
        self.search_handler = None  # set by search.install; searches have their own limit
        for module in (
            objects,
            batch,
            search,
            properties,
            associations,
            owners,
            marketing,
            events,
            webinars,
            conversations,
        ):
            module.install(self)

    # -- VendorApp ---------------------------------------------------------------------------

    def issue_token(self) -> str:
        return f"pat-na1-{uuid.uuid4()}"

    def handle(self, request: Request) -> Response:
        if not self.authorized(request):
            return errors.unauthorized()
        path = request.path.rstrip("/") or "/"
        handler, params, known = self.router.match(request.method, path)
        rejected, headers = self.limits.admit(self._token(request), handler is self.search_handler)
        if rejected is not None:
            return rejected
        request.params = params
        try:
            response = handler(request) if handler else self._no_route(request, known)
        except HTTPError as err:
            response = err.response
        except Exception as err:  # a sandbox bug: answer as HubSpot's 500 does, name the cause
            response = errors.answer(500, f"internal error: {type(err).__name__}: {err}", "INTERNAL_ERROR")
        response.headers.update(headers)
        return response

    def fault(self, kind: str, request: Request) -> Response | None:
        if kind == "429":
            headers = self.limits.fault_headers(self._token(request))
            body = {
                "status": "error",
                "message": "You have reached your ten_secondly_rolling limit.",
                "errorType": "RATE_LIMIT",
                "correlationId": errors.correlation_id(),
                "policyName": "TEN_SECONDLY_ROLLING",
            }
            return Response.json(body, 429, {**headers, "Retry-After": "1"})
        if kind == "500":  # the service failed a request it admitted: counted, with the limit headers
            handler, _, _ = self.router.match(request.method, request.path.rstrip("/") or "/")
            rejected, headers = self.limits.admit(self._token(request), handler is self.search_handler)
            if rejected is not None:
                return rejected
            return errors.answer(500, "internal error", "INTERNAL_ERROR", headers)
        if kind == "503":
            return errors.answer(
                503, "The service is temporarily unavailable; try again shortly.", "SERVICE_UNAVAILABLE"
            )
        if kind == "expire":
            return errors.expired()
        return None

    def load(self, obj: str, records: list[dict]) -> list[str]:
        return loader.load(self, obj, records)

    # -- helpers for the route modules -------------------------------------------------------

    @staticmethod
    def _token(request: Request) -> str:
        return (request.header("Authorization") or "").removeprefix("Bearer ").strip()

    @staticmethod
    def _no_route(request: Request, known: bool) -> Response:
        if known:
            message = f"{request.method} is not allowed on {request.path}"
            return errors.answer(405, message, "VALIDATION_ERROR")
        return errors.answer(404, f"No endpoint {request.method} {request.path}", "OBJECT_NOT_FOUND")

    @staticmethod
    def body(request: Request):
        """The JSON body, or HubSpot's 400 for input that is not JSON."""
        try:
            return request.json()
        except (ValueError, UnicodeDecodeError) as err:
            raise errors.bad_request(f"Invalid input JSON: {err}") from None

    def inputs(self, request: Request, limit: int, body=None) -> list:
        """The `inputs` list of a batch body, at most `limit` long."""
        body = self.body(request) if body is None else body
        items = body.get("inputs") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise errors.bad_request("Batch input needs an inputs list")
        if len(items) > limit:
            raise errors.bad_request(_MAX_INPUTS_MESSAGE.format(limit=limit, count=len(items)))
        return items

    @staticmethod
    def int_arg(request: Request, name: str, default: int | None, low: int | None = None) -> int | None:
        value = request.arg(name)
        if value in (None, ""):
            return default
        try:
            number = int(value)
        except ValueError:
            raise errors.bad_request(f"{name} must be a whole number, got {value!r}") from None
        if low is not None and number < low:
            raise errors.bad_request(f"{name} must be at least {low}, got {number}")
        return number

    @staticmethod
    def cursor(token: str) -> tuple[int, str]:
        """An opaque keyset cursor this API gave: (epoch ms, id); 400 for anything else."""
        try:
            at, last = decode_cursor(token)
            return int(at), str(last)
        except (ValueError, TypeError):
            raise errors.bad_request(f"{token!r} is not a paging cursor this API gave") from None

    @staticmethod
    def base_url(request: Request) -> str:
        """Where the client reached us, for `paging.next.link`."""
        return f"https://{request.header('Host') or 'api.hubapi.com'}"
