"""Extract: every object of both CRMs (and the product file drop) into DuckDB raw tables."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import wait
from prefect.runtime import flow_run, task_run

from connectors.errors import BudgetExhausted
from connectors.hubspot import OBJECTS as HUBSPOT_OBJECTS
from connectors.hubspot import HubSpotSource
from connectors.product import OBJECTS as PRODUCT_OBJECTS
from connectors.product import FileDropSource
from connectors.salesforce import OBJECTS as SALESFORCE_OBJECTS
from connectors.salesforce import SalesforceSource
from flows import progress
from flows.artifacts import publish_extract, record_failure
from flows.budget import record_budget
from flows.locks import object_lock
from flows.ratelimits import hubspot_client
from flows.retries import io_retries
from flows.settings import Settings, load_settings
from flows.slots import ensure_limits, object_slot
from flows.warehouse import Warehouse, utc_naive

SCHEMAS = {"salesforce": "raw_salesforce", "hubspot": "raw_hubspot", "product": "raw_product"}
TABLES = {
    "salesforce": {name: spec.table for name, spec in SALESFORCE_OBJECTS.items()},
    "hubspot": {name: name for name in HUBSPOT_OBJECTS},
    "product": {name: name for name in PRODUCT_OBJECTS},
}


@dataclass
class ObjectExtract:
    source: str
    object: str
    status: str = "complete"  # complete | budget_exhausted
    message: str = ""
    pages: int = 0
    records: int = 0
    new: int = 0
    changed: int = 0
    api_calls: int = 0
    watermark_before: datetime | None = None
    watermark_after: datetime | None = None
    source_count: int | None = None
    warehouse_count: int | None = None
    seconds: float = 0.0


def enabled_sources(settings: Settings) -> list[str]:
    on = {
        "salesforce": settings.salesforce_enabled,
        "hubspot": settings.hubspot_enabled,
        "product": settings.product_usage_dir is not None,
    }
    return [s for s, yes in on.items() if yes]


def select_objects(names: list[str] | None, settings: Settings) -> list[tuple[str, str]]:
    """(source, object) pairs to extract; names may be `Lead`, `salesforce.Lead`, `contacts` or a source."""
    every = [(s, o) for s in enabled_sources(settings) for o in TABLES[s]]
    if not names:
        return every
    chosen = []
    for name in names:
        hits = [(s, o) for s, o in every if name in (o, f"{s}.{o}", s)]
        if not hits:
            known = ", ".join(f"{s}.{o}" for s, o in every)
            raise ValueError(f"unknown object {name!r}; known: {known}")
        chosen.extend(h for h in hits if h not in chosen)
    return chosen


def open_source(source: str, settings: Settings):
    if source == "salesforce":
        return SalesforceSource(settings.salesforce())
    if source == "hubspot":
        return HubSpotSource(settings.hubspot(), client=hubspot_client(settings))
    return FileDropSource(settings.product_usage_dir)


def source_count(source: str, reader, obj: str) -> int | None:
    """Live records the vendor holds, to compare with the warehouse (None: no count API)."""
    if source == "salesforce":
        return reader.count(obj)
    if source == "hubspot" and HUBSPOT_OBJECTS[obj].kind == "crm":
        return reader.count(obj)
    return None


@task(
    task_run_name="extract {source}.{obj}",
    # 5 s, 10 s, 20 s (jittered): a vendor outage of a minute costs one object, not the night.
    **io_retries(5),
    cache_policy=NO_CACHE,
)
def extract_object(
    source: str,
    obj: str,
    reader,
    warehouse: Warehouse,
    since: datetime | None,
    until: datetime | None,
    full_refresh: bool,
    overlap: timedelta,
) -> ObjectExtract:
    """Read one object page by page; each page lands with its watermark in one transaction."""
    started, started_at = time.perf_counter(), datetime.now(UTC)
    calls_before = reader.meter.in_this_thread
    before = warehouse.watermark(source, obj)
    backfill = since is not None or until is not None
    resume = None if backfill or full_refresh else warehouse.resume_position(source, obj)
    if backfill:
        start = since  # a backfill reads its own window and never moves the nightly watermark
    elif full_refresh or before is None or resume:
        start = None
    else:
        start = before - overlap
    out = ObjectExtract(source, obj, watermark_before=before)
    schema, table = SCHEMAS[source], TABLES[source][obj]

    def waiting(path) -> None:
        get_run_logger().info(
            "%s.%s: waiting for another run's extract of it to finish (%s)", source, obj, path
        )

    def stale(name) -> None:
        get_run_logger().warning(
            "%s.%s: slot of %s still taken by a run that is gone; extracting under the file lock",
            source,
            obj,
            name,
        )

    step = f"extract {source}.{obj}"
    progress.start(step)
    # File lock first, then the server's slot, always in that order and released in reverse, so
    # two extracts can never each hold one and wait for the other. A waiting extract holds no
    # slot (the UI shows the one that reads), and once the lock is ours a slot still taken can
    # only be a dead run's, so the slot's wait is bounded (flows/slots.py).
    with (
        object_lock(warehouse.path, source, obj, on_wait=waiting),
        object_slot(source, obj, task_run.get_id(), on_stale=stale),
    ):
        try:
            for page in reader.pages(obj, start, until, resume):
                landed = warehouse.land(
                    schema,
                    table,
                    page.records,
                    source,
                    obj,
                    checkpoint=None if backfill else page.checkpoint,
                    resume=None if backfill else page.resume,
                )
                out.pages += 1
                out.records += landed.records
                out.new += landed.new
                out.changed += landed.changed
                progress.advance(step, landed.records)
            if not backfill:
                warehouse.clear_resume(source, obj)
            out.source_count = source_count(source, reader, obj)
        except BudgetExhausted as err:
            out.status, out.message = "budget_exhausted", str(err)
            get_run_logger().warning("%s.%s stopped: %s", source, obj, err)
        finally:
            progress.finish(step)
    out.warehouse_count = warehouse.live_count(schema, table)
    out.watermark_after = warehouse.watermark(source, obj)
    out.api_calls = reader.meter.in_this_thread - calls_before
    record_budget(warehouse, source, reader)
    out.seconds = round(time.perf_counter() - started, 3)
    _log(warehouse, out, started_at)
    get_run_logger().info(
        "%s.%s: %d records (%d new, %d changed) in %d pages, %d calls, %.1fs",
        source,
        obj,
        out.records,
        out.new,
        out.changed,
        out.pages,
        out.api_calls,
        out.seconds,
    )
    return out


def _log(warehouse: Warehouse, out: ObjectExtract, started_at: datetime) -> None:
    difference = (
        None
        if out.source_count is None or out.warehouse_count is None
        else out.source_count - out.warehouse_count
    )
    warehouse.log_extract(
        {
            "run_id": str(flow_run.get_id() or "local"),
            "source": out.source,
            "object": out.object,
            "started_at": utc_naive(started_at),
            "finished_at": utc_naive(datetime.now(UTC)),
            "status": out.status,
            "message": out.message,
            "pages": out.pages,
            "records": out.records,
            "new_records": out.new,
            "changed_records": out.changed,
            "api_calls": out.api_calls,
            "watermark_before": utc_naive(out.watermark_before),
            "watermark_after": utc_naive(out.watermark_after),
            "source_count": out.source_count,
            "warehouse_count": out.warehouse_count,
            "count_difference": difference,
        }
    )


# A full pull of a large org is hours under the API limits; a day means it is stuck.
@flow(
    name="extract",
    log_prints=True,
    timeout_seconds=12 * 3600,
    on_failure=[record_failure],
    on_crashed=[record_failure],
)
def extract(
    since: datetime | None = None,
    until: datetime | None = None,
    objects: list[str] | None = None,
    full_refresh: bool = False,
    warehouse: Warehouse | None = None,
) -> list[dict]:
    """Pull changed records of every object (or a backfill window) into the raw tables."""
    settings = load_settings()
    since, until = _utc(since), _utc(until)
    own = warehouse is None
    warehouse = warehouse or Warehouse(
        settings.duckdb_path, raw_url=settings.raw_url.get_secret_value() if settings.raw_url else None
    )
    try:
        pairs = select_objects(objects, settings)
        ensure_limits(pairs)
        readers = {s: open_source(s, settings) for s in {s for s, _ in pairs}}
        futures = [
            extract_object.submit(
                s,
                o,
                readers[s],
                warehouse,
                since,
                until,
                full_refresh,
                timedelta(minutes=settings.overlap_minutes),
            )
            for s, o in pairs
        ]
        wait(futures)
        results = [asdict(f.result()) for f in futures]
    finally:
        if own:
            warehouse.close()
    stopped = [f"{r['source']}.{r['object']}" for r in results if r["status"] != "complete"]
    if stopped:
        get_run_logger().warning(
            "API budget spent: stopped cleanly at %s; the next run resumes where these stopped",
            ", ".join(stopped),
        )
    publish_extract("extract", results)
    return results


def _utc(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


if __name__ == "__main__":
    extract()
