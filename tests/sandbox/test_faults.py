"""The fault plan end to end: every kind through simple-salesforce and hubspot-api-client, seeded."""

from __future__ import annotations

import contextlib
import time

import pytest
import requests
import urllib3
from hubspot import HubSpot
from hubspot.crm.contacts import ApiException, SimplePublicObjectInputForCreate
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
)
from urllib3.util.retry import Retry

from connectors.sandbox import FaultPlan, Sandbox, SandboxSettings
from connectors.sandbox.faults import load_plans, plans_from_json
from tests import clients


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    settings = SandboxSettings(hubspot_requests_per_10s=10_000, hubspot_search_per_second=1_000)
    with Sandbox(tmp_path_factory.mktemp("faults"), settings=settings) as sandbox:
        yield sandbox


@pytest.fixture(autouse=True)
def no_faults(box):
    """Each test starts and ends without faults."""
    for vendor in ("salesforce", "hubspot"):
        box.set_faults(vendor, FaultPlan())
    yield
    for vendor in ("salesforce", "hubspot"):
        box.set_faults(vendor, FaultPlan())


def salesforce(box: Sandbox) -> Salesforce:
    return clients.salesforce(box)


def hubspot(box: Sandbox, retries: int = 0) -> HubSpot:
    """The client as leadflow configures it; `retries` > 0 retries 429/5xx and dropped connections."""
    retry = Retry(
        total=retries,
        backoff_factor=0,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=None,
        respect_retry_after_header=False,  # Retry-After is 1 s: keep the test fast
        raise_on_status=False,
    )
    return clients.hubspot(box, validate=True, retry=retry)


def last(box: Sandbox, vendor: str, count: int) -> list[dict]:
    return box.requests(vendor=vendor)[-count:]


def seq(box: Sandbox) -> int:
    """The sequence number of the last logged request."""
    logged = box.requests()
    return logged[-1]["seq"] if logged else 0


def hubspot_error(call) -> ApiException:
    with pytest.raises(ApiException) as caught:
        call()
    return caught.value


# -- every kind, both vendors ----------------------------------------------------------------


def test_429(box):
    box.set_faults("hubspot", FaultPlan(rate_429=1.0))
    err = hubspot_error(lambda: hubspot(box).crm.contacts.basic_api.get_page(limit=1))
    assert err.status == 429 and err.headers["Retry-After"] == "1"
    assert '"policyName":"TEN_SECONDLY_ROLLING"' in err.body
    assert err.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    box.set_faults("salesforce", FaultPlan(rate_429=1.0))
    with pytest.raises(SalesforceRefusedRequest) as caught:
        salesforce(box).query("SELECT Id FROM Lead")
    assert caught.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"


def test_500(box):
    box.set_faults("hubspot", FaultPlan(rate_500=1.0))
    err = hubspot_error(lambda: hubspot(box).crm.contacts.basic_api.get_page(limit=1))
    assert err.status == 500 and '"category":"INTERNAL_ERROR"' in err.body
    assert "X-HubSpot-RateLimit-Remaining" in err.headers  # HubSpot admitted and counted it
    box.set_faults("salesforce", FaultPlan(rate_500=1.0))
    with pytest.raises(SalesforceGeneralError) as caught:
        salesforce(box).query("SELECT Id FROM Lead")
    assert caught.value.status == 500 and caught.value.content[0]["errorCode"] == "UNKNOWN_EXCEPTION"


def test_503(box):
    box.set_faults("hubspot", FaultPlan(rate_503=1.0))
    err = hubspot_error(lambda: hubspot(box).crm.contacts.basic_api.get_page(limit=1))
    assert err.status == 503 and '"category":"SERVICE_UNAVAILABLE"' in err.body
    box.set_faults("salesforce", FaultPlan(rate_503=1.0))
    with pytest.raises(SalesforceGeneralError) as caught:
        salesforce(box).query("SELECT Id FROM Lead")
    assert caught.value.status == 503 and caught.value.content[0]["errorCode"] == "SERVER_UNAVAILABLE"


def test_slow(box):
    for vendor in ("salesforce", "hubspot"):
        box.set_faults(vendor, FaultPlan(rate_slow=1.0, slow_ms=250))
    started = time.perf_counter()
    assert hubspot(box).crm.contacts.basic_api.get_page(limit=1).results is not None
    assert salesforce(box).query("SELECT COUNT() FROM Lead")["done"] is True
    assert time.perf_counter() - started >= 0.5
    logged = last(box, "hubspot", 1) + last(box, "salesforce", 1)
    assert [e["status"] for e in logged] == [200, 200] and all(e["ms"] >= 250 for e in logged)


