"""API call counts, in total and per thread (each extract task runs in a thread of its own)."""

from __future__ import annotations

import threading


class CallCounter:
    def __init__(self) -> None:
        self.total = 0
        self._local = threading.local()
        self._lock = threading.Lock()

    def add(self, n: int = 1) -> None:
        with self._lock:
            self.total += n
        self._local.n = getattr(self._local, "n", 0) + n

    @property
    def in_this_thread(self) -> int:
        return getattr(self._local, "n", 0)
