"""HubSpot sandbox: forms, form submissions, marketing email events and web events."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from hubspot import HubSpot
from hubspot.events import ApiException as EventsError

BASE_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z


@pytest.fixture(scope="module")
def activity(sandbox):
    """Two forms with 7 submissions, 12 email events and 5 web events, all marked as this module's."""
    app, tag = sandbox.apps["hubspot"], uuid.uuid4().hex[:8]
    forms = [str(uuid.uuid4()) for _ in range(2)]
    app.load(
        "forms",
        [
            {
                "id": f,
                "name": f"Form {i} {tag}",
                "formType": "hubspot",
                "createdAt": "2025-01-01T00:00:00.000Z",
            }
            for i, f in enumerate(forms)
        ],
    )
    app.load(
        "form_submissions",
        [
            {
                "formId": forms[0],
                "conversionId": f"{tag}-{i}",
                "submittedAt": BASE_MS + i * 60_000,
                "pageUrl": "https://acme.example/demo",
                "values": [{"name": "email", "value": f"s{i}@x.example", "objectTypeId": "0-1"}],
            }
            for i in range(7)
        ],
    )
    recipient = f"{tag}@mail.example"
    kinds = ["SENT", "DELIVERED", "OPEN"] * 4
    app.load(
        "email_events",
        [
            {
                "id": f"{tag}-e{i}",
                "created": BASE_MS + i * 1000,
                "type": kind,
                "recipient": recipient,
                "emailCampaignId": 77,
            }
            for i, kind in enumerate(kinds)
        ],
    )
    contact = str(700_000 + int(tag[:5], 16))
    app.load(
        "web_events",
        [
            {
                "id": f"{tag}-w{i}",
                "objectType": "CONTACT",
                "objectId": contact,
                "eventType": "e_visited_page",
                "occurredAt": f"2026-01-0{i + 1}T12:00:00.000Z",
                "properties": {"hs_url": f"https://acme.example/p{i}", "hs_title": f"P{i}"},
            }
            for i in range(5)
        ],
    )
    return {"forms": forms, "tag": tag, "recipient": recipient, "contact": contact}


def _get(hs: HubSpot, sandbox, monkeypatch, path: str, **params):
    """GET through `client.api_request` (plain requests, so it needs REQUESTS_CA_BUNDLE)."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(sandbox.ca_path))
    return hs.api_request({"path": path, "qs": params, "base_url": sandbox.url("hubspot")})


def test_forms_list_in_v3_shape(hs, activity):
    # The generated forms models cannot read real HubSpot forms (legalConsentOptions "none",
    # email fields), so leadflow reads them raw; so does this test.
    seen, after = {}, None
    while True:
        answer = json.loads(
            hs.marketing.forms.forms_api.get_page(limit=1, after=after, _preload_content=False).data
        )
        seen.update({f["id"]: f for f in answer["results"]})
        after = (answer.get("paging") or {}).get("next", {}).get("after")
        if not after:
            break
    form = seen[activity["forms"][0]]
    assert form["formType"] == "hubspot" and form["archived"] is False
    assert form["createdAt"] == "2025-01-01T00:00:00.000Z"
    assert form["fieldGroups"][0]["fields"][0]["name"] == "email"
    assert activity["forms"][1] in seen


def test_submissions_newest_first_with_paging(hs, sandbox, monkeypatch, activity):
    path = f"/form-integrations/v1/submissions/forms/{activity['forms'][0]}"
    first = _get(hs, sandbox, monkeypatch, path, limit=5)
    assert first.status_code == 200
    body = first.json()
    times = [r["submittedAt"] for r in body["results"]]
    assert times == sorted(times, reverse=True) and len(times) == 5
    assert set(body["results"][0]) == {"conversionId", "submittedAt", "pageUrl", "values"}
    rest = _get(hs, sandbox, monkeypatch, path, limit=5, after=body["paging"]["next"]["after"]).json()
    assert [r["submittedAt"] for r in rest["results"]] == [BASE_MS + 60_000, BASE_MS]
    assert "paging" not in rest
    empty = _get(hs, sandbox, monkeypatch, f"/form-integrations/v1/submissions/forms/{activity['forms'][1]}")
    assert empty.json() == {"results": []}


def test_submissions_limit_and_unknown_form(hs, sandbox, monkeypatch, activity):
    path = f"/form-integrations/v1/submissions/forms/{activity['forms'][0]}"
    assert _get(hs, sandbox, monkeypatch, path, limit=51).status_code == 400
    missing = _get(hs, sandbox, monkeypatch, f"/form-integrations/v1/submissions/forms/{uuid.uuid4()}")
    assert missing.status_code == 404 and missing.json()["status"] == "error"


def test_email_events_window_type_and_offset_paging(hs, sandbox, monkeypatch, activity):
    params = {
        "recipient": activity["recipient"],
        "startTimestamp": BASE_MS + 2000,
        "endTimestamp": BASE_MS + 9000,
        "limit": 3,
    }
    seen = []
    while True:
        answer = _get(hs, sandbox, monkeypatch, "/email/public/v1/events", **params).json()
        seen += [e["created"] for e in answer["events"]]
        if not answer["hasMore"]:
            break
        params["offset"] = answer["offset"]
    assert seen == [BASE_MS + i * 1000 for i in range(9, 1, -1)]  # inclusive bounds, newest first
    opens = _get(
        hs, sandbox, monkeypatch, "/email/public/v1/events", recipient=activity["recipient"], eventType="OPEN"
    ).json()
    assert {e["type"] for e in opens["events"]} == {"OPEN"} and len(opens["events"]) == 4
    assert _get(hs, sandbox, monkeypatch, "/email/public/v1/events", limit=1001).status_code == 400


def test_web_events_filters_paging_and_sort(hs, activity):
    api = hs.events.events_api
    after_moment = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    seen, cursor = [], None
    while True:
        page = api.get_page(
            object_type="contact",
            object_id=activity["contact"],
            event_type="e_visited_page",
            occurred_after=after_moment,
            limit=2,
            after=cursor,
        )
        seen += [e.properties["hs_title"] for e in page.results]
        if page.paging is None:
            break
        cursor = page.paging.next.after
    assert seen == ["P4", "P3", "P2", "P1"]  # newest first; occurredAfter is exclusive
    ascending = api.get_page(object_type="contact", object_id=activity["contact"], sort=["ASCENDING"])
    assert [e.properties["hs_title"] for e in ascending.results] == ["P0", "P1", "P2", "P3", "P4"]
    assert ascending.results[0].object_type == "CONTACT"
    with pytest.raises(EventsError) as err:
        api.get_page(object_type="contact", limit=1001)
    assert err.value.status == 400
