"""CRM object types and property definitions: what a property is, how its values are checked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from . import values
from .values import BadValue

LIFECYCLE_STAGES = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)
STAGE_ORDER = {stage: i for i, stage in enumerate(LIFECYCLE_STAGES)}


@dataclass(frozen=True)
class ObjectType:
    name: str  # the plural API name: contacts
    singular: str  # contact, as in association type names (call_to_contact)
    type_id: str  # HubSpot's objectTypeId: 0-1
    created: str  # the creation-time property
    modified: str  # the modification-time property
    defaults: tuple[str, ...]  # properties answered when none are asked for

    @property
    def always(self) -> tuple[str, ...]:
        """Properties every answer carries, asked for or not."""
        return (self.created, "hs_object_id", self.modified)


_ENGAGEMENT = ("hs_createdate", "hs_lastmodifieddate", "hs_object_id")
OBJECT_TYPES: dict[str, ObjectType] = {
    t.name: t
    for t in (
        ObjectType(
            "contacts",
            "contact",
            "0-1",
            "createdate",
            "lastmodifieddate",
            ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"),
        ),
        ObjectType(
            "companies",
            "company",
            "0-2",
            "createdate",
            "hs_lastmodifieddate",
            ("createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"),
        ),
        ObjectType(
            "deals",
            "deal",
            "0-3",
            "createdate",
            "hs_lastmodifieddate",
            (
                "amount",
                "closedate",
                "createdate",
                "dealname",
                "dealstage",
                "hs_lastmodifieddate",
                "hs_object_id",
                "pipeline",
            ),
        ),
        ObjectType("calls", "call", "0-48", "hs_createdate", "hs_lastmodifieddate", _ENGAGEMENT),
        ObjectType("emails", "email", "0-49", "hs_createdate", "hs_lastmodifieddate", _ENGAGEMENT),
        ObjectType("meetings", "meeting", "0-47", "hs_createdate", "hs_lastmodifieddate", _ENGAGEMENT),
        ObjectType("notes", "note", "0-46", "hs_createdate", "hs_lastmodifieddate", _ENGAGEMENT),
    )
}
_ALIASES = {alias: t for t in OBJECT_TYPES.values() for alias in (t.name, t.singular, t.type_id)}


def resolve(name: str) -> ObjectType | None:
    """An object type from its plural, singular or objectTypeId spelling."""
    return _ALIASES.get(name.lower()) if name else None


FIELD_TYPES = {
    "string": {"text", "textarea", "phonenumber", "html", "file", "calculation_equation"},
    "number": {"number", "calculation_equation"},
    "date": {"date"},
    "datetime": {"date"},
    "enumeration": {"select", "radio", "checkbox", "booleancheckbox", "calculation_equation"},
    "bool": {"booleancheckbox", "calculation_equation"},
}


@dataclass
class Property:
    name: str
    label: str
    type: str = "string"
    field_type: str = "text"
    group: str = "contactinformation"
    options: tuple[str, ...] | list[dict] = ()
    read_only: bool = False
    unique: bool = False
    hubspot_defined: bool = True
    description: str = ""
    display_order: int = -1
    external_options: bool = False
    created_at: str | None = None
    check: Callable[[object], str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.options and isinstance(self.options[0], str):
            self.options = [
                {"label": _label(v), "value": v, "displayOrder": i, "hidden": False}
                for i, v in enumerate(self.options)
            ]
        if self.type == "bool" and not self.options:
            self.options = [
                {"label": "True", "value": "true", "displayOrder": 0, "hidden": False},
                {"label": "False", "value": "false", "displayOrder": 1, "hidden": False},
            ]
        self.options = list(self.options)
        self.check = self._checker()

    def _checker(self) -> Callable[[object], str]:
        if self.name == "email":
            return values.as_email
        if self.type == "number":
            return values.as_number
        if self.type == "date":
            return values.as_date
        if self.type == "datetime":
            return values.as_datetime
        if self.type == "bool":
            return values.as_bool
        if self.type == "enumeration" and not self.external_options:
            return self._option
        return values.as_text

    def _option(self, value) -> str:
        text = values.as_text(value)
        allowed = {o["value"] for o in self.options}
        chosen = text.split(";") if self.field_type == "checkbox" else [text]
        for item in chosen:
            if item not in allowed:
                listed = ", ".join(o["value"] for o in self.options)
                raise BadValue("INVALID_OPTION", f"{item} was not one of the allowed options: [{listed}]")
        return text

    def answer(self) -> dict:
        """The property definition as GET /crm/v3/properties/{type} lists it."""
        out = {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "fieldType": self.field_type,
            "description": self.description,
            "groupName": self.group,
            "options": self.options,
            "displayOrder": self.display_order,
            "calculated": False,
            "externalOptions": self.external_options,
            "hasUniqueValue": self.unique,
            "hidden": False,
            "hubspotDefined": self.hubspot_defined,
            "modificationMetadata": {
                "archivable": not self.hubspot_defined,
                "readOnlyDefinition": self.hubspot_defined,
                "readOnlyValue": self.read_only,
            },
            "formField": not self.read_only,
            "dataSensitivity": "non_sensitive",
            "archived": False,
        }
        if self.created_at:
            out["createdAt"] = out["updatedAt"] = self.created_at
        return out


def _label(value: str) -> str:
    return value.replace("_", " ").title() if value.isupper() else value.capitalize()
