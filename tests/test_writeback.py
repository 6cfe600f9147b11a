"""Write-back through the real clients: diffs, batches, rejects kept, conflicts, crash safety.

The queue (main.crm_updates) is written by the tests themselves: write-back's contract is that
table, whatever the scoring rules say.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import threading
import time

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
        SandboxAdmin(sandbox.directory).load(generate(people=1000, seed=21))
        yield sandbox


@pytest.fixture()
def env(box, monkeypatch, tmp_path):
    for key, value in box.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("LEADFLOW_HUBSPOT_REQUESTS_PER_10S", "4000")
    monkeypatch.setenv("LEADFLOW_WRITEBACK_BACKOFF", "0.05")
    path = str(tmp_path / "lf.duckdb")
    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", path)
    return path


def sf_client(box: Sandbox) -> Salesforce:
    return clients.salesforce(box)


def hs_client(box: Sandbox) -> HubSpot:
    return clients.hubspot(box)


def lead_ids(box: Sandbox, n: int) -> list[str]:
    soql = f"SELECT Id FROM Lead WHERE IsConverted = false ORDER BY Id LIMIT {n}"
    return [r["Id"] for r in sf_client(box).query_all(soql)["records"]]


def contact_ids(box: Sandbox, n: int) -> list[str]:
    return [c.id for c in hs_client(box).crm.contacts.basic_api.get_page(limit=n).results]


def queue(path: str, rows: list[tuple]) -> None:
    """Write main.crm_updates: (vendor, object_type, record_id, field, current, new[, clear_first]) rows."""
    con = duckdb.connect(path)
    try:
        con.execute(
            "create or replace table main.crm_updates (vendor varchar, object_type varchar, "
            "record_id varchar, person_id varchar, field_name varchar, current_value varchar, "
            "new_value varchar, clear_first boolean)"
        )
        con.executemany(
            "insert into main.crm_updates values (?, ?, ?, ?, ?, ?, ?, ?)",
            [(v, o, r, f"p-{r}", f, c, n, *(rest or [False])) for v, o, r, f, c, n, *rest in rows],
        )
        # As the build flow does: the queue reflects the CRMs as of now.
        con.execute("create schema if not exists ops")
        con.execute(
            "create table if not exists ops.builds (started_at timestamp, finished_at timestamp, "
            "success boolean)"
        )
        con.execute(
            "insert into ops.builds values (now() at time zone 'UTC', now() at time zone 'UTC', true)"
        )
    finally:
        con.close()


def scores(vendor: str, obj: str, ids: list[str], value: str = "42") -> list[tuple]:
    field = "Lead_Score__c" if vendor == "salesforce" else "leadflow_score"
    return [(vendor, obj, i, field, None, value) for i in ids]


def calls(box: Sandbox, vendor: str, method: str, path: str, after: int = 0) -> int:
    return sum(
        1
        for r in SandboxAdmin(box.directory).requests_log(vendor, after=after)
        if r["method"] == method and r["path"].rstrip("/").endswith(path)
    )


def test_dry_run_lists_the_diff_and_writes_nothing(box, env):
    from flows.writeback import writeback

    leads = lead_ids(box, 5)
    queue(env, scores("salesforce", "Lead", leads))
    summary = writeback(dry_run=True)
    assert summary.records == 5 and len(summary.diff) == 5 and summary.written == 0
    assert summary.diff[0] == {
        "vendor": "salesforce",
        "object_type": "Lead",
        "record_id": leads[0],
        "field": "Lead_Score__c",
        "old": None,
        "new": "42",
    }
    assert calls(box, "salesforce", "PATCH", "composite/sobjects") == 0
    # Nothing was written, not even the custom fields.
    described = {f["name"] for f in sf_client(box).Lead.describe()["fields"]}
    assert "Lead_Score__c" not in described


def test_batches_are_the_minimum_and_values_arrive(box, env):
    from flows.writeback import writeback

    leads = lead_ids(box, 410)
    contacts = [c.id for c in hs_client(box).crm.contacts.get_all()][:250]
    queue(env, scores("salesforce", "Lead", leads) + scores("hubspot", "contacts", contacts, "17"))
    summary = writeback()
    assert summary.written == len(leads) + len(contacts) and summary.rejected == 0
    assert calls(box, "salesforce", "PATCH", "composite/sobjects") == math.ceil(len(leads) / 200)
    assert calls(box, "hubspot", "POST", "contacts/batch/update") == math.ceil(len(contacts) / 100)
    got = sf_client(box).query_all(f"SELECT Lead_Score__c FROM Lead WHERE Id = '{leads[-1]}'")["records"][0]
    assert got["Lead_Score__c"] == 42
    props = (
        hs_client(box)
        .crm.contacts.basic_api.get_by_id(contacts[-1], properties=["leadflow_score"])
        .properties
    )
    assert props["leadflow_score"] == "17"


def test_limit_and_only(box, env):
    from flows.writeback import writeback

    queue(
        env,
        scores("salesforce", "Lead", lead_ids(box, 30)) + scores("hubspot", "contacts", contact_ids(box, 30)),
    )
    assert writeback(limit=7, only="hubspot").written == 7
    assert calls(box, "salesforce", "PATCH", "composite/sobjects") == 0


def test_row_locks_are_retried_with_backoff(box, env):
    from flows.writeback import writeback

    leads = lead_ids(box, 400)
    queue(env, scores("salesforce", "Lead", leads))
    # Seeded: the same draws every run, and some of them land on the write calls.
    SandboxAdmin(box.directory).set_faults("salesforce", seed=1, rate_lock=0.5)
    summary = writeback()
    SandboxAdmin(box.directory).set_faults("salesforce")
    assert summary.retried > 0
    assert summary.written + summary.rejected == 400
    for reject in summary.rejects:  # what is left after the last attempt is kept, marked retryable
        assert reject["code"] == "UNABLE_TO_LOCK_ROW" and reject["retryable"]


def test_a_deleted_record_is_kept_as_a_reject_and_not_resent(box, env):
    from flows.writeback import writeback

    leads = lead_ids(box, 10)
    sf_client(box).Lead.delete(leads[3])
    queue(env, scores("salesforce", "Lead", leads))
    summary = writeback()
    assert summary.written == 9 and summary.rejected == 1
    assert summary.rejects[0]["record_id"] == leads[3] and summary.rejects[0]["code"] == "ENTITY_IS_DELETED"
    con = duckdb.connect(env)
    assert con.execute("select record_id, code, retryable from ops.rejects").fetchall() == [
        (leads[3], "ENTITY_IS_DELETED", False)
    ]
    con.close()
    queue(env, scores("salesforce", "Lead", [leads[3]]))
    assert writeback().records == 0  # the same values are not sent blindly again
    # The next build no longer queues the record (the extract saw it deleted): the reject is
    # closed, and kept.
    queue(env, scores("salesforce", "Lead", leads[:3]))
    writeback()
    with duckdb.connect(env) as con:
        rows = con.execute("select record_id, code, resolved_at is not null from ops.rejects").fetchall()
    assert rows == [(leads[3], "ENTITY_IS_DELETED", True)]


def test_fields_off_the_allow_list_are_never_sent_and_kept_as_rejects(box, env):
    from flows.writeback import writeback

    leads, contacts = lead_ids(box, 3), contact_ids(box, 2)
    account = sf_client(box).query("SELECT Id FROM Account LIMIT 1")["records"][0]["Id"]
    before = sf_client(box).Lead.get(leads[1])["Email"]
    queue(
        env,
        scores("salesforce", "Lead", leads)
        + scores("hubspot", "contacts", contacts)
        + [
            ("salesforce", "Lead", leads[1], "Email", before, "hijack@evil.example"),
            ("hubspot", "contacts", contacts[1], "email", None, "hijack@evil.example"),
            ("salesforce", "Account", account, "Name", None, "Renamed"),
        ],
    )
    summary = writeback()
    assert summary.written == 3 and summary.rejected == 3
    refused = {(r["object_type"], r["record_id"]): r for r in summary.rejects}
    assert {r["code"] for r in refused.values()} == {"FIELD_NOT_ALLOWED"}
    assert refused[("Lead", leads[1])]["fields"] == ("Email",)
    # The whole record is held back: not its email, not even its allowed score.
    lead = sf_client(box).Lead.get(leads[1])
    assert lead["Email"] == before and lead["Lead_Score__c"] is None
    assert sf_client(box).Account.get(account)["Name"] != "Renamed"
    written = {name for (_, _, name) in SandboxAdmin(box.directory).writes("salesforce")}
    written |= {name for (_, _, name) in SandboxAdmin(box.directory).writes("hubspot")}
    assert written <= {"Lead_Score__c", "leadflow_score"}, written
    with duckdb.connect(env) as con:
        kept = con.execute("select count(*) from ops.rejects where code = 'FIELD_NOT_ALLOWED'").fetchone()[0]
    assert kept == 3
    assert writeback().records == 0  # neither re-sent nor refused again while the queue is unchanged


def test_the_sinks_refuse_fields_off_the_allow_list_before_any_call(box, env):
    from connectors.hubspot import HubSpotSink
    from flows.settings import load_settings
    from flows.writeback import _sink

    settings = load_settings()
    lead, contact = lead_ids(box, 1)[0], contact_ids(box, 1)[0]
    after = SandboxAdmin(box.directory).requests_log()[-1]["seq"]
    with pytest.raises(ValueError, match="allow-list"):
        _sink("salesforce", settings).update("Lead", [{"Id": lead, "Company": "x"}])
    with pytest.raises(ValueError, match="allow-list"):
        HubSpotSink(settings.hubspot()).update(
            "contacts", [{"id": contact, "properties": {"email": "x@y.z"}}]
        )
    sent = [r for r in SandboxAdmin(box.directory).requests_log(after=after) if r["method"] != "GET"]
    assert sent == []


def test_one_invalid_hubspot_value_rejects_only_its_record(box, env):
    from flows.writeback import writeback

    contacts = contact_ids(box, 40)
    rows = [("hubspot", "contacts", c, "leadflow_tier", None, "Warm") for c in contacts]
    rows[17] = ("hubspot", "contacts", contacts[17], "leadflow_tier", None, "Lukewarm")
    queue(env, rows)
    summary = writeback()
    assert summary.written == 39 and summary.rejected == 1
    assert summary.rejects[0]["record_id"] == contacts[17]
    assert "leadflow_tier" in summary.rejects[0]["message"]


def test_a_recycled_contact_goes_back_a_stage_cleared_first(box, env):
    from flows.writeback import writeback

    client = hs_client(box)
    contacts = contact_ids(box, 3)
    for c in contacts:
        client.crm.contacts.basic_api.update(c, {"properties": {"lifecyclestage": "salesqualifiedlead"}})
    # Without clear_first, HubSpot refuses the way back (as HubSpot does).
    queue(env, [("hubspot", "contacts", contacts[2], "lifecyclestage", "salesqualifiedlead", "lead")])
    summary = writeback()
    assert summary.written == 0 and summary.rejected == 1
    assert "backwards" in summary.rejects[0]["message"]
    # With it, the stage is cleared, then set.
    mark = SandboxAdmin(box.directory).requests_log("hubspot")[-1]["seq"]
    queue(
        env,
        [
            ("hubspot", "contacts", contacts[0], "lifecyclestage", "salesqualifiedlead", "lead", True),
            ("hubspot", "contacts", contacts[1], "lifecyclestage", "salesqualifiedlead", "lead", True),
        ],
    )
    summary = writeback()
    assert summary.written == 2 and summary.rejected == 0, summary.rejects
    stages = {
        c.id: c.properties["lifecyclestage"]
        for c in client.crm.contacts.batch_api.read(
            {"inputs": [{"id": c} for c in contacts], "properties": ["lifecyclestage"]}
        ).results
    }
    assert stages == {contacts[0]: "lead", contacts[1]: "lead", contacts[2]: "salesqualifiedlead"}
    # One call clears the two, one sets them: the minimum.
    assert calls(box, "hubspot", "POST", "/crm/v3/objects/contacts/batch/update", after=mark) == 2


def test_an_owner_changed_by_hand_is_not_overwritten(box, env):
    from flows.writeback import writeback

    sf = sf_client(box)
    users = [u["Id"] for u in sf.query("SELECT Id FROM User WHERE IsActive = true ORDER BY Id")["records"]]
    lead = lead_ids(box, 1)[0]
    current = sf.Lead.get(lead)["OwnerId"]
    queue(env, [("salesforce", "Lead", lead, "OwnerId", current, users[1])])
    assert writeback().written == 1
    sf.Lead.update(lead, {"OwnerId": users[2]})  # a rep takes the lead over
    queue(env, [("salesforce", "Lead", lead, "OwnerId", users[2], users[1])])
    summary = writeback()
    assert summary.records == 0 and summary.conflicts[0]["crm_value"] == users[2]
    assert sf.Lead.get(lead)["OwnerId"] == users[2]


def test_above_the_threshold_salesforce_goes_through_bulk(box, env, monkeypatch):
    from flows.writeback import writeback

    monkeypatch.setenv("LEADFLOW_SALESFORCE_WRITEBACK_BULK_THRESHOLD", "50")
    leads = lead_ids(box, 120)
    queue(env, scores("salesforce", "Lead", leads, "77"))
    summary = writeback()
    assert summary.written == 120
    assert calls(box, "salesforce", "PATCH", "composite/sobjects") == 0
    assert calls(box, "salesforce", "POST", "jobs/ingest") == 1
    got = sf_client(box).query_all("SELECT Lead_Score__c FROM Lead WHERE Lead_Score__c = 77")["records"]
    assert len(got) == 120


def hubspot_properties_ready() -> None:
    """Create leadflow's contact properties first, so a slow-fault plan slows only the batches."""
    from connectors.hubspot import HubSpotSink
    from flows.settings import load_settings

    HubSpotSink(load_settings().hubspot()).ensure_properties("contacts")


