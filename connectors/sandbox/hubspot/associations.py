"""Associations between records: stored both ways, answered as v3 lists and v4 endpoints."""

from __future__ import annotations

from ..store import Record
from ..web import Request, Response
from . import errors
from .records import VENDOR
from .schema import ObjectType, resolve
from .values import iso

OBJECT = "associations"  # store rows "contacts/101/companies/55" -> {"types": [279]}

# HubSpot-defined default (unlabeled) association type ids, per direction.
_DEFAULT_TYPES = {
    ("contact", "company"): 279,
    ("company", "contact"): 280,
    ("deal", "contact"): 3,
    ("contact", "deal"): 4,
    ("deal", "company"): 341,
    ("company", "deal"): 342,
    ("contact", "call"): 193,
    ("call", "contact"): 194,
    ("contact", "email"): 197,
    ("email", "contact"): 198,
    ("contact", "meeting"): 199,
    ("meeting", "contact"): 200,
    ("contact", "note"): 201,
    ("note", "contact"): 202,
    ("company", "call"): 181,
    ("call", "company"): 182,
    ("company", "email"): 185,
    ("email", "company"): 186,
    ("company", "meeting"): 187,
    ("meeting", "company"): 188,
    ("company", "note"): 189,
    ("note", "company"): 190,
    ("deal", "call"): 205,
    ("call", "deal"): 206,
    ("deal", "email"): 209,
    ("email", "deal"): 210,
    ("deal", "meeting"): 211,
    ("meeting", "deal"): 212,
    ("deal", "note"): 213,
    ("note", "deal"): 214,
}

# Labeled "Primary" types (a record's main company).
_PRIMARY_TYPES = {
    ("contact", "company"): 1,
    ("company", "contact"): 2,
    ("deal", "company"): 5,
    ("company", "deal"): 6,
}


def default_type(source: ObjectType, target: ObjectType) -> int | None:
    return _DEFAULT_TYPES.get((source.singular, target.singular))


def target_for(source: ObjectType, type_id: int) -> ObjectType | None:
    """The object type a default association type id points to from `source`."""
    for (a, b), found in (*_DEFAULT_TYPES.items(), *_PRIMARY_TYPES.items()):
        if a == source.singular and found == type_id:
            return resolve(b)
    return None


def type_name(source: ObjectType, target: ObjectType) -> str:
    """The v3 name of the default type, e.g. call_to_contact."""
    return f"{source.singular}_to_{target.singular}"


def _key(source: ObjectType, sid: str, target: ObjectType, tid: str) -> str:
    return f"{source.name}/{sid}/{target.name}/{tid}"


class Associations:
    def __init__(self, app):
        self.app = app
        self.store = app.store

    def pair(self, source: ObjectType, target: ObjectType) -> int:
        type_id = default_type(source, target)
        if type_id is None:
            raise errors.bad_request(f"{source.name} cannot be associated with {target.name} in this account")
        return type_id

    def rows(
        self,
        source: ObjectType,
        sid: str,
        target: ObjectType,
        tid: str,
        now_ms: int,
        type_ids: list[int] | None = None,
    ) -> list[Record]:
        """Both directions of one association, ready for put_many."""
        forward = type_ids or [self.pair(source, target)]
        backward = [self.pair(target, source)]
        return [
            Record(VENDOR, OBJECT, _key(source, sid, target, tid), {"types": forward}, now_ms, now_ms),
            Record(VENDOR, OBJECT, _key(target, tid, source, sid), {"types": backward}, now_ms, now_ms),
        ]

    def targets(self, source: ObjectType, sid: str, target: ObjectType) -> list[tuple[str, list[int]]]:
        """(target id, type ids) pairs in numeric id order."""
        prefix = f"{source.name}/{sid}/{target.name}/"
        found = self.store.select(
            VENDOR,
            OBJECT,
            where="id >= ? and id < ?",
            params=(prefix, prefix[:-1] + "0"),
        )
        pairs = [(r.id[len(prefix) :], r.data.get("types", [])) for r in found]
        return sorted(pairs, key=lambda p: (len(p[0]), p[0]))

    def v3(self, source: ObjectType, sid: str, names: list[str]) -> dict:
        """The `associations` member of a v3 record answer (absent types are left out)."""
        out = {}
        for name in names:
            target = resolve(name)
            if target is None or default_type(source, target) is None:
                continue
            found = self.targets(source, sid, target)
            if found:
                kind = type_name(source, target)
                out[target.name] = {"results": [{"id": tid, "type": kind} for tid, _ in found]}
        return out


def _v4_types(type_ids: list[int]) -> list[dict]:
    primary = set(_PRIMARY_TYPES.values())
    return [
        {"category": "HUBSPOT_DEFINED", "typeId": t, "label": "Primary" if t in primary else None}
        for t in type_ids
    ]


