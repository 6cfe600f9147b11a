"""Write-back: the changed scores, stages, dates and owners onto the CRM records, in batches."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from connectors.hubspot import HubSpotSink
from connectors.salesforce import WRITEBACK_OBJECTS, SalesforceSink
from flows.changes import Change, by_target, pending_changes, record_results
from flows.settings import load_settings
from flows.warehouse import Warehouse


@dataclass
class WritebackSummary:
    dry_run: bool
    records: int = 0
    written: int = 0
    rejected: int = 0
    calls: int = 0
    fields: dict[str, int] = field(default_factory=dict)  # field name -> records changed
    new_values: dict[str, dict[str, int]] = field(default_factory=dict)  # field -> value -> n
    rejects: list[dict] = field(default_factory=list)
    diff: list[dict] = field(default_factory=list)


@task(task_run_name="write {vendor}.{object_type}", cache_policy=NO_CACHE)
def write_records(vendor: str, object_type: str, changes: list[Change], sink) -> list:
    """One call per batch (200 Salesforce records, 100 HubSpot); per-record results back."""
    if vendor == "salesforce":
        return sink.update(object_type, [c.salesforce_row() for c in changes])
    return sink.update(object_type, [c.hubspot_row() for c in changes])


@task(cache_policy=NO_CACHE)
def prepare(vendor: str, sink) -> list[str]:
    """Create the fields leadflow writes where the CRM lacks them."""
    if vendor == "salesforce":
        return [f"{o}.{n}" for o in WRITEBACK_OBJECTS for n in sink.ensure_fields(o)]
    return [f"contacts.{n}" for n in sink.ensure_properties("contacts")]


@flow(name="writeback", log_prints=True)
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
    own = warehouse is None
    wh = warehouse or Warehouse(settings.duckdb_path)
    try:
        changes = [c for c in pending_changes(wh, only) if c.vendor not in (skip or [])]
        if limit is not None:
            changes = changes[:limit]
        summary = _describe(changes, dry_run)
        if dry_run or not changes:
            return summary
        run_id = str(flow_run.get_id() or "local")
        sinks = {}
        if any(c.vendor == "salesforce" for c in changes):
            sinks["salesforce"] = SalesforceSink(settings.salesforce())
        if any(c.vendor == "hubspot" for c in changes):
            sinks["hubspot"] = HubSpotSink(settings.hubspot())
        for vendor, sink in sinks.items():
            created = prepare(vendor, sink)
            if created:
                logger.info("created %s fields: %s", vendor, ", ".join(created))
        for (vendor, object_type), group in by_target(changes).items():
            results = write_records(vendor, object_type, group, sinks[vendor])
            record_results(wh, run_id, group, results)
            failed = {r.record_id: r for r in results if not r.ok}
            summary.written += len(results) - len(failed)
            summary.rejected += len(failed)
            summary.rejects += [
                {
                    "vendor": vendor,
                    "object_type": object_type,
                    "record_id": rid,
                    "code": r.code,
                    "message": r.message,
                    "retryable": r.retryable,
                }
                for rid, r in failed.items()
            ]
        summary.calls = sum(s.calls for s in sinks.values())
        logger.info(
            "wrote %d records in %d calls, %d rejected",
            summary.written,
            summary.calls,
            summary.rejected,
        )
        return summary
    finally:
        if own:
            wh.close()


def _describe(changes: list[Change], dry_run: bool) -> WritebackSummary:
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
    return summary


if __name__ == "__main__":
    writeback()
