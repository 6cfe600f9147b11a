"""The admin loader: records stored as given (system fields too); bad input names record and field."""

from __future__ import annotations

import uuid

from . import conversations, events, marketing, owners, webinars
from .associations import default_type
from .schema import OBJECT_TYPES, ObjectType, resolve
from .values import iso, parse_ms

_CRM_KEYS = {"id", "properties", "createdAt", "updatedAt", "archived", "archivedAt", "associations"}
OTHER_OBJECTS = (
    "owners",
    "forms",
    "form_submissions",
    "email_events",
    "web_events",
    "marketing_events",
    "event_participations",
    "conversation_threads",
    "conversation_messages",
)


def load(app, obj: str, items: list[dict]) -> list[str]:
    """Upsert `items` of object `obj`; KeyError for unknown objects, ValueError for bad records."""
    if not isinstance(items, list):
        raise ValueError(f"{obj}: expected a list of records")
    for i, raw in enumerate(items, start=1):
        if not isinstance(raw, dict):
            raise ValueError(f"{obj} record {i}: expected an object, got {type(raw).__name__}")
    if obj in OBJECT_TYPES:
        return _crm(app, OBJECT_TYPES[obj], items)
    if obj not in OTHER_OBJECTS:
        known = ", ".join([*OBJECT_TYPES, *OTHER_OBJECTS])
        raise KeyError(f"unknown HubSpot object {obj!r} (known: {known})")
    rows = []
    for i, raw in enumerate(items, start=1):
        try:
            rows.append(_other(app, obj, raw))
        except KeyError as missing:
            raise ValueError(f"{obj} record {i} ({_name(raw)}): missing field {missing}") from None
        except (ValueError, TypeError) as err:
            raise ValueError(f"{obj} record {i} ({_name(raw)}): {err}") from None
    app.store.put_many(rows)
    if obj == "owners":
        app.records.reserve_up_to("owners", max((int(r.id) for r in rows), default=0))
    return [r.id for r in rows]


def _name(raw: dict) -> str:
    for key in ("id", "objectId", "conversionId", "email"):
        if raw.get(key):
            return f"{key} {raw[key]}"
    return "no id"


def _other(app, obj: str, raw: dict):
    now = app.clock.now_ms()
    if obj == "owners":
        rid = str(raw.get("id") or app.records.allocate("owners"))
        if not rid.isdigit():
            raise ValueError(f"field id: {rid!r} is not numeric")
        if not isinstance(raw["email"], str):
            raise ValueError("field email: not a string")
        return owners.owner_record(raw, rid, now)
    if obj == "forms":
        raw = {**raw, "id": str(raw.get("id") or uuid.uuid4())}
        if not isinstance(raw["name"], str):
            raise ValueError("field name: not a string")
        return marketing.form_record(raw, now)
    if obj == "form_submissions":
        raw = {**raw, "conversionId": str(raw.get("conversionId") or uuid.uuid4())}
        _epoch_ms(raw["submittedAt"], "submittedAt")
        if not isinstance(raw.get("values", []), list):
            raise ValueError("field values: not a list of {name, value}")
        return marketing.submission_record(raw)
    if obj == "email_events":
        raw = {**raw, "id": str(raw.get("id") or uuid.uuid4())}
        _epoch_ms(raw["created"], "created")
        if raw["type"] not in events.EMAIL_EVENT_TYPES:
            raise ValueError(f"field type: {raw['type']!r} is not an email event type")
        return events.email_event_record(raw)
    if obj == "marketing_events":
        raw = {**raw, "objectId": str(raw.get("objectId") or raw.get("id") or uuid.uuid4())}
        if not isinstance(raw["eventName"], str):
            raise ValueError("field eventName: not a string")
        return webinars.event_record(raw, now)
    if obj == "event_participations":
        raw = {**raw, "id": str(raw.get("id") or uuid.uuid4())}
        _epoch_ms(raw["occurredAt"], "occurredAt")
        _require(raw, "marketingEventId", "contactId", "state")
        return webinars.participation_record(raw)
    if obj == "conversation_threads":
        return conversations.thread_record(raw, now)
    if obj == "conversation_messages":
        _require(raw, "id", "conversationsThreadId", "createdAt")
        return conversations.message_record(raw)
    raw = {**raw, "id": str(raw.get("id") or uuid.uuid4())}
    for key in ("objectType", "objectId", "eventType"):
        if not raw.get(key):
            raise ValueError(f"field {key}: missing")
    try:
        return events.web_event_record(raw)
    except (ValueError, TypeError):
        raise ValueError(f"field occurredAt: {raw['occurredAt']!r} is not a datetime") from None


