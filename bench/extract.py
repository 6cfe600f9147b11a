"""Benchmark of extraction: a full pull, then a nightly incremental, through the real extract flow.

    .venv/bin/python bench/extract.py                      # `make bench-extract`: 100k people
    .venv/bin/python bench/extract.py --people 20000 --activities 200000

Fills a fresh sandbox store with the direct loader (people: a HubSpot contact each, and a
Salesforce Contact or, for 30% of them, a Lead; activities: email events, page views, form
submissions, Tasks, Events, CampaignMembers), serves it from a process of its own with the
vendors' limits on (HubSpot: 190 requests per rolling 10 s and 5 searches/s, a Professional
account; Salesforce: 100,000 calls a day), and runs `flows.extract.extract` here, leadflow set to
190 requests per 10 s: a full pull into an empty DuckDB file, then, once 1% of the records have
changed, the nightly incremental. One run of each (a full pull at the default size takes minutes).
The tables go to the "Extract" section of BENCHMARKS.md, under a heading for the store's size.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import platform
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import requests
from benchfile import machine, update_section  # bench/benchfile.py (the script's folder is on sys.path)
from simple_salesforce import Salesforce

from connectors.sandbox.admin import SandboxAdmin, read_env
from connectors.sandbox.app import ENV_FILE
from connectors.sandbox.bulk import load_direct
from connectors.sandbox.bulk_changes import touched
from connectors.sandbox.bulk_lines import activity_lines, people_lines

HUBSPOT_PER_10S = 190  # HubSpot Professional/Enterprise, and leadflow's setting for it
REST_PAGE = 2_000
LEADS = 0.3
MIX = (
    ("email_events", 0.55),
    ("web_events", 0.20),
    ("form_submissions", 0.05),
    ("Task", 0.10),
    ("Event", 0.02),
    ("CampaignMember", 0.08),
)
INTRO = """
The real extract flow (`flows.extract.extract`, every object of both CRMs, in one process) against
the sandbox served from a process of its own with the vendors' limits on: HubSpot 190 requests per
rolling 10 s and 5 searches/s (leadflow set to 190 and its default 4 searches/s), Salesforce
100,000 calls a day. A full pull into an empty DuckDB file, then the nightly incremental after 1%
of the records changed (modstamps moved to now; for the event streams, events moved to now). The
bound is what the limits allow: HubSpot 19 calls/s, i.e. 1,900 records/s on 100-record list pages;
Salesforce sets no per-second limit, so its bound is the sandbox's own speed for the same reads by
simple-salesforce alone (no landing). `make bench-extract` runs it at 100,000 people and 1,000,000
activities; `.venv/bin/python bench/extract.py --people N --activities M` at other sizes.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--people", type=int, default=100_000, help="HubSpot contacts (and SF Contacts/Leads)"
    )
    parser.add_argument("--activities", type=int, default=1_000_000)
    parser.add_argument(
        "--changed", type=float, default=0.01, help="share of records changed before the nightly"
    )
    parser.add_argument("--work", type=Path, default=None, help="scratch directory (default: a temp one)")
    parser.add_argument("--output", type=Path, default=Path("BENCHMARKS.md"))
    args = parser.parse_args()
    now_ms = (int(time.time()) // 86_400) * 86_400_000  # history ends at midnight: the pull starts after it
    shape = {
        "people": args.people,
        "activities": args.activities,
        "now_ms": now_ms,
        "leads": LEADS,
        "mix": MIX,
    }
    with tempfile.TemporaryDirectory(dir=args.work, prefix="bench-extract-") as work:
        store, duckdb_path = Path(work) / "store", Path(work) / "leadflow.duckdb"
        loaded, load_seconds = fill(store, shape)
        print(f"loaded {loaded:,} records in {load_seconds:.0f} s", flush=True)
        with served(store, HUBSPOT_PER_10S) as (env, admin):
            os.environ.update(env)
            os.environ["LEADFLOW_DUCKDB_PATH"] = str(duckdb_path)
            from prefect.testing.utilities import prefect_test_harness

            with prefect_test_harness(server_startup_timeout=120):
                full = run("full pull", admin)
                changed = admin.load(touched(lines(shape), args.changed, int(time.time() * 1000) - 1000))
                nightly = run("nightly incremental", admin)
            ceiling = salesforce_ceiling(env)
    title = f"{args.people:,} people, {args.activities:,} activities"
    command = " ".join(["python bench/extract.py", *map(shlex.quote, sys.argv[1:])])
    changed_count = sum(sum(o.values()) for o in changed.values())
    body = report(title, command, full, nightly, changed_count, ceiling, load_seconds)
    print(body)
    update_section(args.output, "Extract", INTRO, title, body)
    print(f"\nwritten to {args.output}")


# -- the store and the servers ------------------------------------------------------------------


def lines(shape: dict):
    """The load lines of the benchmark's company (the same every time for the same shape)."""
    people, now_ms, leads = shape["people"], shape["now_ms"], shape["leads"]
    yield from people_lines(people, now_ms=now_ms, leads=leads)
    yield from activity_lines(shape["activities"], people, now_ms=now_ms, leads=leads, mix=shape["mix"])


def fill(store: Path, shape: dict) -> tuple[int, float]:
    """Load the company straight into a fresh store: (records, seconds)."""
    started = time.perf_counter()
    counts = load_direct(store, lines(shape))
    return sum(sum(objects.values()) for objects in counts.values()), time.perf_counter() - started


@contextlib.contextmanager
def served(store: Path, per_10s: int):
    """The sandbox serving `store` from a process of its own (a vendor is not in our process):
    (leadflow's environment for it, its admin client)."""
    command = [sys.executable, "-m", "connectors.sandbox", "up", "--dir", str(store)]
    command += ["--hubspot-rate-limit", str(per_10s)]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not ((store / ENV_FILE).exists() and SandboxAdmin(store).healthy()):
            if child.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the sandbox did not start: {' '.join(command)}")
            time.sleep(0.2)
        env = {k: v for k, v in read_env(store / ENV_FILE).items() if k.startswith("LEADFLOW_")}
        yield env, SandboxAdmin(store)
    finally:
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=60)


