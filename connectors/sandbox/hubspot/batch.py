"""/crm/v3/objects/{type}/batch/*: read, create, update, upsert and archive up to 100 records."""

from __future__ import annotations

from ..web import Request, Response
from . import errors
from .objects import create_links
from .properties import object_type
from .values import flag, iso

BATCH_MAX = 100


def _answer(app, started: str, results: list, problems: list[dict], ok_status: int = 200) -> Response:
    body = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": started,
        "completedAt": iso(app.clock.now_ms()),
    }
    if not problems:
        return Response.json(body, ok_status)
    body["numErrors"] = len(problems)
    body["errors"] = problems
    return Response.json(body, 207)


def _missing(otype, ids: list[str]) -> dict:
    return errors.batch_error(
        "OBJECT_NOT_FOUND",
        f"Could not get some {otype.singular.upper()} objects, they may be deleted or not exist. "
        "Check that ids are valid.",
        ids=ids,
    )


def _ids(items: list, key: str = "id") -> list[str]:
    ids = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or item.get(key) in (None, ""):
            raise errors.bad_request(f"inputs[{i}] needs an {key}")
        ids.append(str(item[key]))
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise errors.bad_request(f"Duplicate IDs found in batch input: {dupes}. IDs must be unique")
    return ids


def install(app) -> None:
    """Route the batch endpoints onto the app."""
    records = app.records

    def read(request: Request) -> Response:
        otype = object_type(request.params["type"])
        body = app.body(request) or {}
        items = app.inputs(request, BATCH_MAX, body)
        started = iso(app.clock.now_ms())
        names = records.wanted(otype, body.get("properties") or [])
        archived = flag(request.arg("archived"))
        id_property = body.get("idProperty")
        results, missing = [], []
        for rid in [str(i.get("id", "")) if isinstance(i, dict) else "" for i in items]:
            rec = records.find(otype, id_property, rid, archived) if rid else None
            if rec is None:
                missing.append(rid)
            else:
                results.append(records.shape(otype, rec, names))
        return _answer(app, started, results, [_missing(otype, missing)] if missing else [])

    def create(request: Request) -> Response:
        otype = object_type(request.params["type"])
        items = app.inputs(request, BATCH_MAX)
        started = iso(app.clock.now_ms())
        problems: list = []
        prepared = []
        for item in items:
            changes = item.get("properties") if isinstance(item, dict) else None
            prepared.append((records.merge(otype, None, changes, problems), changes or {}, item))
        if problems:
            raise errors.invalid_properties(problems)
        emails = [p.get("email", "").lower() for p, _, _ in prepared if p.get("email")]
        if len(set(emails)) != len(emails):
            raise errors.fail(409, "Duplicate emails in one batch create", "CONFLICT")
        with app.store.lock:
            for props, _, _ in prepared:
                records.email_taken(otype, props)
            first = records.allocate(otype.name, len(prepared))
            rows, results = [], []
            for offset, (props, changes, item) in enumerate(prepared):
                rid, now = str(first + offset), app.clock.tick_ms()
                records.stamp(otype, rid, None, props, now, changes)
                rec = records.build(otype, rid, props, now, now)
                rows += [rec, *create_links(app, otype, rid, item.get("associations"), now)]
                results.append(records.shape(otype, rec, list(props)))
            app.store.put_many(rows)
        return _answer(app, started, results, [], 201)

    def update(request: Request) -> Response:
        otype = object_type(request.params["type"])
        items = app.inputs(request, BATCH_MAX)
        ids = _ids(items)
        started = iso(app.clock.now_ms())
        with app.store.lock:
            problems: list = []
            found, missing = [], []
            for rid, item in zip(ids, items, strict=True):
                rec = records.find(otype, item.get("idProperty"), rid)
                if rec is None:
                    missing.append(rid)
                    continue
                changes = item.get("properties")
                found.append((rec, records.merge(otype, rec.data["properties"], changes, problems), changes))
            if problems:
                raise errors.invalid_properties(problems)
            rows, results = [], []
            for rec, props, changes in found:
                now = app.clock.tick_ms()
                records.stamp(otype, rec.id, rec.data["properties"], props, now, changes)
                rows.append(records.build(otype, rec.id, props, rec.created, now))
                results.append(records.shape(otype, rows[-1], list(props)))
            app.store.put_many(rows)
            for rec, _, changes in found:
                app.sandbox.tally_writes(app.name, otype.name, rec.id, changes or {})
        return _answer(app, started, results, [_missing(otype, missing)] if missing else [])

    def upsert(request: Request) -> Response:
        otype = object_type(request.params["type"])
        items = app.inputs(request, BATCH_MAX)
        ids = _ids(items)
        started = iso(app.clock.now_ms())
        with app.store.lock:
            problems: list = []
            plans = []
            for value, item in zip(ids, items, strict=True):
                id_property = item.get("idProperty")
                if not id_property:
                    raise errors.bad_request("batch upsert needs idProperty on every input")
                rec = records.find(otype, id_property, value)
                changes = dict(item.get("properties") or {})
                if rec is None and id_property != "hs_object_id":
                    changes.setdefault(id_property, value)
                before = rec.data["properties"] if rec else None
                plans.append((rec, before, records.merge(otype, before, changes, problems), changes))
            if problems:
                raise errors.invalid_properties(problems)
            rows, results = [], []
            for rec, before, props, changes in plans:
                now = app.clock.tick_ms()
                rid = rec.id if rec else str(records.allocate(otype.name))
                records.stamp(otype, rid, before, props, now, changes)
                rows.append(records.build(otype, rid, props, rec.created if rec else now, now))
                results.append(records.shape(otype, rows[-1], list(props)) | {"new": rec is None})
            app.store.put_many(rows)
        return _answer(app, started, results, [])

    def archive(request: Request) -> Response:
        otype = object_type(request.params["type"])
        ids = _ids(app.inputs(request, BATCH_MAX))
        with app.store.lock:
            rows = []
            for rec in app.store.get_many("hubspot", otype.name, ids).values():
                if not rec.deleted:
                    now = app.clock.tick_ms()
                    rows.append(
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
            app.store.put_many(rows)
        return Response.empty(204)

    for action, handler in (
        ("read", read),
        ("create", create),
        ("update", update),
        ("upsert", upsert),
        ("archive", archive),
    ):
        app.router.add("POST", f"/crm/v3/objects/{{type}}/batch/{action}", handler)
