"""Salesforce sandbox: the calendar Event through describe, writes, SOQL, queryAll, the loader and Bulk."""

from __future__ import annotations

import csv
import io
import re

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from connectors.sandbox import Sandbox
from connectors.sandbox.admin import SandboxAdmin
from connectors.sandbox.salesforce.ids import is_valid, object_id
from tests import clients

STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")
OWNER = object_id("User", 31)
STANDARD_FIELDS = {
    "Id",
    "WhoId",
    "WhatId",
    "OwnerId",
    "Subject",
    "Type",
    "EventSubtype",
    "StartDateTime",
    "EndDateTime",
    "ActivityDateTime",
    "ActivityDate",
    "DurationInMinutes",
    "IsDeleted",
    "CreatedDate",
    "LastModifiedDate",
    "SystemModstamp",
    "CreatedById",
}


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    with Sandbox(tmp_path_factory.mktemp("sfevents")) as sandbox:
        sandbox.apps["salesforce"].load(
            "User",
            [{"Id": OWNER, "Username": "rep@acme.example", "LastName": "Rep", "Email": "rep@acme.example"}],
        )
        yield sandbox


@pytest.fixture(scope="module")
def sf(box) -> Salesforce:
    return clients.salesforce(box)


@pytest.fixture(scope="module")
def contact(sf) -> tuple[str, str]:
    """(account id, contact id) of a contact the meetings are with."""
    account = sf.Account.create({"Name": "Meeting Co"})["id"]
    return account, sf.Contact.create({"LastName": "Attendee", "AccountId": account})["id"]


def error_code(call) -> str:
    with pytest.raises(SalesforceMalformedRequest) as caught:
        call()
    return caught.value.content[0]["errorCode"]


def test_describe_lists_event_with_its_key_prefix_and_standard_fields(sf):
    entries = {o["name"]: o for o in sf.describe()["sobjects"]}
    assert entries["Event"]["keyPrefix"] == "00U" and entries["Event"]["labelPlural"] == "Events"
    fields = {f["name"]: f for f in sf.Event.describe()["fields"]}
    assert set(fields) >= STANDARD_FIELDS
    assert list(fields)[0] == "Id" and fields["Id"]["type"] == "id"
    subtype = fields["EventSubtype"]
    assert [v["value"] for v in subtype["picklistValues"]] == ["Event"]
    assert subtype["restrictedPicklist"] is True and subtype["updateable"] is False
    assert fields["DurationInMinutes"]["type"] == "int" and fields["ActivityDate"]["type"] == "date"
    assert {fields[n]["type"] for n in ("StartDateTime", "EndDateTime", "ActivityDateTime")} == {"datetime"}
    assert (
        fields["WhoId"]["referenceTo"] == ["Contact", "Lead"] and fields["WhoId"]["relationshipName"] == "Who"
    )
    assert fields["AccountId"]["createable"] is False and fields["SystemModstamp"]["updateable"] is False


def test_create_fills_end_activity_date_subtype_and_account(sf, contact):
    account, who = contact
    rid = sf.Event.create(
        {"WhoId": who, "Subject": "Meeting", "StartDateTime": "2026-02-03T15:00:00Z", "DurationInMinutes": 45}
    )["id"]
    assert rid.startswith("00U") and is_valid(rid)
    got = sf.Event.get(rid)
    assert got["attributes"]["type"] == "Event"
    assert got["StartDateTime"] == got["ActivityDateTime"] == "2026-02-03T15:00:00.000+0000"
    assert got["EndDateTime"] == "2026-02-03T15:45:00.000+0000" and got["DurationInMinutes"] == 45
    assert got["ActivityDate"] == "2026-02-03" and got["EventSubtype"] == "Event"
    assert got["AccountId"] == account and got["OwnerId"].startswith("005") and got["IsDeleted"] is False
    assert STAMP.match(got["CreatedDate"]) and got["SystemModstamp"] == got["LastModifiedDate"]