def test_drop(box):
    box.set_faults("hubspot", FaultPlan(rate_drop=1.0))
    with pytest.raises(urllib3.exceptions.HTTPError):  # the connection closes without an answer
        hubspot(box).crm.contacts.basic_api.get_page(limit=1)
    assert last(box, "hubspot", 1)[0]["status"] == -1
    box.set_faults("salesforce", FaultPlan(rate_drop=1.0))
    with pytest.raises(requests.exceptions.ConnectionError):
        salesforce(box).query("SELECT Id FROM Lead")


def test_expire(box):
    box.set_faults("hubspot", FaultPlan(rate_expire=1.0))
    err = hubspot_error(lambda: hubspot(box).crm.contacts.basic_api.get_page(limit=1))
    assert err.status == 401 and '"category":"EXPIRED_AUTHENTICATION"' in err.body
    box.set_faults("salesforce", FaultPlan(rate_expire=1.0))
    with pytest.raises(SalesforceExpiredSession):
        salesforce(box).query("SELECT Id FROM Lead")


def test_lock_refuses_salesforce_writes_only(box):
    sf = salesforce(box)
    rid = sf.Lead.create({"LastName": "Held", "Company": "Lock Co"})["id"]
    for vendor in ("salesforce", "hubspot"):
        box.set_faults(vendor, FaultPlan(rate_lock=1.0))
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Lead.update(rid, {"Rating": "Hot"})
    assert caught.value.content[0]["errorCode"] == "UNABLE_TO_LOCK_ROW"
    assert sf.Lead.get(rid)["LastName"] == "Held"
    made = hubspot(box).crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(properties={"email": "held@lock.example"})
    )
    assert made.id  # HubSpot has no row locks


def test_retrying_clients_get_through_a_partial_plan(box):
    start = seq(box)
    box.set_faults("hubspot", FaultPlan(seed=3, rate_429=0.2, rate_500=0.2, rate_503=0.1, rate_drop=0.1))
    client = hubspot(box, retries=10)
    for _ in range(10):
        assert client.crm.contacts.basic_api.get_page(limit=1).results is not None
    statuses = [e["status"] for e in box.requests(after=start)]
    assert statuses.count(200) == 10 and {429, 500, 503, -1} <= set(statuses)


# -- reproducible: same seed and requests, same faults ----------------------------------------


def run_statuses(box: Sandbox, seed: int) -> list[int]:
    plan = FaultPlan(seed=seed, rate_429=0.15, rate_500=0.15, rate_503=0.1, rate_expire=0.1, rate_drop=0.1)
    box.set_faults("hubspot", plan)
    box.set_faults("salesforce", plan)
    start = seq(box)
    client, sf = hubspot(box), salesforce(box)
    for i in range(20):
        try:
            if i % 2:
                client.crm.contacts.basic_api.get_page(limit=1)
            else:
                sf.query("SELECT Id FROM Lead LIMIT 1")
        except Exception:  # noqa: S110 - every fault is expected here; the log tells which
            pass
    return [(e["vendor"], e["status"]) for e in box.requests(after=start)]


def test_same_seed_same_requests_same_faults(box):
    first, again, other = run_statuses(box, 11), run_statuses(box, 11), run_statuses(box, 12)
    assert first == again
    assert first != other
    assert len({s for _, s in first}) >= 3  # the plan did inject faults


def test_plans_from_settings_apply_from_the_first_request(tmp_path):
    plans = {"hubspot": FaultPlan(seed=1, rate_503=1.0)}
    with Sandbox(tmp_path / "box", settings=SandboxSettings(faults=plans)) as box:
        err = hubspot_error(lambda: hubspot(box).crm.contacts.basic_api.get_page(limit=1))
        assert err.status == 503
        assert salesforce(box).query("SELECT COUNT() FROM Lead")["done"] is True
        assert box.faults["hubspot"] == plans["hubspot"]


# -- plans as data ------------------------------------------------------------------------------


def test_plan_files_are_checked(tmp_path):
    path = tmp_path / "faults.json"
    path.write_text('{"salesforce": {"seed": 1, "rate_500": 0.05}, "hubspot": {"rate_429": 0.2}}')
    plans = load_plans(path)
    assert plans["salesforce"] == FaultPlan(seed=1, rate_500=0.05)
    assert plans["hubspot"].describe() == "seed 0: 20% 429"
    bad = [
        ({"zendesk": {}}, "unknown vendors"),
        ({"hubspot": {"rate_5OO": 0.1}}, "unknown fault plan fields ['rate_5OO']"),
        ({"hubspot": {"rate_500": 1.5}}, "rate_500 must be a number from 0 to 1"),
        ({"hubspot": {"rate_500": 0.7, "rate_503": 0.7}}, "add up to 1.4"),
        ({"salesforce": {"slow_ms": -1}}, "slow_ms must be a whole number"),
        ([], "expected a JSON object"),
    ]
    for data, message in bad:
        with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
            plans_from_json(data)
    path.write_text("{not json")
    with pytest.raises(ValueError, match="faults.json"):
        load_plans(path)


