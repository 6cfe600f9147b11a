"""Benchmark of extraction: full pulls, then nightly incrementals, through the real extract flow.

    .venv/bin/python bench/extract.py                      # `make bench-extract`: preset 100k
    .venv/bin/python bench/extract.py --preset 10k --runs 3 --seed 1

Fills a fresh sandbox store with the direct loader (the preset's company, bench/presets.py:
people are a HubSpot contact each, and a Salesforce Contact or, for 30% of them, a Lead; about
20 activities a person, skewed: email events, page views, form submissions, Tasks, Events,
CampaignMembers), serves it from a process of its own with the vendors' limits on (HubSpot: 190
requests per rolling 10 s and 5 searches/s, a Professional account; Salesforce: 100,000 calls a
day), and runs `flows.extract.extract` here, leadflow set to 190 requests per 10 s. Each of
--runs runs (default 3, at least 3) is a full pull into an empty DuckDB file, then, once 1% of
the records have changed (`--changed`), the nightly incremental. Figures are medians over the
runs, each run's value beside them. The tables go to the "Extract" section of BENCHMARKS.md,
under a heading for the store's size.
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

import presets  # bench/presets.py (the script's folder is on sys.path)
import requests
import runs as repeated
from benchfile import machine, update_section
from simple_salesforce import Salesforce

from connectors.sandbox.admin import SandboxAdmin, read_env
from connectors.sandbox.app import ENV_FILE
from connectors.sandbox.bulk import load_direct

HUBSPOT_PER_10S = 190  # HubSpot Professional/Enterprise, and leadflow's setting for it
REST_PAGE = 2_000
INTRO = """
The real extract flow (`flows.extract.extract`, every object of both CRMs, in one process) against
the sandbox served from a process of its own with the vendors' limits on: HubSpot 190 requests per
rolling 10 s and 5 searches/s (leadflow set to 190 and its default 4 searches/s), Salesforce
100,000 calls a day. A full pull into an empty DuckDB file, then the nightly incremental after 1%
of the records changed (modstamps moved to now; for the event streams, events moved to now). The
bound is what the limits allow: HubSpot 19 calls/s, i.e. 1,900 records/s on 100-record list pages;
Salesforce sets no per-second limit, so its bound is the sandbox's own speed for the same reads by
simple-salesforce alone (no landing). `make bench-extract` runs it on the 100k preset (100,000
people, about 2,000,000 activities, bench/presets.py); `.venv/bin/python bench/extract.py --preset
10k|100k|1m [--seed S] [--runs N]` at other sizes. Seconds and rates are medians of --runs runs
(at least 3), each a full pull into an empty DuckDB file and a nightly; records and calls are the
same in every run (the table says where they are not).
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    presets.add_arguments(parser)
    parser.add_argument(
        "--changed", type=float, default=0.01, help="share of records changed before the nightly"
    )
    repeated.add_argument(parser, "full pulls, each followed by a nightly")
    parser.add_argument("--work", type=Path, default=None, help="scratch directory (default: a temp one)")
    parser.add_argument("--output", type=Path, default=Path("BENCHMARKS.md"))
    args = parser.parse_args()
    repeated.check(parser, args)
    shape = presets.company(args)
    with tempfile.TemporaryDirectory(dir=args.work, prefix="bench-extract-") as work:
        store = Path(work) / "store"
        loaded, load_seconds = fill(store, shape)
        print(f"loaded {loaded:,} records in {load_seconds:.0f} s", flush=True)
        measured = []
        with served(store, HUBSPOT_PER_10S) as (env, admin):
            os.environ.update(env)
            from prefect.testing.utilities import prefect_test_harness

            with prefect_test_harness(server_startup_timeout=120):
                for number in range(1, args.runs + 1):
                    # An empty warehouse each run; its rate-limit files start empty too, so the
                    # sandbox's window must be empty as well: wait it out.
                    os.environ["LEADFLOW_DUCKDB_PATH"] = str(Path(work) / f"leadflow-{number}.duckdb")
                    time.sleep(11 if number > 1 else 0)
                    full = run(f"run {number}: full pull", admin)
                    at = int(time.time() * 1000) - 1000
                    changed = admin.load(presets.changes(shape, args.changed, at))
                    nightly = run(f"run {number}: nightly incremental", admin)
                    measured.append({"full": full, "nightly": nightly, "changed": changed})
            ceilings = [salesforce_ceiling(env) for _ in range(args.runs)]
    title = presets.title(shape)
    command = " ".join(["python bench/extract.py", *map(shlex.quote, sys.argv[1:])])
    body = report(title, command, shape, measured, ceilings, load_seconds)
    print(body)
    update_section(args.output, "Extract", INTRO, title, body)
    print(f"\nwritten to {args.output}")


