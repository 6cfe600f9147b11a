"""Salesforce sandbox: the admin loader stores records as given, assigns ids, and names bad input."""

from __future__ import annotations

import pytest
from simple_salesforce import Salesforce

from connectors.sandbox import Sandbox
from connectors.sandbox.admin import SandboxAdmin
from connectors.sandbox.salesforce.ids import is_valid, object_id
from connectors.sandbox.salesforce.times import parse_datetime_ms
from tests import clients


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    with Sandbox(tmp_path_factory.mktemp("sfload")) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def sf(box) -> Salesforce:
    return clients.salesforce(box)


def line(obj: str, record: dict) -> dict:
    return {"vendor": "salesforce", "object": obj, "record": record}


def test_records_come_back_exactly_as_loaded_with_system_fields(box, sf):
    record = {
        "Id": object_id("Contact", 5),
        "FirstName": "Lin",
        "LastName": "Ma",
        "Email": "lin@ma.example",
        "CreatedDate": "2025-11-02T10:00:00.000+0000",
        "LastModifiedDate": "2026-01-05T12:30:00.000+0000",
        "SystemModstamp": "2026-01-05T12:30:00.000+0000",
        "CreatedById": object_id("User", 1),
    }
    counts = SandboxAdmin(box.directory).load([line("Contact", record)])
    assert counts["salesforce"] == {"Contact": 1}
    got = sf.Contact.get(record["Id"])
    for key, value in record.items():
        assert got[key] == value, key
    assert got["Name"] == "Lin Ma" and got["IsDeleted"] is False and got["HasOptedOutOfEmail"] is False
    assert got["AccountId"] is None
    stored = box.store.get("salesforce", "Contact", record["Id"])
    assert stored.created == parse_datetime_ms(record["CreatedDate"])
    assert stored.modstamp == parse_datetime_ms(record["SystemModstamp"])


def test_missing_ids_are_assigned_and_new_ids_never_collide(box, sf):
    given = [{"Id": object_id("Account", n), "Name": f"Given {n}"} for n in (1, 2, 40)]
    ids = box.apps["salesforce"].load("Account", [*given, {"Name": "No id"}])
    assert ids[:3] == [g["Id"] for g in given]
    assert ids[3].startswith("001") and is_valid(ids[3]) and ids[3] not in ids[:3]
    created = sf.Account.create({"Name": "Made by the API"})["id"]
    assert created not in ids
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 5


def test_load_is_an_upsert_and_keeps_deleted_flags(box, sf):
    rid = object_id("Lead", 77)
    app = box.apps["salesforce"]
    app.load("Lead", [{"Id": rid, "LastName": "Old", "Company": "A"}])
    app.load(
        "Lead",
        [
            {
                "Id": rid,
                "LastName": "New",
                "Company": "A",
                "IsDeleted": True,
                "SystemModstamp": "2026-01-01T00:00:00Z",
            }
        ],
    )
    found = sf.query_all(
        f"SELECT LastName, IsDeleted, SystemModstamp FROM Lead WHERE Id = '{rid}'", include_deleted=True
    )["records"]
    assert [(r["LastName"], r["IsDeleted"], r["SystemModstamp"]) for r in found] == [
        ("New", True, "2026-01-01T00:00:00.000+0000")
    ]
    assert sf.query(f"SELECT COUNT() FROM Lead WHERE Id = '{rid}'")["totalSize"] == 0


def test_history_rows_load_without_modification_fields(box, sf):
    lead = object_id("Lead", 78)
    box.apps["salesforce"].load(
        "LeadHistory",
        [
            {
                "LeadId": lead,
                "Field": "Status",
                "OldValue": "Open - Not Contacted",
                "NewValue": "Qualified",
                "CreatedDate": "2026-01-07T09:00:00.000+0000",
            }
        ],
    )
    rows = sf.query(
        f"SELECT Field, NewValue, CreatedDate FROM LeadHistory WHERE LeadId = '{lead}' "
        "AND CreatedDate >= 2026-01-07T00:00:00Z"
    )["records"]
    assert [(r["Field"], r["NewValue"], r["CreatedDate"]) for r in rows] == [
        ("Status", "Qualified", "2026-01-07T09:00:00.000+0000")
    ]


@pytest.mark.parametrize(
    ("obj", "record", "error", "words"),
    [
        ("Leads", {"LastName": "x"}, KeyError, ["unknown Salesforce object 'Leads'"]),
        ("Lead", {"Id": object_id("Lead", 9), "LastNam": "x"}, KeyError, ["Lead record #0", "'LastNam'"]),
        ("Lead", {"Id": object_id("Contact", 9), "LastName": "x"}, ValueError, ["field 'Id'", "prefix 00Q"]),
        ("Lead", {"LastName": "x", "CreatedDate": "yesterday"}, ValueError, ["'CreatedDate'", "yesterday"]),
    ],
)
def test_bad_records_are_refused_naming_record_and_field(box, obj, record, error, words):
    with pytest.raises(error) as caught:
        box.apps["salesforce"].load(obj, [record])
    for word in words:
        assert word in str(caught.value)


def test_admin_endpoint_answers_400_with_the_reason(box):
    admin = SandboxAdmin(box.directory)
    with pytest.raises(RuntimeError) as caught:
        admin.load([line("Lead", {"LastName": "x", "Bogus__c": 1})])
    assert "400" in str(caught.value) and "Bogus__c" in str(caught.value)
