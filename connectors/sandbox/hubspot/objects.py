"""/crm/v3/objects/{type}: list, read, create, update and archive one record at a time."""

from __future__ import annotations

from urllib.parse import urlencode

from ..web import Request, Response
from . import errors
from .associations import target_for
from .properties import object_type
from .schema import ObjectType
from .values import flag, iso

LIST_MAX = 100


def create_links(app, otype: ObjectType, rid: str, raw, now_ms: int) -> list:
    """Association rows for the `associations` of a create input (v4 spec shape)."""
    rows = []
    for item in raw or []:
        try:
            tid = str(item["to"]["id"])
            type_ids = [int(t["associationTypeId"]) for t in item["types"]]
        except (KeyError, TypeError, ValueError):
            raise errors.bad_request("associations need to.id and types[].associationTypeId") from None
        targets = {target_for(otype, t) for t in type_ids}
        if None in targets or len(targets) != 1:
            raise errors.bad_request(f"association types {type_ids} are not valid from {otype.name}")
        target = targets.pop()
        if app.records.get(target, tid) is None:
            raise errors.bad_request(f"Association target {target.singular} {tid} does not exist")
        rows += app.associations.rows(otype, rid, target, tid, now_ms, type_ids)
    return rows


def install(app) -> None:
    """Route single-record CRM object endpoints onto the app."""
    records = app.records

    def list_objects(request: Request) -> Response:
        otype = object_type(request.params["type"])
        limit = min(app.int_arg(request, "limit", 10, low=1), LIST_MAX)
        after = request.arg("after")
        if after is not None and not after.isdigit():
            raise errors.bad_request(f"after must be a record id cursor, got {after!r}")
        archived = flag(request.arg("archived"))
        names = records.wanted(otype, request.args("properties"))
        linked = request.args("associations")
        rows = records.page(otype, int(after) if after else None, limit + 1, archived)
        results = []
        for rec in rows[:limit]:
            item = records.shape(otype, rec, names)
            if linked:
                found = app.associations.v3(otype, rec.id, linked)
                if found:
                    item["associations"] = found
            results.append(item)
        body = {"results": results}
        if len(rows) > limit:
            nxt = rows[limit].id
            query = [(k, v) for k, vs in request.query.items() if k != "after" for v in vs]
            link = f"{app.base_url(request)}{request.path}?{urlencode(query + [('after', nxt)])}"
            body["paging"] = {"next": {"after": nxt, "link": link}}
        return Response.json(body)

    def read(request: Request) -> Response:
        otype = object_type(request.params["type"])
        archived = flag(request.arg("archived"))
        rec = records.find(otype, request.arg("idProperty"), request.params["id"], archived)
        if rec is None:
            raise errors.not_found(
                "Object not found.  objectId are usually numeric.", context={"id": [request.params["id"]]}
            )
        item = records.shape(otype, rec, records.wanted(otype, request.args("properties")))
        linked = request.args("associations")
        if linked:
            found = app.associations.v3(otype, rec.id, linked)
            if found:
                item["associations"] = found
        return Response.json(item)

    def create(request: Request) -> Response:
        otype = object_type(request.params["type"])
        body = app.body(request)
        if not isinstance(body, dict) or not isinstance(body.get("properties"), dict):
            raise errors.bad_request("Input needs a properties object")
        with app.store.lock:
            problems: list = []
            props = records.merge(otype, None, body["properties"], problems)
            if problems:
                raise errors.invalid_properties(problems)
            records.email_taken(otype, props)
            rid = str(records.allocate(otype.name))
            now = app.clock.tick_ms()
            records.stamp(otype, rid, None, props, now, body["properties"])
            rec = records.build(otype, rid, props, now, now)
            links = create_links(app, otype, rid, body.get("associations"), now)
            app.store.put_many([rec, *links])
        return Response.json(records.shape(otype, rec, list(props)), 201)

    def update(request: Request) -> Response:
        otype = object_type(request.params["type"])
        body = app.body(request)
        if not isinstance(body, dict) or not isinstance(body.get("properties"), dict):
            raise errors.bad_request("Input needs a properties object")
        with app.store.lock:
            rec = records.find(otype, request.arg("idProperty"), request.params["id"])
            if rec is None:
                raise errors.not_found("resource not found", context={"id": [request.params["id"]]})
            problems: list = []
            before = rec.data["properties"]
            props = records.merge(otype, before, body["properties"], problems)
            if problems:
                raise errors.invalid_properties(problems)
            if props.get("email") != before.get("email"):
                records.email_taken(otype, props, rec.id)
            now = app.clock.tick_ms()
            records.stamp(otype, rec.id, before, props, now, body["properties"])
            rec = records.build(otype, rec.id, props, rec.created, now)
            app.store.put(rec)
        return Response.json(records.shape(otype, rec, list(props)))

    def archive(request: Request) -> Response:
        otype = object_type(request.params["type"])
        with app.store.lock:
            rec = records.get(otype, request.params["id"])
            if rec is not None:
                now = app.clock.tick_ms()
                app.store.put(
                    records.build(
                        otype,
                        rec.id,
                        rec.data["properties"],
                        rec.created,
                        now,
                        archived=True,
                        archived_at=iso(now),
                    )
                )
        return Response.empty(204)

    app.router.add("GET", "/crm/v3/objects/{type}", list_objects)
    app.router.add("POST", "/crm/v3/objects/{type}", create)
    app.router.add("GET", "/crm/v3/objects/{type}/{id}", read)
    app.router.add("PATCH", "/crm/v3/objects/{type}/{id}", update)
    app.router.add("DELETE", "/crm/v3/objects/{type}/{id}", archive)
