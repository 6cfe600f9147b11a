"""Wrong tokens are refused on every kind of endpoint, as the vendors refuse them, and change nothing.

A token the vendor never issued, the other vendor's token, the right token with one character
changed, an empty bearer: Salesforce answers 401 with its JSON list (INVALID_SESSION_ID), HubSpot
401 INVALID_AUTHENTICATION, on reads, writes, bulk, tooling and the sandbox's own endpoints alike.
"""

from __future__ import annotations

import json

import pytest
import requests
from hubspot.crm.contacts import BatchInputSimplePublicObjectBatchInput, SimplePublicObjectInputForCreate
from simple_salesforce.exceptions import SalesforceExpiredSession

from connectors.sandbox import Sandbox
from tests import clients

V = "/services/data/v59.0"
SESSION_ERROR = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


@pytest.fixture(scope="module")
def records(sandbox: Sandbox) -> dict[str, str]:
    lead = clients.salesforce(sandbox).Lead.create({"LastName": "Kept", "Company": "Acme"})["id"]
    contact = clients.hubspot(sandbox).crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(properties={"email": "kept@tokens.example", "lastname": "Kept"})
    )
    return {"lead": lead, "contact": contact.id}


def wrong_tokens(box: Sandbox, vendor: str) -> dict[str, str]:
    right = box.token(vendor)
    other = box.token("hubspot" if vendor == "salesforce" else "salesforce")
    unknown = "00D5g0000000001!AQnotissued" if vendor == "salesforce" else "pat-na1-" + "0" * 36
    changed = right[:-1] + ("A" if right[-1] != "A" else "B")
    return {"never issued": unknown, "other vendor's": other, "one character changed": changed, "empty": ""}


def send(box: Sandbox, vendor: str, token: str, method: str, path: str, body=None) -> requests.Response:
    session = requests.Session()
    session.verify, session.trust_env = str(box.ca_path), False
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    return session.request(method, box.url(vendor) + path, headers=headers, json=body, timeout=30)


SALESFORCE_CALLS = [
    ("GET", f"{V}/limits/", None),
    ("GET", f"{V}/query/?q=SELECT+Id,LastName+FROM+Lead", None),
    ("GET", f"{V}/sobjects/Lead/describe/", None),
    ("POST", f"{V}/sobjects/Lead/", {"LastName": "Intruder", "Company": "X"}),
    ("PATCH", f"{V}/composite/sobjects", "lead-update"),
    ("DELETE", f"{V}/sobjects/Lead/LEAD", None),
    ("POST", f"{V}/tooling/sobjects/CustomField/", {"FullName": "Lead.X__c", "Metadata": {}}),
    ("POST", f"{V}/jobs/ingest", {"object": "Lead", "operation": "update"}),
    ("GET", "/_sandbox/requests", None),
]
HUBSPOT_CALLS = [
    ("GET", "/crm/v3/objects/contacts", None),
    ("POST", "/crm/v3/objects/contacts/search", {"filterGroups": []}),
    ("POST", "/crm/v3/objects/contacts", {"properties": {"email": "intruder@tokens.example"}}),
    ("POST", "/crm/v3/objects/contacts/batch/update", "contact-update"),
    ("PATCH", "/crm/v3/properties/contacts/hs_lead_status", {"label": "Owned"}),
    ("GET", "/crm/v3/owners/", None),
    ("GET", "/email/public/v1/events", None),
    ("GET", "/marketing/v3/forms", None),
    ("GET", "/_sandbox/requests", None),
]


def _body(body, records):
    if body == "lead-update":
        return {
            "allOrNone": False,
            "records": [{"attributes": {"type": "Lead"}, "Id": records["lead"], "LastName": "Hijacked"}],
        }
    if body == "contact-update":
        return {"inputs": [{"id": records["contact"], "properties": {"lastname": "Hijacked"}}]}
    return body


@pytest.mark.parametrize(
    ("method", "path", "body"), SALESFORCE_CALLS, ids=[f"{m} {p}" for m, p, _ in SALESFORCE_CALLS]
)
def test_salesforce_refuses_wrong_sessions_everywhere(sandbox, records, method, path, body):
    path = path.replace("LEAD", records["lead"])
    for kind, token in wrong_tokens(sandbox, "salesforce").items():
        answer = send(sandbox, "salesforce", token, method, path, _body(body, records))
        assert answer.status_code == 401, (kind, answer.status_code, answer.text)
        if not path.startswith("/_sandbox"):
            assert answer.json() == SESSION_ERROR, kind
    # Nothing changed, nothing was made.
    sf = clients.salesforce(sandbox)
    assert sf.Lead.get(records["lead"])["LastName"] == "Kept"
    assert sf.query("SELECT COUNT() FROM Lead WHERE LastName = 'Intruder'")["totalSize"] == 0


@pytest.mark.parametrize(
    ("method", "path", "body"), HUBSPOT_CALLS, ids=[f"{m} {p}" for m, p, _ in HUBSPOT_CALLS]
)
def test_hubspot_refuses_wrong_tokens_everywhere(sandbox, records, method, path, body):
    for kind, token in wrong_tokens(sandbox, "hubspot").items():
        answer = send(sandbox, "hubspot", token, method, path, _body(body, records))
        assert answer.status_code == 401, (kind, answer.status_code, answer.text)
        if not path.startswith("/_sandbox"):
            found = answer.json()
            assert found["status"] == "error" and found["category"] == "INVALID_AUTHENTICATION", kind
    hs = clients.hubspot(sandbox)
    assert hs.crm.contacts.basic_api.get_by_id(records["contact"]).properties["lastname"] == "Kept"
    assert hs.crm.properties.core_api.get_by_name("contacts", "hs_lead_status").label != "Owned"


def test_the_vendor_clients_with_a_wrong_token_raise_and_write_nothing(sandbox, records):
    wrong_sf = wrong_tokens(sandbox, "salesforce")["one character changed"]
    with pytest.raises(SalesforceExpiredSession):
        clients.salesforce(sandbox, token=wrong_sf).Lead.update(records["lead"], {"LastName": "Hijacked"})
    wrong_hs = wrong_tokens(sandbox, "hubspot")["one character changed"]
    batch = BatchInputSimplePublicObjectBatchInput(
        inputs=[{"id": records["contact"], "properties": {"lastname": "Hijacked"}}]
    )
    with pytest.raises(Exception) as refused:  # the contacts module's own ApiException
        clients.hubspot(sandbox, token=wrong_hs).crm.contacts.batch_api.update(batch)
    assert refused.value.status == 401
    assert json.loads(refused.value.body)["category"] == "INVALID_AUTHENTICATION"
    assert clients.salesforce(sandbox).Lead.get(records["lead"])["LastName"] == "Kept"
    contact = clients.hubspot(sandbox).crm.contacts.basic_api.get_by_id(records["contact"])
    assert contact.properties["lastname"] == "Kept"
