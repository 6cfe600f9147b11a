"""Times, property values and paging cursors as HubSpot writes and reads them."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

DAY_MS = 86_400_000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def iso(ms: int) -> str:
    """Epoch milliseconds as HubSpot's `2026-01-31T09:15:00.000Z`."""
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def parse_ms(value) -> int:
    """Epoch ms from ms (number or digits), an ISO datetime or a bare date; ValueError if neither."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a time")
    if isinstance(value, int | float):
        return int(value)
    text = str(value).strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if _DATE.match(text):
        return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)


def day_of(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).date().isoformat()


class BadValue(ValueError):
    """A property value HubSpot would refuse; `code` is its error name (INVALID_FLOAT...)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def as_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        raise BadValue("INVALID_STRING", f"{json.dumps(value)} is not a single value")
    return str(value)


def as_number(value) -> str:
    if isinstance(value, bool):
        raise BadValue("INVALID_FLOAT", f"{value} was not a valid number.")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise BadValue("INVALID_FLOAT", f"{value} was not a valid number.") from None
    if not number.is_finite():
        raise BadValue("INVALID_FLOAT", f"{value} was not a valid number.")
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def as_date(value) -> str:
    """Dates are `YYYY-MM-DD` or epoch ms at midnight UTC; stored and answered as `YYYY-MM-DD`."""
    text = as_text(value).strip()
    if _DATE.match(text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    elif re.fullmatch(r"-?\d+", text):
        ms = int(text)
        if ms % DAY_MS == 0:
            return day_of(ms)
        raise BadValue("INVALID_DATE", f"{text} is not midnight UTC; date properties take whole days.")
    raise BadValue("INVALID_DATE", f"{text} is not a valid date (YYYY-MM-DD or epoch ms at midnight UTC).")


def as_datetime(value) -> str:
    try:
        return iso(parse_ms(value))
    except (ValueError, OverflowError, OSError):
        raise BadValue("INVALID_DATETIME", f"{value} is not a valid datetime.") from None


def as_bool(value) -> str:
    text = as_text(value).strip().lower()
    if text in ("true", "false"):
        return text
    raise BadValue("INVALID_BOOLEAN", f"{value} is not a valid boolean (true or false).")


def as_email(value) -> str:
    text = as_text(value).strip().lower()
    if not _EMAIL.match(text):
        raise BadValue("INVALID_EMAIL", f"Email address {value} is invalid")
    return text


def encode_cursor(*parts) -> str:
    """An opaque `after`/`offset` token, as HubSpot's look."""
    raw = json.dumps(list(parts), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> list:
    padded = token + "=" * (-len(token) % 4)
    parts = json.loads(base64.urlsafe_b64decode(padded.encode()))
    if not isinstance(parts, list):
        raise ValueError(token)
    return parts


def flag(value: str | None, default: bool = False) -> bool:
    """Query booleans: the generated client sends Python's `True`/`False`."""
    if value is None or value == "":
        return default
    return value.strip().lower() == "true"
