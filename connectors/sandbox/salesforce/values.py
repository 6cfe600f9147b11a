"""Field values sent by a client, read as Salesforce reads them: JSON type first, then the field's rules."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from . import ids, times
from .errors import SalesforceError, json_error
from .fields import ID_TYPES, NUMBER_TYPES, STRING_TYPES, Field

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_JAVA_TYPES = {
    "double": "double",
    "currency": "double",
    "percent": "double",
    "int": "int",
    "boolean": "boolean",
    "date": "date",
    "datetime": "datetime",
}


def _deserialize_error(f: Field, value) -> SalesforceError:
    kind = (
        "VALUE_STRING"
        if isinstance(value, str)
        else "VALUE_NUMBER_INT"
        if isinstance(value, int)
        else (
            "START_OBJECT"
            if isinstance(value, dict)
            else "START_ARRAY"
            if isinstance(value, list)
            else "VALUE"
        )
    )
    java = _JAVA_TYPES.get(f.type, "String")
    return json_error(
        f"Cannot deserialize instance of {java} from {kind} value {value} "
        "or request may be missing a required field"
    )


def deserialize(f: Field, value):
    """The JSON value as the field's type, or JSON_PARSER_ERROR (fails the whole request)."""
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        raise _deserialize_error(f, value)
    t = f.type
    if t in STRING_TYPES or t in ID_TYPES:
        if isinstance(value, bool):
            return "true" if value else "false"
        return value if isinstance(value, str) else str(value)
    if t == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _deserialize_error(f, value)
    if t in NUMBER_TYPES:
        if isinstance(value, bool):
            raise _deserialize_error(f, value)
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise _deserialize_error(f, value) from None
        if t == "int" and number != number.to_integral_value():
            raise _deserialize_error(f, value)
        return number
    try:
        if t == "date":
            return times.parse_date(value).isoformat()
        if t == "datetime":
            return times.normalize_datetime(value)
    except (ValueError, TypeError):
        raise _deserialize_error(f, value) from None
    return value


def check(f: Field, value):
    """The value to store once the field's own rules pass; raises the per-record error otherwise."""
    if value is None or value == "":
        return f.empty
    t = f.type
    if t in ID_TYPES:
        return check_reference(f, value)
    if t in STRING_TYPES:
        if len(value) > f.length:
            raise SalesforceError(
                "STRING_TOO_LONG",
                f"{f.label}: data value too large: {value[: f.length + 10]} (max length={f.length})",
                [f.name],
            )
        if t == "email" and not _EMAIL.match(value):
            raise SalesforceError(
                "INVALID_EMAIL_ADDRESS", f"{f.label}: invalid email address: {value}", [f.name]
            )
        if t == "picklist" and f.restricted and value not in f.values:
            raise SalesforceError(
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                f"{f.label}: bad value for restricted picklist field: {value}",
                [f.name],
            )
        return value
    if t in NUMBER_TYPES:
        return check_number(f, value)
    return value


def check_number(f: Field, number: Decimal):
    if f.type == "int":
        if abs(number) > 2**31 - 1:
            raise _range_error(f, number)
        return int(number)
    scale = f.scale
    rounded = number.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
    if f.precision and abs(rounded) >= Decimal(10) ** (f.precision - scale):
        raise _range_error(f, number)
    return float(rounded)


def _range_error(f: Field, number) -> SalesforceError:
    return SalesforceError(
        "NUMBER_OUTSIDE_VALID_RANGE",
        f"{f.label}: value outside of valid range on numeric field: {number}",
        [f.name],
    )


def check_reference(f: Field, value: str) -> str:
    """A well-formed id of one of the objects the field points to (existence is checked apart)."""
    ok = (len(value) == 15 and all(c in ids.BASE62 for c in value)) or ids.is_valid(value)
    prefixes = {ids.KEY_PREFIXES.get(o, "00G" if o == "Group" else "") for o in f.reference_to}
    if not ok or (f.type == "reference" and value[:3] not in prefixes):
        raise SalesforceError("MALFORMED_ID", f"{f.label}: id value of incorrect type: {value}", [f.name])
    return ids.to18(value)
