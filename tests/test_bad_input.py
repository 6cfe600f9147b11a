"""The bad-input corpus (tests/bad_input.py) through a nightly: nothing crashes, each case ends as expected.

A small synthetic company and the corpus go into one sandbox, through the vendor clients (or the
sandbox's loader where no API can set the value); then a real nightly (extract, dbt build,
write-back) runs, with the `rejected` cases deleted in the CRMs between the build and the
write-back, and a second nightly after it. Every case is asserted on its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import pytest
from hubspot.crm.companies import SimplePublicObjectInputForCreate as CompanyInput
from hubspot.crm.contacts import BatchReadInputSimplePublicObjectId
from hubspot.crm.contacts import SimplePublicObjectInputForCreate as ContactInput
from simple_salesforce import format_soql
from simple_salesforce.exceptions import SalesforceError

from connectors.sandbox import Sandbox, SandboxSettings
from connectors.sandbox.admin import SandboxAdmin
from connectors.sandbox.seed import generate
from tests import clients
from tests.bad_input import CASES, HUBSPOT_OPTIONS_ADDED, Case

FAST = SandboxSettings(hubspot_requests_per_10s=5000, hubspot_search_per_second=500)
PERSON_OBJECTS = {"Lead", "Contact", "contacts"}
SCORE_FIELD = {"salesforce": "Lead_Score__c", "hubspot": "leadflow_score"}
# The people mart's column a record's text field ends up in (the record being the person's only one).
PERSON_COLUMN = {
    "FirstName": "first_name",
    "firstname": "first_name",
    "LastName": "last_name",
    "lastname": "last_name",
    "Company": "company_name",
    "company": "company_name",
    "Title": "title",
    "jobtitle": "title",
    "Country": "country",
    "country": "country",
    "MailingCountry": "country",
    "Industry": "industry",
    "LeadSource": "lead_source",
}
RAW_TABLE = {
    "Lead": "raw_salesforce.lead",
    "Contact": "raw_salesforce.contact",
    "Account": "raw_salesforce.account",
    "contacts": "raw_hubspot.contacts",
    "companies": "raw_hubspot.companies",
}


@dataclass
class Outcome:
    ids: dict[str, str] = field(default_factory=dict)  # case id -> record id in the CRM
    refusals: dict[str, str] = field(default_factory=dict)  # case id -> the vendor's answer
    runs: list[dict] = field(default_factory=list)
    persons: dict[tuple[str, str], str] = field(default_factory=dict)  # (vendor, record id) -> person
    people: dict[str, dict] = field(default_factory=dict)
    quarantine: list[dict] = field(default_factory=list)
    rejects: dict[tuple[str, str], dict] = field(default_factory=dict)
    raw: dict[tuple[str, str], dict] = field(default_factory=dict)  # (object, record id) -> record
    crm_scores: dict[str, object] = field(default_factory=dict)  # record id -> score read back


def _create(box: Sandbox, case: Case) -> str:
    record = case.record()
    if case.vendor == "salesforce":
        return getattr(clients.salesforce(box), case.object).create(record)["id"]
    api = clients.hubspot(box).crm
    if case.object == "contacts":
        return api.contacts.basic_api.create(ContactInput(properties=record)).id
    return api.companies.basic_api.create(CompanyInput(properties=record)).id


def _add_hubspot_options(box: Sandbox) -> None:
    from hubspot.crm.properties import PropertyUpdate

    api = clients.hubspot(box).crm.properties.core_api
    for name, option in HUBSPOT_OPTIONS_ADDED.items():
        options = api.get_by_name("contacts", name).options
        update = PropertyUpdate(options=[*[o.to_dict() for o in options], {**option, "hidden": False}])
        api.update("contacts", name, property_update=update)


def _seed(box: Sandbox, outcome: Outcome) -> None:
    _add_hubspot_options(box)
    loads = []
    for case in CASES:
        if case.via == "load":
            loads.append({"vendor": case.vendor, "object": case.object, "record": case.record()})
            outcome.ids[case.id] = case.record_id
            continue
        try:
            outcome.ids[case.id] = _create(box, case)
        except SalesforceError as err:
            outcome.refusals[case.id] = json.dumps(err.content)
        except Exception as err:  # each hubspot API module has its own ApiException
            if getattr(err, "status", None) is None:
                raise
            outcome.refusals[case.id] = err.body
    SandboxAdmin(box.directory).load(loads)


def _delete(box: Sandbox, outcome: Outcome) -> None:
    for case in CASES:
        if case.expect == "rejected":
            rid = outcome.ids[case.id]
            if case.vendor == "salesforce":
                getattr(clients.salesforce(box), case.object).delete(rid)
            else:
                clients.hubspot(box).crm.contacts.basic_api.archive(rid)


def _records(con, sql: str, params=()) -> list[dict]:
    cur = con.execute(sql, params)
    names = [c[0] for c in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _read_warehouse(path, outcome: Outcome) -> None:
    # dbt-duckdb keeps its connection open in this process: join it with the same settings.
    con = duckdb.connect(str(path))
    try:
        for row in _records(con, "select vendor, record_id, person_id from main.int_people_records"):
            outcome.persons[(row["vendor"], row["record_id"])] = row["person_id"]
        people = "select p.*, u.industry from main.people p join main.int_people_unified u using (person_id)"
        outcome.people = {p["person_id"]: p for p in _records(con, people)}
        outcome.quarantine = _records(con, "select * from main.quarantine")
        for row in _records(con, "select * from ops.rejects"):
            outcome.rejects[(row["vendor"], row["record_id"])] = row
        for obj, table in RAW_TABLE.items():
            for rid, record in con.execute(f"select id, record from {table}").fetchall():
                outcome.raw[(obj, rid)] = json.loads(record)
    finally:
        con.close()


def _read_back_scores(box: Sandbox, outcome: Outcome) -> None:
    """Each person record's score as the CRM holds it after the run, through the vendor clients."""
    sf, hs = clients.salesforce(box), clients.hubspot(box)
    for obj in ("Lead", "Contact"):
        ids = [outcome.ids[c.id] for c in CASES if c.object == obj and c.id in outcome.ids]
        soql = format_soql("SELECT Id, Lead_Score__c FROM {:literal} WHERE Id IN {}", obj, ids)
        for record in sf.query_all(soql)["records"]:
            outcome.crm_scores[record["Id"]] = record["Lead_Score__c"]
    ids = [outcome.ids[c.id] for c in CASES if c.object == "contacts" and c.id in outcome.ids]
    answer = hs.crm.contacts.batch_api.read(
        BatchReadInputSimplePublicObjectId(inputs=[{"id": i} for i in ids], properties=["leadflow_score"])
    )
    for contact in answer.results:
        outcome.crm_scores[contact.id] = contact.properties.get("leadflow_score")


