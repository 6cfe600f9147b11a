"""HubSpot sandbox: single-record CRM endpoints through hubspot-api-client, errors included."""

from __future__ import annotations

import json
import re
import uuid

import pytest
import requests
from hubspot import HubSpot
from hubspot.crm.objects import ApiException, SimplePublicObjectInput, SimplePublicObjectInputForCreate

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def _email() -> str:
    return f"{uuid.uuid4().hex[:12]}@Example.com"


def _create(hs: HubSpot, kind: str = "contacts", **props):
    return hs.crm.objects.basic_api.create(kind, SimplePublicObjectInputForCreate(properties=props))


def _problems(err: ApiException) -> list[dict]:
    body = json.loads(err.body)
    assert body["status"] == "error" and body["category"] == "VALIDATION_ERROR"
    assert body["message"].startswith("Property values were not valid: ")
    return json.loads(body["message"].removeprefix("Property values were not valid: "))


def test_create_answers_201_with_system_properties(hs):
    info = hs.crm.objects.basic_api.create_with_http_info(
        "contacts", SimplePublicObjectInputForCreate(properties={"email": _email(), "firstname": "Ada"})
    )
    contact, status, headers = info
    assert status == 201
    assert contact.id.isdigit()
    props = contact.properties
    assert props["hs_object_id"] == contact.id
    assert props["email"].islower()  # HubSpot keeps emails in lower case
    assert ISO_MS.match(props["createdate"]) and ISO_MS.match(props["lastmodifieddate"])
    assert headers["X-HubSpot-RateLimit-Max"] == "190"
    assert int(headers["X-HubSpot-RateLimit-Remaining"]) < 190


def test_get_by_id_and_by_email_with_properties_filter(hs):
    email = _email()
    made = _create(hs, email=email, firstname="Bo", jobtitle="CTO")
    api = hs.crm.objects.basic_api
    got = api.get_by_id("contacts", made.id, properties=["jobtitle", "no_such_property"])
    assert got.properties["jobtitle"] == "CTO"
    assert "no_such_property" not in got.properties  # unknown names are ignored
    assert set(got.properties) == {"jobtitle", "createdate", "hs_object_id", "lastmodifieddate"}
    by_email = api.get_by_id("contacts", email.upper(), id_property="email")
    assert by_email.id == made.id
    default = api.get_by_id("contacts", made.id)
    assert set(default.properties) == {
        "createdate",
        "email",
        "firstname",
        "hs_object_id",
        "lastmodifieddate",
        "lastname",
    }
    assert default.properties["lastname"] is None


def test_missing_record_is_404(hs):
    with pytest.raises(ApiException) as err:
        hs.crm.objects.basic_api.get_by_id("contacts", "999999999")
    assert err.value.status == 404
    assert json.loads(err.value.body)["category"] == "OBJECT_NOT_FOUND"


def test_update_moves_updated_at_and_modification_property(hs):
    made = _create(hs, "companies", name="Acme", domain="acme.example")
    updated = hs.crm.objects.basic_api.update(
        "companies", made.id, SimplePublicObjectInput(properties={"numberofemployees": 120})
    )
    assert updated.updated_at > made.updated_at
    assert updated.properties["numberofemployees"] == "120"
    assert updated.properties["hs_lastmodifieddate"] > made.properties["hs_lastmodifieddate"]
    assert "lastmodifieddate" not in updated.properties  # companies use hs_lastmodifieddate


@pytest.mark.parametrize(
    ("props", "code"),
    [
        ({"numemployees": "lots"}, "INVALID_OPTION"),
        ({"leadflow_nope": "1"}, "PROPERTY_DOESNT_EXIST"),
        ({"hs_analytics_num_visits": "4"}, "READ_ONLY_VALUE"),
        ({"email": "not-an-email"}, "INVALID_EMAIL"),
        ({"hs_lifecyclestage_lead_date": "yesterday"}, "INVALID_DATETIME"),
    ],
)
def test_invalid_values_are_400_with_details_in_message(hs, props, code):
    with pytest.raises(ApiException) as err:
        _create(hs, **{"email": _email(), **props})
    assert err.value.status == 400
    [problem] = _problems(err.value)
    assert problem["error"] == code and problem["name"] == next(iter(props))


