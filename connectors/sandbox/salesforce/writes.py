"""Creating, updating and deleting records as the API does: checks, defaults, derived and audit fields."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..store import Clock, Record, Store
from . import ids, times
from .derive import derive
from .errors import SalesforceError, not_found
from .fields import Field
from .objects import SObject
from .render import VENDOR
from .schema import Schema
from .values import check, deserialize

API_USER_ID = ids.object_id("User", 0)  # the integration user the session belongs to


@dataclass
class Change:
    record: Record
    created: bool = False
    extra: list[Record] = field(default_factory=list)  # rows written alongside (field history)
    fields: tuple[str, ...] = ()  # the fields an update set, for the sandbox's write tally


def readonly_error(names: list[str]) -> SalesforceError:
    return SalesforceError(
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        f"Unable to create/update fields: {', '.join(names)}. Please check the security settings of this "
        "field and verify that it is read/write for your profile or permission set.",
        names,
    )


def deleted_error() -> SalesforceError:
    return SalesforceError("ENTITY_IS_DELETED", "entity is deleted", status=404)


class Writer:
    def __init__(self, store: Store, schema: Schema, clock: Clock):
        self.store, self.schema, self.clock = store, schema, clock
        self.tally = None  # called with (object, id, fields) for every update committed

    def parse(self, obj: SObject, body) -> dict[Field, object]:
        """The body's fields, typed; unknown fields and JSON type errors fail the whole request."""
        if not isinstance(body, dict):
            raise SalesforceError(
                "JSON_PARSER_ERROR",
                f"Cannot deserialize instance of {obj.name} from {type(body).__name__} value",
                fatal=True,
            )
        out = {}
        for key, value in body.items():
            if key == "attributes":
                continue
            f = self.schema.field(obj, key)
            if f is None:
                raise SalesforceError(
                    "INVALID_FIELD", f"No such column '{key}' on sobject of type {obj.name}", fatal=True
                )
            out[f] = deserialize(f, value)
        return out

    def existing(self, obj: SObject, rid) -> Record:
        """The live record behind an id, or the error an update or delete of it gets."""
        if not isinstance(rid, str) or not _id_ok(rid) or rid[:3] != obj.prefix:
            raise SalesforceError("MALFORMED_ID", f"malformed id {rid}", status=400)
        rec = self.store.get(VENDOR, obj.name, ids.to18(rid))
        if rec is None:
            raise not_found()
        if rec.deleted:
            raise deleted_error()
        return rec

    # -- the three writes --------------------------------------------------------------------

    def create(self, obj: SObject, fields: dict[Field, object], now: int) -> Change:
        if not obj.createable:
            raise SalesforceError(
                "INVALID_TYPE_FOR_OPERATION", f"entity type {obj.name} does not support insert"
            )
        if "Id" in {f.name for f in fields}:
            raise SalesforceError(
                "INVALID_FIELD_FOR_INSERT_UPDATE", "cannot specify Id in an insert call", ["Id"]
            )
        readonly = [f.name for f in fields if not f.createable]
        if readonly:
            raise readonly_error(readonly)
        data = {f.name: check(f, v) for f, v in fields.items()}
        for f in self.schema.fields(obj).values():
            if f.name not in data and f.default is not None and f.createable:
                data[f.name] = API_USER_ID if f.default == "$user" else f.default
        missing = [
            f.name for f in self.schema.fields(obj).values() if f.required and data.get(f.name) is None
        ]
        if missing:
            raise SalesforceError(
                "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]", missing
            )
        self.check_references(fields, data)
        derive(self, obj, data, None, set(data), now)
        rid = self.new_id(obj)
        stamp = times.ms_to_iso(now)
        data.update(Id=rid, IsDeleted=False, CreatedDate=stamp, CreatedById=API_USER_ID)
        if not obj.history:
            data.update(LastModifiedDate=stamp, LastModifiedById=API_USER_ID, SystemModstamp=stamp)
        change = Change(Record(VENDOR, obj.name, rid, data, now, now), created=True)
        change.extra += self.activity_rollup(obj, data, now)
        return change

    def update(self, obj: SObject, rec: Record, fields: dict[Field, object], now: int) -> Change:
        if not obj.updateable:
            raise SalesforceError(
                "INVALID_TYPE_FOR_OPERATION", f"entity type {obj.name} does not support update"
            )
        if obj.name == "Lead" and rec.data.get("IsConverted"):
            raise SalesforceError("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")
        fields = {f: v for f, v in fields.items() if not (f.name == "Id" and v and ids.to18(v) == rec.id)}
        readonly = [f.name for f in fields if not f.updateable]
        if readonly:
            raise readonly_error(readonly)
        changes = {f.name: check(f, v) for f, v in fields.items()}
        missing = [
            f.name for f in fields if not f.nillable and changes[f.name] is None and f.type != "boolean"
        ]
        if missing:
            raise SalesforceError(
                "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]", missing
            )
        self.check_references(fields, changes)
        data = {**rec.data, **changes}
        derive(self, obj, data, rec.data, set(changes), now)
        stamp = times.ms_to_iso(now)
        data.update(LastModifiedDate=stamp, LastModifiedById=API_USER_ID, SystemModstamp=stamp)
        change = Change(Record(VENDOR, obj.name, rec.id, data, rec.created, now), fields=tuple(changes))
        change.extra += self.activity_rollup(obj, data, now)
        if obj.name == "Lead" and "Status" in changes and changes["Status"] != rec.data.get("Status"):
            change.extra.append(
                self.history(rec.id, "Status", rec.data.get("Status"), changes["Status"], now)
            )
        return change

    def delete(self, obj: SObject, rec: Record, now: int) -> Change:
        if not obj.deletable:
            raise SalesforceError(
                "INVALID_TYPE_FOR_OPERATION", f"entity type {obj.name} does not support delete"
            )
        stamp = times.ms_to_iso(now)
        data = {**rec.data, "IsDeleted": True, "LastModifiedDate": stamp, "SystemModstamp": stamp}
        return Change(Record(VENDOR, obj.name, rec.id, data, rec.created, now, deleted=True))

    def commit(self, changes: list[Change]) -> None:
        self.store.put_many([r for c in changes for r in (c.record, *c.extra)])
        if self.tally is not None:
            for c in changes:
                if c.fields:
                    self.tally(c.record.object, c.record.id, c.fields)

    # -- helpers -----------------------------------------------------------------------------

    def check_references(self, fields: dict[Field, object], data: dict) -> None:
        """Every id given for a lookup must name a live record of an object the sandbox holds."""
        for f in fields:
            rid = data.get(f.name)
            if f.type != "reference" or not rid:
                continue
            target = self.schema.object_of_id(rid)
            if target is None:
                continue  # Group and other objects the sandbox does not keep
            rec = self.store.get(VENDOR, target.name, rid)
            if rec is None or rec.deleted:
                raise SalesforceError(
                    "INVALID_CROSS_REFERENCE_KEY", f"{f.label}: invalid cross reference id", [f.name]
                )

    def activity_rollup(self, obj: SObject, data: dict, now: int) -> list[Record]:
        """A closed task or a past event moves its lead's or contact's LastActivityDate, as
        Salesforce's automation does.

        Automation touches SystemModstamp only, not LastModifiedDate: why extractors must use the former.
        """
        who, day = data.get("WhoId"), data.get("ActivityDate")
        if obj.name == "Task":
            done = bool(data.get("IsClosed"))
        elif obj.name == "Event":
            done = bool(day) and day <= times.ms_to_date(now).isoformat()
        else:
            return []
        target = self.schema.object_of_id(who) if who and day else None
        if target is None or not done:
            return []
        rec = self.store.get(VENDOR, target.name, who)
        if rec is None or rec.deleted or (rec.data.get("LastActivityDate") or "") >= day:
            return []
        touched = {**rec.data, "LastActivityDate": day, "SystemModstamp": times.ms_to_iso(now)}
        return [Record(VENDOR, target.name, rec.id, touched, rec.created, now)]

    def new_id(self, obj: SObject) -> str:
        while True:
            rid = ids.object_id(obj.name, self.store.next_sequence(f"salesforce:{obj.name}"))
            if self.store.get(VENDOR, obj.name, rid) is None:
                return rid

    def history(self, lead_id: str, name: str, old, new, now: int) -> Record:
        rid = self.new_id(self.schema.get("LeadHistory"))
        data = {
            "Id": rid,
            "IsDeleted": False,
            "LeadId": lead_id,
            "Field": name,
            "DataType": "DynamicEnum",
            "OldValue": old,
            "NewValue": new,
            "CreatedDate": times.ms_to_iso(now),
            "CreatedById": API_USER_ID,
        }
        return Record(VENDOR, "LeadHistory", rid, data, now, now)


def _id_ok(rid: str) -> bool:
    return (len(rid) == 15 and all(c in ids.BASE62 for c in rid)) or ids.is_valid(rid)
