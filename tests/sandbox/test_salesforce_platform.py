"""Salesforce sandbox: sessions, the daily API allocation, injected faults, OAuth client credentials."""

from __future__ import annotations

import re

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
)

from connectors.sandbox import FaultPlan, Sandbox
from tests import clients

SESSION_ERROR = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
USAGE = re.compile(r"^api-usage=(\d+)/(\d+)$")


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    with Sandbox(tmp_path_factory.mktemp("sfplatform")) as sandbox:
        yield sandbox


def connect(box: Sandbox, token: str | None = None) -> Salesforce:
    return clients.salesforce(box, token)


@pytest.fixture()
def sf(box) -> Salesforce:
    return connect(box)


def used(answer: requests.Response) -> tuple[int, int]:
    m = USAGE.match(answer.headers["Sforce-Limit-Info"])
    assert m, answer.headers
    return int(m.group(1)), int(m.group(2))


def get(sf: Salesforce, path: str, **kwargs) -> requests.Response:
    return sf.session.get(sf.base_url + path, headers=sf.headers, **kwargs)


def test_session_ids_look_like_salesforce_ones(box):
    token = box.apps["salesforce"].issue_token()
    assert re.match(r"^00D5g0000000001![A-Za-z0-9._]{90,}$", token)
    assert token != box.apps["salesforce"].issue_token()


@pytest.mark.parametrize("header", [None, "Bearer 00D5g0000000001!AQnope", "Basic abc"])
def test_unknown_sessions_get_401_with_a_json_list(box, sf, header):
    headers = {"Authorization": header} if header else {}
    answer = sf.session.get(sf.base_url + "limits/", headers=headers)
    assert answer.status_code == 401 and answer.json() == SESSION_ERROR
    with pytest.raises(SalesforceExpiredSession):
        connect(box, "00D5g0000000001!AQnope").query("SELECT Id FROM Lead")


def test_oauth_prefix_is_accepted_too(box, sf):
    answer = sf.session.get(
        sf.base_url + "limits/", headers={"Authorization": f"OAuth {box.token('salesforce')}"}
    )
    assert answer.status_code == 200


def test_every_call_counts_once_and_every_answer_says_so(sf):
    first = get(sf, "limits/")
    failed = get(sf, "query/", params={"q": "SELECT Nope FROM Lead"})
    missing = get(sf, "sobjects/Lead/00Q5g0000000zzzAAA")
    after = get(sf, "limits/")
    assert failed.status_code == 400 and missing.status_code in (400, 404)
    counts = [used(a)[0] for a in (first, failed, missing, after)]
    assert counts == [counts[0], counts[0] + 1, counts[0] + 2, counts[0] + 3]
    daily = after.json()["DailyApiRequests"]
    assert daily == {"Max": 100000, "Remaining": 100000 - counts[3]}
    sf.query("SELECT COUNT() FROM Lead")
    assert sf.api_usage["api-usage"].used == counts[3] + 1 and sf.api_usage["api-usage"].total == 100000


def test_spent_allocation_refuses_with_403_until_the_window_rolls(box, sf):
    spent = used(get(sf, "limits/"))[0]
    box.settings.salesforce_daily_limit = spent + 2
    try:
        assert get(sf, "limits/").status_code == 200
        assert get(sf, "limits/").status_code == 200
        refused = get(sf, "limits/")
        assert refused.status_code == 403
        assert refused.json() == [
            {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
        ]
        assert used(refused) == (spent + 2, spent + 2)
        with pytest.raises(SalesforceRefusedRequest):
            sf.query("SELECT Id FROM Lead")
        box.clock.offset_ms = 25 * 3600 * 1000  # a day later the calls have rolled out of the window
        assert used(get(sf, "limits/"))[0] == 1
    finally:
        box.settings.salesforce_daily_limit = 100_000
        box.clock.offset_ms = 0


@pytest.fixture()
def faults(box):
    def apply(**rates):
        box.set_faults("salesforce", FaultPlan(seed=1, **rates))

    yield apply
    box.set_faults("salesforce", FaultPlan())


@pytest.mark.parametrize(
    ("kind", "status", "code", "raises"),
    [
        ("500", 500, "UNKNOWN_EXCEPTION", SalesforceGeneralError),
        ("503", 503, "SERVER_UNAVAILABLE", SalesforceGeneralError),
        ("429", 403, "REQUEST_LIMIT_EXCEEDED", SalesforceRefusedRequest),
        ("expire", 401, "INVALID_SESSION_ID", SalesforceExpiredSession),
    ],
)
def test_injected_faults_answer_as_salesforce(sf, faults, kind, status, code, raises):
    faults(**{f"rate_{kind}": 1.0})
    answer = get(sf, "query/", params={"q": "SELECT Id FROM Lead"})
    assert answer.status_code == status and USAGE.match(answer.headers["Sforce-Limit-Info"])
    [error] = answer.json()
    assert error["errorCode"] == code
    if kind == "429":
        assert error["message"] == "ConcurrentPerOrgLongTxn Limit exceeded."
    with pytest.raises(raises):
        sf.query("SELECT Id FROM Lead")


def test_lock_fault_hits_writes_only(sf, faults):
    rid = sf.Lead.create({"LastName": "Locked", "Company": "Lock Co"})["id"]
    faults(rate_lock=1.0)
    assert sf.Lead.get(rid)["LastName"] == "Locked"  # reads are not locked
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Lead.update(rid, {"Rating": "Hot"})
    assert caught.value.content[0]["errorCode"] == "UNABLE_TO_LOCK_ROW"
    results = sf.restful(
        "composite/sobjects",
        method="PATCH",
        json={"allOrNone": False, "records": [{"attributes": {"type": "Lead"}, "Id": rid, "Rating": "Hot"}]},
    )
    assert results[0]["id"] == rid and results[0]["success"] is False
    assert results[0]["errors"][0]["statusCode"] == "UNABLE_TO_LOCK_ROW"
    faults()
    assert sf.Lead.get(rid)["Rating"] is None


def test_oauth_client_credentials_issue_a_working_session(box, sf):
    box.store.set_value("salesforce:client", {"client_id": "3MVG9-leadflow", "client_secret": "s3cret"})
    url = f"{box.url('salesforce')}/services/oauth2/token"
    form = {"grant_type": "client_credentials", "client_id": "3MVG9-leadflow", "client_secret": "s3cret"}
    answer = sf.session.post(url, data=form)
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["instance_url"] == box.url("salesforce")
    assert body["issued_at"].isdigit() and body["signature"] and body["access_token"].startswith("00D")
    fresh = connect(box, body["access_token"])
    assert fresh.query("SELECT COUNT() FROM Lead")["done"] is True
    bad = sf.session.post(url, data={**form, "client_secret": "wrong"})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_client"
    grant = sf.session.post(url, data={**form, "grant_type": "password"})
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"


def test_unknown_resources_and_methods(sf):
    assert get(sf, "nothing/here").status_code == 404
    answer = sf.session.put(sf.base_url + "limits/", headers=sf.headers)
    assert answer.status_code == 405 and answer.json()[0]["errorCode"] == "METHOD_NOT_ALLOWED"
    resources = get(sf, "").json()
    assert resources["query"] == "/services/data/v59.0/query" and "sobjects" in resources