def test_number_and_date_values_are_checked(hs):
    deal = _create(hs, "deals", dealname="Big", amount="1500.50", closedate="2026-03-01")
    assert deal.properties["amount"] == "1500.5"
    assert deal.properties["closedate"] == "2026-03-01T00:00:00.000Z"  # datetime property
    with pytest.raises(ApiException) as err:
        _create(hs, "deals", dealname="Bad", amount="12abc")
    assert _problems(err.value)[0]["error"] == "INVALID_FLOAT"


def test_lifecycle_stage_moves_forward_only_and_stamps_entry_dates(hs):
    api = hs.crm.objects.basic_api
    made = _create(hs, email=_email(), lifecyclestage="lead")
    assert ISO_MS.match(made.properties["hs_lifecyclestage_lead_date"])
    sql = api.update(
        "contacts", made.id, SimplePublicObjectInput(properties={"lifecyclestage": "salesqualifiedlead"})
    )
    assert sql.properties["hs_lifecyclestage_salesqualifiedlead_date"] == sql.properties["lastmodifieddate"]
    with pytest.raises(ApiException) as err:
        api.update("contacts", made.id, SimplePublicObjectInput(properties={"lifecyclestage": "lead"}))
    assert err.value.status == 400
    assert _problems(err.value)[0]["name"] == "lifecyclestage"
    api.update("contacts", made.id, SimplePublicObjectInput(properties={"lifecyclestage": ""}))
    back = api.update("contacts", made.id, SimplePublicObjectInput(properties={"lifecyclestage": "lead"}))
    assert back.properties["lifecyclestage"] == "lead"


def test_list_pages_by_id_with_link_and_comma_properties(hs, sandbox):
    made = {
        _create(hs, "meetings", hs_meeting_title=f"m{i}", hs_timestamp="2026-01-05T10:00:00Z").id
        for i in range(7)
    }
    api = hs.crm.objects.basic_api
    seen, after, pages = [], None, 0
    while True:
        page = api.get_page("meetings", limit=3, after=after, properties=["hs_meeting_title"])
        seen += [r.id for r in page.results]
        pages += 1
        if page.paging is None:
            break
        after = page.paging.next.after
        assert page.paging.next.link.startswith(sandbox.url("hubspot") + "/crm/v3/objects/meetings?")
    assert made <= set(seen) and len(seen) == len(set(seen))
    assert seen == sorted(seen, key=int)  # HubSpot lists in id order
    assert pages >= 3
    # HubSpot also takes comma-separated names; plain requests, as the client sends them repeated.
    session = requests.Session()
    session.verify, session.trust_env = str(sandbox.ca_path), False
    answer = session.get(
        f"{sandbox.url('hubspot')}/crm/v3/objects/meetings",
        params={"limit": 2, "properties": "hs_meeting_title,hs_timestamp"},
        headers={"Authorization": f"Bearer {hs.access_token}"},
    )
    assert answer.status_code == 200
    first = answer.json()["results"][0]["properties"]
    assert set(first) == {
        "hs_meeting_title",
        "hs_timestamp",
        "hs_createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
    }


def test_archive_then_list_archived(hs):
    api = hs.crm.objects.basic_api
    made = _create(hs, "notes", hs_note_body="gone", hs_timestamp="1767225600000")
    assert api.archive_with_http_info("notes", made.id)[1] == 204
    with pytest.raises(ApiException):
        api.get_by_id("notes", made.id)
    archived = api.get_by_id("notes", made.id, archived=True)
    assert archived.archived is True and archived.archived_at is not None
    ids = [r.id for r in api.get_page("notes", limit=100, archived=True).results]
    assert made.id in ids


def test_unknown_object_type_is_400(hs):
    with pytest.raises(ApiException) as err:
        hs.crm.objects.basic_api.get_page("widgets")
    assert err.value.status == 400
    assert "widgets" in json.loads(err.value.body)["message"]