def install(app) -> None:
    """Route the v4 associations API onto the app."""
    links: Associations = app.associations

    def types_of(request: Request, source_key: str, target_key: str) -> tuple[ObjectType, ObjectType]:
        source, target = resolve(request.params[source_key]), resolve(request.params[target_key])
        if source is None or target is None:
            bad = request.params[source_key] if source is None else request.params[target_key]
            raise errors.bad_request(f"Unable to infer object type from: {bad}")
        return source, target

    def list_v4(request: Request) -> Response:
        source, target = types_of(request, "from", "to")
        limit = min(app.int_arg(request, "limit", 500, low=1), 500)
        found = links.targets(source, request.params["id"], target)
        start = app.int_arg(request, "after", 0, low=0)
        page = found[start : start + limit]
        body = {"results": [{"toObjectId": int(t), "associationTypes": _v4_types(ids)} for t, ids in page]}
        if start + limit < len(found):
            body["paging"] = {"next": {"after": str(start + limit)}}
        return Response.json(body)

    def batch_read(request: Request) -> Response:
        source, target = types_of(request, "from", "to")
        inputs = app.inputs(request, 1000)
        started = iso(app.clock.now_ms())
        results, missing = [], []
        for item in inputs:
            sid = str(item.get("id", "")) if isinstance(item, dict) else ""
            found = links.targets(source, sid, target) if sid else []
            if not found:
                missing.append(sid)
                continue
            results.append(
                {
                    "from": {"id": sid},
                    "to": [{"toObjectId": int(t), "associationTypes": _v4_types(ids)} for t, ids in found],
                }
            )
        body = {
            "status": "COMPLETE",
            "results": results,
            "startedAt": started,
            "completedAt": iso(app.clock.now_ms()),
        }
        if not missing:
            return Response.json(body)
        body["numErrors"] = len(missing)
        body["errors"] = [
            errors.batch_error(
                "VALIDATION_ERROR",
                f"No {target.singular} is associated with {source.singular} {sid}.",
                fromObjectId=[sid],
            )
            | {"subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND"}
            for sid in missing
        ]
        return Response.json(body, 207)

    def associate(source: ObjectType, sid: str, target: ObjectType, tid: str) -> list[dict]:
        forward, backward = links.pair(source, target), links.pair(target, source)
        for otype, rid in ((source, sid), (target, tid)):
            if app.records.get(otype, rid) is None:
                raise errors.not_found(f"No {otype.singular} with id {rid} exists")
        app.store.put_many(links.rows(source, sid, target, tid, app.clock.tick_ms()))
        return [
            {
                "from": {"id": a},
                "to": {"id": b},
                "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": t},
            }
            for a, b, t in ((sid, tid, forward), (tid, sid, backward))
        ]

    def put_default(request: Request) -> Response:
        source, target = types_of(request, "from", "to")
        started = iso(app.clock.now_ms())
        results = associate(source, request.params["id"], target, request.params["toId"])
        return Response.json(
            {
                "status": "COMPLETE",
                "results": results,
                "startedAt": started,
                "completedAt": iso(app.clock.now_ms()),
            }
        )

    def put_labeled(request: Request) -> Response:
        source, target = types_of(request, "from", "to")
        specs = app.body(request)
        try:
            type_ids = [int(s["associationTypeId"]) for s in specs]
        except (KeyError, TypeError, ValueError):
            raise errors.bad_request(
                "Body needs a list of {associationCategory, associationTypeId}"
            ) from None
        if not type_ids or any(target_for(source, t) != target for t in type_ids):
            raise errors.bad_request(
                f"association types {type_ids} do not link {source.name} to {target.name}"
            )
        sid, tid = request.params["id"], request.params["toId"]
        for otype, rid in ((source, sid), (target, tid)):
            if app.records.get(otype, rid) is None:
                raise errors.not_found(f"No {otype.singular} with id {rid} exists")
        app.store.put_many(links.rows(source, sid, target, tid, app.clock.tick_ms(), type_ids))
        return Response.json(
            {
                "fromObjectTypeId": source.type_id,
                "fromObjectId": int(sid),
                "toObjectTypeId": target.type_id,
                "toObjectId": int(tid),
                "labels": [],
            },
            201,
        )

    def batch_default(request: Request) -> Response:
        source, target = types_of(request, "from", "to")
        started = iso(app.clock.now_ms())
        results = []
        for item in app.inputs(request, 2000):
            try:
                sid, tid = str(item["from"]["id"]), str(item["to"]["id"])
            except (KeyError, TypeError):
                raise errors.bad_request("Each input needs from.id and to.id") from None
            results.extend(associate(source, sid, target, tid))
        return Response.json(
            {
                "status": "COMPLETE",
                "results": results,
                "startedAt": started,
                "completedAt": iso(app.clock.now_ms()),
            }
        )

    app.router.add("GET", "/crm/v4/objects/{from}/{id}/associations/{to}", list_v4)
    app.router.add("PUT", "/crm/v4/objects/{from}/{id}/associations/default/{to}/{toId}", put_default)
    app.router.add("PUT", "/crm/v4/objects/{from}/{id}/associations/{to}/{toId}", put_labeled)
    app.router.add("POST", "/crm/v4/associations/{from}/{to}/batch/read", batch_read)
    app.router.add("POST", "/crm/v4/associations/{from}/{to}/batch/associate/default", batch_default)