def test_an_end_time_gives_the_duration_and_a_moved_start_keeps_it(sf, contact):
    _, who = contact
    rid = sf.Event.create(
        {"WhoId": who, "StartDateTime": "2026-02-04T09:00:00Z", "EndDateTime": "2026-02-04T10:30:00Z"}
    )["id"]
    assert sf.Event.get(rid)["DurationInMinutes"] == 90
    before = sf.Event.get(rid)
    assert sf.Event.update(rid, {"StartDateTime": "2026-02-05T13:00:00Z"}) == 204
    moved = sf.Event.get(rid)
    assert moved["EndDateTime"] == "2026-02-05T14:30:00.000+0000" and moved["ActivityDate"] == "2026-02-05"
    assert moved["SystemModstamp"] > before["SystemModstamp"]
    sf.Event.update(rid, {"EndDateTime": "2026-02-05T13:20:00Z"})
    assert sf.Event.get(rid)["DurationInMinutes"] == 20
    assert (
        error_code(lambda: sf.Event.update(rid, {"EventSubtype": "Event"}))
        == "INVALID_FIELD_FOR_INSERT_UPDATE"
    )


def test_all_day_events_last_a_day_from_midnight(sf, contact):
    _, who = contact
    rid = sf.Event.create({"WhoId": who, "IsAllDayEvent": True, "ActivityDate": "2026-02-10"})["id"]
    got = sf.Event.get(rid)
    assert got["StartDateTime"] == "2026-02-10T00:00:00.000+0000" and got["ActivityDateTime"] is None
    assert got["DurationInMinutes"] == 1440 and got["EndDateTime"] == "2026-02-11T00:00:00.000+0000"


AT = {"StartDateTime": "2026-02-03T15:00:00Z"}
HALF_HOUR = {**AT, "DurationInMinutes": 30}


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        (AT, "REQUIRED_FIELD_MISSING", "DurationInMinutes"),
        ({"DurationInMinutes": 30}, "REQUIRED_FIELD_MISSING", "StartDateTime"),
        ({**AT, "EndDateTime": "2026-02-03T14:00:00Z"}, "FIELD_INTEGRITY_EXCEPTION", "EndDateTime"),
        (
            {**HALF_HOUR, "EndDateTime": "2026-02-03T16:00:00Z"},
            "FIELD_INTEGRITY_EXCEPTION",
            "DurationInMinutes",
        ),
        ({**AT, "DurationInMinutes": 30000}, "FIELD_INTEGRITY_EXCEPTION", "DurationInMinutes"),
        ({**HALF_HOUR, "EventSubtype": "Task"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "EventSubtype"),
        (
            {**HALF_HOUR, "AccountId": object_id("Account", 1)},
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            "AccountId",
        ),
        ({**HALF_HOUR, "WhoId": object_id("Task", 1)}, "MALFORMED_ID", "WhoId"),
    ],
)
def test_bad_events_are_refused_naming_the_field(sf, body, code, field):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Event.create(body)
    error = caught.value.content[0]
    assert error["errorCode"] == code and field in error["fields"]


def test_a_past_meeting_moves_last_activity_and_only_the_system_modstamp(sf):
    lead = sf.Lead.create({"LastName": "Met", "Company": "Acme"})["id"]
    before = sf.Lead.get(lead)
    sf.Event.create({"WhoId": lead, "StartDateTime": "2026-01-20T10:00:00Z", "DurationInMinutes": 30})
    sf.Event.create({"WhoId": lead, "StartDateTime": "2099-01-20T10:00:00Z", "DurationInMinutes": 30})
    after = sf.Lead.get(lead)
    assert after["LastActivityDate"] == "2026-01-20"  # the future meeting has not happened yet
    assert after["SystemModstamp"] > before["SystemModstamp"]
    assert after["LastModifiedDate"] == before["LastModifiedDate"]


