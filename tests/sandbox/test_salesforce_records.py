"""Salesforce sandbox: one-record create/get/update/delete, validation, derived fields, field history."""

from __future__ import annotations

import re

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

from connectors.sandbox import Sandbox
from connectors.sandbox.salesforce.ids import is_valid, object_id
from tests import clients

STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")
OWNER = object_id("User", 21)
CONVERTED = object_id("Lead", 900)


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    with Sandbox(tmp_path_factory.mktemp("sfrecords")) as sandbox:
        app = sandbox.apps["salesforce"]
        app.load(
            "User",
            [{"Id": OWNER, "Username": "o@acme.example", "LastName": "Owner", "Email": "o@acme.example"}],
        )
        app.load(
            "Lead",
            [
                {
                    "Id": CONVERTED,
                    "LastName": "Done",
                    "Company": "C",
                    "IsConverted": True,
                    "Status": "Closed - Converted",
                    "ConvertedDate": "2026-01-02",
                }
            ],
        )
        yield sandbox


@pytest.fixture(scope="module")
def sf(box) -> Salesforce:
    return clients.salesforce(box)


def raw(sf: Salesforce, method: str, path: str, **kwargs) -> requests.Response:
    return sf.session.request(method, sf.base_url + path, headers=sf.headers, **kwargs)


def test_create_answers_201_and_the_record_has_defaults_and_system_fields(sf):
    answer = raw(
        sf, "POST", "sobjects/Lead/", json={"FirstName": "Ada", "LastName": "Byron", "Company": "Acme"}
    )
    assert answer.status_code == 201
    body = answer.json()
    assert set(body) == {"id", "success", "errors"} and body["success"] is True and body["errors"] == []
    assert body["id"].startswith("00Q") and is_valid(body["id"])
    lead = sf.Lead.get(body["id"])
    assert lead["attributes"] == {"type": "Lead", "url": f"/services/data/v59.0/sobjects/Lead/{body['id']}"}
    assert lead["Name"] == "Ada Byron" and lead["Status"] == "Open - Not Contacted"
    assert lead["IsConverted"] is False and lead["IsDeleted"] is False and lead["DoNotCall"] is False
    assert lead["OwnerId"].startswith("005") and lead["CreatedById"] == lead["OwnerId"]
    assert lead["Email"] is None and lead["NumberOfEmployees"] is None
    assert STAMP.match(lead["CreatedDate"]) and lead["CreatedDate"] == lead["SystemModstamp"]
    assert lead["LastModifiedDate"] == lead["SystemModstamp"]
    assert "Lead_Score__c" not in lead  # custom fields exist only once created through Tooling


def test_get_with_fields_parameter_answers_only_those(sf):
    rid = sf.Lead.create({"LastName": "Few", "Company": "Acme", "Email": "few@acme.example"})["id"]
    answer = raw(sf, "GET", f"sobjects/Lead/{rid}", params={"fields": "Email,Name"})
    assert answer.status_code == 200
    assert answer.json() == {
        "attributes": {"type": "Lead", "url": f"/services/data/v59.0/sobjects/Lead/{rid}"},
        "Email": "few@acme.example",
        "Name": "Few",
    }


def test_update_answers_204_moves_modstamps_and_records_status_history(sf):
    rid = sf.Lead.create({"LastName": "Hist", "Company": "Acme"})["id"]
    before = sf.Lead.get(rid)
    assert sf.Lead.update(rid, {"Status": "Working - Contacted", "Title": "CTO"}) == 204
    assert sf.Lead.update(rid, {"Title": "CEO"}) == 204  # no status change: no history row
    assert sf.Lead.update(rid, {"Status": "Qualified"}) == 204
    after = sf.Lead.get(rid)
    assert (
        after["SystemModstamp"] > before["SystemModstamp"]
        and after["LastModifiedDate"] > before["LastModifiedDate"]
    )
    assert after["CreatedDate"] == before["CreatedDate"] and after["Title"] == "CEO"
    history = sf.query(
        f"SELECT LeadId, Field, OldValue, NewValue, CreatedDate, CreatedById FROM LeadHistory "
        f"WHERE LeadId = '{rid}' ORDER BY CreatedDate"
    )["records"]
    assert [(h["Field"], h["OldValue"], h["NewValue"]) for h in history] == [
        ("Status", "Open - Not Contacted", "Working - Contacted"),
        ("Status", "Working - Contacted", "Qualified"),
    ]
    assert history[-1]["CreatedDate"] == after["SystemModstamp"]


