"""Talking to a running sandbox's own endpoints: health, loading records, faults, request log."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import requests

from .app import ENV_FILE

CHUNK_LINES = 5000


def read_env(path: Path | str) -> dict[str, str]:
    """A dotenv file as a dict (KEY=VALUE lines; # comments)."""
    env = {}
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key.strip()] = value.strip().strip('"')
    return env


class SandboxAdmin:
    """The sandbox-only endpoints of both vendor servers, from a sandbox.env file."""

    def __init__(self, env_file: Path | str):
        path = Path(env_file)
        env = read_env(path / ENV_FILE if path.is_dir() else path)
        self.urls = {
            "salesforce": env["LEADFLOW_SALESFORCE_INSTANCE_URL"],
            "hubspot": env["LEADFLOW_HUBSPOT_BASE_URL"],
        }
        self.tokens = {
            "salesforce": env["LEADFLOW_SALESFORCE_SESSION_ID"],
            "hubspot": env["LEADFLOW_HUBSPOT_ACCESS_TOKEN"],
        }
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = env["LEADFLOW_CA_BUNDLE"]

    def _call(self, vendor: str, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.tokens[vendor]}"}
        response = self.session.request(
            method, self.urls[vendor] + path, headers=headers, timeout=300, **kwargs
        )
        if response.status_code >= 400:
            raise RuntimeError(f"sandbox {vendor} {method} {path}: {response.status_code} {response.text}")
        return response

    def healthy(self) -> bool:
        try:
            return all(self._call(v, "GET", "/_sandbox/health").ok for v in self.urls)
        except (requests.RequestException, RuntimeError):
            return False

    def load(self, lines: Iterable[dict]) -> dict[str, dict[str, int]]:
        """Send load lines to the server of their vendor, in chunks; return counts per object."""
        counts: dict[str, dict[str, int]] = {v: {} for v in self.urls}
        pending: dict[str, list[str]] = {v: [] for v in self.urls}

        def flush(vendor: str) -> None:
            if pending[vendor]:
                body = ("\n".join(pending[vendor]) + "\n").encode()
                answer = self._call(vendor, "POST", "/_sandbox/load", data=body).json()
                for obj, n in answer.get("loaded", {}).items():
                    counts[vendor][obj] = counts[vendor].get(obj, 0) + n
                pending[vendor].clear()

        for line in lines:
            vendor = line["vendor"]
            if vendor not in pending:
                raise ValueError(f"unknown vendor {vendor!r} in {line}")
            pending[vendor].append(json.dumps(line, separators=(",", ":")))
            if len(pending[vendor]) >= CHUNK_LINES:
                flush(vendor)
        for vendor in pending:
            flush(vendor)
        return counts

    def requests_log(self, vendor: str | None = None, after: int = 0) -> list[dict]:
        """The sandbox's log (both vendors share it) after sequence number `after`, of one vendor or all."""
        params = {"after": after} | ({"vendor": vendor} if vendor else {})
        answer = self._call(vendor or "salesforce", "GET", "/_sandbox/requests", params=params)
        return answer.json()["requests"]

    def clear_requests(self) -> None:
        self._call("salesforce", "DELETE", "/_sandbox/requests")

    def faults(self, vendor: str) -> dict:
        return self._call(vendor, "GET", "/_sandbox/faults").json()

    def fault_counts(self, vendor: str) -> dict[str, int]:
        """Faults injected so far, by kind (429, 500, drop, reset, ...)."""
        return self._call(vendor, "GET", "/_sandbox/faults/counts").json()

    def writes(self, vendor: str) -> dict[tuple[str, str, str], int]:
        """Writes through the API by (object, id, field): more than one is a field written again."""
        rows = self._call(vendor, "GET", "/_sandbox/writes").json()["writes"]
        return {(obj, rid, name): n for _, obj, rid, name, n in rows}

    def clear_counts(self) -> None:
        """Start the fault counts and the write tally of both vendors from zero."""
        for vendor in self.urls:
            self._call(vendor, "DELETE", "/_sandbox/counts")

    def set_faults(self, vendor: str, **plan) -> dict:
        """Replace the vendor's fault plan (fields of FaultPlan; those left out are 0)."""
        return self._call(vendor, "PUT", "/_sandbox/faults", json=plan).json()