def most_at_once(requests: list[dict]) -> int:
    """The most requests the sandbox was handling at one moment (the log has each end and length)."""
    edges = sorted(
        [(r["at"] - r["ms"] / 1000, 1) for r in requests] + [(r["at"], -1) for r in requests],
        key=lambda edge: (edge[0], edge[1]),  # an end before a start at the same instant
    )
    busy = most = 0
    for _, step in edges:
        busy += step
        most = max(most, busy)
    return most


@pytest.mark.parametrize("at_once", [1, 3])
def test_hubspot_batches_overlap_up_to_the_setting(box, env, monkeypatch, at_once):
    """Batches under way together, never more than LEADFLOW_HUBSPOT_WRITEBACK_CONCURRENCY."""
    from flows.writeback import writeback

    monkeypatch.setenv("LEADFLOW_HUBSPOT_WRITEBACK_CONCURRENCY", str(at_once))
    contacts = [c.id for c in hs_client(box).crm.contacts.get_all()][:400]
    queue(env, scores("hubspot", "contacts", contacts, "19"))
    hubspot_properties_ready()
    admin = SandboxAdmin(box.directory)
    mark = admin.requests_log("hubspot")[-1]["seq"]
    # Each answer a second late: batches sent together are seen together (not a speed test).
    admin.set_faults("hubspot", seed=3, rate_slow=1.0, slow_ms=1000)
    summary = writeback()
    admin.set_faults("hubspot")
    updates = [
        r for r in admin.requests_log("hubspot", after=mark) if r["path"].endswith("contacts/batch/update")
    ]
    assert summary.written == 400 and summary.rejected == 0
    assert len(updates) == 4 and {r["status"] for r in updates} == {200}
    assert most_at_once(updates) == at_once
    con = duckdb.connect(env)
    assert con.execute("select state, count(*) from ops.writeback_batches group by state").fetchall() == [
        ("done", 4)
    ]
    assert con.execute("select count(distinct record_id), count(*) from ops.written_values").fetchone() == (
        400,
        400,
    )
    con.close()


