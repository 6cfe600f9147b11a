"""The Salesforce REST API emulator: auth, the daily allocation, versioned routing, faults."""

from __future__ import annotations

import json
import re

from ..app import Sandbox, VendorApp
from ..web import HTTPError, Request, Response
from .auth import new_session_id, token_endpoint
from .bulk import Bulk
from .errors import SESSION_MESSAGE, SalesforceError, error_response
from .limits import ApiUsage
from .loader import Loader
from .query import QueryEngine, batch_size
from .rest import RecordResources
from .schema import Schema
from .tooling import Tooling
from .writes import Writer

VERSIONS = [f"{v}.0" for v in range(31, 65)]
_VERSIONED = re.compile(r"^/services/data/v(\d+\.\d)(/.*)?$")
_WRITE = re.compile(r"^/services/data/v[\d.]+/(sobjects/\w+(/\w+)?|composite/sobjects)/?$")


def release_label(version: str) -> str:
    """`59.0` -> "Winter '24": three releases a year, Winter first."""
    i = int(float(version)) - 59
    season = ("Winter", "Spring", "Summer")[i % 3]
    return f"{season} '{24 + (i - i % 3) // 3}"


class SalesforceApp(VendorApp):
    name = "salesforce"

    def __init__(self, sandbox: Sandbox):
        super().__init__(sandbox)
        self.schema = Schema(self.store)
        self.writer = Writer(self.store, self.schema, self.clock)
        self.writer.tally = lambda obj, rid, names: sandbox.tally_writes(self.name, obj, rid, names)
        self.queries = QueryEngine(self.store, self.schema, self.clock.now_ms)
        self.usage = ApiUsage(self.store, self.clock, lambda: self.settings.salesforce_daily_limit)
        self.loader = Loader(self.store, self.schema, self.clock)
        self.records = RecordResources(self)
        Tooling(self)
        Bulk(self)
        r = self.router
        r.add("GET", "", self.resources)
        r.add("GET", "/limits", lambda req: Response.json(self.usage.limits()))
        for name, deleted in (("query", False), ("queryAll", True)):
            r.add("GET", f"/{name}", lambda req, d=deleted: self.query(req, d))
            r.add("GET", f"/{name}/{{locator}}", self.query_more)

    # -- VendorApp ---------------------------------------------------------------------------

    def issue_token(self) -> str:
        return new_session_id()

    def load(self, obj: str, records: list[dict]) -> list[str]:
        return self.loader.load(obj, records)

    def handle(self, request: Request) -> Response:
        try:
            response = self._route(request)
        except SalesforceError as err:
            response = err.response()
        except HTTPError as err:
            response = err.response
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            response = SalesforceError("JSON_PARSER_ERROR", f"Unexpected character: {err}").response()
        except Exception as err:  # a sandbox bug still answers the way Salesforce fails, and says what broke
            message = f"An unexpected error occurred in the leadflow sandbox: {err!r}"
            response = error_response(500, "UNKNOWN_EXCEPTION", message)
        response.headers.setdefault("Sforce-Limit-Info", self.usage.header())
        return response

    def fault(self, kind: str, request: Request) -> Response | None:
        """The injected answer; a 500 or a row lock comes from the org, so it spends a call too."""
        writes = request.method in ("POST", "PATCH", "DELETE") and _WRITE.match(request.path)
        locks = kind == "lock" and writes
        if (kind == "500" or locks) and not self.usage.spend():
            return None  # the allocation is spent: the org refuses the call before anything fails
        if kind == "500":
            answer = error_response(
                500,
                "UNKNOWN_EXCEPTION",
                "An unexpected error occurred. Please include this "
                "ErrorId if you contact support: 1518224553-141390 (-1184254766)",
            )
        elif kind == "503":
            answer = error_response(503, "SERVER_UNAVAILABLE", "Server temporarily unavailable")
        elif kind == "429":
            answer = error_response(403, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.")
        elif kind == "expire":
            answer = error_response(401, "INVALID_SESSION_ID", SESSION_MESSAGE)
        elif locks:
            if "/composite/sobjects" in request.path:
                answer = self.records.lock_answer(request)
            else:
                answer = SalesforceError(
                    "UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record"
                ).response()
        else:
            return None
        answer.headers["Sforce-Limit-Info"] = self.usage.header()
        return answer

    # -- routing -----------------------------------------------------------------------------

    def _route(self, req: Request) -> Response:
        path = req.path.rstrip("/")
        if path == "/services/data":
            return Response.json(
                [{"label": release_label(v), "url": f"/services/data/v{v}", "version": v} for v in VERSIONS]
            )
        if path == "/services/oauth2/token":
            return token_endpoint(self, req)
        if not self.authorized(req):
            return error_response(401, "INVALID_SESSION_ID", SESSION_MESSAGE)
        if not self.usage.spend():
            return error_response(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        m = _VERSIONED.match(path)
        if not m or m.group(1) not in VERSIONS:
            raise SalesforceError("NOT_FOUND", "The requested resource does not exist", status=404)
        handler, params, known = self.router.match(req.method, m.group(2) or "")
        if handler is None:
            if known:
                return error_response(405, "METHOD_NOT_ALLOWED", f"HTTP Method '{req.method}' not allowed.")
            raise SalesforceError("NOT_FOUND", "The requested resource does not exist", status=404)
        req.params = {**params, "version": m.group(1)}
        return handler(req)

    def resources(self, req: Request) -> Response:
        base = f"/services/data/v{req.params['version']}"
        names = (
            "tooling",
            "metadata",
            "jobs",
            "query",
            "queryAll",
            "search",
            "composite",
            "limits",
            "sobjects",
            "recent",
        )
        return Response.json({n: f"{base}/{n}" for n in names})

    def query(self, req: Request, include_deleted: bool) -> Response:
        soql = req.arg("q")
        if not soql:
            raise SalesforceError("MALFORMED_QUERY", "A query string has to be specified")
        batch = batch_size(req.header("Sforce-Query-Options"))
        return Response.json(self.queries.run(soql, include_deleted, batch, req.params["version"]))

    def query_more(self, req: Request) -> Response:
        header = req.header("Sforce-Query-Options")
        batch = batch_size(header) if header else None
        return Response.json(self.queries.more(req.params["locator"], batch, req.params["version"]))
