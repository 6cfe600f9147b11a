"""The org's daily API allocation: calls over a rolling 24 hours, counted in hourly buckets."""

from __future__ import annotations

import threading

from ..store import Clock, Store

USAGE_KEY = "salesforce:api_usage"
HOUR_MS = 3_600_000


class ApiUsage:
    """Counts every authenticated API call; kept in the store so a restarted sandbox remembers."""

    def __init__(self, store: Store, clock: Clock, maximum):
        self.store, self.clock = store, clock
        self._maximum = maximum  # a callable: the settings may change while the sandbox runs
        self._lock = threading.Lock()
        saved = store.get_value(USAGE_KEY, {})
        self._buckets: dict[int, int] = {int(k): int(v) for k, v in saved.items()}

    @property
    def maximum(self) -> int:
        return int(self._maximum())

    def _prune(self) -> int:
        hour = self.clock.now_ms() // HOUR_MS
        for old in [h for h in self._buckets if h <= hour - 24]:
            del self._buckets[old]
        return hour

    def used(self) -> int:
        with self._lock:
            self._prune()
            return sum(self._buckets.values())

    def spend(self) -> bool:
        """Count one call; False (and nothing counted) once the allocation is spent."""
        with self._lock:
            hour = self._prune()
            if sum(self._buckets.values()) >= self.maximum:
                return False
            self._buckets[hour] = self._buckets.get(hour, 0) + 1
            self.store.set_value(USAGE_KEY, self._buckets)
            return True

    def header(self) -> str:
        return f"api-usage={self.used()}/{self.maximum}"

    def limits(self) -> dict:
        """The `/limits/` answer: the daily allocation first, then the other limits leadflow may read."""
        maximum = self.maximum
        return {
            "ConcurrentAsyncGetReportInstances": {"Max": 200, "Remaining": 200},
            "DailyApiRequests": {"Max": maximum, "Remaining": max(maximum - self.used(), 0)},
            "DailyAsyncApexExecutions": {"Max": 250000, "Remaining": 250000},
            "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
            "DailyBulkV2QueryFileStorageMB": {"Max": 976562, "Remaining": 976562},
            "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000},
            "DataStorageMB": {"Max": 5, "Remaining": 5},
            "FileStorageMB": {"Max": 20, "Remaining": 20},
            "HourlyTimeBasedWorkflow": {"Max": 1000, "Remaining": 1000},
            "SingleEmail": {"Max": 15, "Remaining": 15},
        }