def test_overlapping_batches_answer_in_order_and_stop_at_an_error():
    from flows.writeback import _overlapping

    second_done = threading.Event()

    def send(batch):
        if batch == [0]:
            assert second_done.wait(30), "the batches did not overlap"  # the first ends last
        if batch == [1]:
            second_done.set()
        return batch, 0

    batches = [[n] for n in range(7)]
    assert _overlapping(send, batches, 3) == [(b, 0) for b in batches]

    started, busy, most = [], [0], [0]
    lock = threading.Lock()

    def failing(batch):
        with lock:
            started.append(batch[0])
            busy[0] += 1
            most[0] = max(most[0], busy[0])
        try:
            if batch == [1]:
                raise RuntimeError("daily limit nearly spent")
            return batch, 0
        finally:
            with lock:
                busy[0] -= 1

    with pytest.raises(RuntimeError, match="daily limit"):
        _overlapping(failing, [[n] for n in range(200)], 3)
    assert most[0] <= 3 and len(started) < 200  # no batch starts once the error is seen


def update_calls(box: Sandbox) -> int:
    return calls(box, "hubspot", "POST", "contacts/batch/update")


def settled_update_calls(box: Sandbox, quiet: float) -> int:
    """Batch calls the sandbox answered, once none has come for `quiet` seconds.

    Calls a killed run had on their way still land: the sandbox applies them and answers a closed
    socket, as a vendor would.
    """
    seen, since = update_calls(box), time.monotonic()
    while time.monotonic() - since < quiet:
        time.sleep(0.1)
        now = update_calls(box)
        if now != seen:
            seen, since = now, time.monotonic()
    return seen


