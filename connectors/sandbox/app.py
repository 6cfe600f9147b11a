"""The running sandbox: both vendors' servers, their tokens, the fault plan and the request log."""

from __future__ import annotations

import fcntl
import json
import os
import random
import secrets
import socket
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path

from .certs import ensure_certificates, server_context
from .faults import FaultPlan
from .store import Clock, Store
from .web import CutAnswer, DropConnection, HTTPError, Request, Response, Router, Server

ENV_FILE = "sandbox.env"
STORE_FILE = "sandbox.db"
SALESFORCE_CLIENT_KEY = "salesforce:client"  # salesforce/auth.py reads it
LOCK_FILE = "sandbox.lock"  # held while a sandbox serves the directory or a direct load writes it


class DirectoryInUse(RuntimeError):
    """Another process (a running sandbox, a direct load) holds the sandbox directory."""


def hold_directory(directory: Path, holder: str):
    """Take the directory's lock for `holder` (an open file: close it to let go); refuse if held."""
    handle = open(Path(directory) / LOCK_FILE, "a+")  # noqa: SIM115 - held until the caller closes it
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        who = handle.read().strip() or "another process"
        handle.close()
        raise DirectoryInUse(f"{directory} is in use by {who}") from None
    handle.truncate(0)
    handle.write(f"{holder} (pid {os.getpid()})\n")
    handle.flush()
    return handle


@dataclass
class SandboxSettings:
    """Limits the sandbox enforces, as the vendors do (defaults: HubSpot Professional, SF Enterprise)."""

    hubspot_requests_per_10s: int = 190
    hubspot_search_per_second: int = 5
    hubspot_daily_limit: int = 625_000
    salesforce_daily_limit: int = 100_000
    faults: dict[str, FaultPlan] = field(default_factory=dict)  # the plans the sandbox starts with


class VendorApp:
    """What a vendor emulation provides; the sandbox wraps it with auth, faults and logging."""

    name = "vendor"

    def __init__(self, sandbox: Sandbox):
        self.sandbox = sandbox
        self.store: Store = sandbox.store
        self.clock: Clock = sandbox.clock
        self.settings: SandboxSettings = sandbox.settings
        self.router = Router()

    def issue_token(self) -> str:
        raise NotImplementedError

    def handle(self, request: Request) -> Response:
        """Authenticate, rate-limit and route one request (vendor-shaped errors)."""
        raise NotImplementedError

    def fault(self, kind: str, request: Request) -> Response | None:
        """The vendor's answer for an injected fault, or None where the kind does not apply."""
        return None

    def load(self, obj: str, records: list[dict]) -> list[str]:
        """Store records as given, system fields included (the admin loader); return their ids."""
        raise NotImplementedError

    def authorized(self, request: Request) -> bool:
        auth = request.header("Authorization") or ""
        token = auth.removeprefix("Bearer ").removeprefix("OAuth ").strip()
        return token in self.sandbox.tokens(self.name)


