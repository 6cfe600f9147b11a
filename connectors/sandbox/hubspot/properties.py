"""Property definitions per object type (built-in and custom) and the /crm/v3/properties API."""

from __future__ import annotations

import dataclasses
import re
import threading

from ..web import Request, Response
from . import errors
from .catalog import BUILT_IN
from .schema import FIELD_TYPES, ObjectType, Property, resolve
from .values import iso

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
_REQUIRED = ("name", "label", "type", "fieldType", "groupName")
_EXTRA_GROUPS = {
    "salesforceinformation",
    "emailinformation",
    "conversioninformation",
    "analyticsinformation",
    "socialmediainformation",
    "sales_properties",
}


def object_type(name: str) -> ObjectType:
    found = resolve(name)
    if found is None:
        raise errors.bad_request(f"Unable to infer object type from: {name}")
    return found


class Registry:
    """Built-in definitions from the catalog, custom ones kept in the store's kv table."""

    def __init__(self, store):
        self.store = store
        self._lock = threading.Lock()
        self._by_type: dict[str, dict[str, Property]] = {}
        for name, props in BUILT_IN.items():
            merged = {p.name: p for p in props}
            for saved in store.get_value(self._key(name), []):
                merged[saved["name"]] = self._from_answer(saved)
            for prop_name, edit in store.get_value(self._edits_key(name), {}).items():
                merged[prop_name] = dataclasses.replace(merged[prop_name], **edit)
            self._by_type[name] = merged

    @staticmethod
    def _key(type_name: str) -> str:
        return f"hubspot:properties:{type_name}"

    @staticmethod
    def _edits_key(type_name: str) -> str:
        return f"hubspot:property-edits:{type_name}"

    @staticmethod
    def _from_answer(saved: dict) -> Property:
        return Property(
            saved["name"],
            saved["label"],
            saved["type"],
            saved["fieldType"],
            saved["groupName"],
            saved.get("options") or [],
            unique=bool(saved.get("hasUniqueValue")),
            hubspot_defined=False,
            description=saved.get("description", ""),
            display_order=saved.get("displayOrder", -1),
            created_at=saved.get("createdAt"),
        )

    def get(self, type_name: str, name: str) -> Property | None:
        return self._by_type[type_name].get(name)

    def all(self, type_name: str) -> list[Property]:
        return list(self._by_type[type_name].values())

    def groups(self, type_name: str) -> set[str]:
        return {p.group for p in BUILT_IN[type_name]} | _EXTRA_GROUPS

    def create(self, otype: ObjectType, body: dict, now_ms: int) -> Property:
        missing = [k for k in _REQUIRED if not body.get(k)]
        if missing:
            raise errors.bad_request(f"Property definition is missing: {', '.join(missing)}")
        name, kind, field_type = body["name"], body["type"], body["fieldType"]
        if not isinstance(name, str) or not _NAME.match(name):
            raise errors.bad_request(
                f"Property name {name!r} is invalid: lowercase letters, digits and _ only, "
                "starting with a letter"
            )
        if kind not in FIELD_TYPES:
            raise errors.bad_request(f"Property type {kind!r} is not one of {sorted(FIELD_TYPES)}")
        if field_type not in FIELD_TYPES[kind]:
            raise errors.bad_request(
                f"fieldType {field_type!r} does not fit type {kind!r}: use one of {sorted(FIELD_TYPES[kind])}"
            )
        if body["groupName"] not in self.groups(otype.name):
            raise errors.bad_request(f"Property group {body['groupName']!r} does not exist on {otype.name}")
        options = _options(body.get("options"), kind)
        stamp = iso(now_ms)
        saved = {
            "name": name,
            "label": body["label"],
            "type": kind,
            "fieldType": field_type,
            "groupName": body["groupName"],
            "options": options,
            "description": body.get("description") or "",
            "displayOrder": body.get("displayOrder", -1),
            "hasUniqueValue": bool(body.get("hasUniqueValue")),
            "createdAt": stamp,
        }
        with self._lock:
            if name in self._by_type[otype.name]:
                raise errors.fail(
                    409,
                    f"A property named '{name}' already exists on {otype.name}.",
                    "OBJECT_ALREADY_EXISTS",
                    context={"name": [name]},
                )
            prop = self._from_answer(saved)
            self._by_type[otype.name][name] = prop
            custom = self.store.get_value(self._key(otype.name), [])
            self.store.set_value(self._key(otype.name), [*custom, saved])
        return prop

    def update(self, otype: ObjectType, name: str, body: dict) -> Property:
        """PATCH: a new label, description or list of options (an admin adding a picklist value).

        HubSpot lets admins add options to its own enumerations too (hs_lead_status, industry);
        custom lifecycle stages, made in HubSpot's settings, have numeric values: this takes them.
        """
        editable = {"label": "label", "description": "description", "options": "options"}
        unknown = sorted(set(body) - set(editable))
        if unknown:
            raise errors.bad_request(f"Property update cannot change: {', '.join(unknown)}")
        with self._lock:
            prop = self._by_type[otype.name].get(name)
            if prop is None:
                raise errors.not_found(f"Unable to find property {name} on object type {otype.type_id}")
            if prop.read_only:
                raise errors.bad_request(f"Property {name} is read only")
            edit = {editable[k]: v for k, v in body.items() if k != "options"}
            if "options" in body:
                if prop.type not in ("enumeration", "bool"):
                    raise errors.bad_request(f"Property {name} of type {prop.type} takes no options")
                edit["options"] = _options(body["options"], prop.type)
            updated = dataclasses.replace(prop, **edit)
            self._by_type[otype.name][name] = updated
            edits = self.store.get_value(self._edits_key(otype.name), {})
            edits[name] = {**edits.get(name, {}), **edit}
            self.store.set_value(self._edits_key(otype.name), edits)
        return updated