def _require(raw: dict, *keys: str) -> None:
    for key in keys:
        if raw.get(key) in (None, ""):
            raise KeyError(key)


def _epoch_ms(value, field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"field {field}: {value!r} is not epoch milliseconds")


def _time(raw: dict, key: str, label: str) -> int | None:
    if raw.get(key) in (None, ""):
        return None
    try:
        return parse_ms(raw[key])
    except (ValueError, TypeError):
        raise ValueError(f"{label}: field {key}: {raw[key]!r} is not a datetime") from None


def _crm(app, otype: ObjectType, items: list[dict]) -> list[str]:
    now = app.clock.now_ms()
    absent = sum(1 for raw in items if raw.get("id") in (None, ""))
    next_id = app.records.allocate(otype.name, absent) if absent else 0
    rows, ids, highest = [], [], 0
    for i, raw in enumerate(items, start=1):
        rid = raw.get("id")
        if rid in (None, ""):
            rid, next_id = next_id, next_id + 1
        rid = str(rid)
        label = f"{otype.name} record {i} (id {rid})"
        if not rid.isdigit():
            raise ValueError(f"{label}: field id: HubSpot ids are numeric strings")
        extra = set(raw) - _CRM_KEYS
        if extra:
            raise ValueError(f"{label}: unknown fields {sorted(extra)} (allowed: {sorted(_CRM_KEYS)})")
        problems: list = []
        props = app.records.merge(otype, None, raw.get("properties") or {}, problems, loading=True)
        if problems:
            first = problems[0]
            raise ValueError(f"{label}: property {first['name']}: {first['message']}")
        prop_created = _time(props, otype.created, f"{label}: properties")
        prop_updated = _time(props, otype.modified, f"{label}: properties")
        created = _time(raw, "createdAt", label) or prop_created or now
        updated = _time(raw, "updatedAt", label) or prop_updated or created
        props.setdefault(otype.created, iso(created))
        props.setdefault(otype.modified, iso(updated))
        if props.get("hs_object_id", rid) != rid:
            raise ValueError(f"{label}: property hs_object_id: {props['hs_object_id']} is not the id")
        props["hs_object_id"] = rid
        archived = bool(raw.get("archived"))
        rows.append(app.records.build(otype, rid, props, created, updated, archived, raw.get("archivedAt")))
        rows += _links(app, otype, rid, raw.get("associations"), updated, label)
        ids.append(rid)
        highest = max(highest, int(rid))
    app.store.put_many(rows)
    app.records.reserve_up_to(otype.name, highest)
    return ids


def _links(app, otype: ObjectType, rid: str, raw, now_ms: int, label: str) -> list:
    if raw in (None, {}):
        return []
    if not isinstance(raw, dict):
        raise ValueError(f"{label}: field associations: expected {{type: [ids]}}")
    rows = []
    for name, targets in raw.items():
        target = resolve(name)
        if target is None or default_type(otype, target) is None:
            raise ValueError(f"{label}: field associations.{name}: {otype.name} cannot link to {name}")
        if not isinstance(targets, list):
            raise ValueError(f"{label}: field associations.{name}: expected a list of ids")
        for tid in targets:
            if not str(tid).isdigit():
                raise ValueError(f"{label}: field associations.{name}: id {tid!r} is not numeric")
            rows += app.associations.rows(otype, rid, target, str(tid), now_ms)
    return rows
