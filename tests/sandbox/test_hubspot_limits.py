"""HubSpot sandbox: authentication, rate limits (10 s window, search per second, daily), faults."""

from __future__ import annotations

import json
import re

import pytest
import requests
from hubspot import HubSpot
from hubspot.crm.objects import ApiException, PublicObjectSearchRequest

from connectors.sandbox import FaultPlan, Sandbox, SandboxSettings

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture(scope="module")
def tight(tmp_path_factory):
    """A sandbox of this module's own with small limits: 4 requests per 10 s, 2 searches per s."""
    settings = SandboxSettings(hubspot_requests_per_10s=4, hubspot_search_per_second=2)
    with Sandbox(tmp_path_factory.mktemp("tight"), settings=settings) as box:
        yield box


def _session(box: Sandbox, token: str | None = None) -> tuple[requests.Session, str]:
    if token is None:
        token = box.apps["hubspot"].issue_token()
        box.add_token("hubspot", token)
    session = requests.Session()
    session.verify, session.trust_env = str(box.ca_path), False
    session.headers["Authorization"] = f"Bearer {token}"
    return session, box.url("hubspot")


def test_issued_tokens_look_like_private_app_tokens(tight):
    assert re.match(r"^pat-na1-[0-9a-f-]{36}$", tight.apps["hubspot"].issue_token())


@pytest.mark.parametrize("header", [None, "Bearer pat-na1-not-a-real-token", "Basic abc"])
def test_missing_or_unknown_token_is_401(tight, header):
    session, url = _session(tight)
    session.headers.pop("Authorization")
    headers = {"Authorization": header} if header else {}
    answer = session.get(f"{url}/crm/v3/objects/contacts", headers=headers)
    assert answer.status_code == 401
    body = answer.json()
    assert body["status"] == "error" and body["category"] == "INVALID_AUTHENTICATION"
    assert body["message"].startswith("Authentication credentials not found")
    assert UUID.match(body["correlationId"])
    assert "X-HubSpot-RateLimit-Max" not in answer.headers


def test_ten_second_window_headers_and_429(tight):
    session, url = _session(tight)
    remaining = []
    for _ in range(4):
        answer = session.get(f"{url}/crm/v3/objects/contacts")
        assert answer.status_code == 200
        assert answer.headers["X-HubSpot-RateLimit-Max"] == "4"
        assert answer.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
        remaining.append(int(answer.headers["X-HubSpot-RateLimit-Remaining"]))
        assert int(answer.headers["X-HubSpot-RateLimit-Daily-Remaining"]) < 625_000
    assert remaining == [3, 2, 1, 0]
    refused = session.get(f"{url}/crm/v3/objects/contacts")
    assert refused.status_code == 429
    body = refused.json()
    assert body["message"] == "You have reached your ten_secondly_rolling limit."
    assert body["errorType"] == "RATE_LIMIT" and body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert 1 <= int(refused.headers["Retry-After"]) <= 10
    assert refused.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    other, _ = _session(tight)  # the window is per token
    assert other.get(f"{url}/crm/v3/objects/contacts").status_code == 200
    tight.clock.offset_ms += 10_000  # the window rolls on
    assert session.get(f"{url}/crm/v3/objects/contacts").status_code == 200


def test_search_has_its_own_per_second_limit(tight):
    session, url = _session(tight)
    for _ in range(2):
        answer = session.post(f"{url}/crm/v3/objects/contacts/search", json={"limit": 1})
        assert answer.status_code == 200
        assert not [h for h in answer.headers if h.lower().startswith("x-hubspot-ratelimit")]
    refused = session.post(f"{url}/crm/v3/objects/contacts/search", json={"limit": 1})
    assert refused.status_code == 429
    assert refused.json()["message"] == "You have reached your secondly limit."
    assert refused.json()["policyName"] == "SECONDLY"
    listed = session.get(f"{url}/crm/v3/objects/contacts")  # searches do not use the 10 s window
    assert listed.headers["X-HubSpot-RateLimit-Remaining"] == "3"


def test_client_sees_429_as_api_exception(tight):
    token = tight.apps["hubspot"].issue_token()
    tight.add_token("hubspot", token)
    hs = HubSpot(
        access_token=token,
        host=tight.url("hubspot"),
        ssl_ca_cert=str(tight.ca_path),
        client_side_validation=True,
    )
    request = PublicObjectSearchRequest(filter_groups=[], limit=1)
    with pytest.raises(ApiException) as err:
        for _ in range(3):
            hs.crm.objects.search_api.do_search("contacts", request)
    assert err.value.status == 429


def test_daily_limit(fresh_sandbox):
    box = fresh_sandbox
    box.settings.hubspot_daily_limit = 3
    session, url = _session(box)
    left = [
        session.get(f"{url}/crm/v3/owners/").headers["X-HubSpot-RateLimit-Daily-Remaining"] for _ in range(3)
    ]
    assert left == ["2", "1", "0"]
    refused = session.get(f"{url}/crm/v3/owners/")
    assert refused.status_code == 429 and refused.json()["policyName"] == "DAILY"
    assert refused.json()["message"] == "You have reached your daily limit."
    searched = session.post(f"{url}/crm/v3/objects/contacts/search", json={})
    assert searched.status_code == 429 and searched.json()["policyName"] == "DAILY"
    box.clock.offset_ms += 86_400_000  # a new day
    assert session.get(f"{url}/crm/v3/owners/").status_code == 200


@pytest.mark.parametrize(
    ("kind", "status", "category"),
    [
        ("500", 500, "INTERNAL_ERROR"),
        ("503", 503, "SERVICE_UNAVAILABLE"),
        ("expire", 401, "EXPIRED_AUTHENTICATION"),
    ],
)
def test_injected_faults_answer_in_hubspot_shape(tight, kind, status, category):
    session, url = _session(tight)
    tight.set_faults("hubspot", FaultPlan(**{f"rate_{kind}": 1.0}))
    try:
        answer = session.get(f"{url}/crm/v3/objects/contacts")
    finally:
        tight.set_faults("hubspot", FaultPlan())
    assert answer.status_code == status
    body = answer.json()
    assert body["status"] == "error" and body["category"] == category and UUID.match(body["correlationId"])


def test_injected_429_and_lock(tight):
    session, url = _session(tight)
    tight.set_faults("hubspot", FaultPlan(rate_429=1.0))
    try:
        answer = session.get(f"{url}/crm/v3/objects/contacts")
    finally:
        tight.set_faults("hubspot", FaultPlan())
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "1"
    assert answer.json()["policyName"] == "TEN_SECONDLY_ROLLING"
    tight.set_faults("hubspot", FaultPlan(rate_lock=1.0))  # a Salesforce fault: HubSpot answers normally
    try:
        assert session.get(f"{url}/crm/v3/objects/contacts").status_code == 200
    finally:
        tight.set_faults("hubspot", FaultPlan())


def test_unknown_path_and_bad_json(tight):
    session, url = _session(tight)
    missing = session.get(f"{url}/crm/v3/nothing-here")
    assert missing.status_code == 404 and missing.json()["status"] == "error"
    bad = session.post(
        f"{url}/crm/v3/objects/contacts", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert bad.status_code == 400 and json.loads(bad.text)["category"] == "VALIDATION_ERROR"
