"""The client-side rate limiter: never more than the limit in any window."""

from __future__ import annotations

import threading

from connectors.hubspot import RollingWindow


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now += seconds


def test_no_window_holds_more_than_the_limit():
    clock = FakeClock()
    window = RollingWindow(10, 10.0, clock=clock, sleep=clock.sleep)
    stamps = []
    for _ in range(35):
        window.acquire()
        stamps.append(clock.now)
    for i, start in enumerate(stamps):
        inside = [t for t in stamps[i:] if t - start < 10.0]
        assert len(inside) <= 10
    # It waits only as long as it must: 35 calls at 10 per 10 s fit in just over 30 s.
    assert 30.0 <= stamps[-1] < 30.1


def test_threads_share_one_budget():
    clock = FakeClock()
    window = RollingWindow(5, 1.0, clock=clock, sleep=clock.sleep)
    stamps, lock = [], threading.Lock()

    def worker():
        for _ in range(5):
            window.acquire()
            with lock:
                stamps.append(clock.now)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(stamps) == 20
    stamps.sort()
    for i, start in enumerate(stamps):
        assert len([t for t in stamps[i:] if t - start < 1.0]) <= 5
