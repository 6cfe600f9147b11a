"""HubSpot sandbox: webinar participations (marketing events) and chat threads (conversations)."""

from __future__ import annotations

import pytest
from hubspot.marketing.events import ApiException as EventsError

EVENT = "880001"


@pytest.fixture(scope="module")
def loaded(sandbox):
    app = sandbox.apps["hubspot"]
    app.load(
        "contacts",
        [
            {"id": str(880100 + i), "properties": {"email": f"web{i}@webinar.example", "firstname": f"W{i}"}}
            for i in range(4)
        ],
    )
    app.load(
        "marketing_events",
        [
            {
                "objectId": EVENT,
                "eventName": "Scoring 101",
                "eventType": "WEBINAR",
                "eventOrganizer": "Acme",
                "externalEventId": "zoom-77",
                "startDateTime": "2026-02-01T16:00:00.000Z",
                "endDateTime": "2026-02-01T17:00:00.000Z",
                "createdAt": "2026-01-10T00:00:00.000Z",
            }
        ],
    )
    states = ["REGISTERED", "ATTENDED", "ATTENDED", "NO_SHOW"]
    app.load(
        "event_participations",
        [
            {
                "id": f"p{i}",
                "marketingEventId": EVENT,
                "contactId": str(880100 + i),
                "state": state,
                "occurredAt": 1_769_961_600_000 + i * 1000,
                **({"attendanceDurationSeconds": 1800} if state == "ATTENDED" else {}),
            }
            for i, state in enumerate(states)
        ],
    )
    app.load(
        "conversation_threads",
        [
            {
                "id": str(990000 + i),
                "status": "OPEN" if i % 2 else "CLOSED",
                "inboxId": "147",
                "associatedContactId": "880100",
                "originalChannelId": "1000",
                "originalChannelAccountId": "55",
                "createdAt": f"2026-03-0{i + 1}T09:00:00.000Z",
                "latestMessageTimestamp": f"2026-03-0{i + 1}T09:05:00.000Z",
            }
            for i in range(3)
        ],
    )
    app.load(
        "conversation_messages",
        [
            {
                "id": f"m{i}",
                "conversationsThreadId": "990000",
                "createdAt": f"2026-03-01T09:0{i}:00.000Z",
                "text": f"hello {i}",
                "direction": "INCOMING" if i % 2 == 0 else "OUTGOING",
                "channelId": "1000",
                "channelAccountId": "55",
                "senders": [{"actorId": "V-1"}],
            }
            for i in range(5)
        ],
    )
    return app


def test_participations_by_event_with_state_filter_and_counters(hs, loaded):
    api = hs.marketing.events.retrieve_participant_state_api
    everyone = api.get_participations_breakdown_by_marketing_event_id(EVENT, limit=3)
    assert everyone.total == 4 and len(everyone.results) == 3 and everyone.paging.next.after == "3"
    first = everyone.results[0]
    assert first.associations.contact.email == "web0@webinar.example"
    assert first.associations.marketing_event.name == "Scoring 101"
    attended = api.get_participations_breakdown_by_marketing_event_id(EVENT, state="ATTENDED")
    assert [r.associations.contact.contact_id for r in attended.results] == ["880101", "880102"]
    assert attended.results[0].properties.attendance_duration_seconds == 1800
    counts = api.get_participations_counters_by_marketing_event_id(EVENT)
    assert (counts.registered, counts.attended, counts.no_shows, counts.cancelled) == (1, 2, 1, 0)


def test_participations_by_contact_email_and_unknown_event(hs, loaded):
    api = hs.marketing.events.retrieve_participant_state_api
    mine = api.get_participations_breakdown_by_contact_id("web3@webinar.example")
    assert [r.properties.attendance_state for r in mine.results] == ["NO_SHOW"]
    with pytest.raises(EventsError) as err:
        api.get_participations_breakdown_by_marketing_event_id("404404")
    assert err.value.status == 404


def test_marketing_event_read(hs, loaded):
    event = hs.marketing.events.basic_api.get_by_object_id(EVENT)
    assert event.event_name == "Scoring 101" and event.attendees == 2 and event.registrants == 1


def test_threads_filters_and_paging(hs, sandbox, monkeypatch, loaded):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(sandbox.ca_path))

    def get(path, **qs):
        return hs.api_request({"path": path, "qs": qs, "base_url": sandbox.url("hubspot")})

    first = get("/conversations/v3/conversations/threads", associatedContactId="880100", limit=2).json()
    assert [t["id"] for t in first["results"]] == ["990000", "990001"]
    rest = get(
        "/conversations/v3/conversations/threads",
        associatedContactId="880100",
        limit=2,
        after=first["paging"]["next"]["after"],
    ).json()
    assert [t["id"] for t in rest["results"]] == ["990002"] and "paging" not in rest
    open_only = get(
        "/conversations/v3/conversations/threads", associatedContactId="880100", threadStatus="OPEN"
    ).json()
    assert [t["id"] for t in open_only["results"]] == ["990001"]
    recent = get(
        "/conversations/v3/conversations/threads",
        sort="latestMessageTimestamp",
        latestMessageTimestampAfter="2026-03-02T00:00:00Z",
        inboxId="147",
    ).json()
    assert [t["id"] for t in recent["results"]] == ["990001", "990002"]
    assert get("/conversations/v3/conversations/threads", sort="latestMessageTimestamp").status_code == 400


def test_thread_messages_in_time_order(hs, sandbox, monkeypatch, loaded):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(sandbox.ca_path))
    path = "/conversations/v3/conversations/threads/990000/messages"
    page = hs.api_request({"path": path, "qs": {"limit": 3}, "base_url": sandbox.url("hubspot")}).json()
    assert [m["text"] for m in page["results"]] == ["hello 0", "hello 1", "hello 2"]
    assert page["results"][0]["type"] == "MESSAGE" and page["results"][0]["direction"] == "INCOMING"
    rest = hs.api_request(
        {
            "path": path,
            "qs": {"limit": 3, "after": page["paging"]["next"]["after"]},
            "base_url": sandbox.url("hubspot"),
        }
    ).json()
    assert [m["text"] for m in rest["results"]] == ["hello 3", "hello 4"]
    missing = hs.api_request(
        {"path": "/conversations/v3/conversations/threads/1/messages", "base_url": sandbox.url("hubspot")}
    )
    assert missing.status_code == 404
