"""Nightly: extract, build, write back, in one process (DuckDB allows one writing process)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, date, datetime

from prefect import flow
from prefect.runtime import flow_run

from flows.artifacts import publish_nightly, record_failure
from flows.build import build, compact_warehouse
from flows.extract import extract
from flows.marts import open_marts
from flows.report import publish_report
from flows.route import routing_summary
from flows.settings import load_settings
from flows.warehouse import Warehouse
from flows.writeback import writeback

# Extract, build and write-back each have their own timeout; this one bounds the night.
NIGHTLY_TIMEOUT = 6 * 3600


@flow(
    name="nightly",
    log_prints=True,
    timeout_seconds=NIGHTLY_TIMEOUT,
    on_failure=[record_failure],
    on_crashed=[record_failure],
)
def nightly(
    since: datetime | None = None,
    until: datetime | None = None,
    objects: list[str] | None = None,
    full_refresh: bool = False,
    dry_run: bool = False,
    as_of: date | None = None,
) -> dict:
    """The main job: changed records in, scores and stages computed, changed fields out."""
    started = datetime.now(UTC)
    extracted = extract(since=since, until=until, objects=objects, full_refresh=full_refresh)
    # The DuckDB file is compacted at the end, when the CRMs have their values.
    built = build(as_of=as_of, compact=False)
    # A vendor whose budget ran out during the extract gets no write-back calls tonight.
    spent = sorted({r["source"] for r in extracted if r["status"] == "budget_exhausted"})
    written = writeback(dry_run=dry_run, skip=spent)
    summary = {
        "extracted": extracted,
        "build": built,
        "writeback": asdict(written),
        "people": people_summary(),
        "routing": routing_summary(),
    }
    _record_run("nightly", started, summary)
    publish_nightly(load_settings(), summary, skipped=spent)
    publish_report(load_settings())
    summary["compaction_seconds"] = compact_warehouse()
    return summary


def people_summary() -> dict:
    """People by lifecycle stage and tier, and how many have an owner, from the people mart."""
    settings = load_settings()
    with Warehouse(settings.duckdb_path) as wh, open_marts(settings, wh) as marts:
        if not marts.table_exists("main", "people"):
            return {}
        stages = dict(marts.query("select lifecycle_stage, count(*) from main.people group by 1"))
        tiers = dict(marts.query("select tier, count(*) from main.people group by 1"))
        owned = marts.query(
            "select count(*) from main.people "
            "where owner_salesforce_user_id is not null or owner_hubspot_owner_id is not null"
        )[0][0]
        total = marts.query("select count(*) from main.people")[0][0]
    return {"people": total, "stages": stages, "tiers": tiers, "with_owner": owned}


def _record_run(name: str, started: datetime, summary: dict) -> None:
    run_id = str(flow_run.get_id() or f"local-{started.isoformat()}")
    with Warehouse(load_settings().duckdb_path) as wh, wh.lock:
        wh.con.execute(
            "insert or replace into ops.runs values (?, ?, ?, ?, ?, ?)",
            (
                run_id,
                name,
                started.replace(tzinfo=None),
                datetime.now(UTC).replace(tzinfo=None),
                "completed",
                json.dumps(summary, default=str),
            ),
        )


if __name__ == "__main__":
    nightly()
