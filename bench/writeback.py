"""Benchmark of write-back: calls and time to write N changed records to each vendor, limits on.

    .venv/bin/python bench/writeback.py                 # `make bench-writeback`: preset 100k
    .venv/bin/python bench/writeback.py --preset 10k --runs 3 --seed 1

Fills a fresh sandbox store with the direct loader (the preset's people, bench/presets.py, with
no activities: a HubSpot contact and a Salesforce Contact each), serves it with the vendors'
limits as the sandbox enforces them by default (HubSpot 190 requests per rolling 10 s;
Salesforce's daily allocation), and queues a new score, fit score and engagement score for
every record in `main.crm_updates`, as a build would. Then
the real write-back flow sends them, one vendor at a time:

- HubSpot: batch update, 100 records a call, LEADFLOW_HUBSPOT_WRITEBACK_CONCURRENCY batches at
  once (default 3), all through leadflow's one limiter at 190 per 10 s;
- Salesforce above the Bulk threshold (the default, 2,000): one Bulk API 2.0 ingest job;
- Salesforce through sObject Collections (threshold raised): 200 records a call.

Calls are counted by the sandbox (its request log), and compared with the minimum the batch
sizes allow; HubSpot's throughput with what its rate limit allows (190 calls x 100 records per
10 s). Each way runs --runs times (default 3, at least 3), each run with new values for every
record; the table gives medians, with every run's seconds. Prints the machine's load average as
each run starts: on a shared machine, a run under other load says so. Writes the "Write-back"
section of BENCHMARKS.md. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import shlex
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import presets  # bench/presets.py (the script's folder is on sys.path)
import runs as repeated
from benchfile import machine, update_section

from connectors.sandbox import Sandbox
from connectors.sandbox.admin import SandboxAdmin
from connectors.sandbox.bulk import load_direct
from flows.settings import load_settings

HUBSPOT_PER_10S = 190
BATCH = {"hubspot": 100, "salesforce": 200}
FIELDS = {
    "hubspot": ("leadflow_score", "leadflow_fit_score", "leadflow_engagement_score"),
    "salesforce": ("Lead_Score__c", "Fit_Score__c", "Engagement_Score__c"),
}
WRITES = {  # the calls that carry records (a Bulk job's create, upload, close and polls), per vendor
    "hubspot": ("/crm/v3/objects/contacts/batch/update",),
    "salesforce": ("/composite/sobjects", "/jobs/ingest"),
}

INTRO = """
The write-back flow sending a new score, fit score and engagement score for every record, through
the real clients to the sandbox with the vendors' limits on (HubSpot: 190 requests per rolling
10 s, leadflow's limiter set to the same, several batches under way at once through it;
Salesforce: the daily allocation). "Calls" are what the sandbox answered while records were
written (field creation and reads excluded, listed apart); "minimum" is what the batch sizes
allow: one HubSpot call per 100 records, one sObject Collections call per 200, one Bulk API 2.0
job (create, upload, close, poll, results) whatever the size. HubSpot's bound is its rate limit:
190 calls x 100 records per 10 s = 1,900 records/s. Each way runs 3 times (`--runs`), each run
with new values for every record: seconds and records/s are medians, every run's seconds beside
them; calls are the median run's. `make bench-writeback` writes one record per person of the 100k
preset (bench/presets.py); `.venv/bin/python bench/writeback.py --preset 10k|100k|1m [--runs N]`.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    presets.add_arguments(parser)
    parser.add_argument("--records", type=int, help="changed records per vendor (same as --people)")
    repeated.add_argument(parser, "runs of each way")
    parser.add_argument("--work", type=Path, default=None, help="scratch directory (default: a temp one)")
    parser.add_argument("--output", type=Path, default=Path("BENCHMARKS.md"))
    args = parser.parse_args()
    repeated.check(parser, args)
    args.people = args.records or args.people
    shape = presets.company(args, leads=0.0)  # every person a Salesforce Contact
    from prefect.testing.utilities import prefect_test_harness

    ways = (("hubspot", "contacts", False), ("salesforce", "Contact", True), ("salesforce", "Contact", False))
    with tempfile.TemporaryDirectory(dir=args.work, prefix="bench-writeback-") as work:
        store, duck = Path(work) / "store", Path(work) / "leadflow.duckdb"
        started = time.perf_counter()
        load_direct(store, presets.people_of(shape))
        print(f"loaded {shape['people']:,} people in {time.perf_counter() - started:.1f} s", flush=True)
        with Sandbox(store) as box, prefect_test_harness(server_startup_timeout=120):
            configure(box, duck)
            ids = record_ids(box)
            measured = [[] for _ in ways]
            for number in range(args.runs):
                for k, (vendor, obj, bulk) in enumerate(ways):
                    value = 41 + k + 100 * number  # new values every run: every record changes
                    measured[k].append(run(box, duck, vendor, obj, ids[vendor], bulk=bulk, value=value))
            rows = [summarize(each) for each in measured]
    title = f"{shape['people']:,} changed records per vendor"
    command = " ".join(["python bench/writeback.py", *map(shlex.quote, sys.argv[1:])])
    body = report(title, command, rows)
    print(body)
    update_section(args.output, "Write-back", INTRO, title, body)
    print(f"\nwritten to {args.output}")


def configure(box: Sandbox, duck: Path) -> None:
    os.environ.update(box.env)
    os.environ["LEADFLOW_DUCKDB_PATH"] = str(duck)
    os.environ["LEADFLOW_HUBSPOT_REQUESTS_PER_10S"] = str(HUBSPOT_PER_10S)


