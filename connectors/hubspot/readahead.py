"""Fetching a stream's next pages while the caller lands the ones before, and landing them together.

Read page after page, one object spends per call the trip to HubSpot and then the landing of its
page, and landing costs about the same for 100 records as for 1,000 (one transaction, a look-up
of the ids already held): past ~50 ms a call, a stream cannot use the 19 calls a second that 190
per 10 s allow, and several streams landing at once wait for each other. So a thread of its own
keeps fetching, up to AHEAD pages ahead, and whatever has piled up while the caller landed is
handed over as one page. Pages keep their order: records, checkpoints and resume positions land
as they would one by one. Calls are counted in the caller's thread as their pages arrive (the
extract counts per thread).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

from ..records import Page

AHEAD = 10  # pages fetched and not yet landed
_END = object()
_PUT_WAIT = 0.2  # seconds between looks at the stop flag while the queue is full


class Tally:
    """Calls made by the fetching thread, handed over to the caller with each page."""

    def __init__(self) -> None:
        self.calls = 0

    def take(self) -> int:
        calls, self.calls = self.calls, 0
        return calls


def joined(pages: list[Page]) -> Page:
    """Consecutive pages as one: their records in order, the last checkpoint and resume position."""
    if len(pages) == 1:
        return pages[0]
    return Page(
        [record for page in pages for record in page.records],
        checkpoint=next((p.checkpoint for p in reversed(pages) if p.checkpoint is not None), None),
        resume=next((p.resume for p in reversed(pages) if p.resume is not None), None),
    )


def read_ahead(pages: Iterator[Page], client) -> Iterator[Page]:
    """`pages`, fetched by a thread of its own; what is ready when the caller asks comes as one page."""
    ready: queue.Queue = queue.Queue(maxsize=AHEAD)
    stop = threading.Event()
    tally = Tally()

    def hand_over(item, error: BaseException | None = None) -> bool:
        entry = (item, tally.take(), error)
        while not stop.is_set():
            try:
                ready.put(entry, timeout=_PUT_WAIT)
                return True
            except queue.Full:
                continue
        tally.calls += entry[1]  # not handed over: counted when the caller lets go
        return False

    def fetch() -> None:
        with client.counted_in(tally):
            try:
                for page in pages:
                    if not hand_over(page):
                        return
                hand_over(_END)
            except BaseException as err:  # noqa: BLE001 - raised again in the caller's thread
                hand_over(None, err)
            finally:
                pages.close()

    worker = threading.Thread(target=fetch, name="hubspot-read-ahead", daemon=True)
    worker.start()
    try:
        following = None  # the end or an error, met while gathering pages: after them
        while following is None:
            batch = []
            item = ready.get()
            while True:
                page, calls, error = item
                client.meter.add(calls)
                if error is not None or page is _END:
                    following = item
                    break
                batch.append(page)
                if len(batch) == AHEAD:
                    break
                try:
                    item = ready.get_nowait()
                except queue.Empty:
                    break
            if batch:
                yield joined(batch)
        if following[2] is not None:
            raise following[2]
    finally:
        stop.set()
        worker.join()
        while not ready.empty():  # pages fetched that the caller never took: their calls were made
            client.meter.add(ready.get_nowait()[1])
        client.meter.add(tally.take())
