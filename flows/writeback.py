"""Write-back: the changed scores, stages, dates and owners onto the CRM records, in batches."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.utilities.annotations import quote

from connectors.hubspot import HubSpotSink
from connectors.records import WriteResult
from connectors.salesforce import WRITEBACK_OBJECTS, SalesforceSink
from connectors.salesforce.client import CONNECTION_LOST
from flows import progress
from flows.artifacts import publish_writeback, record_failure
from flows.changes import Change, Conflict, by_target, pending_changes, same_value, split_allowed
from flows.ledger import (
    close_batch,
    close_unqueued_rejects,
    open_batch,
    pending_batches,
    record_conflicts,
    record_refusals,
)
from flows.marts import joinable, open_marts
from flows.ratelimits import hubspot_client
from flows.retries import io_retries
from flows.settings import Settings, load_settings
from flows.warehouse import Warehouse

BATCH = {"salesforce": 200, "hubspot": 100}  # sObject Collections; HubSpot batch update
# 100,000 records per vendor take minutes with the limits on; a whole night means it is stuck.
WRITEBACK_TIMEOUT = 4 * 3600
# Tasks that only read or create-if-missing: safe to run again, with growing waits (10 s, 20 s, 40 s).
IDEMPOTENT_IO = io_retries(10)


@dataclass
class WritebackSummary:
    dry_run: bool
    records: int = 0
    written: int = 0
    rejected: int = 0
    retried: int = 0
    recovered: int = 0
    calls: int = 0
    fields: dict[str, int] = field(default_factory=dict)  # field name -> records changed
    new_values: dict[str, dict[str, int]] = field(default_factory=dict)  # field -> value -> n
    rejects: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)
    diff: list[dict] = field(default_factory=list)


def _sink(vendor: str, settings: Settings):
    if vendor == "salesforce":
        return SalesforceSink(settings.salesforce())
    return HubSpotSink(settings.hubspot(), client=hubspot_client(settings))


def _update(sink, object_type: str, rows: dict[str, dict], attempts: int, backoff: float):
    """One call for the rows; rows refused for a passing reason (a lock, a 429) go again.

    Rows whose answer was cut off are read back first: those that arrived are not sent twice.
    """
    results = {r.record_id: r for r in sink.update(object_type, list(rows.values()))}
    retried = 0
    for attempt in range(1, attempts):
        results.update(_arrived(sink, object_type, rows, results))
        again = [rid for rid, r in results.items() if not r.ok and r.retryable]
        if not again:
            break
        time.sleep(backoff * 2 ** (attempt - 1))
        retried += len(again)
        results.update({r.record_id: r for r in sink.update(object_type, [rows[rid] for rid in again])})
    results.update(_arrived(sink, object_type, rows, results))
    return results, retried


def _arrived(sink, object_type: str, rows: dict[str, dict], results: dict) -> dict[str, WriteResult]:
    """Rows cut off mid-answer whose values the CRM now holds: written, as far as anyone can tell."""
    lost = [rid for rid, r in results.items() if not r.ok and r.code == CONNECTION_LOST]
    if not lost:
        return {}
    sent = {rid: _values(rows[rid]) for rid in lost}
    names = sorted({name for values in sent.values() for name in values})
    current = sink.read_fields(object_type, lost, names)
    return {
        rid: WriteResult(rid, True)
        for rid, values in sent.items()
        if all(same_value(current.get(rid, {}).get(n), v) for n, v in values.items())
    }


def _values(row: dict) -> dict:
    """The fields a row sets: Salesforce rows are flat ({"Id", field: value}), HubSpot's nested."""
    if "properties" in row:
        return dict(row["properties"])
    return {k: v for k, v in row.items() if k != "Id"}


def _send(sink, object_type: str, changes: list[Change], attempts: int, backoff: float) -> tuple[list, int]:
    """One call per batch, with in-run retries.

    A HubSpot stage going back (a recycled person) is cleared by one call before the batch; a
    record whose clearing is refused is reported with that refusal and not sent on.
    """
    results, retried = {}, 0
    clearing = {c.record_id: row for c in changes if (row := c.clearing_row())}
    if clearing:
        cleared, retried = _update(sink, object_type, clearing, attempts, backoff)
        results.update({rid: r for rid, r in cleared.items() if not r.ok})
    rows = {c.record_id: c.row() for c in changes if c.record_id not in results}
    if rows:
        written, again = _update(sink, object_type, rows, attempts, backoff)
        results.update(written)
        retried += again
    return [results[c.record_id] for c in changes], retried


