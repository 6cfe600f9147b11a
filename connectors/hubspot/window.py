"""The client side of HubSpot's rolling-window rate limits, shared by every thread of a token."""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

ALL_IN_FLIGHT_WAIT = 0.005  # every slot taken by calls not yet answered: look again this soon


class RollingWindow:
    """At most `limit` calls in any `seconds`-long window, shared by every thread using it.

    A call made inside `held()` counts from the moment it is let through until `seconds` after
    its answer came back. HubSpot stamps the call somewhere in between, so however long the trip
    took (a slow network, a thread kept waiting for the GIL before it could send), no window
    HubSpot sees holds more than `limit`, and no clock of ours needs to agree with HubSpot's.
    Counting from the start only, as a plain token bucket does, lets a call that was sent late
    land inside the previous window: a 429, a retry and a second of waiting.
    """

    def __init__(self, limit: int, seconds: float, clock=time.monotonic, sleep=time.sleep):
        if limit < 1:
            raise ValueError(f"a rate limit must allow at least one call, got {limit}")
        self.limit, self.seconds = limit, seconds
        self._clock, self._sleep = clock, sleep
        self._answered: list[float] = []  # a heap of answer times of calls still in the window
        self._in_flight = 0
        self._lock = threading.Lock()

    @contextmanager
    def held(self) -> Iterator[None]:
        """A slot for one call: wait for it, make the call inside, and the slot stays until answered."""
        self._take()
        try:
            yield
        finally:
            self._answer()

    def acquire(self) -> None:
        """A slot for a call whose answer is taken as immediate (it counts from now)."""
        self._take()
        self._answer()

    def _take(self) -> None:
        while True:
            with self._lock:
                now = self._clock()
                while self._answered and now - self._answered[0] >= self.seconds:
                    heapq.heappop(self._answered)
                if len(self._answered) + self._in_flight < self.limit:
                    self._in_flight += 1
                    return
                oldest = self._answered[0] if self._answered else None
                wait = ALL_IN_FLIGHT_WAIT if oldest is None else self.seconds - (now - oldest)
            self._sleep(max(wait, 0.001))

    def _answer(self) -> None:
        with self._lock:
            self._in_flight -= 1
            heapq.heappush(self._answered, self._clock())
