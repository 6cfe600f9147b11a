"""Bulk API 2.0 query results (CSV) turned into the records the REST API would have answered."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

_NUMBER = {"double", "currency", "percent"}
_INTEGER = {"int", "long"}


def _value(raw: str, kind: str):
    # CSV cannot tell an empty text from null; Salesforce stores empty text as null anyway.
    if raw == "":
        return None
    if kind == "boolean":
        return raw.lower() == "true"
    if kind in _INTEGER:
        return int(float(raw))
    if kind in _NUMBER:
        return float(raw)
    if kind == "datetime":
        # Bulk writes `...000Z`, REST `...000+0000`: land one form.
        return raw[:-1] + "+0000" if raw.endswith("Z") else raw
    return raw


def decode(page: str, types: dict[str, str]) -> Iterator[dict]:
    """Rows of one CSV result page as REST-shaped field maps, typed by the describe."""
    for row in csv.DictReader(io.StringIO(page)):
        yield {name: _value(raw, types.get(name, "string")) for name, raw in row.items()}