def salesforce_ceiling(env: dict) -> dict:
    """How fast simple-salesforce alone reads Contacts from this sandbox, every field: REST pages
    of 2,000 (calls/s) and one Bulk API 2.0 query job (records/s). No landing, no limiter."""
    session = requests.Session()
    session.verify, session.trust_env = env["LEADFLOW_CA_BUNDLE"], False
    sf = Salesforce(
        instance_url=env["LEADFLOW_SALESFORCE_INSTANCE_URL"],
        session_id=env["LEADFLOW_SALESFORCE_SESSION_ID"],
        session=session,
        version="59.0",
    )
    fields = [f["name"] for f in sf.Contact.describe()["fields"] if f["type"] not in ("address", "location")]
    soql = f"SELECT {', '.join(fields)} FROM Contact ORDER BY SystemModstamp, Id"
    started, calls = time.perf_counter(), 1
    answer = sf.query(soql)
    while not answer["done"] and calls < 20:
        answer = sf.query_more(answer["nextRecordsUrl"], identifier_is_url=True)
        calls += 1
    rest_calls_s = calls / (time.perf_counter() - started)
    started, records = time.perf_counter(), 0
    for page in sf.bulk2.Contact.query_all(soql.split(" ORDER BY")[0], max_records=50_000, wait=0):
        records += sum(1 for _ in csv.DictReader(io.StringIO(page)))
    bulk_records_s = records / (time.perf_counter() - started)
    return {"rest_calls_s": rest_calls_s, "bulk_records_s": bulk_records_s, "bulk_records": records}


# -- the runs -----------------------------------------------------------------------------------


def run(label: str, admin) -> dict:
    """One extract over every object: its results, wall time, and the requests the sandbox answered."""
    from flows.extract import extract

    log = admin.requests_log()
    mark = log[-1]["seq"] if log else 0
    started = time.perf_counter()
    results = extract()
    seconds = time.perf_counter() - started
    answered = admin.requests_log(after=mark)
    calls = sum(r["api_calls"] for r in results)
    print(f"{label}: {calls:,} calls, {len(answered):,} requests answered, {seconds:.0f} s", flush=True)
    return {"results": results, "seconds": seconds, "requests": answered}


# -- the report ---------------------------------------------------------------------------------


def vendor_span(requests: list[dict], vendor: str) -> dict:
    """A vendor's requests during a run: answered, refused with 429, and first to last (seconds).

    For HubSpot only the requests its 10 s window counts (searches have a limit of their own)."""
    mine = [r for r in requests if r["vendor"] == vendor]
    if vendor == "hubspot":
        mine = [r for r in mine if not r["path"].endswith("/search")]
    answered = [r for r in mine if r["status"] != 429]
    span = answered[-1]["at"] - answered[0]["at"] if len(answered) > 1 else 0.0
    return {"answered": len(answered), "refused": len(mine) - len(answered), "span": span}


def per_second(count: float, seconds: float) -> float:
    return count / seconds if seconds else 0.0


def object_rows(results: list[dict]) -> list[str]:
    rows = []
    for r in results:
        if r["records"] or r["api_calls"] > 4:  # the objects the store holds none of are listed apart
            per_call = per_second(r["records"], r["api_calls"])
            calls_per_record = per_second(r["api_calls"], r["records"])
            rows.append(
                f"| {r['source']} | {r['object']} | {r['records']:,} | {r['api_calls']:,} | "
                f"{r['seconds']:.1f} | {per_second(r['records'], r['seconds']):,.0f} | "
                f"{calls_per_record:.4f} | {per_call:,.0f} |"
            )
    return rows


