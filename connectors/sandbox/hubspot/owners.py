"""/crm/v3/owners: the account's users who own records."""

from __future__ import annotations

from urllib.parse import urlencode

from ..store import Record
from ..web import Request, Response
from . import errors
from .records import VENDOR, base_where
from .values import flag, iso, parse_ms

PAGE_MAX = 500


def owner_record(raw: dict, rid: str, now_ms: int) -> Record:
    """An owner as loaded: the API shape, times parsed into the store's columns."""
    created = parse_ms(raw["createdAt"]) if raw.get("createdAt") else now_ms
    updated = parse_ms(raw["updatedAt"]) if raw.get("updatedAt") else created
    data = {k: v for k, v in raw.items() if k not in ("id", "createdAt", "updatedAt", "archived")}
    return Record(VENDOR, "owners", rid, data, created, updated, bool(raw.get("archived")))


def owner_answer(rec: Record) -> dict:
    data = rec.data
    out = {
        "id": rec.id,
        "email": data.get("email"),
        "type": data.get("type", "PERSON"),
        "firstName": data.get("firstName"),
        "lastName": data.get("lastName"),
        "userId": data.get("userId"),
        "userIdIncludingInactive": data.get("userIdIncludingInactive", data.get("userId")),
        "createdAt": iso(rec.created),
        "updatedAt": iso(rec.modstamp),
        "archived": rec.deleted,
    }
    if not rec.deleted:
        out["teams"] = data.get("teams", [])
    return out


def install(app) -> None:
    def list_owners(request: Request) -> Response:
        limit = min(app.int_arg(request, "limit", 100, low=1), PAGE_MAX)
        after = request.arg("after")
        if after is not None and not after.isdigit():
            raise errors.bad_request(f"after must be an owner id cursor, got {after!r}")
        archived = flag(request.arg("archived"))
        where = f"{base_where('owners')} and deleted = {int(archived)}"
        params: list = []
        if request.arg("email"):
            where += " and lower(json_extract(data, '$.email')) = ?"
            params.append(request.arg("email").strip().lower())
        if after:
            where += " and (length(id) > ? or (length(id) = ? and id >= ?))"
            params += [len(after), len(after), after]
        rows = app.records.query(where, params, "length(id), id", limit + 1)
        body: dict = {"results": [owner_answer(r) for r in rows[:limit]]}
        if len(rows) > limit:
            nxt = rows[limit].id
            query = [(k, v) for k, vs in request.query.items() if k != "after" for v in vs]
            link = f"{app.base_url(request)}{request.path}?{urlencode(query + [('after', nxt)])}"
            body["paging"] = {"next": {"after": nxt, "link": link}}
        return Response.json(body)

    def get_owner(request: Request) -> Response:
        key, archived = request.params["id"], flag(request.arg("archived"))
        if request.arg("idProperty", "id") == "userId":
            found = app.records.query(
                f"{base_where('owners')} and deleted = ? and json_extract(data, '$.userId') = ?",
                (int(archived), int(key) if key.isdigit() else key),
                limit=1,
            )
            rec = found[0] if found else None
        else:
            rec = app.store.get(VENDOR, "owners", key)
            rec = rec if rec is not None and rec.deleted == archived else None
        if rec is None:
            raise errors.not_found(f"Owner {key} not found")
        return Response.json(owner_answer(rec))

    app.router.add("GET", "/crm/v3/owners", list_owners)
    app.router.add("GET", "/crm/v3/owners/{id}", get_owner)
