"""The client-side rate limiter: never more than the limit in any window; reading ahead of landing."""

from __future__ import annotations

import random
import threading
import time
from contextlib import ExitStack, contextmanager, nullcontext

import pytest

from connectors.hubspot import RollingWindow
from connectors.hubspot.readahead import AHEAD, read_ahead
from connectors.metering import CallCounter
from connectors.records import Page, RawRecord


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


def _vendor_windows_hold_at_most(limit: int, stamps: list[float], seconds: float) -> bool:
    stamps = sorted(stamps)
    return all(len([t for t in stamps[i:] if t - start < seconds]) <= limit for i, start in enumerate(stamps))


def _vendor_stamps(window: RollingWindow, clock: FakeClock, calls: int, hold: bool) -> list[float]:
    """Calls of varying length, one after another; the vendor stamps each somewhere inside its trip."""
    rng = random.Random(3)
    stamps = []
    for _ in range(calls):
        context = window.held() if hold else nullcontext(window.acquire())
        with context:
            trip = rng.uniform(0.0, 0.5)
            stamps.append(clock.now + rng.uniform(0.0, 1.0) * trip)
            clock.now += trip
    return stamps


def test_a_call_counts_until_its_answer_so_the_vendor_never_sees_a_full_window_overflow():
    clock = FakeClock()
    held = _vendor_stamps(RollingWindow(10, 10.0, clock=clock, sleep=clock.sleep), clock, 60, hold=True)
    assert _vendor_windows_hold_at_most(10, held, 10.0)
    # Counted from the start only, a call sent late lands in the window before it: a 429.
    clock = FakeClock()
    started = _vendor_stamps(RollingWindow(10, 10.0, clock=clock, sleep=clock.sleep), clock, 60, hold=False)
    assert not _vendor_windows_hold_at_most(10, started, 10.0)


def test_a_long_call_keeps_its_slot_until_the_window_after_its_answer():
    clock = FakeClock()
    window = RollingWindow(2, 10.0, clock=clock, sleep=clock.sleep)
    with window.held():
        clock.now += 3.0  # the first call takes 3 s to answer
    window.acquire()
    window.acquire()  # the third call waits for the first's answer (at 3 s) to leave the window
    assert 13.0 <= clock.now < 13.1


def test_calls_in_flight_take_slots():
    clock = FakeClock()
    window = RollingWindow(2, 10.0, clock=clock, sleep=clock.sleep)
    order = []
    with ExitStack() as calls:
        calls.enter_context(window.held())
        calls.enter_context(window.held())
        waiter = threading.Thread(target=lambda: (window.acquire(), order.append("third call")))
        waiter.start()
        time.sleep(0.2)  # the third call waits as long as both are unanswered
        order.append("answers")
    waiter.join(timeout=10)
    assert order == ["answers", "third call"]
    assert clock.now >= 10.0  # and then for their answers to leave the window


class CountingClient:
    """What read_ahead needs of a HubSpotClient: a meter, and counting a helper thread's calls."""

    def __init__(self) -> None:
        self.meter = CallCounter()
        self.local = threading.local()

    @contextmanager
    def counted_in(self, tally):
        self.local.tally = tally
        yield
        self.local.tally = None

    def call(self) -> None:
        self.local.tally.calls += 1


def _stream(client: CountingClient, pages: int, fetched: list, fail_at: int | None = None):
    """Page n holds one record "n"; every third page has a checkpoint and a resume position."""
    for n in range(pages):
        client.call()
        fetched.append(n)
        if n == fail_at:
            raise RuntimeError(f"page {n} refused")
        marked = n % 3 == 2
        yield Page(
            [RawRecord(str(n), None, False, {})],
            checkpoint=n if marked else None,
            resume={"after": n} if marked else None,
        )


def _slowly(pages):
    """A caller that takes a while to land each page, so that fetched pages pile up."""
    for page in pages:
        yield page
        time.sleep(0.02)


def test_read_ahead_keeps_order_and_counts_calls_in_the_reading_thread():
    client, fetched = CountingClient(), []
    got = [r.id for page in read_ahead(_stream(client, 40, fetched), client) for r in page.records]
    assert got == [str(n) for n in range(40)]
    assert client.meter.in_this_thread == 40 and client.meter.total == 40


def test_pages_that_piled_up_land_as_one_with_the_last_checkpoint_and_position():
    client, fetched = CountingClient(), []
    landed = list(_slowly(read_ahead(_stream(client, 60, fetched), client)))
    assert [r.id for page in landed for r in page.records] == [str(n) for n in range(60)]
    assert len(landed) < 60 and max(len(page.records) for page in landed) <= AHEAD
    for page in landed:
        marked = [int(r.id) for r in page.records if int(r.id) % 3 == 2]
        assert page.checkpoint == (marked[-1] if marked else None)
        assert page.resume == ({"after": marked[-1]} if marked else None)


def test_read_ahead_raises_the_fetch_error_after_the_pages_before_it():
    client, fetched, got = CountingClient(), [], []
    with pytest.raises(RuntimeError, match="page 5 refused"):
        for page in read_ahead(_stream(client, 12, fetched, fail_at=5), client):
            got.extend(r.id for r in page.records)
    assert got == ["0", "1", "2", "3", "4"] and client.meter.in_this_thread == 6


def test_read_ahead_stops_fetching_when_the_reader_stops():
    client, fetched = CountingClient(), []
    pages = read_ahead(_stream(client, 1000, fetched), client)
    assert next(pages).records
    pages.close()
    assert len(fetched) <= 2 * AHEAD + 2  # some pages ahead, never the whole stream
    assert client.meter.in_this_thread == len(fetched)  # calls made ahead are still counted