def test_admin_endpoint_refuses_a_bad_plan(box):
    session = requests.Session()
    session.verify, session.trust_env = str(box.ca_path), False
    url = f"{box.url('hubspot')}/_sandbox/faults"
    headers = {"Authorization": f"Bearer {box.token('hubspot')}"}
    answer = session.put(url, json={"rate_500": 2}, headers=headers)
    assert answer.status_code == 400 and "rate_500" in answer.json()["error"]
    assert session.put(url, json={"nope": 1}, headers=headers).status_code == 400
    assert session.get(url, headers=headers).json() == FaultPlan().to_dict()


# -- resets mid-answer, counts, the write tally -----------------------------------------------


def test_reset_serves_the_request_then_cuts_the_answer(box):
    sf = salesforce(box)
    rid = sf.Lead.create({"LastName": "Cut", "Company": "Reset Co"})["id"]
    box.set_faults("salesforce", FaultPlan(rate_reset=1.0))
    payload = {"allOrNone": False, "records": [{"attributes": {"type": "Lead"}, "Id": rid, "Rating": "Hot"}]}
    with pytest.raises(requests.exceptions.RequestException):  # the body ends halfway
        sf.restful("composite/sobjects", method="PATCH", json=payload)
    box.set_faults("salesforce", FaultPlan())
    assert sf.Lead.get(rid)["Rating"] == "Hot"  # the write landed all the same
    assert box.writes[("salesforce", "Lead", rid, "Rating")] == 1
    assert last(box, "salesforce", 2)[0]["fault"] == "reset"
    box.set_faults("hubspot", FaultPlan(rate_reset=1.0))
    with pytest.raises(urllib3.exceptions.HTTPError):
        hubspot(box).crm.contacts.basic_api.get_page(limit=1)


def test_each_kind_is_injected_at_about_its_rate(box):
    plan = FaultPlan(seed=5, rate_429=0.2, rate_500=0.05, rate_503=0.05, rate_drop=0.02, rate_reset=0.02)
    plan.rate_expire = 0.06
    box.set_faults("hubspot", plan)
    before = dict(box.fault_counts["hubspot"])
    client = hubspot(box)
    draws = 1000
    for _ in range(draws):
        with contextlib.suppress(Exception):  # faults are expected; the counts say which
            client.crm.contacts.basic_api.get_page(limit=1)
    counts = {k: box.fault_counts["hubspot"][k] - before.get(k, 0) for k in ("429", "500", "503", "expire")}
    counts |= {k: box.fault_counts["hubspot"][k] - before.get(k, 0) for k in ("drop", "reset")}
    for kind, n in counts.items():
        rate = getattr(plan, f"rate_{kind}")
        # Binomial: four standard deviations either side of the mean.
        spread = 4 * (draws * rate * (1 - rate)) ** 0.5
        assert abs(n - draws * rate) <= spread, (kind, n, counts)
    logged = [e["fault"] for e in box.requests(vendor="hubspot")[-draws:]]
    assert sum(f == "429" for f in logged) == counts["429"]


def test_admin_reports_fault_counts_and_writes(box):
    from connectors.sandbox.admin import SandboxAdmin

    admin = SandboxAdmin(box.directory)
    admin.clear_counts()
    sf = salesforce(box)
    rid = sf.Lead.create({"LastName": "Twice", "Company": "Tally Co"})["id"]
    sf.Lead.update(rid, {"Rating": "Warm"})
    sf.Lead.update(rid, {"Rating": "Warm"})
    box.set_faults("salesforce", FaultPlan(rate_503=1.0))
    with pytest.raises(SalesforceGeneralError):
        sf.Lead.get(rid)
    assert admin.writes("salesforce") == {("Lead", rid, "Rating"): 2}
    assert admin.fault_counts("salesforce")["503"] >= 1
    assert admin.fault_counts("hubspot") == {}


def test_an_expired_session_logs_in_again_with_client_credentials(box):
    """The sandbox's connected app buys new session ids; the old one keeps working (see README)."""
    client = box.salesforce_client()
    assert box.env["LEADFLOW_SALESFORCE_CLIENT_ID"] == client["client_id"]
    sf = salesforce(box)
    url = f"{box.url('salesforce')}/services/oauth2/token"
    form = {"grant_type": "client_credentials", **client}
    token = sf.session.post(url, data=form).json()["access_token"]
    assert token in box.tokens("salesforce")
    assert sf.session.post(url, data={**form, "client_secret": "wrong"}).status_code == 400
