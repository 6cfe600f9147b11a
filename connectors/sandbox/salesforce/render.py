"""Records as the REST API answers them: `attributes` first, then the fields asked for."""

from __future__ import annotations

from ..store import Record, Store
from .fields import Field
from .schema import Schema

VENDOR = "salesforce"


def url_of(version: str, obj: str, rid: str) -> str:
    return f"/services/data/v{version}/sobjects/{obj}/{rid}"


def attributes(version: str, obj: str, rid: str) -> dict:
    return {"type": obj, "url": url_of(version, obj, rid)}


def value_of(f: Field, rec: Record):
    if f.name == "Id":
        return rec.id
    if f.name == "IsDeleted":
        return rec.deleted
    value = rec.data.get(f.name)
    return f.empty if value is None else value


def render(rec: Record, fields: list[Field], version: str) -> dict:
    out = {"attributes": attributes(version, rec.object, rec.id)}
    for f in fields:
        out[f.name] = value_of(f, rec)
    return out


def render_rows(
    store: Store,
    schema: Schema,
    records: list[Record],
    columns: list[tuple[Field, Field | None]],
    version: str,
) -> list[dict]:
    """Records with the selected columns; (field, ref) columns nest the parent the ref points at."""
    if not any(ref for _, ref in columns):
        return _plain_rows(records, [f for f, _ in columns], version)
    parents = parent_records(store, schema, records, {ref.name: ref for _, ref in columns if ref})
    out = []
    for rec in records:
        row = {"attributes": attributes(version, rec.object, rec.id)}
        for f, ref in columns:
            if ref is None:
                row[f.name] = value_of(f, rec)
                continue
            parent = parents.get(rec.data.get(ref.name) or "")
            if parent is None:
                row[ref.relationship] = None
                continue
            nested = row.get(ref.relationship) or {
                "attributes": attributes(version, parent.object, parent.id)
            }
            nested[f.name] = value_of(f, parent) if schema.field(schema.get(parent.object), f.name) else None
            row[ref.relationship] = nested
        out.append(row)
    return out


def _plain_rows(records: list[Record], fields: list[Field], version: str) -> list[dict]:
    """`render` for a page of records without parent columns, with the per-field work hoisted."""
    columns = [(f.name, f.empty) for f in fields]
    base = f"/services/data/v{version}/sobjects/"
    out = []
    for rec in records:
        data = rec.data
        row = {"attributes": {"type": rec.object, "url": f"{base}{rec.object}/{rec.id}"}}
        for name, empty in columns:
            if name == "Id":
                row[name] = rec.id
            elif name == "IsDeleted":
                row[name] = rec.deleted
            else:
                value = data.get(name)
                row[name] = empty if value is None else value
        out.append(row)
    return out


def parent_records(
    store: Store, schema: Schema, records: list[Record], refs: dict[str, Field]
) -> dict[str, Record]:
    """The records that the page's reference fields point at, by id (one lookup per object)."""
    wanted: dict[str, set[str]] = {}
    for rec in records:
        for name in refs:
            rid = rec.data.get(name)
            obj = schema.object_of_id(rid) if rid else None
            if obj is not None:
                wanted.setdefault(obj.name, set()).add(rid)
    found: dict[str, Record] = {}
    for obj, rids in wanted.items():
        found.update(store.get_many(VENDOR, obj, rids))
    return found
