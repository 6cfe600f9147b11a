"""The record resources: sobjects/{Object}[/{id}] and sObject Collections (composite/sobjects)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..web import Request, Response
from . import ids
from .errors import SalesforceError, invalid_field
from .objects import SObject
from .render import render
from .writes import Change

if TYPE_CHECKING:
    from .app import SalesforceApp

MAX_COLLECTION = 200
ROLLED_BACK = SalesforceError(
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using AllOrNone header",
)


class RecordResources:
    def __init__(self, app: SalesforceApp):
        self.app = app
        self.schema, self.writer = app.schema, app.writer
        r = app.router
        r.add("GET", "/sobjects", self.describe_global)
        r.add("GET", "/sobjects/{obj}", self.info)
        r.add("POST", "/sobjects/{obj}", self.create)
        r.add("GET", "/sobjects/{obj}/describe", self.describe)
        r.add("GET", "/sobjects/{obj}/{rid}", self.get)
        r.add("PATCH", "/sobjects/{obj}/{rid}", self.update)
        r.add("DELETE", "/sobjects/{obj}/{rid}", self.delete)
        r.add("POST", "/composite/sobjects", self.collection_create)
        r.add("PATCH", "/composite/sobjects", self.collection_update)
        r.add("DELETE", "/composite/sobjects", self.collection_delete)
        r.add("GET", "/composite/sobjects/{obj}", self.collection_get)

    # -- describe ----------------------------------------------------------------------------

    def describe_global(self, req: Request) -> Response:
        return Response.json(self.schema.describe_global(req.params["version"]))

    def info(self, req: Request) -> Response:
        obj = self.schema.get(req.params["obj"])
        return Response.json(
            {"objectDescribe": self.schema.global_entry(obj, req.params["version"]), "recentItems": []}
        )

    def describe(self, req: Request) -> Response:
        obj = self.schema.get(req.params["obj"])
        return Response.json(self.schema.describe(obj, req.params["version"]))

    # -- one record --------------------------------------------------------------------------

    def get(self, req: Request) -> Response:
        obj = self.schema.get(req.params["obj"])
        rec = self.writer.existing(obj, req.params["rid"])
        fields = list(self.schema.fields(obj).values())
        if req.arg("fields"):
            wanted = []
            for name in req.args("fields"):
                f = self.schema.field(obj, name.strip())
                if f is None:
                    raise invalid_field(
                        f"No such column '{name}' on entity '{obj.name}'. If you are attempting "
                        "to use a custom field, be sure to append the '__c' after the custom "
                        "field name."
                    )
                wanted.append(f)
            fields = wanted
        return Response.json(render(rec, fields, req.params["version"]))

    def create(self, req: Request) -> Response:
        obj = self.schema.get(req.params["obj"])
        fields = self.writer.parse(obj, req.json())
        with self.app.store.transaction():
            change = self.writer.create(obj, fields, self.app.clock.tick_ms())
            self.writer.commit([change])
        return Response.json({"id": change.record.id, "success": True, "errors": []}, 201)

    def update(self, req: Request) -> Response:
        obj = self.schema.get(req.params["obj"])
        fields = self.writer.parse(obj, req.json() or {})
        with self.app.store.transaction():
            rec = self.writer.existing(obj, req.params["rid"])
            self.writer.commit([self.writer.update(obj, rec, fields, self.app.clock.tick_ms())])
        return Response.empty(204)

    def delete(self, req: Request) -> Response:
        obj = self.schema.get(req.params["obj"])
        with self.app.store.transaction():
            rec = self.writer.existing(obj, req.params["rid"])
            self.writer.commit([self.writer.delete(obj, rec, self.app.clock.tick_ms())])
        return Response.empty(204)

    # -- collections -------------------------------------------------------------------------

    def _records(self, req: Request) -> tuple[list, bool]:
        body = req.json()
        if not isinstance(body, dict) or not isinstance(body.get("records"), list):
            raise SalesforceError(
                "JSON_PARSER_ERROR",
                'Cannot deserialize the request: expected {"allOrNone": ..., "records": [...]}',
            )
        records = body["records"]
        if len(records) > MAX_COLLECTION:
            raise SalesforceError(
                "EXCEEDED_ID_LIMIT",
                "record limit reached. cannot submit more than 200 records into this call",
            )
        return records, bool(body.get("allOrNone", False))

    def _object_of(self, item) -> SObject:
        kind = (item.get("attributes") or {}).get("type") if isinstance(item, dict) else None
        if not kind:
            raise SalesforceError("INVALID_TYPE", "Must send a concrete entity type.", fatal=True)
        obj = self.schema.find(kind)
        if obj is None:
            raise SalesforceError("INVALID_TYPE", f"sObject type '{kind}' is not supported.", fatal=True)
        return obj

    def collection_create(self, req: Request) -> Response:
        records, all_or_none = self._records(req)
        parsed = []
        for item in records:  # type and field errors fail the whole call, as deserialising does
            obj = self._object_of(item)
            parsed.append((obj, self.writer.parse(obj, item)))
        return self._apply(parsed, all_or_none, lambda o, f, now: self.writer.create(o, f, now), None)

    def collection_update(self, req: Request) -> Response:
        records, all_or_none = self._records(req)
        parsed = []
        for item in records:
            obj = self._object_of(item)
            parsed.append((obj, self.writer.parse(obj, item)))

        def one(obj, fields, now) -> Change:
            rid = next((v for f, v in fields.items() if f.name == "Id"), None)
            if not rid:
                raise SalesforceError("MISSING_ARGUMENT", "Id not specified in an update call")
            fields = {f: v for f, v in fields.items() if f.name != "Id"}
            return self.writer.update(obj, self.writer.existing(obj, rid), fields, now)

        given_ids = [_given_id(item) for item in records]
        return self._apply(parsed, all_or_none, one, given_ids)

    def collection_delete(self, req: Request) -> Response:
        rids = req.args("ids")
        if len(rids) > MAX_COLLECTION:
            raise SalesforceError(
                "EXCEEDED_ID_LIMIT",
                "record limit reached. cannot submit more than 200 records into this call",
            )
        all_or_none = (req.arg("allOrNone") or "false").lower() == "true"

        def one(obj, rid, now) -> Change:
            if obj is None:
                raise SalesforceError("MALFORMED_ID", f"malformed id {rid}")
            return self.writer.delete(obj, self.writer.existing(obj, rid), now)

        items = [(self.schema.object_of_id(rid), rid) for rid in rids]
        return self._apply(items, all_or_none, one, rids)

    def collection_get(self, req: Request) -> Response:
        obj = self.schema.get(req.params["obj"])
        names = req.args("fields")
        fields = [self.schema.field(obj, n) for n in names]
        if not names or None in fields:
            raise invalid_field("fields: give existing field names of " + obj.name)
        out = []
        for rid in req.args("ids"):
            try:
                out.append(render(self.writer.existing(obj, rid), fields, req.params["version"]))
            except SalesforceError:
                out.append(None)
        return Response.json(out)

    def lock_answer(self, req: Request) -> Response:
        """The injected `lock` fault on a collection: every record fails, nothing is written."""
        if req.method == "DELETE":
            given = req.args("ids")
        else:
            try:
                body = req.json() if req.body else None
            except ValueError:
                body = None  # the normal path will answer the parse error once the fault has passed
            records = body.get("records") if isinstance(body, dict) else None
            given = [_given_id(r) if req.method == "PATCH" else None for r in (records or [])]
        return Response.json([_failure(_lock_error(given_id), given_id) for given_id in given])

    def _apply(self, items, all_or_none: bool, op, given_ids) -> Response:
        """Run `op` per item in one transaction; answer one result per item, in order."""
        results, changes = [], []
        with self.app.store.transaction():
            now = self.app.clock.tick_ms()
            for obj, payload in items:
                try:
                    change = op(obj, payload, now)
                except SalesforceError as err:
                    if err.fatal:
                        raise
                    results.append(err)
                    continue
                changes.append(change)
                results.append(change)
            failed = any(isinstance(r, SalesforceError) for r in results)
            if not (all_or_none and failed):
                self.writer.commit(changes)
        out = []
        for i, result in enumerate(results):
            rid = given_ids[i] if given_ids else None
            if isinstance(result, SalesforceError):
                out.append(_failure(result, rid))
            elif all_or_none and failed:
                out.append(_failure(ROLLED_BACK, rid))
            else:
                out.append({"id": result.record.id, "success": True, "errors": []})
        return Response.json(out)


def _given_id(item) -> str | None:
    rid = item.get("Id") or item.get("id") if isinstance(item, dict) else None
    return ids.to18(rid) if isinstance(rid, str) and len(rid) == 15 else rid


def _failure(err: SalesforceError, rid: str | None) -> dict:
    out = {"id": rid} if rid else {}
    out.update(success=False, errors=[err.record_item()])
    return out


def _lock_error(rid: str | None = None) -> SalesforceError:
    suffix = f": {rid}" if rid else ""
    return SalesforceError(
        "UNABLE_TO_LOCK_ROW", f"unable to obtain exclusive access to this record or 1 records{suffix}"
    )
