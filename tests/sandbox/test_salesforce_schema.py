"""Salesforce sandbox: versions, describes, and custom fields made through the Tooling API."""

from __future__ import annotations

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from connectors.salesforce.settings import WRITEBACK_FIELDS
from connectors.sandbox import Sandbox
from connectors.sandbox.salesforce.schema import Schema
from tests import clients

OBJECTS = {
    "User",
    "Account",
    "Lead",
    "Contact",
    "Campaign",
    "CampaignMember",
    "Task",
    "Event",
    "Opportunity",
    "OpportunityContactRole",
    "LeadHistory",
}


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    with Sandbox(tmp_path_factory.mktemp("sfschema")) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def sf(box) -> Salesforce:
    return clients.salesforce(box)


def fields_of(sf: Salesforce, obj: str) -> dict[str, dict]:
    return {f["name"]: f for f in getattr(sf, obj).describe()["fields"]}


def test_versions_are_listed_without_a_session(box):
    session = requests.Session()
    session.verify, session.trust_env = str(box.ca_path), False
    answer = session.get(f"{box.url('salesforce')}/services/data/")
    assert answer.status_code == 200
    versions = {v["version"]: v for v in answer.json()}
    assert versions["59.0"] == {"label": "Winter '24", "url": "/services/data/v59.0", "version": "59.0"}
    assert versions["61.0"]["label"] == "Summer '24" and versions["62.0"]["label"] == "Winter '25"


def test_unknown_api_version_is_not_found(sf):
    answer = sf.session.get(sf.base_url.replace("v59.0", "v19.0") + "limits/", headers=sf.headers)
    assert answer.status_code == 404 and answer.json()[0]["errorCode"] == "NOT_FOUND"


def test_global_describe_lists_the_objects_with_key_prefixes(sf):
    described = sf.describe()
    assert described["encoding"] == "UTF-8" and described["maxBatchSize"] == 200
    entries = {o["name"]: o for o in described["sobjects"]}
    assert set(entries) == OBJECTS
    assert entries["Lead"]["keyPrefix"] == "00Q" and entries["CampaignMember"]["keyPrefix"] == "00v"
    assert entries["Task"]["keyPrefix"] == "00T" and entries["Event"]["keyPrefix"] == "00U"
    assert entries["Lead"]["urls"]["describe"] == "/services/data/v59.0/sobjects/Lead/describe"
    assert entries["LeadHistory"]["createable"] is False and entries["Lead"]["queryable"] is True


def test_object_resource_answers_the_object_entry(sf):
    info = sf.Lead.metadata()
    assert info["objectDescribe"]["name"] == "Lead" and info["recentItems"] == []


def test_lead_describe_has_types_flags_and_picklists(sf):
    fields = fields_of(sf, "Lead")
    assert list(fields)[0] == "Id" and fields["Id"]["type"] == "id"
    status = fields["Status"]
    assert (
        status["type"] == "picklist" and status["restrictedPicklist"] is True and status["nillable"] is False
    )
    assert [v["value"] for v in status["picklistValues"]] == [
        "Open - Not Contacted",
        "Working - Contacted",
        "Qualified",
        "Closed - Converted",
        "Closed - Not Converted",
    ]
    assert fields["Industry"]["restrictedPicklist"] is False
    assert (fields["Name"]["createable"], fields["Name"]["updateable"]) == (False, False)
    assert (fields["IsConverted"]["type"], fields["IsConverted"]["createable"]) == ("boolean", False)
    assert fields["LastName"]["nillable"] is False and fields["LastName"]["length"] == 80
    assert (
        fields["OwnerId"]["referenceTo"] == ["Group", "User"]
        and fields["OwnerId"]["relationshipName"] == "Owner"
    )
    assert fields["NumberOfEmployees"]["type"] == "int" and fields["AnnualRevenue"]["type"] == "currency"
    assert fields["Email"]["type"] == "email" and fields["ConvertedDate"]["type"] == "date"
    assert fields["SystemModstamp"]["type"] == "datetime" and fields["SystemModstamp"]["updateable"] is False
    assert all(f["custom"] is False for f in fields.values())


@pytest.mark.parametrize(
    ("obj", "present", "absent"),
    [
        ("Contact", {"AccountId", "MailingCountry", "Department", "HasOptedOutOfEmail"}, {"Company"}),
        ("Account", {"Name", "Website", "BillingCountry", "Type", "OwnerId"}, {"LastName"}),
        ("User", {"Username", "IsActive", "TimeZoneSidKey", "Country", "Department"}, {"OwnerId"}),
        ("Campaign", {"Name", "Type", "Status", "StartDate", "EndDate", "IsActive"}, set()),
        (
            "CampaignMember",
            {"CampaignId", "LeadId", "ContactId", "HasResponded", "FirstRespondedDate"},
            set(),
        ),
        ("Task", {"WhoId", "WhatId", "TaskSubtype", "ActivityDate", "Priority"}, set()),
        ("Event", {"WhoId", "WhatId", "EventSubtype", "StartDateTime", "DurationInMinutes"}, {"Status"}),
        ("Opportunity", {"StageName", "Amount", "CloseDate", "IsClosed", "IsWon", "Probability"}, set()),
        ("OpportunityContactRole", {"OpportunityId", "ContactId", "Role", "IsPrimary"}, set()),
        ("LeadHistory", {"LeadId", "Field", "OldValue", "NewValue", "CreatedDate"}, {"SystemModstamp"}),
    ],
)
def test_objects_carry_their_standard_fields(sf, obj, present, absent):
    fields = fields_of(sf, obj)
    assert present <= set(fields) and not (absent & set(fields))
    assert {"Id", "IsDeleted", "CreatedDate", "CreatedById"} <= set(fields)


