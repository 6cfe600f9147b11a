"""Extract: every object of both CRMs into DuckDB raw tables, incrementally by watermark."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import wait

from connectors.hubspot import OBJECTS as HUBSPOT_OBJECTS
from connectors.hubspot import HubSpotSource
from connectors.salesforce import OBJECTS as SALESFORCE_OBJECTS
from connectors.salesforce import SalesforceSource
from flows.settings import Settings, load_settings
from flows.warehouse import Warehouse

SCHEMAS = {"salesforce": "raw_salesforce", "hubspot": "raw_hubspot"}
TABLES = {
    "salesforce": {name: spec.table for name, spec in SALESFORCE_OBJECTS.items()},
    "hubspot": {name: name for name in HUBSPOT_OBJECTS},
}


@dataclass
class ObjectExtract:
    source: str
    object: str
    pages: int = 0
    records: int = 0
    new: int = 0
    changed: int = 0
    watermark_before: datetime | None = None
    watermark_after: datetime | None = None
    seconds: float = 0.0


def select_objects(names: list[str] | None, settings: Settings) -> list[tuple[str, str]]:
    """(source, object) pairs to extract; names may be `Lead`, `salesforce.Lead` or `contacts`."""
    enabled = [
        s
        for s, on in (
            ("salesforce", settings.salesforce_enabled),
            ("hubspot", settings.hubspot_enabled),
        )
        if on
    ]
    every = [(s, o) for s in enabled for o in TABLES[s]]
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
    return (
        SalesforceSource(settings.salesforce())
        if source == "salesforce"
        else HubSpotSource(settings.hubspot())
    )


@task(task_run_name="extract {source}.{obj}", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
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
    started = time.perf_counter()
    before = warehouse.watermark(source, obj)
    backfill = since is not None or until is not None
    if backfill:
        start = since  # a backfill reads its own window and never moves the nightly watermark
    elif full_refresh or before is None:
        start = None
    else:
        start = before - overlap
    out = ObjectExtract(source, obj, watermark_before=before)
    for page in reader.pages(obj, start, until):
        landed = warehouse.land(
            SCHEMAS[source],
            TABLES[source][obj],
            page.records,
            source,
            obj,
            checkpoint=None if backfill else page.checkpoint,
        )
        out.pages += 1
        out.records += landed.records
        out.new += landed.new
        out.changed += landed.changed
    out.watermark_after = warehouse.watermark(source, obj)
    out.seconds = round(time.perf_counter() - started, 3)
    get_run_logger().info(
        "%s.%s: %d records (%d new, %d changed) in %d pages, %.1fs",
        source,
        obj,
        out.records,
        out.new,
        out.changed,
        out.pages,
        out.seconds,
    )
    return out


@flow(name="extract", log_prints=True)
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
    warehouse = warehouse or Warehouse(settings.duckdb_path)
    try:
        pairs = select_objects(objects, settings)
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
    return results


def _utc(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


if __name__ == "__main__":
    extract()