def _batches(vendor: str, changes: list[Change], bulk_threshold: int) -> list[list[Change]]:
    if vendor == "salesforce" and bulk_threshold and len(changes) > bulk_threshold:
        return [changes]  # one Bulk API 2.0 ingest job
    size = BATCH[vendor]
    return [changes[i : i + size] for i in range(0, len(changes), size)]


def _at_once(vendor: str, settings: Settings) -> int:
    # A HubSpot batch takes longer than the 1/19 s that 190 calls per 10 s allow: they overlap,
    # all through the client's one limiter. Salesforce batches go one by one (row locks).
    return settings.hubspot_writeback_concurrency if vendor == "hubspot" else 1


def _overlapping(send: Callable[[list[Change]], tuple], batches: list[list[Change]], at_once: int) -> list:
    """`send(batch)` for every batch, up to `at_once` under way; the answers in batch order.

    A batch starts only while fewer are under way, and none after an error: a run stopped by
    one (a spent daily budget) leaves at most `at_once` batches pending for the next run.
    """
    if at_once <= 1:
        return [send(batch) for batch in batches]
    answers: dict[int, tuple] = {}
    error: BaseException | None = None
    waiting = iter(enumerate(batches))
    with ThreadPoolExecutor(at_once, thread_name_prefix="writeback") as pool:
        running: dict[Future, int] = {}
        while True:
            while error is None and len(running) < at_once and (item := next(waiting, None)):
                running[pool.submit(send, item[1])] = item[0]
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                index = running.pop(future)
                if future.exception() is not None:
                    error = error or future.exception()
                else:
                    answers[index] = future.result()
    if error is not None:
        raise error
    return [answers[i] for i in range(len(batches))]


# No task-level retries: a second attempt would send again the batches the first one closed.
# Refused rows are retried per batch with backoff (_update), transport errors by the clients.
@task(task_run_name="write {vendor}.{object_type}", cache_policy=NO_CACHE)
def write_target(
    vendor: str, object_type: str, changes: list[Change], sink, wh: Warehouse, run_id: str, settings: Settings
) -> tuple[list[WriteResult], int]:
    """Every batch is recorded before it is sent and closed with its results after."""

    def send(batch: list[Change]) -> tuple[list[WriteResult], int]:
        # The ledger takes the warehouse lock: batches under way record one at a time.
        batch_id = open_batch(wh, run_id, batch)
        answer, again = _send(
            sink, object_type, batch, settings.writeback_attempts, settings.writeback_backoff
        )
        close_batch(wh, batch_id, run_id, batch, answer)
        progress.advance(f"write-back {vendor}", len(batch))
        return answer, again

    batches = _batches(vendor, changes, settings.salesforce_writeback_bulk_threshold)
    answers = _overlapping(send, batches, _at_once(vendor, settings))
    return [r for answer, _ in answers for r in answer], sum(again for _, again in answers)


@task(cache_policy=NO_CACHE, **IDEMPOTENT_IO)
def recover(wh: Warehouse, sinks: dict, run_id: str) -> set[tuple]:
    """Batches a killed run left pending: read the records back, count what arrived as written."""
    arrived: set[tuple] = set()
    for batch_id, changes in pending_batches(wh):
        first = changes[0]
        fields = sorted({name for c in changes for name in c.fields})
        current = sinks[first.vendor].read_fields(first.object_type, [c.record_id for c in changes], fields)
        results = []
        for change in changes:
            values = current.get(change.record_id, {})
            if all(same_value(values.get(name), new) for name, (_, new) in change.fields.items()):
                results.append(WriteResult(change.record_id, True))
                arrived.add((*change.key, tuple(sorted(change.payload.items()))))

        close_batch(wh, batch_id, run_id, changes, results, state="recovered")
    return arrived


@task(cache_policy=NO_CACHE, **IDEMPOTENT_IO)
def prepare(vendor: str, sink) -> list[str]:
    """Create the fields leadflow writes where the CRM lacks them."""
    if vendor == "salesforce":
        return [f"{o}.{n}" for o in WRITEBACK_OBJECTS for n in sink.ensure_fields(o)]
    return [f"contacts.{n}" for n in sink.ensure_properties("contacts")]