# -- the store and the servers ------------------------------------------------------------------


def fill(store: Path, shape: dict) -> tuple[int, float]:
    """Load the company straight into a fresh store: (records, seconds)."""
    started = time.perf_counter()
    counts = load_direct(store, presets.lines(shape))
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
    load = os.getloadavg()[0]
    started = time.perf_counter()
    results = extract()
    seconds = time.perf_counter() - started
    answered = admin.requests_log(after=mark)
    calls = sum(r["api_calls"] for r in results)
    print(f"{label}: {calls:,} calls, {len(answered):,} requests answered, {seconds:.0f} s", flush=True)
    return {"results": results, "seconds": seconds, "requests": answered, "load": load}


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


def same(values: list[int]) -> str:
    """One count when every run agrees, else each run's."""
    return f"{values[0]:,}" if len(set(values)) == 1 else " / ".join(f"{v:,}" for v in values)


def object_rows(measured: list[dict]) -> list[str]:
    """Per object of the full pull: records and calls, median seconds and every run's."""
    rows = []
    firsts = measured[0]["full"]["results"]
    for k, r in enumerate(firsts):
        if not (r["records"] or r["api_calls"] > 4):  # the objects the store holds none of: apart
            continue
        each = [m["full"]["results"][k] for m in measured]
        records, calls = [e["records"] for e in each], [e["api_calls"] for e in each]
        seconds = [e["seconds"] for e in each]
        middle = repeated.median(seconds)
        rows.append(
            f"| {r['source']} | {r['object']} | {same(records)} | {same(calls)} | {middle:.1f} "
            f"| {repeated.every(seconds)} | {per_second(repeated.median(records), middle):,.0f} "
            f"| {per_second(repeated.median(calls), repeated.median(records)):.4f} "
            f"| {per_second(repeated.median(records), repeated.median(calls)):,.0f} |"
        )
    return rows


def vendor_figures(full: dict, vendor: str, ceiling: float) -> dict:
    """One run's figures for one vendor, over the time it was being read."""
    results = [r for r in full["results"] if r["source"] == vendor]
    seen = vendor_span(full["requests"], vendor)
    records = sum(r["records"] for r in results)
    out = {
        "records": records,
        "calls": sum(r["api_calls"] for r in results),
        **seen,
        "calls_s": per_second(seen["answered"], seen["span"]),
        "records_s": per_second(records, seen["span"]),
    }
    if vendor == "hubspot":
        out["share"] = out["calls_s"] / (HUBSPOT_PER_10S / 10)
    else:
        out["share"] = out["records_s"] / ceiling if ceiling else 0.0
    return out


def bound_rows(measured: list[dict], ceiling: dict) -> list[str]:
    """Each vendor against what its limits allow: medians over the runs, every run's records/s."""
    out = []
    for vendor in ("hubspot", "salesforce"):
        each = [vendor_figures(m["full"], vendor, ceiling["bulk_records_s"]) for m in measured]
        mid = repeated.medians(each, ("span", "calls_s", "records_s", "share"))
        if vendor == "hubspot":
            bound = f"{HUBSPOT_PER_10S / 10:.0f} calls/s; 1,900 records/s on 100-record list pages"
        else:
            bound = f"{ceiling['bulk_records_s']:,.0f} records/s (one Bulk API 2.0 reader alone)"
        out.append(
            f"| {vendor} | {same([e['records'] for e in each])} | {same([e['calls'] for e in each])} "
            f"| {same([e['answered'] for e in each])} | {same([e['refused'] for e in each])} "
            f"| {mid['span']:.1f} | {mid['calls_s']:.2f} | {mid['records_s']:,.0f} "
            f"| {repeated.every([e['records_s'] for e in each], ',.0f')} | {bound} "
            f"| {100 * mid['share']:.1f}% |"
        )
    return out