def _options(raw, kind: str) -> list[dict]:
    if kind == "bool" and not raw:
        raw = [{"label": "Yes", "value": "true"}, {"label": "No", "value": "false"}]
    if kind not in ("enumeration", "bool"):
        return []
    if not isinstance(raw, list):
        raise errors.bad_request("options must be a list of {label, value}")
    seen: set[str] = set()
    out = []
    for i, option in enumerate(raw):
        if not isinstance(option, dict) or option.get("value") in (None, "") or not option.get("label"):
            raise errors.bad_request(f"option {i} needs a label and a value")
        value = str(option["value"])
        if value in seen:
            raise errors.bad_request(f"option value {value!r} appears twice")
        seen.add(value)
        out.append(
            {
                "label": str(option["label"]),
                "value": value,
                "displayOrder": option.get("displayOrder", i),
                "hidden": bool(option.get("hidden")),
                **({"description": option["description"]} if option.get("description") else {}),
            }
        )
    return out


def install(app) -> None:
    """Route the properties API onto the app."""
    registry: Registry = app.registry

    def list_properties(request: Request) -> Response:
        otype = object_type(request.params["type"])
        if request.arg("archived", "false").lower() == "true":
            return Response.json({"results": []})
        return Response.json({"results": [p.answer() for p in registry.all(otype.name)]})

    def get_property(request: Request) -> Response:
        otype = object_type(request.params["type"])
        prop = registry.get(otype.name, request.params["name"])
        if prop is None:
            raise errors.not_found(
                f"Unable to find property {request.params['name']} on object type {otype.type_id}"
            )
        return Response.json(prop.answer())

    def create_property(request: Request) -> Response:
        otype = object_type(request.params["type"])
        body = app.body(request)
        if not isinstance(body, dict):
            raise errors.bad_request("Expected a property definition object")
        prop = registry.create(otype, body, app.clock.tick_ms())
        return Response.json(prop.answer(), 201)

    app.router.add("GET", "/crm/v3/properties/{type}", list_properties)
    app.router.add("POST", "/crm/v3/properties/{type}", create_property)

    def update_property(request: Request) -> Response:
        otype = object_type(request.params["type"])
        body = app.body(request)
        if not isinstance(body, dict):
            raise errors.bad_request("Expected a property update object")
        return Response.json(registry.update(otype, request.params["name"], body).answer())

    app.router.add("GET", "/crm/v3/properties/{type}/{name}", get_property)
    app.router.add("PATCH", "/crm/v3/properties/{type}/{name}", update_property)