def test_delete_answers_204_and_the_record_stays_for_query_all(sf):
    rid = sf.Contact.create({"LastName": "Temp"})["id"]
    assert sf.Contact.delete(rid) == 204
    for call in (
        lambda: sf.Contact.get(rid),
        lambda: sf.Contact.update(rid, {"Title": "x"}),
        lambda: sf.Contact.delete(rid),
    ):
        with pytest.raises(SalesforceResourceNotFound) as caught:
            call()
        assert caught.value.content == [
            {"message": "entity is deleted", "errorCode": "ENTITY_IS_DELETED", "fields": []}
        ]
    found = sf.query_all(f"SELECT Id, IsDeleted FROM Contact WHERE Id = '{rid}'", include_deleted=True)
    assert found["records"][0]["IsDeleted"] is True
    assert sf.query(f"SELECT Id FROM Contact WHERE Id = '{rid}'")["totalSize"] == 0


def test_unknown_and_malformed_ids(sf):
    missing = object_id("Lead", 777777)
    answer = raw(sf, "GET", f"sobjects/Lead/{missing}")
    assert answer.status_code == 404
    assert answer.json() == [
        {"message": "The requested resource does not exist", "errorCode": "NOT_FOUND", "fields": []}
    ]
    for bad in ("abc", object_id("Contact", 1), object_id("Lead", 1)[:17] + "Z"):
        answer = raw(sf, "PATCH", f"sobjects/Lead/{bad}", json={"Title": "x"})
        assert answer.status_code == 400 and answer.json()[0]["errorCode"] == "MALFORMED_ID"
    assert raw(sf, "GET", "sobjects/Leads/describe").status_code == 404


@pytest.mark.parametrize(
    ("body", "code", "fields", "message"),
    [
        ({"Company": "X"}, "REQUIRED_FIELD_MISSING", ["LastName"], "Required fields are missing: [LastName]"),
        (
            {},
            "REQUIRED_FIELD_MISSING",
            ["LastName", "Company"],
            "Required fields are missing: [LastName, Company]",
        ),
        (
            {"LastName": "x", "Company": "y", "IsConverted": True, "Name": "n"},
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            ["IsConverted", "Name"],
            "Unable to create/update fields: IsConverted, Name.",
        ),
        (
            {"LastName": "x", "Company": "y", "Foo__c": 1},
            "INVALID_FIELD",
            [],
            "No such column 'Foo__c' on sobject of type Lead",
        ),
        (
            {"LastName": "x", "Company": "y", "Status": "Bogus"},
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            ["Status"],
            "Lead Status: bad value for restricted picklist field: Bogus",
        ),
        (
            {"LastName": "x", "Company": "y", "Email": "nope"},
            "INVALID_EMAIL_ADDRESS",
            ["Email"],
            "Email: invalid email address: nope",
        ),
        (
            {"LastName": "x", "Company": "y", "NumberOfEmployees": "many"},
            "JSON_PARSER_ERROR",
            [],
            "Cannot deserialize instance of int from VALUE_STRING value many",
        ),
        (
            {"LastName": "x", "Company": "y", "NumberOfEmployees": 12.5},
            "JSON_PARSER_ERROR",
            [],
            "instance of int",
        ),
        ({"LastName": "x", "Company": "y" * 256}, "STRING_TOO_LONG", ["Company"], "(max length=255)"),
        (
            {"LastName": "x", "Company": "y", "OwnerId": "abc"},
            "MALFORMED_ID",
            ["OwnerId"],
            "Owner ID: id value of incorrect type: abc",
        ),
        (
            {"LastName": "x", "Company": "y", "OwnerId": object_id("Account", 1)},
            "MALFORMED_ID",
            ["OwnerId"],
            "id value of incorrect type",
        ),
        (
            {"LastName": "x", "Company": "y", "OwnerId": object_id("User", 999)},
            "INVALID_CROSS_REFERENCE_KEY",
            ["OwnerId"],
            "invalid cross reference id",
        ),
        (
            {"LastName": "x", "Company": "y", "Id": object_id("Lead", 5)},
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            ["Id"],
            "cannot specify Id in an insert call",
        ),
        (
            {"LastName": "x", "Company": "y", "ConvertedDate": "2026-13-01"},
            "JSON_PARSER_ERROR",
            [],
            "instance of date",
        ),
    ],
)
def test_invalid_creates_answer_400_with_the_field_named(sf, body, code, fields, message):
    answer = raw(sf, "POST", "sobjects/Lead/", json=body)
    assert answer.status_code == 400
    [error] = answer.json()
    assert error["errorCode"] == code and error["fields"] == fields
    assert message in error["message"]


def test_values_are_normalised_as_salesforce_stores_them(sf):
    rid = sf.Lead.create(
        {
            "LastName": "Norm",
            "Company": "Acme",
            "NumberOfEmployees": "42",
            "AnnualRevenue": 5,
            "EmailBouncedDate": "2026-02-01T10:00:00+01:00",
            "Industry": "Space",
            "Title": "",
            "DoNotCall": "true",
            "OwnerId": OWNER[:15],
        }
    )["id"]
    lead = sf.Lead.get(rid)
    assert lead["NumberOfEmployees"] == 42 and lead["AnnualRevenue"] == 5.0
    assert lead["EmailBouncedDate"] == "2026-02-01T09:00:00.000+0000"
    assert lead["Industry"] == "Space"  # Industry is not a restricted picklist
    assert lead["Title"] is None and lead["DoNotCall"] is True and lead["OwnerId"] == OWNER