@pytest.fixture(scope="module")
def outcome(tmp_path_factory, prefect_harness) -> Outcome:
    import flows.nightly as nightly_module

    found = Outcome()
    path = tmp_path_factory.mktemp("duck") / "leadflow.duckdb"
    with Sandbox(tmp_path_factory.mktemp("corpus"), settings=FAST) as box, pytest.MonkeyPatch.context() as mp:
        SandboxAdmin(box.directory).load(generate(people=30, seed=12))
        _seed(box, found)
        for key, value in box.env.items():
            mp.setenv(key, value)
        mp.setenv("LEADFLOW_DUCKDB_PATH", str(path))
        mp.setenv("LEADFLOW_WRITEBACK_BACKOFF", "0.05")
        real_build = nightly_module.build

        def build_then_delete(**kwargs):
            built = real_build(**kwargs)
            _delete(box, found)  # the queue holds them; the CRMs do not any more
            return built

        mp.setattr(nightly_module, "build", build_then_delete)
        today = datetime.now(UTC).date()
        found.runs.append(nightly_module.nightly(as_of=today))
        mp.setattr(nightly_module, "build", real_build)
        found.runs.append(nightly_module.nightly(as_of=today))
        _read_warehouse(path, found)
        _read_back_scores(box, found)
    return found


def test_the_corpus_is_big_enough_and_covers_every_kind():
    assert len(CASES) >= 50
    kinds = {c.expect.split(":")[0] for c in CASES}
    assert kinds == {"flows", "refused", "quarantined", "merged", "rejected"}


