"""Marketing events (webinars) and their participations: who registered, attended, cancelled."""

from __future__ import annotations

from urllib.parse import urlencode

from ..store import Record
from ..web import Request, Response
from . import errors
from .records import VENDOR, base_where
from .schema import OBJECT_TYPES
from .values import iso, parse_ms

EVENTS = "marketing_events"
PARTICIPATIONS = "event_participations"
STATES = ("REGISTERED", "ATTENDED", "CANCELLED", "NO_SHOW")
PAGE_MAX = 100


def event_record(raw: dict, now_ms: int) -> Record:
    rid = str(raw.get("objectId") or raw["id"])
    created = parse_ms(raw["createdAt"]) if raw.get("createdAt") else now_ms
    updated = parse_ms(raw["updatedAt"]) if raw.get("updatedAt") else created
    for key in ("startDateTime", "endDateTime"):
        if raw.get(key):
            parse_ms(raw[key])
    data = {k: v for k, v in raw.items() if k not in ("id", "objectId", "createdAt", "updatedAt")}
    return Record(VENDOR, EVENTS, rid, data, created, updated)


def participation_record(raw: dict) -> Record:
    if raw["state"] not in STATES:
        raise ValueError(f"field state: {raw['state']!r} is not one of {STATES}")
    at = int(raw["occurredAt"])
    data = {k: v for k, v in raw.items() if k != "id"}
    data["marketingEventId"], data["contactId"] = str(raw["marketingEventId"]), str(raw["contactId"])
    return Record(VENDOR, PARTICIPATIONS, str(raw["id"]), data, at, at)


def _event_answer(app, rec: Record) -> dict:
    counts = _counters(app, rec.id)
    out = {
        "objectId": rec.id,
        "eventType": "WEBINAR",
        "customProperties": [],
        "eventCancelled": False,
        "eventCompleted": False,
        **rec.data,
        "createdAt": iso(rec.created),
        "updatedAt": iso(rec.modstamp),
        "registrants": counts["registered"],
        "attendees": counts["attended"],
        "cancellations": counts["cancelled"],
        "noShows": counts["noShows"],
    }
    return out


def _counters(app, event_id: str) -> dict:
    with app.store.lock:
        rows = app.store.conn.execute(
            f"select json_extract(data, '$.state'), count(*) from records where {base_where(PARTICIPATIONS)} "
            "and json_extract(data, '$.marketingEventId') = ? group by 1",
            (event_id,),
        ).fetchall()
    found = dict(rows)
    return {
        "attended": found.get("ATTENDED", 0),
        "registered": found.get("REGISTERED", 0),
        "cancelled": found.get("CANCELLED", 0),
        "noShows": found.get("NO_SHOW", 0),
    }


def _breakdown(app, request: Request, where: str, params: list) -> Response:
    limit = min(app.int_arg(request, "limit", 10, low=1), PAGE_MAX)
    offset = app.int_arg(request, "after", 0, low=0)
    state = request.arg("state")
    if state:
        if state not in STATES:
            raise errors.bad_request(f"state must be one of {', '.join(STATES)}, got {state!r}")
        where += " and json_extract(data, '$.state') = ?"
        params = [*params, state]
    rows = app.records.query(where, params, "modstamp, id", limit + 1, offset)
    total = app.records.count(where, params)
    events = app.store.get_many(VENDOR, EVENTS, {r.data["marketingEventId"] for r in rows})
    contacts = app.store.get_many(VENDOR, "contacts", {r.data["contactId"] for r in rows})
    results = []
    for rec in rows[:limit]:
        event, contact = events.get(rec.data["marketingEventId"]), contacts.get(rec.data["contactId"])
        props = contact.data.get("properties", {}) if contact else {}
        properties = {"attendanceState": rec.data["state"], "occurredAt": rec.modstamp}
        for key in ("attendanceDurationSeconds", "attendancePercentage"):
            if rec.data.get(key) is not None:
                properties[key] = rec.data[key]
        results.append(
            {
                "id": rec.id,
                "createdAt": iso(
                    parse_ms(rec.data["createdAt"]) if rec.data.get("createdAt") else rec.created
                ),
                "properties": properties,
                "associations": {
                    "marketingEvent": {
                        "marketingEventId": rec.data["marketingEventId"],
                        "name": event.data.get("eventName") if event else None,
                        **(
                            {"externalEventId": event.data["externalEventId"]}
                            if event and event.data.get("externalEventId")
                            else {}
                        ),
                    },
                    "contact": {
                        "contactId": rec.data["contactId"],
                        "email": props.get("email") or rec.data.get("email"),
                        "firstname": props.get("firstname"),
                        "lastname": props.get("lastname"),
                    },
                },
            }
        )
    body: dict = {"total": total, "results": results}
    if len(rows) > limit:
        query = [(k, v) for k, vs in request.query.items() if k != "after" for v in vs]
        nxt = str(offset + limit)
        body["paging"] = {
            "next": {
                "after": nxt,
                "link": f"{app.base_url(request)}{request.path}?{urlencode(query + [('after', nxt)])}",
            }
        }
    return Response.json(body)


def install(app) -> None:
    def list_events(request: Request) -> Response:
        limit = min(app.int_arg(request, "limit", 10, low=1), PAGE_MAX)
        offset = app.int_arg(request, "after", 0, low=0)
        where = f"{base_where(EVENTS)} and deleted = 0"
        rows = app.records.query(where, (), "created, id", limit + 1, offset)
        body: dict = {"results": [_event_answer(app, r) for r in rows[:limit]]}
        if len(rows) > limit:
            body["paging"] = {"next": {"after": str(offset + limit)}}
        return Response.json(body)

    def get_event(request: Request) -> Response:
        rec = app.store.get(VENDOR, EVENTS, request.params["id"])
        if rec is None or rec.deleted:
            raise errors.not_found(f"Marketing event {request.params['id']} does not exist")
        return Response.json(_event_answer(app, rec))

    def by_event(request: Request) -> Response:
        event_id = request.params["id"]
        if app.store.get(VENDOR, EVENTS, event_id) is None:
            raise errors.not_found(f"Marketing event {event_id} does not exist")
        where = f"{base_where(PARTICIPATIONS)} and json_extract(data, '$.marketingEventId') = ?"
        return _breakdown(app, request, where, [event_id])

    def by_contact(request: Request) -> Response:
        key = request.params["contact"]
        if "@" in key:
            contact = app.records.find(OBJECT_TYPES["contacts"], "email", key)
            if contact is None:
                raise errors.not_found(f"No contact with email {key}")
            key = contact.id
        where = f"{base_where(PARTICIPATIONS)} and json_extract(data, '$.contactId') = ?"
        return _breakdown(app, request, where, [key])

    def counters(request: Request) -> Response:
        if app.store.get(VENDOR, EVENTS, request.params["id"]) is None:
            raise errors.not_found(f"Marketing event {request.params['id']} does not exist")
        return Response.json(_counters(app, request.params["id"]))

    app.router.add("GET", "/marketing/v3/marketing-events", list_events)
    app.router.add(
        "GET", "/marketing/v3/marketing-events/participations/contacts/{contact}/breakdown", by_contact
    )
    app.router.add("GET", "/marketing/v3/marketing-events/participations/{id}/breakdown", by_event)
    app.router.add("GET", "/marketing/v3/marketing-events/participations/{id}", counters)
    app.router.add("GET", "/marketing/v3/marketing-events/{id}", get_event)
