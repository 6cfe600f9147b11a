"""Conversations inbox (chats): threads and their messages, /conversations/v3/conversations."""

from __future__ import annotations

from urllib.parse import urlencode

from ..store import Record
from ..web import Request, Response
from . import errors
from .records import VENDOR, base_where
from .values import encode_cursor, flag, iso, parse_ms

THREADS = "conversation_threads"
THREADS_MAX = 500
MESSAGES_MAX = 500
STATUSES = ("OPEN", "CLOSED")


def messages_object(thread_id: str) -> str:
    """Each thread's messages are their own store object: one index range, in time order."""
    return f"conversation_messages/{thread_id}"


def thread_record(raw: dict, now_ms: int) -> Record:
    rid = str(raw["id"])
    if not rid.isdigit():
        raise ValueError(f"field id: {rid!r} is not numeric")
    if raw.get("status", "OPEN") not in STATUSES:
        raise ValueError(f"field status: {raw['status']!r} is not OPEN or CLOSED")
    created = parse_ms(raw["createdAt"]) if raw.get("createdAt") else now_ms
    latest = parse_ms(raw["latestMessageTimestamp"]) if raw.get("latestMessageTimestamp") else created
    data = {k: v for k, v in raw.items() if k not in ("id", "createdAt", "archived")}
    data["latestMessageTimestamp"] = iso(latest)
    return Record(VENDOR, THREADS, rid, data, created, latest, bool(raw.get("archived")))


def message_record(raw: dict) -> Record:
    thread = str(raw["conversationsThreadId"])
    at = parse_ms(raw["createdAt"])
    data = {k: v for k, v in raw.items() if k not in ("id",)}
    data["conversationsThreadId"] = thread
    return Record(VENDOR, messages_object(thread), str(raw["id"]), data, at, at)


def thread_answer(rec: Record) -> dict:
    out = {
        "id": rec.id,
        "status": "OPEN",
        "spam": False,
        **rec.data,
        "createdAt": iso(rec.created),
        "archived": rec.deleted,
    }
    return out


def message_answer(rec: Record) -> dict:
    return {
        "type": "MESSAGE",
        "id": rec.id,
        "archived": False,
        "attachments": [],
        "truncationStatus": "NOT_TRUNCATED",
        "senders": [],
        "recipients": [],
        **rec.data,
        "createdAt": iso(rec.created),
        "updatedAt": rec.data.get("updatedAt") or iso(rec.created),
    }


def install(app) -> None:
    def list_threads(request: Request) -> Response:
        limit = min(app.int_arg(request, "limit", 100, low=1), THREADS_MAX)
        where = f"{base_where(THREADS)} and deleted = {int(flag(request.arg('archived')))}"
        params: list = []
        for arg, path in (("associatedContactId", "$.associatedContactId"), ("inboxId", "$.inboxId")):
            if request.arg(arg):
                where += f" and cast(json_extract(data, '{path}') as text) = ?"
                params.append(request.arg(arg))
        status = request.arg("threadStatus")
        if status:
            if status not in STATUSES:
                raise errors.bad_request(f"threadStatus must be OPEN or CLOSED, got {status!r}")
            where += " and coalesce(json_extract(data, '$.status'), 'OPEN') = ?"
            params.append(status)
        by_latest = (request.arg("sort") or "id").lstrip("-") == "latestMessageTimestamp"
        after = request.arg("after")
        if by_latest:
            since = request.arg("latestMessageTimestampAfter")
            if not since:
                raise errors.bad_request("sort=latestMessageTimestamp needs latestMessageTimestampAfter")
            where += " and modstamp > ?"
            try:
                params.append(parse_ms(since))
            except ValueError:
                raise errors.bad_request(f"latestMessageTimestampAfter {since!r} is not a datetime") from None
            if after:
                at, last = app.cursor(after)
                where += " and (modstamp > ? or (modstamp = ? and id > ?))"
                params += [int(at), int(at), str(last)]
            order = "modstamp, id"
        else:
            if after and not after.isdigit():
                raise errors.bad_request(f"after must be a thread id cursor, got {after!r}")
            if after:
                where += " and (length(id) > ? or (length(id) = ? and id >= ?))"
                params += [len(after), len(after), after]
            order = "length(id), id"
        rows = app.records.query(where, params, order, limit + 1)
        body: dict = {"results": [thread_answer(r) for r in rows[:limit]]}
        if len(rows) > limit:
            last = rows[limit - 1]
            nxt = encode_cursor(last.modstamp, last.id) if by_latest else rows[limit].id
            query = [(k, v) for k, vs in request.query.items() if k != "after" for v in vs]
            link = f"{app.base_url(request)}{request.path}?{urlencode(query + [('after', nxt)])}"
            body["paging"] = {"next": {"after": nxt, "link": link}}
        return Response.json(body)

    def get_thread(request: Request) -> Response:
        rec = app.store.get(VENDOR, THREADS, request.params["id"])
        if rec is None:
            raise errors.not_found(f"Thread {request.params['id']} does not exist")
        return Response.json(thread_answer(rec))

    def list_messages(request: Request) -> Response:
        thread = request.params["id"]
        if app.store.get(VENDOR, THREADS, thread) is None:
            raise errors.not_found(f"Thread {thread} does not exist")
        limit = min(app.int_arg(request, "limit", 100, low=1), MESSAGES_MAX)
        where, params = "vendor = 'hubspot' and object = ?", [messages_object(thread)]
        if request.arg("after"):
            at, last = app.cursor(request.arg("after"))
            where += " and modstamp >= ? and not (modstamp = ? and id <= ?)"
            params += [int(at), int(at), str(last)]
        rows = app.records.query(where, params, "modstamp, id", limit + 1)
        body: dict = {"results": [message_answer(r) for r in rows[:limit]]}
        if len(rows) > limit:
            last = rows[limit - 1]
            nxt = encode_cursor(last.modstamp, last.id)
            link = f"{app.base_url(request)}{request.path}?{urlencode({'limit': limit, 'after': nxt})}"
            body["paging"] = {"next": {"after": nxt, "link": link}}
        return Response.json(body)

    app.router.add("GET", "/conversations/v3/conversations/threads", list_threads)
    app.router.add("GET", "/conversations/v3/conversations/threads/{id}", get_thread)
    app.router.add("GET", "/conversations/v3/conversations/threads/{id}/messages", list_messages)