def test_neither_run_crashes_and_good_records_flow(outcome):
    first, second = outcome.runs
    assert first["build"]["success"] and second["build"]["success"]
    assert first["writeback"]["written"] > 30  # the synthetic company's people are scored and written
    # The second run has nothing left to write but what the CRMs refused.
    assert second["writeback"]["written"] == 0, second["writeback"]


def test_placeholder_addresses_do_not_make_strangers_one_person(outcome):
    twins = [c for c in CASES if c.id in ("email-na-1", "email-na-2")]
    persons = {outcome.persons[("salesforce", outcome.ids[c.id])] for c in twins}
    assert len(persons) == 2


def test_salesforce_duplicates_are_one_person_and_named(outcome):
    twins = [outcome.ids[c.id] for c in CASES if c.expect == "merged:twice"]
    named = {q["record_id"] for q in outcome.quarantine if q["reason"] == "duplicate_email"}
    assert set(twins) <= named


def test_only_the_corpus_is_quarantined(outcome):
    corpus = set(outcome.ids.values())
    assert outcome.quarantine, "the quarantine is empty"
    strays = [q for q in outcome.quarantine if q["record_id"] not in corpus]
    assert strays == []  # the synthetic company's good records are not named


def test_every_quarantined_row_names_its_field_value_and_reason(outcome):
    reasons = {c.expect.partition(":")[2] for c in CASES if c.expect.startswith("quarantined:")}
    assert {q["reason"] for q in outcome.quarantine} == reasons | {"duplicate_email"}
    assert all(q["field_name"] and q["raw_value"] is not None for q in outcome.quarantine)


def _assert_flows(outcome: Outcome, case: Case) -> None:
    rid = outcome.ids[case.id]
    if case.object in RAW_TABLE:
        raw = outcome.raw[(case.object, rid)]
        held = raw.get("properties", raw) if case.vendor == "hubspot" else raw
        if isinstance(case.value, str) and case.value:
            assert held.get(case.field) == case.value, (case.field, held.get(case.field))
    if case.object not in PERSON_OBJECTS:
        return
    person = outcome.people[outcome.persons[(case.vendor, rid)]]
    assert person["score"] is not None
    score = outcome.crm_scores.get(rid)
    assert score is not None and float(score) == person["score"], (rid, score, person["score"])
    column = PERSON_COLUMN.get(case.field or "")
    if column and isinstance(case.value, str) and case.value:
        assert person[column] == case.value, (column, person[column])


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(outcome, case):
    kind, _, detail = case.expect.partition(":")
    rid = outcome.ids.get(case.id)
    mine = (
        [q for q in outcome.quarantine if q["record_id"] == rid and q["object_type"] == case.object]
        if rid
        else []
    )
    if kind == "refused":
        assert case.id in outcome.refusals, f"the vendor took it: {rid}"
        assert detail in outcome.refusals[case.id]
        return
    assert case.id not in outcome.refusals, outcome.refusals.get(case.id)
    if kind == "flows":
        _assert_flows(outcome, case)
        assert mine == [], mine
    elif kind == "quarantined":
        reasons = {(q["field_name"], q["reason"]) for q in mine}
        assert (case.field, detail) in reasons, mine
        row = next(q for q in mine if q["reason"] == detail)
        assert row["vendor"] == case.vendor
        if isinstance(case.value, str):
            assert row["raw_value"] == case.value
        if case.object in PERSON_OBJECTS:
            _assert_flows(outcome, case)
    elif kind in ("merged", "apart"):
        group = [c for c in CASES if c.expect == case.expect]
        persons = {outcome.persons[(c.vendor, outcome.ids[c.id])] for c in group}
        assert len(persons) == (1 if kind == "merged" else len(group)), persons
        _assert_flows(outcome, case)
    elif kind == "rejected":
        reject = outcome.rejects.get((case.vendor, rid))
        assert reject is not None, "the refusal was dropped"
        assert reject["code"] in ("ENTITY_IS_DELETED", "OBJECT_NOT_FOUND") and reject["message"]
        # The second run saw the record gone (nothing left to write): closed, and kept.
        assert reject["resolved_at"] is not None
    else:
        raise AssertionError(f"unknown expectation {case.expect}")