def test_killed_writeback_sends_no_change_twice(box, env, monkeypatch):
    """kill -9 while batches are under way, sent and not yet recorded; the next run checks, then goes on."""
    from flows.writeback import writeback

    monkeypatch.setenv("LEADFLOW_HUBSPOT_WRITEBACK_CONCURRENCY", "3")
    contacts = [c.id for c in hs_client(box).crm.contacts.get_all()][:800]
    assert len(contacts) == 800
    queue(env, scores("hubspot", "contacts", contacts, "33"))
    hubspot_properties_ready()
    admin = SandboxAdmin(box.directory)
    admin.set_faults("hubspot", seed=2, rate_slow=1.0, slow_ms=1500)  # room to aim the kill
    proc = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "writeback"],
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill takes its Prefect server too
    )
    deadline = time.monotonic() + 400  # a loaded machine starts Prefect slowly
    while time.monotonic() < deadline and update_calls(box) < 3:
        time.sleep(0.05)
    time.sleep(0.5)  # the first three answered: the next three are on their way
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    admin.set_faults("hubspot")
    sent_before = settled_update_calls(box, quiet=3.0)
    con = duckdb.connect(env)
    states = dict(con.execute("select state, count(*) from ops.writeback_batches group by state").fetchall())
    con.close()
    done_before, pending_before = states.get("done", 0), states.get("pending", 0)
    # Batches under way together, each recorded before it was sent; never more than three.
    assert 2 <= pending_before <= 3, states
    assert done_before < sent_before < 8, f"{sent_before} calls, ledger {states}: aim the kill again"

    summary = writeback()
    con = duckdb.connect(env)
    ledger = con.execute(
        "select state, json_array_length(changes), created_at from ops.writeback_batches order by created_at"
    ).fetchall()
    assert con.execute("select count(*) from ops.writeback_batches where state = 'pending'").fetchone() == (
        0,
    )
    assert con.execute("select count(distinct record_id), count(*) from ops.writeback_log").fetchone() == (
        800,
        800,
    )
    assert con.execute("select count(distinct record_id) from ops.written_values").fetchone() == (800,)
    con.close()
    # What arrived unrecorded is counted as written, the rest sent once: 8 calls of 100 in all.
    assert summary.recovered == 100 * (sent_before - done_before)
    assert summary.written == 800 - 100 * sent_before
    total = update_calls(box)
    assert total == 8, f"{total} batch calls for 800 records ({sent_before} before the kill): {ledger}"
    values = {
        c.properties["leadflow_score"]
        for c in hs_client(box).crm.contacts.get_all(properties=["leadflow_score"])
        if c.id in set(contacts)
    }
    assert values == {"33"}