def bound_rows(full: dict, ceiling: dict) -> list[str]:
    """Each vendor against what its limits allow, over the time it was being read."""
    out = []
    for vendor in ("hubspot", "salesforce"):
        results = [r for r in full["results"] if r["source"] == vendor]
        records, calls = sum(r["records"] for r in results), sum(r["api_calls"] for r in results)
        seen = vendor_span(full["requests"], vendor)
        calls_s = per_second(seen["answered"], seen["span"])
        records_s = per_second(records, seen["span"])
        if vendor == "hubspot":
            bound = f"{HUBSPOT_PER_10S / 10:.0f} calls/s; 1,900 records/s on 100-record list pages"
            share = calls_s / (HUBSPOT_PER_10S / 10)
        else:
            bound = f"{ceiling['bulk_records_s']:,.0f} records/s (one Bulk API 2.0 reader alone)"
            share = records_s / ceiling["bulk_records_s"] if ceiling["bulk_records_s"] else 0.0
        out.append(
            f"| {vendor} | {records:,} | {calls:,} | {seen['answered']:,} | {seen['refused']:,} | "
            f"{seen['span']:.1f} | {calls_s:.2f} | {records_s:,.0f} | {bound} | {100 * share:.1f}% |"
        )
    return out


def report(title, command, full, nightly, changed, ceiling, load_seconds) -> str:
    full_calls = sum(r["api_calls"] for r in full["results"])
    nightly_calls = sum(r["api_calls"] for r in nightly["results"])
    hubspot = vendor_span(full["requests"], "hubspot")
    most = HUBSPOT_PER_10S * (int(hubspot["span"] // 10) + 1)  # a full window at once, then 19/s
    empty = [
        f"{r['source']}.{r['object']}" for r in full["results"] if not r["records"] and r["api_calls"] <= 4
    ]
    missed = [
        f"{r['source']}.{r['object']}"
        for run in (full, nightly)
        for r in run["results"]
        if r["status"] != "complete"
        or (r["source_count"] is not None and r["source_count"] != r["warehouse_count"])
    ]
    rest_s = ceiling["rest_calls_s"]
    lines = [
        f"### {title}",
        "",
        f"- Machine: {machine()}; Python {platform.python_version()}",
        f"- Command: `{command}` (one full pull, one nightly; the store filled in {load_seconds:.0f} s)",
        f"- Date: {datetime.now(UTC).date().isoformat()}",
        "",
        f"Full pull: {sum(r['records'] for r in full['results']):,} records, {full_calls:,} API calls, "
        f"{full['seconds']:.0f} s. The objects are read at the same time, each by a thread of its own, "
        "so those of one vendor share its limit: their rates add up to the vendor's.",
        "",
        "| vendor | object | records | API calls | seconds | records/s | calls/record | records/call |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        *object_rows(full["results"]),
        "",
        f"Read and found empty (1 to 4 calls each): {', '.join(empty) or 'none'}.",
        "",
        "| vendor | records | API calls | requests answered | 429s | seconds, first to last request "
        "| calls/s | records/s | bound | of bound |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
        *bound_rows(full, ceiling),
        "",
        f"HubSpot counts the requests its 10 s window saw (searches apart); a rolling window lets at most "
        f"{most:,} through in {hubspot['span']:.0f} s (a whole window at once, then 19/s): "
        f"{100 * hubspot['answered'] / most:.1f}% of that. Salesforce sets no per-second limit (its "
        f"limit is 100,000 calls a day: the full pull spent "
        f"{sum(r['api_calls'] for r in full['results'] if r['source'] == 'salesforce'):,}); its bound "
        f"is the sandbox's own speed for one reader alone, measured on the same store by "
        f"simple-salesforce with no landing: Bulk API 2.0 {ceiling['bulk_records_s']:,.0f} records/s "
        f"({ceiling['bulk_records']:,} Contacts, every field), REST {rest_s:.1f} calls/s × 2,000 records "
        f"a page = {rest_s * REST_PAGE:,.0f} records/s.",
        "",
        f"Nightly incremental after {changed:,} records changed: **{nightly_calls:,} API calls, "
        f"{100 * nightly_calls / full_calls:.1f}% of the full pull's {full_calls:,}** (goal: at most "
        f"3%); {sum(r['records'] for r in nightly['results']):,} records read in {nightly['seconds']:.0f} s.",
        "",
        "| nightly | API calls | records |",
        "| --- | ---: | ---: |",
        *(
            f"| {r['source']}.{r['object']} | {r['api_calls']:,} | {r['records']:,} |"
            for r in sorted(nightly["results"], key=lambda r: (-r["api_calls"], r["source"], r["object"]))
        ),
        "",
        f"Records missed (source count against warehouse count, both runs): {', '.join(missed) or 'none'}.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    main()
