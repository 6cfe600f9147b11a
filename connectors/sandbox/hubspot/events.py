"""Activity streams: marketing email events (legacy v1) and web events (events v3 occurrences)."""

from __future__ import annotations

from urllib.parse import urlencode

from ..store import Record
from ..web import Request, Response
from . import errors
from .records import VENDOR, base_where
from .values import encode_cursor, iso, parse_ms

EMAIL_EVENTS_MAX = 1000
WEB_EVENTS_MAX = 1000
EMAIL_EVENT_TYPES = {
    "SENT",
    "DROPPED",
    "PROCESSED",
    "DELIVERED",
    "DEFERRED",
    "BOUNCE",
    "OPEN",
    "CLICK",
    "PRINT",
    "FORWARD",
    "STATUSCHANGE",
    "SPAMREPORT",
    "SUPPRESSED",
    "SUPPRESSION",
    "UNBOUNCE",
}
_OBJECT_TYPES = {
    "0-1": "CONTACT",
    "contact": "CONTACT",
    "contacts": "CONTACT",
    "0-2": "COMPANY",
    "company": "COMPANY",
    "companies": "COMPANY",
}


def email_event_record(raw: dict) -> Record:
    at = int(raw["created"])
    return Record(VENDOR, "email_events", str(raw["id"]), dict(raw), at, at)


def web_event_record(raw: dict) -> Record:
    at = parse_ms(raw["occurredAt"])
    data = {k: v for k, v in raw.items() if k not in ("id", "occurredAt")}
    return Record(VENDOR, "web_events", str(raw["id"]), data, at, at)


def _page_after(app, request: Request, where: str, params: list, descending: bool) -> tuple[str, list]:
    """Keyset paging on (modstamp, id) from an opaque cursor."""
    token = request.arg("after") or request.arg("offset")
    if not token:
        return where, params
    at, last_id = app.cursor(token)
    if descending:
        return (
            f"{where} and modstamp <= ? and not (modstamp = ? and id >= ?)",
            [*params, int(at), int(at), str(last_id)],
        )
    return (
        f"{where} and modstamp >= ? and not (modstamp = ? and id <= ?)",
        [*params, int(at), int(at), str(last_id)],
    )


def install(app) -> None:
    def email_events(request: Request) -> Response:
        limit = app.int_arg(request, "limit", 100, low=1)
        if limit > EMAIL_EVENTS_MAX:
            raise errors.bad_request(f"limit must be at most {EMAIL_EVENTS_MAX}, got {limit}")
        where, params = f"{base_where('email_events')} and deleted = 0", []
        start, end = app.int_arg(request, "startTimestamp", None), app.int_arg(request, "endTimestamp", None)
        if start is not None:
            where += " and modstamp >= ?"
            params.append(start)
        if end is not None:
            where += " and modstamp <= ?"
            params.append(end)
        kind = request.arg("eventType")
        if kind:
            if kind.upper() not in EMAIL_EVENT_TYPES:
                raise errors.bad_request(f"eventType {kind!r} is not an email event type")
            where += " and json_extract(data, '$.type') = ?"
            params.append(kind.upper())
        for arg, path in (("recipient", "$.recipient"), ("campaignId", "$.emailCampaignId")):
            value = request.arg(arg)
            if value:
                where += f" and lower(cast(json_extract(data, '{path}') as text)) = ?"
                params.append(value.lower())
        where, params = _page_after(app, request, where, params, descending=True)
        rows = app.records.query(where, params, "modstamp desc, id desc", limit + 1)
        more = len(rows) > limit
        body = {"hasMore": more, "events": [r.data for r in rows[:limit]]}
        if rows:
            last = rows[:limit][-1]
            body["offset"] = encode_cursor(last.modstamp, last.id)
        return Response.json(body)

    def web_events(request: Request) -> Response:
        limit = app.int_arg(request, "limit", 100, low=1)
        if limit > WEB_EVENTS_MAX:
            raise errors.bad_request(f"limit must be at most {WEB_EVENTS_MAX}, got {limit}")
        where, params = f"{base_where('web_events')} and deleted = 0", []
        kind = request.arg("objectType")
        if kind:
            where += " and json_extract(data, '$.objectType') = ?"
            params.append(_OBJECT_TYPES.get(kind.lower(), kind.upper()))
        for arg, path in (("objectId", "$.objectId"), ("eventType", "$.eventType")):
            if request.arg(arg):
                where += f" and cast(json_extract(data, '{path}') as text) = ?"
                params.append(request.arg(arg))
        for arg, op in (("occurredAfter", ">"), ("occurredBefore", "<")):
            value = request.arg(arg)
            if value:
                try:
                    params.append(parse_ms(value))
                except ValueError:
                    raise errors.bad_request(f"{arg} {value!r} is not a datetime") from None
                where += f" and modstamp {op} ?"
        sort = (request.args("sort") or ["DESCENDING"])[0]
        descending = sort.upper() in ("DESCENDING", "DESC", "-OCCURREDAT")
        where, params = _page_after(app, request, where, params, descending)
        way = "desc" if descending else "asc"
        rows = app.records.query(where, params, f"modstamp {way}, id {way}", limit + 1)
        results = [
            {
                "objectType": r.data.get("objectType"),
                "objectId": r.data.get("objectId"),
                "eventType": r.data.get("eventType"),
                "occurredAt": iso(r.modstamp),
                "id": r.id,
                "properties": r.data.get("properties", {}),
            }
            for r in rows[:limit]
        ]
        body: dict = {"results": results}
        if len(rows) > limit:
            last = rows[limit - 1]
            nxt = encode_cursor(last.modstamp, last.id)
            query = [(k, v) for k, vs in request.query.items() if k != "after" for v in vs]
            link = f"{app.base_url(request)}{request.path}?{urlencode(query + [('after', nxt)])}"
            body["paging"] = {"next": {"after": nxt, "link": link}}
        return Response.json(body)

    app.router.add("GET", "/email/public/v1/events", email_events)
    app.router.add("GET", "/events/v3/events", web_events)
