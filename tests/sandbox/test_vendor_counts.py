"""What the vendors count and cap that pipelines trip over: daily allowances, long-text pages."""

from __future__ import annotations

import re

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError

from connectors.sandbox import FaultPlan, Sandbox
from connectors.sandbox.admin import SandboxAdmin
from tests import clients

USAGE = re.compile(r"^api-usage=(\d+)/(\d+)$")


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    with Sandbox(tmp_path_factory.mktemp("counts")) as sandbox:
        yield sandbox


@pytest.fixture()
def sf(box) -> Salesforce:
    return clients.salesforce(box)


def hubspot_session(box: Sandbox) -> requests.Session:
    session = requests.Session()
    session.verify, session.trust_env = str(box.ca_path), False
    session.headers["Authorization"] = f"Bearer {box.token('hubspot')}"
    return session


def used(sf: Salesforce) -> int:
    answer = sf.session.get(sf.base_url + "limits/", headers=sf.headers)
    return int(USAGE.match(answer.headers["Sforce-Limit-Info"]).group(1))


@pytest.mark.parametrize(
    ("kind", "counted"),
    [("500", 1), ("lock", 1), ("503", 0), ("expire", 0), ("429", 0), ("drop", 0), ("slow", 1)],
)
def test_salesforce_counts_the_calls_the_org_answered_errors_included(box, sf, kind, counted):
    rid = sf.Lead.create({"LastName": "Count", "Company": "Count Co"})["id"]
    before = used(sf)  # this call counts itself: the next one reads before + 1
    box.set_faults("salesforce", FaultPlan(**{f"rate_{kind}": 1.0}, slow_ms=10))
    try:
        sf.Lead.update(rid, {"Rating": "Hot"})
    except (SalesforceError, requests.RequestException):
        pass
    finally:
        box.set_faults("salesforce", FaultPlan())
    assert used(sf) == before + 1 + counted
    limits = sf.session.get(sf.base_url + "limits/", headers=sf.headers).json()["DailyApiRequests"]
    assert limits["Max"] - limits["Remaining"] == before + 2 + counted


def test_hubspot_failures_it_admitted_count_and_carry_the_limit_headers(box):
    session, url = hubspot_session(box), box.url("hubspot") + "/crm/v3/objects/contacts"
    left = int(session.get(url).headers["X-HubSpot-RateLimit-Daily-Remaining"])
    box.set_faults("hubspot", FaultPlan(rate_500=1.0))
    try:
        failed = session.get(url)
    finally:
        box.set_faults("hubspot", FaultPlan())
    assert failed.status_code == 500
    assert int(failed.headers["X-HubSpot-RateLimit-Daily-Remaining"]) == left - 1
    assert int(session.get(url).headers["X-HubSpot-RateLimit-Daily-Remaining"]) == left - 2


def test_hubspot_daily_count_survives_a_restart(tmp_path):
    with Sandbox(tmp_path) as box:
        session, url = hubspot_session(box), box.url("hubspot") + "/crm/v3/owners/"
        remaining = [session.get(url).headers["X-HubSpot-RateLimit-Daily-Remaining"] for _ in range(3)]
        assert remaining == ["624999", "624998", "624997"]
    with Sandbox(tmp_path) as box:
        answer = hubspot_session(box).get(box.url("hubspot") + "/crm/v3/owners/")
        assert answer.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "624996"
        box.clock.offset_ms += 86_400_000  # the next day starts afresh
        answer = hubspot_session(box).get(box.url("hubspot") + "/crm/v3/owners/")
        assert answer.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "624999"


def test_two_long_text_fields_hold_query_pages_to_200(box, sf):
    for name in ("Story__c", "Notes__c"):
        body = {"FullName": f"Account.{name}", "Metadata": {"label": name[:-3], "type": "LongTextArea"}}
        assert sf.toolingexecute("sobjects/CustomField/", method="POST", data=body)["success"] is True
    lines = [
        {
            "vendor": "salesforce",
            "object": "Account",
            "record": {"Name": f"Long {i:03d}", "Story__c": "x" * 300},
        }
        for i in range(450)
    ]
    SandboxAdmin(box.directory).load(lines)
    both = sf.query("SELECT Id, Story__c, Notes__c FROM Account WHERE Name LIKE 'Long %'")
    assert (
        both["totalSize"] == 450 and len(both["records"]) == 200 and both["nextRecordsUrl"].endswith("-200")
    )
    asked = {"Sforce-Query-Options": "batchSize=1000"}
    more = sf.query_more(both["nextRecordsUrl"], identifier_is_url=True, headers=asked)
    assert len(more["records"]) == 200
    one = sf.query("SELECT Id, Story__c FROM Account WHERE Name LIKE 'Long %'")
    assert len(one["records"]) == 450 and one["done"] is True  # one long text field: no cap
    standard = sf.query("SELECT Id, Description FROM Account WHERE Name LIKE 'Long %'", headers=asked)
    assert len(standard["records"]) == 450  # the cap is for custom long text fields
