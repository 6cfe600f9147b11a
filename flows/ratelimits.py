"""API rate limits shared by every leadflow process on a host: a nightly and a backfill together.

HubSpot counts requests per token over a rolling 10 s (and searches over 1 s), whichever
process sends them. Each process's own RollingWindow would let both spend the whole limit, so
the flows give the HubSpot client a SharedWindow instead: the same contract (a slot from the
moment a call is let through until `seconds` after its answer), its state in a small file
beside the DuckDB file (`<duckdb>.ratelimits/`), read and written under an advisory `flock`.

A slot taken by a process that died before its answer came back is counted as answered at
the moment its death is noticed, so a killed run costs the others one window at most.
Daily budgets need no file: both vendors report the account's own remaining calls on every
answer (HubSpot's X-HubSpot-RateLimit-Daily-Remaining, Salesforce's Sforce-Limit-Info), which
every process already reads before it spends its next call.
"""

from __future__ import annotations

import fcntl
import hashlib
import itertools
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from connectors.hubspot import HubSpotClient
from flows.settings import Settings

ALL_IN_FLIGHT_WAIT = 0.02  # every slot taken by calls not yet answered: look again this soon
# A call in flight longer than this (urllib3's retries included) is taken as answered.
IN_FLIGHT_MAX = 600.0


def ratelimit_path(duckdb_path: Path | str, vendor: str, account: str, window: str) -> Path:
    """`<duckdb>.ratelimits/<vendor>-<account key>-<window>.json`; the key is a hash, never the token."""
    base = Path(duckdb_path)
    key = hashlib.sha256(account.encode()).hexdigest()[:16]
    return base.with_name(base.name + ".ratelimits") / f"{vendor}-{key}-{window}.json"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


class SharedWindow:
    """At most `limit` calls in any `seconds`-long window, across the processes sharing `path`.

    Timestamps are CLOCK_MONOTONIC, which every process of one host shares (the DuckDB file
    already keeps leadflow's runs on one host).
    """

    def __init__(self, path: Path | str, limit: int, seconds: float, clock=time.monotonic, sleep=time.sleep):
        if limit < 1:
            raise ValueError(f"a rate limit must allow at least one call, got {limit}")
        self.path, self.limit, self.seconds = Path(path), limit, seconds
        self._clock, self._sleep = clock, sleep
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # A file object, so that a client dropped without close() gives its descriptor back.
        self._file = os.fdopen(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600), "r+b", buffering=0)
        self._fd = self._file.fileno()
        self._thread_lock = threading.Lock()  # flock does not keep this process's threads apart
        self._ids = itertools.count()

    def close(self) -> None:
        self._file.close()

    @contextmanager
    def held(self) -> Iterator[None]:
        """A slot for one call: wait for it, make the call inside, and the slot stays until answered."""
        slot = self._take()
        try:
            yield
        finally:
            self._answer(slot)

    def acquire(self) -> None:
        """A slot for a call whose answer is taken as immediate (it counts from now)."""
        self._answer(self._take())

    @contextmanager
    def _state(self) -> Iterator[dict]:
        with self._thread_lock:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                raw = os.pread(self._fd, os.fstat(self._fd).st_size, 0)
                try:
                    state = json.loads(raw) if raw else {}
                except ValueError:  # a writer killed mid-write: start afresh (a 429 at worst)
                    state = {}
                state.setdefault("answered", [])
                state.setdefault("in_flight", {})
                yield state
                data = json.dumps(state, separators=(",", ":")).encode()
                os.pwrite(self._fd, data, 0)
                os.ftruncate(self._fd, len(data))
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _prune(self, state: dict, now: float) -> None:
        for slot, started in list(state["in_flight"].items()):
            pid = int(slot.split(":", 1)[0])
            if now - started > IN_FLIGHT_MAX or not _alive(pid):
                del state["in_flight"][slot]
                state["answered"].append(now)
        state["answered"] = sorted(t for t in state["answered"] if now - t < self.seconds)

    def _take(self) -> str:
        while True:
            with self._state() as state:
                now = self._clock()
                self._prune(state, now)
                if len(state["answered"]) + len(state["in_flight"]) < self.limit:
                    slot = f"{os.getpid()}:{next(self._ids)}"
                    state["in_flight"][slot] = now
                    return slot
                oldest = state["answered"][0] if state["answered"] else None
            wait = ALL_IN_FLIGHT_WAIT if oldest is None else self.seconds - (now - oldest)
            self._sleep(max(wait, 0.001))

    def _answer(self, slot: str) -> None:
        with self._state() as state:
            state["in_flight"].pop(slot, None)
            state["answered"].append(self._clock())


def hubspot_client(settings: Settings) -> HubSpotClient:
    """A HubSpot client whose rate limits are shared with every other leadflow process on the token."""
    config = settings.hubspot()
    account = f"{config.base_url}\n{config.access_token}"

    def window(name: str, limit: int, seconds: float) -> SharedWindow:
        return SharedWindow(ratelimit_path(settings.duckdb_path, "hubspot", account, name), limit, seconds)

    return HubSpotClient(
        config,
        window=window("10s", config.requests_per_10s, 10.0),
        search_window=window("search-1s", config.searches_per_second, 1.0),
    )
