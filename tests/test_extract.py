"""Extraction against the sandbox: incremental, deletes, the search cap, budgets, backfills, drift."""

from __future__ import annotations

import csv
import gzip
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import duckdb
import pytest
from hubspot import HubSpot
from simple_salesforce import Salesforce

from connectors.sandbox import Sandbox, SandboxSettings
from connectors.sandbox.admin import SandboxAdmin
from connectors.sandbox.seed import generate
from tests import clients

FAST = SandboxSettings(hubspot_requests_per_10s=5000, hubspot_search_per_second=500)


@pytest.fixture()
def box(tmp_path, prefect_harness):
    with Sandbox(tmp_path / "sandbox", settings=FAST) as sandbox:
        yield sandbox


@pytest.fixture()
def use(monkeypatch, tmp_path):
    """Point leadflow at a sandbox; returns the DuckDB path."""

    def apply(sandbox: Sandbox, **extra) -> str:
        for key, value in sandbox.env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("LEADFLOW_HUBSPOT_REQUESTS_PER_10S", "4000")
        monkeypatch.setenv("LEADFLOW_HUBSPOT_SEARCHES_PER_SECOND", "400")
        path = str(tmp_path / "lf.duckdb")
        monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", path)
        for key, value in extra.items():
            monkeypatch.setenv(f"LEADFLOW_{key.upper()}", str(value))
        return path

    return apply


def sf_client(box: Sandbox) -> Salesforce:
    return clients.salesforce(box)


def hs_client(box: Sandbox) -> HubSpot:
    return clients.hubspot(box)


def by_object(results: list[dict]) -> dict[str, dict]:
    return {r["object"]: r for r in results}


def rows(path: str, sql: str) -> list[tuple]:
    con = duckdb.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_run_after_a_run_reads_only_what_changed(box, use):
    from flows.extract import extract

    SandboxAdmin(box.directory).load(generate(people=120, seed=5))
    path = use(box)
    first = by_object(extract(objects=["Lead", "contacts", "email_events"]))
    assert first["Lead"]["new"] > 0 and first["contacts"]["new"] > 0

    sf = sf_client(box)
    leads = [r["Id"] for r in sf.query("SELECT Id FROM Lead WHERE IsConverted = false LIMIT 3")["records"]]
    for lead_id in leads:
        sf.Lead.update(lead_id, {"Title": "Head of Revenue Operations"})
    contact = hs_client(box).crm.contacts.basic_api.get_page(limit=1).results[0].id
    hs_client(box).crm.contacts.basic_api.update(contact, {"properties": {"jobtitle": "VP Marketing"}})

    second = by_object(extract(objects=["Lead", "contacts", "email_events"]))
    assert second["Lead"]["changed"] == 3 and second["Lead"]["new"] == 0
    assert second["contacts"]["changed"] == 1 and second["contacts"]["new"] == 0
    assert second["email_events"]["new"] == 0 and second["email_events"]["changed"] == 0
    # The incremental run reads what changed (plus the overlap window), not everything again.
    assert second["Lead"]["records"] < first["Lead"]["records"] / 2
    assert second["contacts"]["api_calls"] <= 5
    titles = rows(
        path,
        f"select record->>'Title' from raw_salesforce.lead where id in ({', '.join(repr(i) for i in leads)})",
    )
    assert {t for (t,) in titles} == {"Head of Revenue Operations"}
    # Source and warehouse counts agree, and the comparison is recorded.
    logged = rows(path, "select object, count_difference from ops.extract_log where source_count is not null")
    assert logged and all(diff == 0 for _, diff in logged)


def test_deleted_and_archived_records_are_flagged(box, use):
    from flows.extract import extract

    SandboxAdmin(box.directory).load(generate(people=60, seed=6))
    path = use(box)
    extract(objects=["Lead", "contacts"])
    sf = sf_client(box)
    lead = sf.query("SELECT Id FROM Lead WHERE IsConverted = false LIMIT 1")["records"][0]["Id"]
    sf.Lead.delete(lead)
    contact = hs_client(box).crm.contacts.basic_api.get_page(limit=1).results[0].id
    hs_client(box).crm.contacts.basic_api.archive(contact)

    result = by_object(extract(objects=["Lead", "contacts"]))
    assert rows(path, f"select is_deleted from raw_salesforce.lead where id = '{lead}'") == [(True,)]
    assert rows(path, f"select is_deleted from raw_hubspot.contacts where id = '{contact}'") == [(True,)]
    assert result["Lead"]["source_count"] == result["Lead"]["warehouse_count"]
    assert result["contacts"]["source_count"] == result["contacts"]["warehouse_count"]


