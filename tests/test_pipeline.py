"""The nightly flow end to end: a seeded sandbox, the real vendor clients, fields read back."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest
from hubspot import HubSpot
from simple_salesforce import Salesforce

from connectors.sandbox import Sandbox
from connectors.sandbox.admin import SandboxAdmin
from connectors.sandbox.seed import generate
from tests import clients

PEOPLE = 300


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    with Sandbox(tmp_path_factory.mktemp("pipeline")) as box:
        SandboxAdmin(box.directory).load(generate(people=PEOPLE, seed=7))
        yield box


def salesforce(box: Sandbox) -> Salesforce:
    return clients.salesforce(box)


def hubspot(box: Sandbox) -> HubSpot:
    return clients.hubspot(box)


@pytest.fixture(scope="module")
def first_run(seeded, prefect_harness, tmp_path_factory):
    from flows.nightly import nightly

    path = tmp_path_factory.mktemp("duck") / "leadflow.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        for key, value in seeded.env.items():
            mp.setenv(key, value)
        mp.setenv("LEADFLOW_DUCKDB_PATH", str(path))
        # One run date for both: routing's clock is then the end of that day, so an SLA falling
        # due between the two runs cannot re-route anyone (the second must write nothing).
        today = datetime.now(UTC).date()
        first = nightly(as_of=today)
        second = nightly(as_of=today)
        yield {"first": first, "second": second, "duckdb": path, "box": seeded}


def people(path) -> dict[str, dict]:
    # dbt-duckdb keeps its connection open in this process: join it with the same settings.
    con = duckdb.connect(str(path))
    try:
        cur = con.execute("select * from main.people")
        cols = [c[0] for c in cur.description]
        return {row[0]: dict(zip(cols, row, strict=True)) for row in cur.fetchall()}
    finally:
        con.close()


def test_first_run_writes_every_person_and_second_writes_nothing(first_run):
    first, second = first_run["first"]["writeback"], first_run["second"]["writeback"]
    assert first["written"] > PEOPLE * 0.8  # most people have at least one CRM record
    assert first["rejected"] == 0, first["rejects"]
    assert second["records"] == 0 and second["written"] == 0 and second["calls"] == 0


def test_each_nightly_compacts_the_file_once_after_its_write_back(first_run):
    for run in (first_run["first"], first_run["second"]):
        assert run["compaction_seconds"] >= 0
        assert "compaction_seconds" not in run["build"]  # the build inside it leaves it to the nightly
    con = duckdb.connect(str(first_run["duckdb"]))
    try:
        compactions = con.execute("select count(*), count(seconds) from ops.compactions").fetchone()
        builds = con.execute("select count(*) from ops.builds").fetchone()[0]
    finally:
        con.close()
    assert compactions == (2, 2) and builds == 2


def test_the_summary_counts_owners_by_reason(first_run):
    routing = first_run["first"]["routing"]
    assert sum(routing["by_reason"].values()) > 0
    assert set(routing["by_reason"]) <= {
        "manual_owner",
        "current_owner",
        "account_owner",
        "territory",
        "segment",
        "round_robin",
        "rerouted_breach",
        "unassigned",
    }
    assert sum(row["people"] for row in routing["assigned"]) > 0


def test_second_run_reads_back_what_the_first_wrote(first_run):
    changed = {(r["source"], r["object"]): r["changed"] for r in first_run["second"]["extracted"]}
    # The write-back moved the modstamp of the records it wrote: they come back, nothing else.
    assert changed[("salesforce", "Lead")] > 0 and changed[("hubspot", "contacts")] > 0
    assert changed[("salesforce", "Account")] == 0 and changed[("hubspot", "companies")] == 0


def test_salesforce_records_carry_score_stage_and_owner(first_run):
    box, persons = first_run["box"], people(first_run["duckdb"])
    by_lead = {p["salesforce_lead_id"]: p for p in persons.values() if p.get("salesforce_lead_id")}
    sf = salesforce(box)
    leads = sf.query_all(
        "SELECT Id, Lead_Score__c, Fit_Score__c, Engagement_Score__c, Lead_Tier__c, "
        "Lifecycle_Stage__c, MQL_Date__c, OwnerId FROM Lead WHERE IsConverted = false"
    )["records"]
    assert leads
    checked = 0
    for lead in leads:
        person = by_lead.get(lead["Id"])
        if person is None:
            continue
        checked += 1
        assert lead["Lead_Score__c"] == person["score"]
        assert lead["Fit_Score__c"] == person["fit_score"]
        assert lead["Engagement_Score__c"] == person["engagement_score"]
        assert lead["Lead_Tier__c"] == person["tier"]
        if person["mql_at"] is not None:
            assert lead["MQL_Date__c"] == person["mql_at"].date().isoformat()
        if person["owner_salesforce_user_id"]:
            assert lead["OwnerId"] == person["owner_salesforce_user_id"]
    assert checked > 0


def test_hubspot_contacts_carry_score_stage_and_owner(first_run):
    box, persons = first_run["box"], people(first_run["duckdb"])
    by_contact = {p["hubspot_contact_id"]: p for p in persons.values() if p.get("hubspot_contact_id")}
    client = hubspot(box)
    ids = list(by_contact)[:100]
    from hubspot.crm.contacts import BatchReadInputSimplePublicObjectId

    answer = client.crm.contacts.batch_api.read(
        BatchReadInputSimplePublicObjectId(
            inputs=[{"id": i} for i in ids],
            properties=[
                "leadflow_score",
                "leadflow_tier",
                "lifecyclestage",
                "hubspot_owner_id",
                "leadflow_mql_date",
            ],
        )
    )
    assert len(answer.results) == len(ids)
    stages = {"mql": "marketingqualifiedlead", "sql": "salesqualifiedlead"}
    for contact in answer.results:
        person = by_contact[contact.id]
        props = contact.properties
        assert int(float(props["leadflow_score"])) == person["score"]
        assert props["leadflow_tier"] == person["tier"]
        if person["lifecycle_stage"] in stages:
            assert props["lifecyclestage"] == stages[person["lifecycle_stage"]]
        if person["owner_hubspot_owner_id"]:
            assert props["hubspot_owner_id"] == person["owner_hubspot_owner_id"]