def report(title, command, shape, measured, ceilings, load_seconds) -> str:
    ceiling = repeated.medians(ceilings, ("rest_calls_s", "bulk_records_s", "bulk_records"))
    fulls = [m["full"] for m in measured]
    nightlies = [m["nightly"] for m in measured]
    full_calls = [sum(r["api_calls"] for r in f["results"]) for f in fulls]
    full_records = [sum(r["records"] for r in f["results"]) for f in fulls]
    nightly_calls = [sum(r["api_calls"] for r in n["results"]) for n in nightlies]
    nightly_records = [sum(r["records"] for r in n["results"]) for n in nightlies]
    changed = [sum(sum(o.values()) for o in m["changed"].values()) for m in measured]
    spans = [vendor_span(f["requests"], "hubspot") for f in fulls]
    span = repeated.median([s["span"] for s in spans])
    answered = repeated.median([s["answered"] for s in spans])
    most = HUBSPOT_PER_10S * (int(span // 10) + 1)  # a full window at once, then 19/s
    first = fulls[0]["results"]
    empty = [f"{r['source']}.{r['object']}" for r in first if not r["records"] and r["api_calls"] <= 4]
    missed = sorted(
        {
            f"{r['source']}.{r['object']}"
            for run in (*fulls, *nightlies)
            for r in run["results"]
            if r["status"] != "complete"
            or (r["source_count"] is not None and r["source_count"] != r["warehouse_count"])
        }
    )
    sf_calls = same([sum(r["api_calls"] for r in f["results"] if r["source"] == "salesforce") for f in fulls])
    full_seconds = [f["seconds"] for f in fulls]
    nightly_seconds = [n["seconds"] for n in nightlies]
    share = [100 * n / f for n, f in zip(nightly_calls, full_calls, strict=True)]
    rest_s = ceiling["rest_calls_s"]
    lines = [
        f"### {title}",
        "",
        f"- Machine: {machine()}; Python {platform.python_version()}",
        f"- Company: {presets.described(shape)}; the store filled in {load_seconds:.0f} s",
        f"- Command: `{command}` ({len(measured)} runs, each a full pull into an empty DuckDB file and a "
        "nightly; medians, every run's value beside them)",
        f"- Date: {datetime.now(UTC).date().isoformat()}",
        f"- Load average (1 min) as each full pull started: {repeated.every([f['load'] for f in fulls])}",
        "",
        f"Full pull: {same(full_records)} records, {same(full_calls)} API calls, "
        f"**{repeated.median(full_seconds):.0f} s** (runs: {repeated.every(full_seconds, '.0f')}). "
        "The objects are read at the same time, each by a thread of its own, so those of one vendor "
        "share its limit: their rates add up to the vendor's.",
        "",
        "| vendor | object | records | API calls | seconds (median) | every run | records/s | calls/record "
        "| records/call |",
        "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |",
        *object_rows(measured),
        "",
        f"Read and found empty (1 to 4 calls each): {', '.join(empty) or 'none'}.",
        "",
        "| vendor | records | API calls | requests answered | 429s | seconds, first to last request "
        "| calls/s | records/s (median) | every run | bound | of bound |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |",
        *bound_rows(measured, ceiling),
        "",
        f"HubSpot counts the requests its 10 s window saw (searches apart); a rolling window lets at most "
        f"{most:,} through in {span:.0f} s (a whole window at once, then 19/s): "
        f"{100 * answered / most:.1f}% of that (medians). Salesforce sets no per-second limit (its "
        f"limit is 100,000 calls a day: a full pull spent {sf_calls}); its bound is the sandbox's own "
        f"speed for one reader alone, measured on the same store by simple-salesforce with no landing "
        f"({len(ceilings)} times, medians): Bulk API 2.0 {ceiling['bulk_records_s']:,.0f} records/s "
        f"({ceiling['bulk_records']:,.0f} Contacts, every field; runs "
        f"{repeated.every([c['bulk_records_s'] for c in ceilings], ',.0f')}), REST {rest_s:.1f} calls/s × "
        f"2,000 records a page = {rest_s * REST_PAGE:,.0f} records/s.",
        "",
        f"Nightly incremental after {same(changed)} records changed: **{repeated.median(nightly_calls):,.0f} "
        f"API calls, {repeated.median(share):.1f}% of the full pull's {repeated.median(full_calls):,.0f}** "
        f"(goal: at most 3%); {same(nightly_records)} records read in "
        f"{repeated.median(nightly_seconds):.1f} s (runs: {repeated.every(nightly_seconds)}).",
        "",
        "| nightly (median run) | API calls | records |",
        "| --- | ---: | ---: |",
        *(
            f"| {r['source']}.{r['object']} | {r['api_calls']:,} | {r['records']:,} |"
            for r in sorted(
                repeated.median_run(nightlies, "seconds")["results"],
                key=lambda r: (-r["api_calls"], r["source"], r["object"]),
            )
        ),
        "",
        f"Records missed (source count against warehouse count, every run): {', '.join(missed) or 'none'}.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    main()