def test_soql_filters_orders_and_query_all_keeps_deleted_events(sf):
    lead = sf.Lead.create({"LastName": "Booked", "Company": "Acme"})["id"]
    made = [
        sf.Event.create(
            {
                "WhoId": lead,
                "Subject": f"Demo {n}",
                "StartDateTime": f"2026-03-0{n}T09:00:00Z",
                "DurationInMinutes": 30,
            }
        )["id"]
        for n in (3, 1, 2)
    ]
    soql = (
        f"SELECT Id, Subject, DurationInMinutes, EventSubtype FROM Event "
        f"WHERE WhoId = '{lead}' AND ActivityDate >= 2026-03-01 ORDER BY StartDateTime"
    )
    found = sf.query(soql)["records"]
    assert [r["Subject"] for r in found] == ["Demo 1", "Demo 2", "Demo 3"]
    assert found[0]["DurationInMinutes"] == 30 and found[0]["EventSubtype"] == "Event"
    assert sf.Event.delete(made[0]) == 204
    assert len(sf.query(soql)["records"]) == 2
    everything = sf.query_all(soql.replace("SELECT Id,", "SELECT Id, IsDeleted,"), include_deleted=True)
    assert [(r["Subject"], r["IsDeleted"]) for r in everything["records"]] == [
        ("Demo 1", False),
        ("Demo 2", False),
        ("Demo 3", True),
    ]


def test_loaded_events_come_back_exactly_as_given(box, sf):
    record = {
        "Id": object_id("Event", 5000),
        "WhoId": None,
        "OwnerId": OWNER,
        "Subject": "Product demo",
        "Type": "Meeting",
        "EventSubtype": "Event",
        "StartDateTime": "2025-11-02T10:00:00.000+0000",
        "EndDateTime": "2025-11-02T11:00:00.000+0000",
        "ActivityDateTime": "2025-11-02T10:00:00.000+0000",
        "ActivityDate": "2025-11-02",
        "DurationInMinutes": 60,
        "CreatedDate": "2025-10-30T08:00:00.000+0000",
        "LastModifiedDate": "2025-11-02T11:05:00.000+0000",
        "SystemModstamp": "2025-11-02T11:05:00.000+0000",
        "CreatedById": OWNER,
    }
    counts = SandboxAdmin(box.directory).load([{"vendor": "salesforce", "object": "Event", "record": record}])
    assert counts["salesforce"] == {"Event": 1}
    got = sf.Event.get(record["Id"])
    for key, value in record.items():
        assert got[key] == value, key
    assert got["IsDeleted"] is False and got["IsAllDayEvent"] is False
    with pytest.raises(KeyError, match=r"Event record #0 .*'Duration'"):
        box.apps["salesforce"].load("Event", [{"Duration": 5}])
    with pytest.raises(ValueError, match=r"field 'Id': not an Event id .*prefix 00U"):
        box.apps["salesforce"].load("Event", [{"Id": object_id("Task", 1)}])


def test_bulk_query_all_reads_events_as_csv(sf):
    lead = sf.Lead.create({"LastName": "Bulked", "Company": "Acme"})["id"]
    kept = sf.Event.create({"WhoId": lead, "StartDateTime": "2026-01-05T09:00:00Z", "DurationInMinutes": 15})[
        "id"
    ]
    gone = sf.Event.create({"WhoId": lead, "StartDateTime": "2026-01-06T09:00:00Z", "DurationInMinutes": 15})[
        "id"
    ]
    sf.Event.delete(gone)
    soql = f"SELECT Id, DurationInMinutes, EndDateTime, IsDeleted FROM Event WHERE WhoId = '{lead}'"
    rows = [r for page in sf.bulk2.Event.query_all(soql, wait=0) for r in csv.DictReader(io.StringIO(page))]
    assert {r["Id"]: r["IsDeleted"] for r in rows} == {kept: "false", gone: "true"}
    assert {r["DurationInMinutes"] for r in rows} == {"15"}
    live = [r for page in sf.bulk2.Event.query(soql, wait=0) for r in csv.DictReader(io.StringIO(page))]
    assert [r["Id"] for r in live] == [kept]
    assert next(r for r in live)["EndDateTime"].startswith("2026-01-05T09:15:00")