def test_events_land_in_raw_salesforce_event_and_their_changes_follow(box, use):
    from flows.extract import extract

    SandboxAdmin(box.directory).load(generate(people=80, seed=8))
    path = use(box)
    first = by_object(extract(objects=["Event"]))
    assert first["Event"]["new"] == first["Event"]["source_count"] > 0
    landed = rows(path, "select record from raw_salesforce.event")
    assert len(landed) == first["Event"]["new"]
    record = json.loads(landed[0][0])
    assert record["Id"].startswith("00U") and "attributes" not in record
    assert record["EventSubtype"] == "Event" and record["DurationInMinutes"] in (30, 45, 60)

    sf = sf_client(box)
    moved, gone = [r["Id"] for r in sf.query("SELECT Id FROM Event ORDER BY Id LIMIT 2")["records"]]
    sf.Event.update(moved, {"DurationInMinutes": 90})
    sf.Event.delete(gone)
    second = by_object(extract(objects=["Event"]))
    assert (second["Event"]["changed"], second["Event"]["new"]) == (2, 0)
    assert second["Event"]["source_count"] == second["Event"]["warehouse_count"]
    kept = rows(
        path,
        "select is_deleted, (record->>'DurationInMinutes')::int, record->>'EndDateTime' "
        f"from raw_salesforce.event where id = '{moved}'",
    )
    assert kept == [(False, 90, sf.Event.get(moved)["EndDateTime"])]
    assert rows(path, f"select is_deleted from raw_salesforce.event where id = '{gone}'") == [(True,)]


def test_big_reads_go_through_bulk_and_a_nightly_of_a_few_changes_through_rest(box, use):
    from flows.extract import extract

    SandboxAdmin(box.directory).load(generate(people=80, seed=8))  # 92 Tasks, 12 Events
    path = use(box, salesforce_bulk_threshold=50)
    admin = SandboxAdmin(box.directory)
    first = by_object(extract(objects=["Task", "Event"]))
    jobs = {r["path"] for r in admin.requests_log("salesforce") if "/jobs/query" in r["path"]}
    assert jobs and first["Task"]["new"] == first["Task"]["source_count"] == 92
    assert first["Event"]["new"] == first["Event"]["source_count"] == 12
    sf = sf_client(box)
    task = sf.query("SELECT Id FROM Task WHERE CallDurationInSeconds != null LIMIT 1")["records"][0]["Id"]
    landed = json.loads(rows(path, f"select record from raw_salesforce.task where id = '{task}'")[0][0])
    as_rest = {k: v for k, v in sf.Task.get(task).items() if k != "attributes"}
    assert landed == as_rest  # read through Bulk (CSV), landed as REST answers it: typed, same form

    sf.Task.update(task, {"Subject": "Follow-up call"})
    mark = admin.requests_log("salesforce")[-1]["seq"]
    second = by_object(extract(objects=["Task"]))
    assert not [r for r in admin.requests_log("salesforce", after=mark) if "/jobs/query" in r["path"]]
    assert (second["Task"]["changed"], second["Task"]["new"]) == (1, 0)
    # The budget check, the describe, one page that is also the count, the count to compare.
    assert second["Task"]["api_calls"] <= 4


def _contacts(n: int, same_time: int) -> list[dict]:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    lines = []
    for i in range(n):
        at = base if i < same_time else base + timedelta(seconds=i)
        stamp = at.isoformat().replace("+00:00", ".000Z")
        lines.append(
            {
                "vendor": "hubspot",
                "object": "contacts",
                "record": {
                    "id": str(10_000 + i),
                    "createdAt": stamp,
                    "updatedAt": stamp,
                    "properties": {"email": f"p{i}@bulk.example", "lastmodifieddate": stamp},
                },
            }
        )
    return lines


def test_25000_contacts_come_through_search_windows_whole(box, use):
    from flows.extract import extract

    # 12,000 share one modification time: more than one search query can ever page through.
    SandboxAdmin(box.directory).load(_contacts(25_000, same_time=12_000))
    path = use(box)
    result = by_object(extract(since=datetime(2025, 1, 1, tzinfo=UTC), objects=["contacts"]))
    assert result["contacts"]["records"] >= 25_000
    assert rows(path, "select count(*), count(distinct id) from raw_hubspot.contacts") == [(25_000, 25_000)]


def test_spent_budget_stops_cleanly_and_resumes(box, use):
    from flows.extract import extract

    SandboxAdmin(box.directory).load(generate(people=80, seed=8))
    limit = box.settings.salesforce_daily_limit
    # Leave leadflow ~12 calls above its reserve: it must stop part-way through the objects.
    used = sf_client(box).limits()["DailyApiRequests"]
    use(box, salesforce_daily_reserve=used["Remaining"] - 12)
    first = [r for r in extract(objects=["salesforce"])]
    stopped = [r for r in first if r["status"] == "budget_exhausted"]
    assert stopped, "the budget never ran out"
    assert "resume next run" in stopped[0]["message"]
    assert limit == box.settings.salesforce_daily_limit

    use(box, salesforce_daily_reserve=0)
    second = extract(objects=["salesforce"])
    assert all(r["status"] == "complete" for r in second)
    for r in second:
        assert r["source_count"] == r["warehouse_count"], r


