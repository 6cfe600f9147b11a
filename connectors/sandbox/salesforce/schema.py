"""The org's schema: standard objects plus the custom fields created through Tooling, and describes."""

from __future__ import annotations

import threading
from dataclasses import asdict, replace

from ..store import Store
from .errors import SalesforceError
from .fields import Field
from .objects import STANDARD, SObject

CUSTOM_KEY = "salesforce:custom_fields"


class Schema:
    """Objects by name (case-insensitive), each with its standard and custom fields."""

    def __init__(self, store: Store):
        self.store = store
        self._lock = threading.Lock()
        self._objects: dict[str, SObject] = {}
        self._by_lower: dict[str, dict[str, Field]] = {}
        self._reload()

    def _reload(self) -> None:
        custom = self.store.get_value(CUSTOM_KEY, {})
        objects = {}
        for name, base in STANDARD.items():
            extra = tuple(
                Field(
                    **{**spec, "values": tuple(spec["values"]), "reference_to": tuple(spec["reference_to"])}
                )
                for spec in custom.get(name, [])
            )
            objects[name] = replace(base, fields=base.fields + extra)
        self._objects = objects
        self._lower_names = {n.lower(): n for n in objects}
        self._by_lower = {n: {f.name.lower(): f for f in o.fields} for n, o in objects.items()}
        self._by_name = {n: {f.name: f for f in o.fields} for n, o in objects.items()}

    # -- lookups -----------------------------------------------------------------------------

    def names(self) -> list[str]:
        return list(self._objects)

    def find(self, name: str) -> SObject | None:
        canonical = self._lower_names.get((name or "").lower())
        return self._objects[canonical] if canonical else None

    def get(self, name: str) -> SObject:
        """The object, or 404 NOT_FOUND as the sobjects/{name} resources answer."""
        obj = self.find(name)
        if obj is None:
            raise SalesforceError("NOT_FOUND", "The requested resource does not exist", status=404)
        return obj

    def field(self, obj: SObject, name: str) -> Field | None:
        return self._by_lower[obj.name].get(name.lower())

    def fields(self, obj: SObject) -> dict[str, Field]:
        """Fields by canonical name, in describe order."""
        return self._by_name[obj.name]

    def object_of_id(self, rid: str) -> SObject | None:
        prefix = rid[:3]
        return next((o for o in self._objects.values() if o.prefix == prefix), None)

    # -- custom fields -----------------------------------------------------------------------

    def add_field(self, obj: SObject, spec: Field) -> None:
        with self._lock:
            custom = self.store.get_value(CUSTOM_KEY, {})
            entries = custom.setdefault(obj.name, [])
            if any(e["name"].lower() == spec.name.lower() for e in entries):
                raise SalesforceError(
                    "DUPLICATE_DEVELOPER_NAME",
                    f"There is already a field named {spec.name.removesuffix('__c')} on {obj.label}.",
                )
            entries.append(asdict(spec))
            self.store.set_value(CUSTOM_KEY, custom)
            self._reload()

    # -- describes ---------------------------------------------------------------------------

    def global_entry(self, obj: SObject, version: str) -> dict:
        base = f"/services/data/v{version}/sobjects/{obj.name}"
        return {
            "activateable": False,
            "createable": obj.createable,
            "custom": False,
            "customSetting": False,
            "deletable": obj.deletable,
            "deprecatedAndHidden": False,
            "feedEnabled": not obj.history,
            "hasSubtypes": False,
            "isSubtype": False,
            "keyPrefix": obj.prefix,
            "label": obj.label,
            "labelPlural": obj.plural,
            "layoutable": not obj.history,
            "mergeable": obj.name in ("Account", "Contact", "Lead"),
            "mruEnabled": not obj.history,
            "name": obj.name,
            "queryable": True,
            "replicateable": True,
            "retrieveable": True,
            "searchable": not obj.history,
            "triggerable": not obj.history,
            "undeletable": obj.deletable,
            "updateable": obj.updateable,
            "urls": {
                "rowTemplate": f"{base}/{{ID}}",
                "defaultValues": f"{base}/defaultValues?recordTypeId&fields",
                "describe": f"{base}/describe",
                "sobject": base,
            },
        }

    def describe_global(self, version: str) -> dict:
        return {
            "encoding": "UTF-8",
            "maxBatchSize": 200,
            "sobjects": [self.global_entry(o, version) for o in self._objects.values()],
        }

    def describe(self, obj: SObject, version: str) -> dict:
        out = self.global_entry(obj, version)
        out.update(
            {
                "childRelationships": [],
                "compactLayoutable": not obj.history,
                "fields": [f.describe() for f in self._objects[obj.name].fields],
                "listviewable": None,
                "lookupLayoutable": None,
                "namedLayoutInfos": [],
                "networkScopeFieldName": None,
                "recordTypeInfos": [],
                "searchLayoutable": not obj.history,
                "supportedScopes": [{"label": "All " + obj.plural.lower(), "name": "everything"}],
            }
        )
        return out
