"""An sObject's definition, and the field groups several standard objects share."""

from __future__ import annotations

from dataclasses import dataclass

from .fields import Field, area, pick, system_fields, text
from .ids import KEY_PREFIXES
from .picklists import SALUTATION


@dataclass(frozen=True)
class SObject:
    name: str
    label: str
    plural: str
    fields: tuple[Field, ...]
    createable: bool = True
    updateable: bool = True
    deletable: bool = True
    history: bool = False  # a field-history object: no LastModifiedDate/SystemModstamp

    @property
    def prefix(self) -> str:
        return KEY_PREFIXES[self.name]


def address(prefix: str = "", country_only: bool = False) -> list[Field]:
    if country_only:
        return [text(f"{prefix}Country", 80)]
    return [
        area(f"{prefix}Street", 255),
        text(f"{prefix}City", 40),
        text(f"{prefix}State", 80, f"{prefix} State/Province".strip()),
        text(f"{prefix}PostalCode", 20, f"{prefix} Zip/Postal Code".strip()),
        text(f"{prefix}Country", 80),
    ]


def person(full_name_label: str) -> list[Field]:
    return [
        pick("Salutation", SALUTATION),
        text("FirstName", 40, "First Name"),
        text("LastName", 80, "Last Name", required=True),
        text("Name", 121, full_name_label, readonly=True, name_field=True),
    ]


def standard(name: str, label: str, plural: str, fields: list[Field], **kw) -> SObject:
    history = kw.get("history", False)
    return SObject(
        name, label, plural, tuple(system_fields(history)[:1] + fields + system_fields(history)[1:]), **kw
    )
