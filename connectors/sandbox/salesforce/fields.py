"""One sObject field: its type and flags, the describe entry it answers, and shorthands to declare it."""

from __future__ import annotations

import re
from dataclasses import dataclass

STRING_TYPES = frozenset({"string", "picklist", "email", "phone", "url", "textarea", "combobox"})
NUMBER_TYPES = frozenset({"double", "currency", "percent", "int"})
ID_TYPES = frozenset({"id", "reference"})
SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "int": "xsd:int",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
}


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    label: str = ""
    length: int = 0
    precision: int = 0
    scale: int = 0
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    custom: bool = False
    values: tuple[str, ...] = ()
    restricted: bool = False
    reference_to: tuple[str, ...] = ()
    relationship: str | None = None
    default: object = None
    name_field: bool = False
    unique: bool = False

    @property
    def required(self) -> bool:
        """Must be given on create: not nillable, createable, and nothing fills it in."""
        return not self.nillable and self.createable and self.default is None and self.type != "boolean"

    @property
    def long_text(self) -> bool:
        """Long text areas can be neither filtered nor sorted in SOQL."""
        return self.type == "textarea" and self.length > 255

    @property
    def empty(self):
        """What a record holds when the field was never set."""
        return False if self.type == "boolean" else None

    def describe(self) -> dict:
        """The field's entry in `sobjects/{Object}/describe/`."""
        text = self.type in STRING_TYPES or self.type in ID_TYPES
        return {
            "aggregatable": self.type != "boolean" and not self.long_text,
            "autoNumber": False,
            "byteLength": self.length * 3 if text else 0,
            "calculated": False,
            "caseSensitive": False,
            "createable": self.createable,
            "custom": self.custom,
            "defaultValue": self.default if self.type == "boolean" and self.default is not None else None,
            "defaultedOnCreate": self.default is not None or self.type == "boolean" or not self.createable,
            "dependentPicklist": False,
            "deprecatedAndHidden": False,
            "digits": 9 if self.type == "int" else 0,
            "externalId": False,
            "filterable": not self.long_text,
            "groupable": self.type not in ("double", "currency", "percent", "datetime")
            and not self.long_text,
            "htmlFormatted": False,
            "idLookup": self.type == "id" or self.name in ("Email", "Username"),
            "inlineHelpText": None,
            "label": self.label,
            "length": self.length if text else 0,
            "name": self.name,
            "nameField": self.name_field,
            "nillable": self.nillable,
            "picklistValues": [
                {"active": True, "defaultValue": v == self.default, "label": v, "validFor": None, "value": v}
                for v in self.values
            ],
            "polymorphicForeignKey": len(self.reference_to) > 1,
            "precision": self.precision,
            "referenceTo": list(self.reference_to),
            "relationshipName": self.relationship,
            "restrictedPicklist": self.restricted,
            "scale": self.scale,
            "soapType": SOAP_TYPES.get(self.type, "xsd:string"),
            "sortable": not self.long_text,
            "type": self.type,
            "unique": self.unique,
            "updateable": self.updateable,
        }


def label_of(name: str) -> str:
    """`AnnualRevenue` -> `Annual Revenue`, `OwnerId` -> `Owner ID`."""
    base = name.removesuffix("__c").replace("_", " ")
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", base)
    return re.sub(r"\bId$", "ID", words)


def _make(name: str, type_: str, label: str | None, readonly: bool, required: bool, **kw) -> Field:
    flags = {"createable": False, "updateable": False} if readonly else {}
    if required:
        flags["nillable"] = False
    return Field(name, type_, label or label_of(name), **flags, **kw)


def text(name, length=255, label=None, readonly=False, required=False, type_="string", **kw) -> Field:
    return _make(name, type_, label, readonly, required, length=length, **kw)


def email(name="Email", label=None, **kw) -> Field:
    return text(name, 80, label, type_="email", **kw)


def phone(name, label=None, **kw) -> Field:
    return text(name, 40, label, type_="phone", **kw)


def url(name, label=None, **kw) -> Field:
    return text(name, 255, label, type_="url", **kw)


def area(name, length=32000, label=None, **kw) -> Field:
    return text(name, length, label, type_="textarea", **kw)


def pick(name, values, label=None, restricted=False, readonly=False, required=False, **kw) -> Field:
    return _make(
        name,
        "picklist",
        label,
        readonly,
        required,
        length=255,
        values=tuple(values),
        restricted=restricted,
        **kw,
    )


def boolean(name, label=None, readonly=False, default=False, **kw) -> Field:
    return _make(name, "boolean", label, readonly, False, nillable=False, default=default, **kw)


def number(name, precision=18, scale=0, label=None, type_="double", readonly=False, **kw) -> Field:
    return _make(name, type_, label, readonly, False, precision=precision, scale=scale, **kw)


def integer(name, label=None, readonly=False, **kw) -> Field:
    return _make(name, "int", label, readonly, False, **kw)


def date(name, label=None, readonly=False, required=False, **kw) -> Field:
    return _make(name, "date", label, readonly, required, **kw)


def datetime(name, label=None, readonly=False, required=False, **kw) -> Field:
    return _make(name, "datetime", label, readonly, required, **kw)


def ref(name, to, label=None, readonly=False, required=False, relationship=None, **kw) -> Field:
    targets = (to,) if isinstance(to, str) else tuple(to)
    rel = relationship or (name[:-2] if name.endswith("Id") else None)
    return _make(
        name, "reference", label, readonly, required, length=18, reference_to=targets, relationship=rel, **kw
    )


def system_fields(history: bool = False) -> list[Field]:
    """Id, IsDeleted and the audit fields every object has (history objects: no modification)."""
    out = [
        Field("Id", "id", "Record ID", length=18, nillable=False, createable=False, updateable=False),
        boolean("IsDeleted", "Deleted", readonly=True),
        datetime("CreatedDate", "Created Date", readonly=True, required=True),
        ref("CreatedById", "User", "Created By ID", readonly=True, required=True),
    ]
    if not history:
        out += [
            datetime("LastModifiedDate", "Last Modified Date", readonly=True, required=True),
            ref("LastModifiedById", "User", "Last Modified By ID", readonly=True, required=True),
            datetime("SystemModstamp", "System Modstamp", readonly=True, required=True),
        ]
    return out


def owner(targets=("Group", "User")) -> Field:
    return ref("OwnerId", targets, "Owner ID", required=True, default="$user", relationship="Owner")
