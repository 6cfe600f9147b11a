"""HubSpot's rate limits: a rolling 10 s window per token, 5 searches/s per token, a daily cap."""

from __future__ import annotations

import math
import threading
from collections import deque

from ..web import Response
from . import errors
from .values import DAY_MS

WINDOW_MS = 10_000
SECOND_MS = 1_000
DAILY_KEY = "hubspot:daily_usage"  # {"day": days since the epoch, "used": calls that day}


def _too_many(message: str, policy: str, retry_after_s: int, headers: dict) -> Response:
    body = {
        "status": "error",
        "message": message,
        "errorType": "RATE_LIMIT",
        "correlationId": errors.correlation_id(),
        "policyName": policy,
    }
    return Response.json(body, 429, {**headers, "Retry-After": str(max(1, retry_after_s))})


class RateLimiter:
    """Admits or refuses one request; counts only the requests it admits.

    The daily count is the account's (every token shares it) and is kept in the store, so a
    restarted sandbox remembers what the day has used, as HubSpot does.
    """

    def __init__(self, clock, settings, store=None):
        self.clock = clock
        self.settings = settings
        self.store = store
        self._lock = threading.Lock()
        self._windows: dict[str, deque[int]] = {}
        self._searches: dict[str, deque[int]] = {}
        saved = store.get_value(DAILY_KEY, {}) if store is not None else {}
        self._day = int(saved.get("day", -1))
        self._used_today = int(saved.get("used", 0))

    def _count(self) -> None:
        self._used_today += 1
        if self.store is not None:
            self.store.set_value(DAILY_KEY, {"day": self._day, "used": self._used_today})

    def _prune(self, times: deque[int], now: int, span: int) -> None:
        if times and times[-1] > now:  # the sandbox clock was set back: start afresh
            times.clear()
        while times and now - times[0] >= span:
            times.popleft()

    def _daily(self, now: int) -> tuple[int, int]:
        day = now // DAY_MS
        if day != self._day:
            self._day, self._used_today = day, 0
        return self.settings.hubspot_daily_limit, (day + 1) * DAY_MS - now

    def admit(self, token: str, search: bool) -> tuple[Response | None, dict[str, str]]:
        """(a 429 answer or None, the rate-limit headers for the answer; none for searches)."""
        now = self.clock.now_ms()
        with self._lock:
            daily, to_midnight = self._daily(now)
            window = self._windows.setdefault(token, deque())
            self._prune(window, now, WINDOW_MS)
            if search:
                searches = self._searches.setdefault(token, deque())
                self._prune(searches, now, SECOND_MS)
                if self._used_today >= daily:
                    return _too_many(
                        "You have reached your daily limit.", "DAILY", math.ceil(to_midnight / 1000), {}
                    ), {}
                if len(searches) >= self.settings.hubspot_search_per_second:
                    wait = SECOND_MS - (now - searches[0])
                    return _too_many(
                        "You have reached your secondly limit.", "SECONDLY", math.ceil(wait / 1000), {}
                    ), {}
                searches.append(now)
                self._count()
                return None, {}
            if self._used_today >= daily:
                headers = self._headers(window, now, daily)
                return _too_many(
                    "You have reached your daily limit.", "DAILY", math.ceil(to_midnight / 1000), headers
                ), headers
            if len(window) >= self.settings.hubspot_requests_per_10s:
                headers = self._headers(window, now, daily)
                wait = WINDOW_MS - (now - window[0])
                return _too_many(
                    "You have reached your ten_secondly_rolling limit.",
                    "TEN_SECONDLY_ROLLING",
                    math.ceil(wait / 1000),
                    headers,
                ), headers
            window.append(now)
            self._count()
            return None, self._headers(window, now, daily)

    def _headers(self, window: deque[int], now: int, daily: int) -> dict[str, str]:
        limit = self.settings.hubspot_requests_per_10s
        secondly = max(1, limit // 10)
        last_second = 0
        for t in reversed(window):  # newest first: only the last second is walked
            if now - t >= SECOND_MS:
                break
            last_second += 1
        return {
            "X-HubSpot-RateLimit-Daily": str(daily),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, daily - self._used_today)),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(WINDOW_MS),
            "X-HubSpot-RateLimit-Max": str(limit),
            "X-HubSpot-RateLimit-Remaining": str(max(0, limit - len(window))),
            "X-HubSpot-RateLimit-Secondly": str(secondly),
            "X-HubSpot-RateLimit-Secondly-Remaining": str(max(0, secondly - last_second)),
        }

    def fault_headers(self, token: str) -> dict[str, str]:
        """Headers for an injected 429: the window as it stands, nothing counted."""
        now = self.clock.now_ms()
        with self._lock:
            daily, _ = self._daily(now)
            window = self._windows.setdefault(token, deque())
            self._prune(window, now, WINDOW_MS)
            return self._headers(window, now, daily) | {"X-HubSpot-RateLimit-Remaining": "0"}