def test_clearing_a_required_field_or_touching_a_converted_lead_is_refused(sf):
    rid = sf.Lead.create({"LastName": "Keep", "Company": "Acme"})["id"]
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Lead.update(rid, {"Company": None})
    assert caught.value.content[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Lead.update(CONVERTED, {"Rating": "Hot"})
    assert caught.value.content == [
        {
            "message": "cannot reference converted lead",
            "errorCode": "CANNOT_UPDATE_CONVERTED_LEAD",
            "fields": [],
        }
    ]


def test_opportunity_stage_drives_closed_won_probability_and_forecast(sf):
    account = sf.Account.create({"Name": "Big Co"})["id"]
    rid = sf.Opportunity.create(
        {
            "Name": "Deal",
            "AccountId": account,
            "StageName": "Closed Won",
            "CloseDate": "2026-03-31",
            "Amount": 1234.567,
        }
    )["id"]
    won = sf.Opportunity.get(rid)
    assert (won["IsClosed"], won["IsWon"], won["Probability"], won["ForecastCategoryName"]) == (
        True,
        True,
        100.0,
        "Closed",
    )
    assert won["Amount"] == 1234.57
    sf.Opportunity.update(rid, {"StageName": "Prospecting"})
    reopened = sf.Opportunity.get(rid)
    assert (reopened["IsClosed"], reopened["IsWon"], reopened["Probability"]) == (False, False, 10.0)
    sf.Opportunity.update(rid, {"StageName": "Closed Lost", "Probability": 5})
    assert sf.Opportunity.get(rid)["Probability"] == 5.0  # given explicitly, it is kept
    for body, code in (
        ({"Name": "x", "StageName": "Closed Won"}, "REQUIRED_FIELD_MISSING"),
        (
            {"Name": "x", "StageName": "Won", "CloseDate": "2026-01-01"},
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        ),
        (
            {"Name": "x", "StageName": "Prospecting", "CloseDate": "2026-01-01", "IsWon": True},
            "INVALID_FIELD_FOR_INSERT_UPDATE",
        ),
    ):
        with pytest.raises(SalesforceMalformedRequest) as caught:
            sf.Opportunity.create(body)
        assert caught.value.content[0]["errorCode"] == code


def test_task_and_campaign_member_derived_fields(sf):
    account = sf.Account.create({"Name": "Task Co"})["id"]
    contact = sf.Contact.create({"LastName": "Tee", "AccountId": account})["id"]
    task = sf.Task.create(
        {"WhoId": contact, "Subject": "Call", "Status": "Completed", "TaskSubtype": "Call"}
    )["id"]
    got = sf.Task.get(task)
    assert got["IsClosed"] is True and STAMP.match(got["CompletedDateTime"]) and got["AccountId"] == account
    assert got["Priority"] == "Normal"
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Task.update(task, {"TaskSubtype": "Email"})
    assert caught.value.content[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    campaign = sf.Campaign.create({"Name": "Webinar", "Type": "Webinar", "IsActive": True})["id"]
    member = sf.CampaignMember.create({"CampaignId": campaign, "ContactId": contact, "Status": "Responded"})[
        "id"
    ]
    got = sf.CampaignMember.get(member)
    assert got["HasResponded"] is True and got["FirstRespondedDate"] and got["Type"] == "Contact"
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.CampaignMember.create({"CampaignId": campaign})
    assert caught.value.content[0]["errorCode"] == "REQUIRED_FIELD_MISSING"


def test_closed_task_moves_last_activity_and_only_the_system_modstamp(sf):
    rid = sf.Lead.create({"LastName": "Busy", "Company": "Acme"})["id"]
    before = sf.Lead.get(rid)
    sf.Task.create({"WhoId": rid, "Subject": "Call", "Status": "Completed", "ActivityDate": "2026-01-15"})
    sf.Task.create({"WhoId": rid, "Subject": "Call", "Status": "Not Started", "ActivityDate": "2026-02-15"})
    after = sf.Lead.get(rid)
    assert after["LastActivityDate"] == "2026-01-15"
    assert after["SystemModstamp"] > before["SystemModstamp"]
    assert after["LastModifiedDate"] == before["LastModifiedDate"]  # automation is not a user change


def test_history_objects_are_read_only(sf):
    answer = raw(sf, "POST", "sobjects/LeadHistory/", json={"Field": "Status"})
    assert answer.status_code == 400
    assert answer.json()[0]["errorCode"] == "INVALID_TYPE_FOR_OPERATION"
