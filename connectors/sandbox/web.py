"""A small HTTPS server for the sandbox: requests, responses, routing, one send per answer."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from . import codec


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Message
    body: bytes = b""
    params: dict[str, str] = field(default_factory=dict)

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def args(self, name: str) -> list[str]:
        """All values of a repeated parameter, comma-separated values split too."""
        out: list[str] = []
        for value in self.query.get(name, []):
            out.extend(v for v in value.split(",") if v)
        return out

    def json(self):
        if not self.body:
            return None
        return json.loads(self.body)

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name, default)


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, obj, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        body = codec.dumps(obj)
        h = {"Content-Type": "application/json;charset=UTF-8"}
        h.update(headers or {})
        return cls(status, body, h)

    @classmethod
    def text(cls, text: str, status: int = 200, content_type: str = "text/plain") -> Response:
        return cls(status, text.encode(), {"Content-Type": f"{content_type};charset=UTF-8"})

    @classmethod
    def empty(cls, status: int = 204, headers: dict[str, str] | None = None) -> Response:
        return cls(status, b"", dict(headers or {}))


class HTTPError(Exception):
    """Raised inside a handler to answer with a ready-made response."""

    def __init__(self, response: Response):
        super().__init__(response.status)
        self.response = response


class DropConnection(Exception):
    """Raised to close the connection without answering (a fault)."""


class CutAnswer(Exception):
    """Raised to send the head and half the body of an answer, then close (a reset mid-answer)."""

    def __init__(self, response: Response):
        super().__init__(response.status)
        self.response = response


Handler = Callable[[Request], Response]
_PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")


class Router:
    """Maps METHOD + path pattern to a handler; `{name}` matches one segment, `{name:path}` many."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        def repl(m: re.Match[str]) -> str:
            return f"(?P<{m.group(1)}>.+)" if m.group(2) == "path" else f"(?P<{m.group(1)}>[^/]+)"

        regex = re.compile("^" + _PARAM.sub(repl, pattern) + "$")
        self._routes.append((method.upper(), regex, handler))

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        def decorate(fn: Handler) -> Handler:
            self.add(method, pattern, fn)
            return fn

        return decorate

    def match(self, method: str, path: str) -> tuple[Handler | None, dict[str, str], bool]:
        """Return (handler, params, path_known); path_known tells 405 from 404."""
        known = False
        for m, regex, handler in self._routes:
            hit = regex.match(path)
            if hit:
                known = True
                if m == method:
                    return handler, {k: unquote(v) for k, v in hit.groupdict().items()}, True
        return None, {}, known


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "leadflow-sandbox"
    timeout = 120

    def setup(self) -> None:
        super().setup()
        # One send per answer and no Nagle delay: see ../shared/API_NOTES.md (40 ms stalls).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers=self.headers,
            body=body,
        )
        cut = False
        try:
            response = self.server.app(request)
        except DropConnection:
            self._close()
            return
        except CutAnswer as err:
            response, cut = err.response, True
        head = [f"HTTP/1.1 {response.status} {_reason(response.status)}"]
        headers = {"Date": self.date_time_string(), "Content-Length": str(len(response.body))}
        headers.update(response.headers)
        head.extend(f"{k}: {v}" for k, v in headers.items())
        body = response.body[: len(response.body) // 2] if cut else response.body
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        if cut:
            self.wfile.flush()
            self._close()

    def _close(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve


class _TLSServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, app: Handler, context: ssl.SSLContext):
        self.app = app
        self._context = context
        super().__init__(address, _Handler)

    def get_request(self):
        sock, addr = super().get_request()
        return self._context.wrap_socket(sock, server_side=True), addr

    def handle_error(self, request, client_address) -> None:
        pass  # clients that hang up mid-answer are not the sandbox's problem


class Server:
    """One HTTPS listener on loopback, served from a background thread."""

    def __init__(self, app: Handler, context: ssl.SSLContext, host: str = "127.0.0.1", port: int = 0):
        self._httpd = _TLSServer((host, port), app, context)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"https://{host}:{port}"

    def start(self) -> Server:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
