"""The admin loader: records stored as given (system fields too), ids assigned when absent."""

from __future__ import annotations

import contextlib

from ..store import Clock, Record, Store
from . import ids, times
from .derive import full_name
from .render import VENDOR
from .schema import Schema

SYSTEM_TIMES = ("CreatedDate", "LastModifiedDate", "SystemModstamp")


def _number_of(rid: str) -> int | None:
    """The sequence number inside an id this sandbox's scheme made, so new ids never collide with it."""
    if rid[3:6] != ids.POD + "0":
        return None
    number = 0
    for ch in rid[6:15]:
        number = number * 62 + ids.BASE62.index(ch)
    return number


class Loader:
    def __init__(self, store: Store, schema: Schema, clock: Clock):
        self.store, self.schema, self.clock = store, schema, clock

    def load(self, obj_name: str, records: list[dict]) -> list[str]:
        obj = self.schema.find(obj_name)
        if obj is None or obj.name != obj_name:
            raise KeyError(
                f"unknown Salesforce object {obj_name!r} (known: {', '.join(self.schema.names())})"
            )
        fields = self.schema.fields(obj)
        datetimes = [f.name for f in fields.values() if f.type == "datetime" and f.name not in SYSTEM_TIMES]
        now = self.clock.now_ms()
        out: list[Record] = []
        given_ids = [r.get("Id") for r in records if isinstance(r, dict)]
        # New ids come after every id this scheme made that the load brings, so none collide.
        self._bump_sequence(
            obj.name, max((_number_of(i) or 0 for i in given_ids if isinstance(i, str)), default=0)
        )
        without_id = given_ids.count(None)
        next_number = self.store.next_sequence(f"salesforce:{obj.name}", without_id) if without_id else 0
        fallback = times.ms_to_iso(now)
        for index, given in enumerate(records):
            if not isinstance(given, dict):
                raise ValueError(f"{obj.name} record #{index}: not a JSON object: {given!r}")
            where = f"{obj.name} record #{index} (Id {given.get('Id')!r})"
            unknown = [k for k in given if k not in fields and k != "attributes"]
            if unknown:
                raise KeyError(f"{where}: no field {unknown[0]!r} on {obj.name}")
            data = {k: v for k, v in given.items() if k != "attributes"}
            rid = data.get("Id")
            if rid is None:
                rid = ids.object_id(obj.name, next_number)
                next_number += 1
            elif (
                not isinstance(rid, str) or not (len(rid) == 15 or ids.is_valid(rid)) or rid[:3] != obj.prefix
            ):
                raise ValueError(
                    f"{where}: field 'Id': not an {obj.name} id (18 characters, prefix {obj.prefix})"
                )
            rid = ids.to18(rid)
            for f in datetimes:
                value = data.get(f)
                if isinstance(value, str):  # canonical text keeps SOQL's comparisons right
                    with contextlib.suppress(ValueError):
                        data[f] = times.normalize_datetime(value)
            stamps = self._stamps(data, where, fallback)
            data.update(stamps)
            data["Id"] = rid
            data["IsDeleted"] = bool(data.get("IsDeleted", False))
            if obj.name in ("Lead", "Contact", "User") and "Name" not in given:
                data["Name"] = full_name(data)
            created = times.parse_datetime_ms(stamps["CreatedDate"])
            modstamp = times.parse_datetime_ms(stamps.get("SystemModstamp", stamps["CreatedDate"]))
            if obj.history:
                for key in ("LastModifiedDate", "SystemModstamp"):
                    data.pop(key, None)
            out.append(Record(VENDOR, obj.name, rid, data, created, modstamp, data["IsDeleted"]))
        self.store.put_many(out)
        return [r.id for r in out]

    def _stamps(self, data: dict, where: str, fallback: str) -> dict[str, str]:
        """CreatedDate, LastModifiedDate, SystemModstamp: normalised, missing ones from the others or now."""
        given = {}
        for key in SYSTEM_TIMES:
            if data.get(key) is not None:
                try:
                    given[key] = times.normalize_datetime(data[key])
                except ValueError:
                    raise ValueError(
                        f"{where}: field {key!r}: not a date-time like "
                        f"2026-01-31T09:15:00.000+0000: {data[key]!r}"
                    ) from None
        modified = given.get("LastModifiedDate") or given.get("SystemModstamp")
        return {
            "CreatedDate": given.get("CreatedDate") or min(filter(None, (modified, fallback))),
            "LastModifiedDate": modified or fallback,
            "SystemModstamp": given.get("SystemModstamp") or modified or fallback,
        }

    def _bump_sequence(self, obj_name: str, highest: int) -> None:
        key = f"seq:salesforce:{obj_name}"
        with self.store.lock:
            if highest > (self.store.get_value(key, 0) or 0):
                self.store.set_value(key, highest)