class Sandbox:
    """Salesforce and HubSpot emulators on loopback HTTPS, records kept in `directory`."""

    def __init__(
        self,
        directory: Path | str,
        salesforce_port: int = 0,
        hubspot_port: int = 0,
        settings: SandboxSettings | None = None,
    ):
        self.directory = Path(directory).resolve()
        self.directory.mkdir(parents=True, exist_ok=True)
        self.settings = settings or SandboxSettings()
        self.clock = Clock()
        self.store = Store(self.directory / STORE_FILE)
        self.faults: dict[str, FaultPlan] = {"salesforce": FaultPlan(), "hubspot": FaultPlan()}
        self._random = {v: random.Random(0) for v in self.faults}
        self._fault_lock = threading.Lock()
        self.fault_counts: dict[str, Counter] = {v: Counter() for v in self.faults}
        self.writes: Counter = Counter()  # (vendor, object, id, field) -> writes through the API
        for vendor, plan in self.settings.faults.items():
            self.set_faults(vendor, plan)
        self._log: deque[dict] = deque(maxlen=200_000)
        self._log_seq = 0
        self._log_lock = threading.Lock()
        self._ports = {"salesforce": salesforce_port, "hubspot": hubspot_port}
        self._servers: dict[str, Server] = {}
        self._held = None
        from .hubspot import HubSpotApp
        from .salesforce import SalesforceApp

        self.apps: dict[str, VendorApp] = {
            "salesforce": SalesforceApp(self),
            "hubspot": HubSpotApp(self),
        }

    # -- tokens ------------------------------------------------------------------------------

    def tokens(self, vendor: str) -> set[str]:
        return set(self.store.get_value(f"tokens:{vendor}", []))

    def token(self, vendor: str) -> str:
        tokens = self.store.get_value(f"tokens:{vendor}", [])
        if not tokens:
            tokens = [self.apps[vendor].issue_token()]
            self.store.set_value(f"tokens:{vendor}", tokens)
        return tokens[-1]

    def salesforce_client(self) -> dict[str, str]:
        """The connected app whose client credentials buy new session ids (made on first use)."""
        client = self.store.get_value(SALESFORCE_CLIENT_KEY)
        if not client:
            client = {
                "client_id": "3MVG9sandbox." + secrets.token_urlsafe(24),
                "client_secret": secrets.token_hex(32),
            }
            self.store.set_value(SALESFORCE_CLIENT_KEY, client)
        return client

    def add_token(self, vendor: str, token: str) -> None:
        tokens = self.store.get_value(f"tokens:{vendor}", [])
        self.store.set_value(f"tokens:{vendor}", [*tokens, token])

    # -- life cycle --------------------------------------------------------------------------

    @property
    def ca_path(self) -> Path:
        return self.directory / "ca.pem"

    def url(self, vendor: str) -> str:
        return self._servers[vendor].url

    def start(self) -> Sandbox:
        """Serve both vendors; DirectoryInUse if a sandbox or a direct load holds the directory."""
        self._held = hold_directory(self.directory, "a running sandbox")
        try:
            ensure_certificates(self.directory)
            context = server_context(self.directory)
            last_ports = self.store.get_value("ports", {})
            for vendor in self.apps:
                port = self._ports[vendor] or _free_or_zero(last_ports.get(vendor, 0))
                self._servers[vendor] = Server(self._handler(vendor), context, port=port).start()
            ports = {v: int(s.url.rsplit(":", 1)[1]) for v, s in self._servers.items()}
            self.store.set_value("ports", ports)
            self.write_env()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for server in self._servers.values():
            server.stop()
        self._servers.clear()
        self.store.close()
        if self._held is not None:
            self._held.close()
            self._held = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def env(self) -> dict[str, str]:
        return {
            "LEADFLOW_SALESFORCE_INSTANCE_URL": self.url("salesforce"),
            "LEADFLOW_SALESFORCE_SESSION_ID": self.token("salesforce"),
            # The connected app's credentials: leadflow logs in again when a session expires.
            "LEADFLOW_SALESFORCE_CLIENT_ID": self.salesforce_client()["client_id"],
            "LEADFLOW_SALESFORCE_CLIENT_SECRET": self.salesforce_client()["client_secret"],
            "LEADFLOW_HUBSPOT_BASE_URL": self.url("hubspot"),
            "LEADFLOW_HUBSPOT_ACCESS_TOKEN": self.token("hubspot"),
            "LEADFLOW_CA_BUNDLE": str(self.ca_path),
            "LEADFLOW_HUBSPOT_REQUESTS_PER_10S": str(self.settings.hubspot_requests_per_10s),
        }

    def write_env(self) -> Path:
        path = self.directory / ENV_FILE
        lines = ["# Written by `leadflow sandbox up`: export these to point leadflow at the sandbox."]
        lines += [f"{k}={v}" for k, v in self.env.items()]
        tmp = path.with_suffix(".tmp")
        tmp.write_text("\n".join(lines) + "\n")
        tmp.chmod(0o600)
        tmp.replace(path)
        return path

    # -- request path ------------------------------------------------------------------------

    def _handler(self, vendor: str):
        app = self.apps[vendor]

        def handle(request: Request) -> Response:
            if request.path.startswith("/_sandbox/"):  # the sandbox's own endpoints stay out of the log
                try:
                    return self._admin(app, request)
                except (TypeError, ValueError) as err:
                    return Response.json({"error": f"{request.method} {request.path}: {err}"}, 400)
            started = time.perf_counter()
            status, fault = 0, None
            try:
                fault, response = self._inject(app, request)
                if fault == "drop":
                    raise DropConnection()
                if response is None:
                    response = _answer(app, request)
                status = response.status
                if fault == "reset":
                    raise CutAnswer(response)
                return response
            except HTTPError as err:
                status = err.response.status
                return err.response
            except DropConnection:
                status = -1
                raise
            finally:
                if fault:
                    with self._fault_lock:
                        self.fault_counts[vendor][fault] += 1
                self._record(vendor, request, status, time.perf_counter() - started, fault)

        return handle

    def _inject(self, app: VendorApp, request: Request) -> tuple[str | None, Response | None]:
        """The fault this request draws (None where none applies) and the answer it gives."""
        plan = self.faults[app.name]
        if not plan.any() or not app.authorized(request):
            return None, None
        with self._fault_lock:
            kind = plan.pick(self._random[app.name].random())
        if kind is None:
            return None, None
        if kind == "slow":
            time.sleep(plan.slow_ms / 1000)
            return kind, None
        if kind in ("drop", "reset"):
            return kind, None  # reset: served as usual, then cut halfway
        answer = app.fault(kind, request)
        return (kind if answer is not None else None), answer

    def tally_writes(self, vendor: str, obj: str, rid: str, fields) -> None:
        """Count one write of each field of one record (to tell a write sent twice)."""
        with self._fault_lock:
            for name in fields:
                self.writes[(vendor, obj, rid, name)] += 1

    def _record(
        self, vendor: str, request: Request, status: int, seconds: float, fault: str | None = None
    ) -> None:
        with self._log_lock:
            self._log_seq += 1
            self._log.append(
                {
                    "seq": self._log_seq,
                    "vendor": vendor,
                    "method": request.method,
                    "path": request.path,
                    "status": status,
                    "ms": round(seconds * 1000, 3),
                    "at": time.time(),
                    "fault": fault,
                }
            )

    def set_faults(self, vendor: str, plan: FaultPlan) -> None:
        """Replace one vendor's fault plan; its draws restart from the plan's seed."""
        if vendor not in self.faults:
            raise ValueError(f"unknown vendor {vendor!r} (salesforce or hubspot)")
        with self._fault_lock:
            self.faults[vendor] = plan
            self._random[vendor] = random.Random(plan.seed)

    def requests(self, after: int = 0, vendor: str | None = None) -> list[dict]:
        with self._log_lock:
            return [e for e in self._log if e["seq"] > after and (vendor is None or e["vendor"] == vendor)]

    # -- admin endpoints (sandbox only, same token as the vendor API) ------------------------

    def _admin(self, app: VendorApp, request: Request) -> Response:
        if request.path == "/_sandbox/health":
            return Response.json({"vendor": app.name, "ok": True})
        if not app.authorized(request):
            return Response.json({"error": "unauthorized"}, 401)
        path, method = request.path, request.method
        if path == "/_sandbox/load" and method == "POST":
            return self._admin_load(app, request)
        if path == "/_sandbox/requests" and method == "GET":
            after = int(request.arg("after", "0") or 0)
            return Response.json({"requests": self.requests(after, request.arg("vendor"))})
        if path == "/_sandbox/requests" and method == "DELETE":
            with self._log_lock:
                self._log.clear()
            return Response.empty()
        if path == "/_sandbox/faults" and method == "GET":
            return Response.json(self.faults[app.name].to_dict())
        if path == "/_sandbox/faults/counts" and method == "GET":
            with self._fault_lock:
                return Response.json(dict(self.fault_counts[app.name]))
        if path == "/_sandbox/writes" and method == "GET":
            with self._fault_lock:
                rows = [[*key, n] for key, n in self.writes.items() if key[0] == app.name]
            return Response.json({"writes": rows})
        if path == "/_sandbox/counts" and method == "DELETE":
            with self._fault_lock:
                self.fault_counts[app.name].clear()
                for key in [k for k in self.writes if k[0] == app.name]:
                    del self.writes[key]
            return Response.empty()
        if path == "/_sandbox/faults" and method == "PUT":
            try:
                plan = FaultPlan.from_dict(request.json() or {})
            except (TypeError, ValueError) as err:
                return Response.json({"error": f"fault plan: {err}"}, 400)
            self.set_faults(app.name, plan)
            return Response.json(plan.to_dict())
        if path == "/_sandbox/clock" and method == "PUT":
            self.clock.offset_ms = int((request.json() or {}).get("offset_ms", 0))
            return Response.json({"offset_ms": self.clock.offset_ms, "now_ms": self.clock.now_ms()})
        return Response.json({"error": f"no admin endpoint {method} {path}"}, 404)

    def _admin_load(self, app: VendorApp, request: Request) -> Response:
        """Body: JSON lines of {"vendor", "object", "record"}; lines of other vendors are refused."""
        by_object: dict[str, list[dict]] = {}
        for number, line in enumerate(request.body.decode().splitlines(), start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                vendor, obj, record = item["vendor"], item["object"], item["record"]
            except (ValueError, KeyError, TypeError) as err:
                return Response.json({"error": f"line {number}: {err!r}"}, 400)
            if vendor != app.name:
                return Response.json({"error": f"line {number}: vendor {vendor!r} on {app.name}"}, 400)
            by_object.setdefault(obj, []).append(record)
        loaded: dict[str, int] = {}
        for obj, records in by_object.items():
            try:
                app.load(obj, records)
            except (KeyError, ValueError) as err:
                return Response.json({"error": f"{obj}: {err}"}, 400)
            loaded[obj] = len(records)
        return Response.json({"loaded": loaded})


def _answer(app: VendorApp, request: Request) -> Response:
    try:
        return app.handle(request)
    except HTTPError as err:
        return err.response


def _free_or_zero(port: int) -> int:
    """Reuse the last port when it is free, so a restarted sandbox keeps its URLs."""
    if not port:
        return 0
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return 0
    return port
