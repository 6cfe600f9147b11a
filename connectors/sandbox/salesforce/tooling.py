"""Tooling API `sobjects/CustomField`: new custom fields join the object's describe, queries and writes."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..web import Request, Response
from . import ids
from .errors import SalesforceError
from .fields import Field

if TYPE_CHECKING:
    from .app import SalesforceApp

_API_NAME = re.compile(r"^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*(?<!_)__c$")
_SIMPLE = {"Date": "date", "DateTime": "datetime", "Email": "email", "Phone": "phone", "Url": "url"}


def _integrity(message: str) -> SalesforceError:
    return SalesforceError("FIELD_INTEGRITY_EXCEPTION", message)


def field_from_metadata(name: str, meta: dict) -> Field:
    """The Field a CustomField's Metadata describes; FIELD_INTEGRITY_EXCEPTION when it is incomplete."""
    kind, label = meta.get("type"), meta.get("label")
    if not label:
        raise _integrity("Label: You must enter a value")
    common = {"label": str(label), "custom": True, "nillable": not meta.get("required", False)}
    if kind in ("Number", "Currency", "Percent"):
        precision, scale = meta.get("precision"), meta.get("scale", 0)
        if precision is None:
            raise _integrity(f"Must specify 'precision' for a CustomField of type {kind}")
        if not (1 <= int(precision) <= 18) or not (0 <= int(scale or 0) <= int(precision)):
            raise _integrity(
                "The sum of the length and decimal places must be an integer less than or equal to 18"
            )
        t = {"Number": "double", "Currency": "currency", "Percent": "percent"}[kind]
        return Field(name, t, precision=int(precision), scale=int(scale or 0), **common)
    if kind in ("Text", "TextArea", "LongTextArea"):
        default = {"Text": None, "TextArea": 255, "LongTextArea": 32768}[kind]
        length = meta.get("length", default)
        if length is None:
            raise _integrity("Must specify 'length' for a CustomField of type Text")
        if kind == "Text" and not 1 <= int(length) <= 255:
            raise _integrity("Length: Value must be between 1 and 255")
        return Field(name, "string" if kind == "Text" else "textarea", length=int(length), **common)
    if kind == "Picklist":
        value_set = meta.get("valueSet") or {}
        values = [v.get("fullName") for v in (value_set.get("valueSetDefinition") or {}).get("value") or []]
        if not values or not all(values):
            raise _integrity(
                "Picklist: You must enter at least one value (valueSet.valueSetDefinition.value)"
            )
        return Field(
            name,
            "picklist",
            length=255,
            values=tuple(values),
            restricted=bool(value_set.get("restricted", False)),
            **common,
        )
    if kind == "Checkbox":
        default = str(meta.get("defaultValue", "false")).lower() == "true"
        return Field(name, "boolean", label=str(label), custom=True, nillable=False, default=default)
    if kind in _SIMPLE:
        length = {"Email": 80, "Phone": 40, "Url": 255}.get(kind, 0)
        return Field(name, _SIMPLE[kind], length=length, **common)
    raise _integrity(f"Invalid or unsupported field type: {kind}")


class Tooling:
    def __init__(self, app: SalesforceApp):
        self.app = app
        app.router.add("POST", "/tooling/sobjects/CustomField", self.create_field)

    def create_field(self, req: Request) -> Response:
        body = req.json()
        if not isinstance(body, dict):
            raise SalesforceError("JSON_PARSER_ERROR", "Cannot deserialize the request body")
        full_name = body.get("FullName") or ""
        meta = body.get("Metadata")
        obj_name, _, field_name = str(full_name).partition(".")
        if not isinstance(meta, dict):
            raise SalesforceError(
                "REQUIRED_FIELD_MISSING", "Required fields are missing: [Metadata]", ["Metadata"]
            )
        obj = self.app.schema.find(obj_name)
        if obj is None or obj.history:
            raise _integrity(
                f"FullName: the entity {obj_name!r} does not exist or does not take custom fields"
            )
        if not _API_NAME.match(field_name) or len(field_name) > 43:
            raise SalesforceError(
                "INVALID_FIELD",
                f"FullName: invalid custom field name {full_name!r}: it must "
                "begin with a letter, use letters, digits and single underscores, and end "
                "with __c",
                ["FullName"],
            )
        self.app.schema.add_field(obj, field_from_metadata(field_name, meta))
        rid = ids.object_id("CustomField", self.app.store.next_sequence("salesforce:CustomField"))
        return Response.json({"id": rid, "success": True, "errors": [], "warnings": [], "infos": []}, 201)