@flow(
    name="writeback",
    log_prints=True,
    timeout_seconds=WRITEBACK_TIMEOUT,
    on_failure=[record_failure],
    on_crashed=[record_failure],
)
def writeback(
    dry_run: bool = False,
    limit: int | None = None,
    only: str | None = None,
    skip: list[str] | None = None,
    warehouse: Warehouse | None = None,
) -> WritebackSummary:
    """Send the write-back queue; `dry_run` lists the diff and writes nothing."""
    logger = get_run_logger()
    settings = load_settings()
    wh = warehouse or Warehouse(settings.duckdb_path)
    try:
        # The queue where the build wrote it; copied beside ops.* when that is another warehouse.
        with open_marts(settings, wh) as marts:
            queue = joinable(marts, wh, "crm_updates")
        changes, conflicts = pending_changes(wh, only, frozenset(settings.writeback_protected_fields), queue)
        changes = [c for c in changes if c.vendor not in (skip or [])]
        if limit is not None:
            changes = changes[:limit]
        changes, off_list = split_allowed(changes)
        summary = _describe(changes, conflicts, dry_run)
        summary.rejected = len(off_list)
        summary.rejects = [
            {"vendor": c.vendor, "object_type": c.object_type, **asdict(r)} for c, r in off_list
        ]
        if dry_run:
            publish_writeback(summary, changes)
            return summary
        if off_list:
            logger.error("refused %d records with fields off the allow-list (ops.rejects)", len(off_list))
        record_refusals(wh, off_list)
        record_conflicts(wh, conflicts)
        closed = close_unqueued_rejects(wh, queue)
        if closed:
            logger.info(
                "closed %d rejects: nothing left to write to the record (deleted, or agreeing)", closed
            )
        run_id = str(flow_run.get_id() or "local")
        vendors = {c.vendor for c in changes} | {c[0].vendor for _, c in pending_batches(wh)}
        sinks = {v: _sink(v, settings) for v in sorted(vendors)}
        arrived = recover(wh, sinks, run_id) if pending_batches(wh) else set()
        if arrived:
            changes = [c for c in changes if (*c.key, tuple(sorted(c.payload.items()))) not in arrived]
            summary.recovered = len(arrived)
        for vendor, sink in sinks.items():
            created = prepare(vendor, sink) if any(c.vendor == vendor for c in changes) else []
            if created:
                logger.info("created %s fields: %s", vendor, ", ".join(created))
        for vendor in sorted({c.vendor for c in changes}):
            progress.start(f"write-back {vendor}", sum(c.vendor == vendor for c in changes))
        for (vendor, object_type), group in by_target(changes).items():
            # Quoted: Prefect would otherwise walk every change before the task starts (5 s per 30,000).
            results, retried = write_target(
                vendor, object_type, quote(group), sinks[vendor], wh, run_id, settings
            )
            failed = [r for r in results if not r.ok]
            summary.written += len(results) - len(failed)
            summary.rejected += len(failed)
            summary.retried += retried
            summary.rejects += [{"vendor": vendor, "object_type": object_type, **asdict(r)} for r in failed]
        for vendor in sinks:
            progress.finish(f"write-back {vendor}")
        summary.calls = sum(s.calls for s in sinks.values())
        logger.info(
            "wrote %d records in %d calls; %d rejected, %d left to a person (conflicts)",
            summary.written,
            summary.calls,
            summary.rejected,
            len(conflicts),
        )
        publish_writeback(summary, changes)
        return summary
    finally:
        if warehouse is None:
            wh.close()


def _describe(changes: list[Change], conflicts: list[Conflict], dry_run: bool) -> WritebackSummary:
    summary = WritebackSummary(dry_run=dry_run, records=len(changes))
    fields: Counter[str] = Counter()
    values: dict[str, Counter[str]] = {}
    for change in changes:
        for name, (old, new) in change.fields.items():
            fields[name] += 1
            values.setdefault(name, Counter())[str(new)] += 1
            if dry_run:
                summary.diff.append(
                    {
                        "vendor": change.vendor,
                        "object_type": change.object_type,
                        "record_id": change.record_id,
                        "field": name,
                        "old": old,
                        "new": new,
                    }
                )
    summary.fields = dict(fields)
    summary.new_values = {k: dict(v) for k, v in values.items()}
    summary.conflicts = [asdict(c) for c in conflicts]
    return summary


if __name__ == "__main__":
    writeback()
