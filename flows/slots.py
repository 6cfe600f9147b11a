"""Prefect global concurrency limits, one per object: who extracts what shows on the server.

Each extract of an object occupies the one slot of `leadflow-extract-<source>-<object>`
(limit 1) while it reads, under a lease the Prefect client renews every 45 s. The file lock
(`flows/locks.py`) stays the guard that survives `kill -9` and runs without a server; the slot
makes the limit visible in the Prefect UI and coordinates runs through the server.

Only used when PREFECT_API_URL names a server: a temporary server (a run without one) keeps
leases in its own memory, so a slot of a killed run would stay taken in the shared database
with no lease left to expire.

The server can still lose a lease and keep its slot (restarted with in-memory leases, or a
request that failed half-way, e.g. SQLite out of connections): no repossessor pass ever gives
that slot back, and every later extract of the object would wait out STALE_SLOT_WAIT_SECONDS.
So a slot still taken after that wait is given back (a lease would have expired by then), and a
release that fails (the server answering 410 or 500) is logged, not raised: the extract's records
have landed, and the lease, no longer renewed, expires within LEASE_SECONDS.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress

from flows.secrets import prefect_server_configured

# The server's shortest lease. A killed holder's lease runs out within 60 s of its last
# renewal and the server's repossessor (every 15 s) gives the slot back.
LEASE_SECONDS = 60.0
# Only asked for once the object's file lock is ours: no live extract of this host holds the
# slot then, so one still taken is a dead run's (lease not yet expired, or lost when the server
# restarted). Waiting out one lease and a repossessor pass is enough; after that the
# extract goes on under the file lock and says so.
STALE_SLOT_WAIT_SECONDS = 120.0
# After giving a leaked slot back: time enough to take it if no other run did meanwhile.
RETAKE_WAIT_SECONDS = 10.0


def limit_name(source: str, obj: str) -> str:
    return f"leadflow-extract-{source}-{obj}"


def ensure_limits(pairs: Iterable[tuple[str, str]]) -> list[str]:
    """Create the missing per-object limits (limit 1) on the server; names of all of them."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectAlreadyExists

    names = [limit_name(s, o) for s, o in pairs]
    if not prefect_server_configured():
        return names
    with get_client(sync_client=True) as client:
        for name in names:
            # Another run may create it between the upsert's read and its create.
            with suppress(ObjectAlreadyExists):
                client.upsert_global_concurrency_limit_by_name(name, limit=1)
    return names


@contextmanager
def object_slot(source: str, obj: str, holder_task_run_id=None, on_stale=None) -> Iterator[None]:
    """Hold the object's global concurrency slot while extracting it (nothing without a server)."""
    if not prefect_server_configured():
        yield
        return
    from prefect.client.schemas.objects import ConcurrencyLeaseHolder
    from prefect.concurrency.asyncio import AcquireConcurrencySlotTimeoutError

    name = limit_name(source, obj)
    holder = (
        None if holder_task_run_id is None else ConcurrencyLeaseHolder(type="task_run", id=holder_task_run_id)
    )
    slot = None
    try:
        slot = _acquire(name, STALE_SLOT_WAIT_SECONDS, holder)
    except AcquireConcurrencySlotTimeoutError:
        if on_stale is not None:
            on_stale(name)
        give_back_leaked(name)
        with suppress(AcquireConcurrencySlotTimeoutError):
            slot = _acquire(name, RETAKE_WAIT_SECONDS, holder)
    try:
        yield
    finally:
        if slot is not None:
            _release(name, slot)


def _acquire(name: str, wait_seconds: float, holder):
    """The entered `concurrency` context of the object's slot, to leave with `_release`."""
    from prefect.concurrency.sync import concurrency

    slot = concurrency(
        name,
        timeout_seconds=wait_seconds,
        lease_duration=LEASE_SECONDS,
        strict=True,  # ensure_limits created it: a missing limit is a fault
        holder=holder,
        # A failed renewal must not kill an hour-long extract: the file lock guards.
        raise_on_lease_renewal_failure=False,
    )
    slot.__enter__()
    return slot


def _release(name: str, slot) -> None:
    """Give the slot back; if the server fails to, its lease expires within LEASE_SECONDS."""
    try:
        slot.__exit__(None, None, None)
    except Exception as err:  # the records have landed; the lease runs out on its own
        _logger().warning("could not release %s (%s); its lease runs out in %.0f s", name, err, LEASE_SECONDS)


def give_back_leaked(name: str) -> None:
    """Give back the slot no lease holds any more (see the module's docstring)."""
    from prefect.client.orchestration import get_client

    try:
        with get_client(sync_client=True) as client:
            client.release_concurrency_slots([name], slots=1, occupancy_seconds=STALE_SLOT_WAIT_SECONDS)
    except Exception as err:  # the extract goes on under the file lock regardless
        _logger().warning("could not give back the leaked slot of %s: %s", name, err)


def _logger():
    from prefect import get_run_logger
    from prefect.exceptions import MissingContextError

    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger(__name__)


if __name__ == "__main__":  # `make deploy`: every object's limit shows in the UI before a run
    from flows.extract import TABLES

    for made in ensure_limits((s, o) for s in TABLES for o in TABLES[s]):
        print(made)