def record_ids(box: Sandbox) -> dict[str, list[str]]:
    with box.store.lock:
        select = "select id from records where vendor = ? and object = ? and deleted = 0 order by id"
        return {
            "hubspot": [r[0] for r in box.store.conn.execute(select, ("hubspot", "contacts"))],
            "salesforce": [r[0] for r in box.store.conn.execute(select, ("salesforce", "Contact"))],
        }


def queue(duck: Path, vendor: str, obj: str, ids: list[str], value: int) -> None:
    """main.crm_updates as a build writes it: three changed fields per record."""
    con = duckdb.connect(str(duck))
    try:
        con.execute(
            "create or replace table main.crm_updates (vendor varchar, object_type varchar, "
            "record_id varchar, person_id varchar, field_name varchar, current_value varchar, "
            "new_value varchar, clear_first boolean)"
        )
        con.execute("create temp table ids (record_id varchar)")
        con.executemany("insert into ids values (?)", [(i,) for i in ids])
        for k, name in enumerate(FIELDS[vendor]):
            con.execute(
                "insert into main.crm_updates select ?, ?, record_id, 'p-' || record_id, ?, null, ?, false "
                "from ids",
                (vendor, obj, name, str(value + k)),
            )
        con.execute("create schema if not exists ops")
        con.execute(
            "create table if not exists ops.builds "
            "(started_at timestamp, finished_at timestamp, success boolean)"
        )
        con.execute(
            "insert into ops.builds values (now() at time zone 'UTC', now() at time zone 'UTC', true)"
        )
    finally:
        con.close()


def run(box: Sandbox, duck: Path, vendor: str, obj: str, ids: list[str], bulk: bool, value: int) -> dict:
    from flows.writeback import writeback

    threshold = "2000" if bulk else str(len(ids) + 1)
    os.environ["LEADFLOW_SALESFORCE_WRITEBACK_BULK_THRESHOLD"] = threshold
    queue(duck, vendor, obj, ids, value)
    admin = SandboxAdmin(box.directory)
    log = admin.requests_log(vendor)
    mark = log[-1]["seq"] if log else 0
    load = os.getloadavg()[0]
    started = time.perf_counter()
    summary = writeback(only=vendor)
    seconds = time.perf_counter() - started
    answered = admin.requests_log(vendor, after=mark)
    writes = [r for r in answered if any(part in r["path"] for part in WRITES[vendor])]
    statuses = Counter(r["status"] for r in writes)
    if vendor == "hubspot":
        at_once = load_settings().hubspot_writeback_concurrency
        way, minimum = f"batch update, 100 a call, {at_once} at once", math.ceil(len(ids) / BATCH["hubspot"])
    elif bulk:
        way, minimum = "Bulk API 2.0 ingest job", 5  # create, upload, close, poll, results
    else:
        way, minimum = "sObject Collections, 200 a call", math.ceil(len(ids) / BATCH["salesforce"])
    row = {
        "vendor": vendor,
        "way": way,
        "records": summary.written,
        "rejected": summary.rejected,
        "calls": len(writes),
        "statuses": dict(statuses),
        "other_calls": len(answered) - len(writes),
        "minimum": minimum,
        "seconds": seconds,
        "records_s": summary.written / seconds,
        "load": load,
    }
    if vendor == "hubspot":
        row["bound_s"] = HUBSPOT_PER_10S * BATCH["hubspot"] / 10
    print(row, flush=True)
    return row


def summarize(each: list[dict]) -> dict:
    """One way's runs: the median run's counts, median seconds and records/s, every run's seconds."""
    row = dict(repeated.median_run(each, "seconds"))
    row.update(repeated.medians(each, ("seconds", "records_s")))
    row["all_seconds"] = [r["seconds"] for r in each]
    row["loads"] = [r["load"] for r in each]
    return row


def report(title: str, command: str, rows: list[dict]) -> str:
    runs = len(rows[0]["all_seconds"])
    lines = [
        f"### {title}",
        "",
        f"- Machine: {machine()}; Python {platform.python_version()}",
        f"- Command: `{command}` ({runs} runs of each way, in turn; medians)",
        f"- Date: {datetime.now(UTC).date().isoformat()}",
        "- Load average (1 min) as each run started: "
        + "; ".join(f"{r['vendor']} {r['way'].split(',')[0]} {repeated.every(r['loads'])}" for r in rows),
        "",
        "| vendor | how | records written | rejected | calls | minimum | other calls | seconds (median) "
        "| every run | records/s | share of the rate limit's bound |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for r in rows:
        share = (
            f"{r['records_s'] / r['bound_s']:.0%} of {r['bound_s']:,.0f}/s"
            if "bound_s" in r
            else "no rate limit"
        )
        lines.append(
            f"| {r['vendor']} | {r['way']} | {r['records']:,} | {r['rejected']:,} | {r['calls']:,} "
            f"| {r['minimum']:,} | {r['other_calls']:,} | {r['seconds']:.1f} "
            f"| {repeated.every(r['all_seconds'])} | {r['records_s']:,.0f} | {share} |"
        )
    lines.append(
        "\nOther calls (the median run's): field and property creation on the first run, and the "
        "sandbox's answers to status polls. Seconds: the whole write-back flow, from reading the queue "
        "to the summary. "
        "Write calls answered (the median run): "
        + "; ".join(
            f"{r['vendor']} {r['way'].split(',')[0]} "
            + ", ".join(f"{status} x{n:,}" for status, n in sorted(r["statuses"].items()))
            for r in rows
        )
        + "."
    )
    return "\n".join(lines)


if __name__ == "__main__":
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    main()
