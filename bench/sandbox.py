"""Benchmark of the sandbox alone: how fast it serves pages to the real clients, how fast it fills.

    .venv/bin/python bench/sandbox.py                      # `make bench-sandbox`: preset 100k
    .venv/bin/python bench/sandbox.py --preset 1m --seed 1

Fills a fresh store with the direct loader (the preset's company, bench/presets.py, but every
person a HubSpot contact and a Salesforce Contact; about 20 activities each, skewed: email
events, page views, form submissions, Tasks, CampaignMembers), then serves it on loopback HTTPS
with the rate limits raised, so that the sandbox is measured, not its limiter. One client, one
request at a time. Every figure is the median of --runs runs (at least 3). The table goes to the
"Sandbox" section of BENCHMARKS.md, under a heading for the store's size.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shlex
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import presets  # bench/presets.py (the script's folder is on sys.path)
import requests
from benchfile import machine, update_section
from hubspot import HubSpot
from hubspot.crm.contacts import Filter, FilterGroup, PublicObjectSearchRequest
from simple_salesforce import Salesforce, format_soql

from connectors.sandbox import Sandbox, SandboxSettings
from connectors.sandbox.bulk import load_direct
from connectors.sandbox.bulk_lines import MIX
from connectors.sandbox.requestlog import percentile

UNLIMITED = SandboxSettings(
    hubspot_requests_per_10s=10**9,
    hubspot_search_per_second=10**9,
    hubspot_daily_limit=10**12,
    salesforce_daily_limit=10**12,
)
SF_FIELDS = "Id, FirstName, LastName, Email, Title, LeadSource, CreatedDate, LastModifiedDate, SystemModstamp"
RECENT_DAYS = 30  # incremental reads: what changed in the last 30 days


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    presets.add_arguments(parser)
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (at least 3)")
    parser.add_argument("--requests", type=int, default=100, help="requests per run")
    parser.add_argument("--work", type=Path, default=None, help="scratch directory (default: a temp one)")
    parser.add_argument("--store", type=Path, help="serve this stopped sandbox's store; no loading")
    parser.add_argument("--output", type=Path, default=Path("BENCHMARKS.md"))
    args = parser.parse_args()
    if args.runs < 3:
        parser.error("--runs must be at least 3: each figure is a median")
    shape = presets.company(args, leads=0.0, mix=MIX)  # no Salesforce Events, no Leads
    with tempfile.TemporaryDirectory(dir=args.work, prefix="bench-sandbox-") as work:
        if args.store:
            loads, store = {}, args.store
            args.people, args.activities = sizes(store)
        else:
            loads, store = fill(Path(work), shape, args.runs), Path(work) / "store"
            args.people, args.activities = shape["people"], shape["activities"]
        with Sandbox(store, settings=UNLIMITED) as box:
            serves = serve(box, args.runs, args.requests)
    title = f"{args.people:,} people, {args.activities:,} activities"
    command = " ".join(["python bench/sandbox.py", *map(shlex.quote, sys.argv[1:])])
    body = report(title, command, loads, serves, args)
    print(body)
    update_section(args.output, "Sandbox", INTRO, title, body)
    print(f"\nwritten to {args.output}")


INTRO = """
The sandbox alone, so that later benchmarks know it is not their bottleneck: pages served to
simple-salesforce and hubspot-api-client over loopback HTTPS (one client, one request at a time,
rate limits raised), and the direct loader filling a fresh store. People are a HubSpot contact and
a Salesforce Contact each. `make bench-sandbox` runs it on the 100k preset (100,000 people,
about 2,000,000 activities, bench/presets.py); `.venv/bin/python bench/sandbox.py --preset
10k|100k|1m [--seed S]` (or `--people N --activities M`) at other sizes. Sections measured before
the presets (2026-11-23) had 10 activities a person, skewed otherwise (person = N x u^2).
"""


# -- filling the store --------------------------------------------------------------------------


def fill(work: Path, shape: dict, runs: int) -> dict[str, tuple[int, float]]:
    """Write the lines, then load each file in `runs` slices: (lines, median lines/s) per kind."""
    files = {
        "people (contacts)": write(work / "people.jsonl", presets.people_of(shape)),
        "activities": write(work / "activities.jsonl", presets.activities_of(shape)),
    }
    out = {}
    for kind, (path, total) in files.items():
        rates = []
        with path.open("rb") as handle:
            size = -(-total // runs)
            for _ in range(runs):  # the file read as it loads: big files never sit in memory
                started = time.perf_counter()
                counts = load_direct(work / "store", itertools.islice(handle, size))
                loaded = sum(sum(objects.values()) for objects in counts.values())
                rates.append(loaded / (time.perf_counter() - started))
        path.unlink()
        out[kind] = (total, statistics.median(rates))
        print(f"loaded {total:,} {kind} lines: {out[kind][1]:,.0f} lines/s", flush=True)
    return out


def sizes(store: Path) -> tuple[int, int]:
    """(HubSpot contacts, activity records) in an existing store."""
    activities = [("hubspot", "email_events"), ("hubspot", "web_events")]
    activities += [("salesforce", "Task"), ("salesforce", "CampaignMember")]
    box = Sandbox(store)
    try:
        people = box.store.count("hubspot", "contacts", include_deleted=True)
        counted = sum(box.store.count(v, o, include_deleted=True) for v, o in activities)
        with box.store.lock:
            counted += box.store.conn.execute(
                "select count(*) from records where vendor = 'hubspot' and object like 'form_submissions/%'"
            ).fetchone()[0]
    finally:
        box.store.close()
    return people, counted


def write(path: Path, lines) -> tuple[Path, int]:
    count = 0
    with path.open("w") as out:
        for line in lines:
            out.write(json.dumps(line, separators=(",", ":")) + "\n")
            count += 1
    return path, count


# -- serving pages --------------------------------------------------------------------------------


def serve(box: Sandbox, runs: int, count: int) -> dict[str, dict]:
    session = requests.Session()
    session.verify, session.trust_env = str(box.ca_path), False
    sf = Salesforce(
        instance_url=box.url("salesforce"),
        session_id=box.token("salesforce"),
        session=session,
        version="59.0",
    )
    hs = HubSpot(access_token=box.token("hubspot"), host=box.url("hubspot"), ssl_ca_cert=str(box.ca_path))
    since = int(time.time() * 1000) - RECENT_DAYS * 86_400_000
    recent = format_soql(
        "WHERE SystemModstamp > {:literal}",
        datetime.fromtimestamp(since / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    steps = {
        "HubSpot list, 100 contacts, raw JSON (`_preload_content=False`)": hubspot_list(hs, raw=True),
        "HubSpot list, 100 contacts, the client's models": hubspot_list(hs, raw=False),
        "Salesforce SOQL, pages of 2,000 (query + queryMore)": soql_pages(sf, ""),
        f"HubSpot search `lastmodifieddate` >= {RECENT_DAYS} days ago, 200 a page": hubspot_search(hs, since),
        f"Salesforce SOQL incremental, `SystemModstamp` > {RECENT_DAYS} days ago": soql_pages(sf, recent),
    }
    return {name: measure(name, step, runs, count) for name, step in steps.items()}


def measure(name: str, step, runs: int, count: int) -> dict:
    step()  # warm up: connection, TLS, the first cursor
    per_run = []
    for _ in range(runs):
        latencies, records = [], 0
        started = time.perf_counter()
        for _ in range(count):
            begun = time.perf_counter()
            records += step()
            latencies.append((time.perf_counter() - begun) * 1000)
        elapsed = time.perf_counter() - started
        per_run.append(
            {
                "requests_s": count / elapsed,
                "records_s": records / elapsed,
                "median_ms": statistics.median(latencies),
                "p95_ms": percentile(latencies, 95),
            }
        )
    result = {key: statistics.median(run[key] for run in per_run) for key in per_run[0]}
    print(f"{name}: {result['requests_s']:,.0f} requests/s, median {result['median_ms']:.2f} ms", flush=True)
    return result


def hubspot_list(hs: HubSpot, raw: bool):
    after = None

    def step() -> int:
        nonlocal after
        if raw:
            answer = hs.crm.contacts.basic_api.get_page(limit=100, after=after, _preload_content=False)
            body = json.loads(answer.data)
            results, after = body["results"], body.get("paging", {}).get("next", {}).get("after")
        else:
            page = hs.crm.contacts.basic_api.get_page(limit=100, after=after)
            results, after = page.results, page.paging.next.after if page.paging else None
        return len(results)

    return step


def hubspot_search(hs: HubSpot, since_ms: int):
    after = 0

    def step() -> int:
        nonlocal after
        request = PublicObjectSearchRequest(
            filter_groups=[
                FilterGroup(
                    filters=[Filter(property_name="lastmodifieddate", operator="GTE", value=str(since_ms))]
                )
            ],
            sorts=[{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
            limit=200,
            after=after,
        )
        body = json.loads(hs.crm.contacts.search_api.do_search(request, _preload_content=False).data)
        nxt = body.get("paging", {}).get("next", {}).get("after")
        after = int(nxt) if nxt and int(nxt) < 10_000 else 0  # search stops at 10,000 results
        return len(body["results"])

    return step


def soql_pages(sf: Salesforce, where: str):
    soql = f"SELECT {SF_FIELDS} FROM Contact {where} ORDER BY SystemModstamp, Id".replace("  ", " ")
    next_url = None

    def step() -> int:
        nonlocal next_url
        answer = sf.query_more(next_url, identifier_is_url=True) if next_url else sf.query(soql)
        next_url = answer.get("nextRecordsUrl")
        return len(answer["records"])

    return step


# -- the report ---------------------------------------------------------------------------------


def report(title: str, command: str, loads: dict, serves: dict, args) -> str:
    lines = [
        f"### {title}",
        "",
        f"- Machine: {machine()}; Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}",
        f"- Command: `{command}` ({args.runs} runs of {args.requests} requests each; medians)",
        f"- Date: {datetime.now(UTC).date().isoformat()}",
        "",
        "| served | requests/s | records/s | median ms | p95 ms |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, r in serves.items():
        figures = f"{r['requests_s']:,.0f} | {r['records_s']:,.0f} | {r['median_ms']:.2f} | {r['p95_ms']:.2f}"
        lines.append(f"| {name} | {figures} |")
    if not loads:
        return "\n".join(lines)
    lines += [
        "",
        "| direct load (`leadflow sandbox load --direct`) | lines | lines/s |",
        "| --- | ---: | ---: |",
    ]
    for kind, (total, rate) in loads.items():
        lines.append(f"| {kind} | {total:,} | {rate:,.0f} |")
    lines.append(f"\nLoad rates: the median of {args.runs} slices of each file loaded one after another.")
    return "\n".join(lines)


if __name__ == "__main__":
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    main()