def test_backfill_never_moves_the_watermark_back(box, use):
    from flows.backfill import backfill
    from flows.extract import extract

    SandboxAdmin(box.directory).load(generate(people=60, seed=9))
    path = use(box)
    extract(objects=["Lead"])
    before = rows(path, "select watermark from ops.watermarks where object = 'Lead'")
    result = backfill(since=datetime(2000, 1, 1), until=datetime(2026, 1, 1), objects=["Lead"])
    assert result[0]["records"] > 0
    assert rows(path, "select watermark from ops.watermarks where object = 'Lead'") == before


def test_custom_field_that_appears_later_lands(box, use):
    from flows.extract import extract

    SandboxAdmin(box.directory).load(generate(people=40, seed=10))
    path = use(box)
    extract(objects=["Lead"])
    sf = sf_client(box)
    answer = sf.toolingexecute(
        "sobjects/CustomField/",
        method="POST",
        data={
            "FullName": "Lead.Partner_Region__c",
            "Metadata": {"label": "Partner Region", "type": "Text", "length": 40},
        },
    )
    assert answer["success"]
    lead = sf.query("SELECT Id FROM Lead WHERE IsConverted = false LIMIT 1")["records"][0]["Id"]
    sf.Lead.update(lead, {"Partner_Region__c": "EMEA"})
    extract(objects=["Lead"])
    assert rows(
        path, f"select record->>'Partner_Region__c' from raw_salesforce.lead where id = '{lead}'"
    ) == [("EMEA",)]


def test_product_usage_file_drop(box, use, tmp_path):
    from flows.extract import extract

    drop = tmp_path / "drop"
    drop.mkdir()
    with (drop / "usage-1.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "event", "occurred_at", "seats"])
        writer.writerows(
            [
                ["a@x.example", "project_created", "2026-11-01T10:00:00Z", 3],
                ["b@y.example", "invite_sent", "2026-11-02T11:00:00Z", 1],
            ]
        )
    # A gzipped CSV in a subfolder is part of the drop too (as DuckDB reads it: folder/**/*.csv.gz).
    (drop / "2026-11").mkdir()
    with gzip.open(drop / "2026-11" / "usage-2.csv.gz", "wt", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "event_name", "occurred_at"])
        writer.writerow(["c@z.example", "project_created", "2026-11-03T12:00:00Z"])
    path = use(box, product_usage_dir=drop)
    first = by_object(extract(objects=["product"]))
    assert first["usage_events"]["new"] == 3
    again = by_object(extract(objects=["product"]))
    assert again["usage_events"]["new"] == 0
    landed = "select record->>'email', record->>'_file' from raw_product.usage_events order by 1"
    assert rows(path, landed) == [
        ("a@x.example", "usage-1.csv"),
        ("b@y.example", "usage-1.csv"),
        ("c@z.example", "2026-11/usage-2.csv.gz"),
    ]


def test_killed_extract_resumes_with_nothing_lost_or_doubled(box, use, tmp_path):
    """kill -9 during a first full pull of contacts; the next run finishes it from its cursor."""
    from flows.extract import extract

    SandboxAdmin(box.directory).load(_contacts(3000, same_time=0))
    path = use(box)
    admin = SandboxAdmin(box.directory)
    admin.set_faults("hubspot", seed=1, rate_slow=1.0, slow_ms=150)
    mark = admin.requests_log("hubspot")[-1]["seq"] if admin.requests_log("hubspot") else 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "run", "extract", "--objects", "contacts"],
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill takes its Prefect server too
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        pages = [
            r
            for r in admin.requests_log("hubspot", after=mark)
            if r["path"] == "/crm/v3/objects/contacts" and r["status"] == 200
        ]
        if len(pages) >= 8:
            break
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert len(pages) >= 8, "the extract never got going"
    admin.set_faults("hubspot")
    mark = admin.requests_log("hubspot")[-1]["seq"]

    result = by_object(extract(objects=["contacts"]))
    listed = [r for r in admin.requests_log("hubspot", after=mark) if r["path"] == "/crm/v3/objects/contacts"]
    # 30 pages of live contacts in all: the resumed run does not start again from the first.
    assert len(listed) < 30
    assert result["contacts"]["source_count"] == 3000
    assert rows(path, "select count(*), count(distinct id) from raw_hubspot.contacts") == [(3000, 3000)]
    assert rows(path, "select count(*) from ops.cursors") == [(0,)]
    assert rows(path, "select count(*) from ops.watermarks where object = 'contacts'") == [(1,)]
