"""CRM records in the store: reading by id or unique property, paging by id, writing with checks."""

from __future__ import annotations

from .. import codec
from ..store import Record
from . import errors, values
from .schema import STAGE_ORDER, ObjectType
from .values import BadValue, iso

VENDOR = "hubspot"
_COLUMNS = "rowid, vendor, object, id, created, modstamp, deleted, data"
# Our own indexes: numeric id order (HubSpot lists by id) and contacts by email. Partial on
# vendor = 'hubspot', so only queries that spell that literal (ours) can pick them.
INDEXES = (
    "create index if not exists hubspot_by_number on records "
    "(object, deleted, length(id), id) where vendor = 'hubspot'",
    "create index if not exists hubspot_contacts_by_lower_email on records "
    "(lower(json_extract(data, '$.properties.email'))) "
    "where vendor = 'hubspot' and object = 'contacts'",
)
EMAIL = "lower(json_extract(data, '$.properties.email'))"  # as the index spells it
FIRST_ID = 100  # ids the sandbox assigns start above this


def base_where(type_name: str) -> str:
    """The literal prefix of our queries (type names come from a fixed list, never from input)."""
    return f"vendor = 'hubspot' and object = '{type_name}'"


class Records:
    """Read and write one vendor's CRM records; the app owns one."""

    def __init__(self, app):
        self.store = app.store
        self.clock = app.clock
        self.registry = app.registry
        with self.store.lock:
            for sql in INDEXES:
                self.store.conn.execute(sql)

    # -- reading ------------------------------------------------------------------------------

    def query(
        self, where: str, params=(), order: str = "", limit: int | None = None, offset: int = 0
    ) -> list[Record]:
        sql = f"select {_COLUMNS} from records where {where}"
        if order:
            sql += f" order by {order}"
        if limit is not None:
            sql += f" limit {int(limit)} offset {int(offset)}"
        with self.store.lock:
            rows = self.store.conn.execute(sql, tuple(params)).fetchall()
        return [Record(v, o, i, codec.loads(d), c, m, bool(x), rowid) for rowid, v, o, i, c, m, x, d in rows]

    def count(self, where: str, params=()) -> int:
        with self.store.lock:
            return self.store.conn.execute(
                f"select count(*) from records where {where}", tuple(params)
            ).fetchone()[0]

    def get(self, otype: ObjectType, rid: str, archived: bool = False) -> Record | None:
        rec = self.store.get(VENDOR, otype.name, rid)
        return rec if rec is not None and rec.deleted == archived else None

    def find(
        self, otype: ObjectType, id_property: str | None, value: str, archived: bool = False
    ) -> Record | None:
        """A record by id, or by the value of a unique property (`idProperty`)."""
        if not id_property or id_property == "hs_object_id":
            return self.get(otype, value, archived)
        prop = self.registry.get(otype.name, id_property)
        if prop is None or not prop.unique:
            raise errors.bad_request(
                f"{id_property} is not a unique property of {otype.name}; idProperty needs one"
            )
        base = f"{base_where(otype.name)} and deleted = ?"
        if id_property == "email":  # loaded emails keep their case; lookups ignore it
            found = self.query(f"{base} and {EMAIL} = ?", (int(archived), value.strip().lower()), limit=1)
        else:
            where = f"{base} and json_extract(data, ?) = ?"
            found = self.query(where, (int(archived), f"$.properties.{id_property}", value), limit=1)
        return found[0] if found else None

    def page(self, otype: ObjectType, start: int | None, limit: int, archived: bool) -> list[Record]:
        """Up to `limit` records with id >= start, in numeric id order, off the id index."""
        where = f"{base_where(otype.name)} and deleted = {int(archived)}"
        if start is None:
            return self.query(where, order="length(id), id", limit=limit)
        text = str(start)
        rows = self.query(
            f"{where} and length(id) = ? and id >= ?", (len(text), text), order="id", limit=limit
        )
        if len(rows) < limit:
            rows += self.query(
                f"{where} and length(id) > ?", (len(text),), order="length(id), id", limit=limit - len(rows)
            )
        return rows

    # -- answers ------------------------------------------------------------------------------

    def wanted(self, otype: ObjectType, names: list[str]) -> list[str] | None:
        """The properties to answer: those asked for that exist (HubSpot ignores others)."""
        if not names:
            return None
        return [n for n in dict.fromkeys(names) if self.registry.get(otype.name, n)]

    def shape(self, otype: ObjectType, rec: Record, names: list[str] | None) -> dict:
        props = rec.data.get("properties", {})
        out = {n: props.get(n) for n in (otype.defaults if names is None else names)}
        for n in otype.always:
            out[n] = props.get(n)
        answer = {
            "id": rec.id,
            "properties": out,
            "createdAt": iso(rec.created),
            "updatedAt": iso(rec.modstamp),
            "archived": rec.deleted,
        }
        if rec.deleted:
            answer["archivedAt"] = rec.data.get("archivedAt") or iso(rec.modstamp)
        return answer

    # -- writing ------------------------------------------------------------------------------

    def allocate(self, type_name: str, count: int = 1) -> int:
        """Reserve `count` new ids; return the first."""
        key = f"hubspot:last_id:{type_name}"
        with self.store.lock:
            last = self.store.get_value(key, FIRST_ID)
            self.store.set_value(key, last + count)
        return last + 1

    def reserve_up_to(self, type_name: str, highest: int) -> None:
        """Make sure ids the sandbox assigns later stay above loaded ones."""
        key = f"hubspot:last_id:{type_name}"
        with self.store.lock:
            if highest > self.store.get_value(key, FIRST_ID):
                self.store.set_value(key, highest)

    def merge(
        self, otype: ObjectType, current: dict | None, changes, problems: list, loading: bool = False
    ) -> dict:
        """Current properties with `changes` applied; bad values go to `problems` instead."""
        props = dict(current or {})
        if not isinstance(changes, dict):
            problems.append(errors.problem("properties", "INVALID_INPUT", "properties must be an object"))
            return props
        for name, value in changes.items():
            prop = self.registry.get(otype.name, name)
            if prop is None:
                problems.append(
                    errors.problem(name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist')
                )
                continue
            if prop.read_only and not loading:
                problems.append(
                    errors.problem(
                        name, "READ_ONLY_VALUE", f'"{name}" is a read only property; its value cannot be set.'
                    )
                )
                continue
            if value is None or value == "":
                props.pop(name, None)  # an empty string clears the value
                continue
            try:
                # The loader keeps emails as given (dirty data is part of the story).
                text = values.as_text(value) if loading and name == "email" else prop.check(value)
            except BadValue as bad:
                problems.append(errors.problem(name, bad.code, str(bad)))
                continue
            if not loading and name == "hubspot_owner_id" and not self._owner(text):
                problems.append(
                    errors.problem(
                        name, "INVALID_OPTION", f"{text} was not one of the allowed options: no such owner"
                    )
                )
                continue
            if not loading and name == "lifecyclestage":
                old = (current or {}).get("lifecyclestage")
                if old in STAGE_ORDER and STAGE_ORDER[text] < STAGE_ORDER[old]:
                    problems.append(
                        errors.problem(
                            name,
                            "INVALID_OPTION",
                            (
                                f"lifecyclestage cannot move backwards from {old} to {text}; "
                                'clear it first (set "") to move it back'
                            ),
                        )
                    )
                    continue
            props[name] = text
        return props

    def email_taken(self, otype: ObjectType, props: dict, own_id: str | None = None) -> None:
        """HubSpot keeps one contact per email: a second one is a 409 naming the first."""
        email = props.get("email")
        if otype.name != "contacts" or not email:
            return
        found = self.query(
            f"{base_where('contacts')} and deleted = 0 and {EMAIL} = ?", (email.strip().lower(),), limit=2
        )
        other = next((r for r in found if r.id != own_id), None)
        if other is not None:
            raise errors.fail(409, f"Contact already exists. Existing ID: {other.id}", "CONFLICT")

    def _owner(self, owner_id: str) -> bool:
        rec = self.store.get(VENDOR, "owners", owner_id)
        return rec is not None and not rec.deleted

    def stamp(
        self, otype: ObjectType, rid: str, before: dict | None, props: dict, now_ms: int, changes: dict
    ) -> None:
        """System properties a write sets: id, modification time, creation, stage entry dates."""
        props["hs_object_id"] = rid
        props[otype.modified] = iso(now_ms)
        if before is None:
            props.setdefault(otype.created, iso(now_ms))
        if otype.name == "deals" and props.get("dealstage"):  # HubSpot derives these
            props["hs_is_closed"] = str(props["dealstage"] in ("closedwon", "closedlost")).lower()
            props["hs_is_closed_won"] = str(props["dealstage"] == "closedwon").lower()
        stage = props.get("lifecyclestage")
        if stage and stage != (before or {}).get("lifecyclestage"):
            date_name = f"hs_lifecyclestage_{stage}_date"
            if date_name not in changes:
                props[date_name] = iso(now_ms)

    def build(
        self,
        otype: ObjectType,
        rid: str,
        props: dict,
        created: int,
        modstamp: int,
        archived: bool = False,
        archived_at: str | None = None,
    ) -> Record:
        data = {"properties": props}
        if archived:
            data["archivedAt"] = archived_at or iso(modstamp)
        return Record(VENDOR, otype.name, rid, data, created, modstamp, archived)