def tooling(sf: Salesforce, body: dict):
    return sf.toolingexecute("sobjects/CustomField/", method="POST", data=body)


def test_leadflow_custom_fields_join_describe_queries_and_writes(sf):
    for obj in ("Lead", "Contact"):
        for spec in WRITEBACK_FIELDS:
            answer = tooling(sf, spec.metadata(obj))
            assert answer["success"] is True and answer["id"].startswith("00N") and answer["errors"] == []
    fields = fields_of(sf, "Contact")
    assert fields["Lead_Score__c"]["type"] == "double" and fields["Lead_Score__c"]["custom"] is True
    assert (fields["Lead_Score__c"]["precision"], fields["Lead_Score__c"]["scale"]) == (5, 0)
    tier = fields["Lead_Tier__c"]
    assert tier["restrictedPicklist"] is True and [v["value"] for v in tier["picklistValues"]] == [
        "Cold",
        "Warm",
        "Hot",
    ]
    assert fields["MQL_Date__c"]["type"] == "date"
    rid = sf.Contact.create({"LastName": "Scored"})["id"]
    assert sf.Contact.get(rid)["Lead_Score__c"] is None
    sf.Contact.update(
        rid,
        {
            "Lead_Score__c": 87.4,
            "Lead_Tier__c": "Hot",
            "MQL_Date__c": "2026-01-31",
            "Lifecycle_Stage__c": "MQL",
        },
    )
    found = sf.query(
        "SELECT Id, Lead_Score__c, Lead_Tier__c, MQL_Date__c FROM Contact "
        "WHERE Lead_Score__c >= 87 AND MQL_Date__c = 2026-01-31 AND Lead_Tier__c = 'hot'"
    )
    assert [(r["Id"], r["Lead_Score__c"], r["Lead_Tier__c"]) for r in found["records"]] == [
        (rid, 87.0, "Hot")
    ]
    for bad, code in (
        ({"Lead_Tier__c": "Lukewarm"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"),
        ({"Lead_Score__c": 100000}, "NUMBER_OUTSIDE_VALID_RANGE"),
        ({"SQL_Date__c": "31/01/2026"}, "JSON_PARSER_ERROR"),
    ):
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.Contact.update(rid, bad)
        assert caught.value.content[0]["errorCode"] == code


def test_text_checkbox_and_datetime_custom_fields(sf):
    for name, meta in (
        ("Note__c", {"type": "Text", "length": 5}),
        ("Flag__c", {"type": "Checkbox"}),
        ("Seen_At__c", {"type": "DateTime"}),
    ):
        tooling(sf, {"FullName": f"Account.{name}", "Metadata": {"label": name[:-3], **meta}})
    rid = sf.Account.create({"Name": "Custom Co", "Note__c": "hi", "Seen_At__c": "2026-01-31T10:00:00Z"})[
        "id"
    ]
    got = sf.Account.get(rid)
    assert got["Flag__c"] is False and got["Seen_At__c"] == "2026-01-31T10:00:00.000+0000"
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Account.update(rid, {"Note__c": "too long"})
    assert caught.value.content[0]["errorCode"] == "STRING_TOO_LONG"
    assert sf.query("SELECT COUNT() FROM Account WHERE Flag__c = false")["totalSize"] == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            {
                "FullName": "Lead.Lead_Score__c",
                "Metadata": {"label": "Again", "type": "Number", "precision": 3},
            },
            "DUPLICATE_DEVELOPER_NAME",
        ),
        (
            {"FullName": "Lead.NoSuffix", "Metadata": {"label": "x", "type": "Text", "length": 5}},
            "INVALID_FIELD",
        ),
        (
            {"FullName": "Lead.Bad__Name__c", "Metadata": {"label": "x", "type": "Text", "length": 5}},
            "INVALID_FIELD",
        ),
        (
            {"FullName": "Nope.X__c", "Metadata": {"label": "x", "type": "Text", "length": 5}},
            "FIELD_INTEGRITY_EXCEPTION",
        ),
        (
            {"FullName": "Lead.X__c", "Metadata": {"label": "x", "type": "Number"}},
            "FIELD_INTEGRITY_EXCEPTION",
        ),
        (
            {"FullName": "Lead.X__c", "Metadata": {"label": "x", "type": "Picklist"}},
            "FIELD_INTEGRITY_EXCEPTION",
        ),
        (
            {"FullName": "Lead.X__c", "Metadata": {"label": "x", "type": "Hologram"}},
            "FIELD_INTEGRITY_EXCEPTION",
        ),
        ({"FullName": "Lead.X__c"}, "REQUIRED_FIELD_MISSING"),
    ],
)
def test_bad_custom_field_requests_are_refused(sf, body, code):
    if "Lead_Score__c" not in fields_of(sf, "Lead"):  # the duplicate case needs it to exist
        tooling(
            sf,
            {"FullName": "Lead.Lead_Score__c", "Metadata": {"label": "S", "type": "Number", "precision": 5}},
        )
    with pytest.raises(SalesforceMalformedRequest) as caught:
        tooling(sf, body)
    assert caught.value.content[0]["errorCode"] == code
    assert "X__c" not in fields_of(sf, "Lead")


def test_custom_fields_are_kept_in_the_store(box, sf):
    tooling(
        sf,
        {"FullName": "Opportunity.Kept__c", "Metadata": {"label": "Kept", "type": "Number", "precision": 4}},
    )
    reread = Schema(box.store)  # what a restarted sandbox on the same directory sees
    kept = reread.field(reread.get("Opportunity"), "kept__c")
    assert kept is not None and (kept.type, kept.precision, kept.custom) == ("double", 4, True)
