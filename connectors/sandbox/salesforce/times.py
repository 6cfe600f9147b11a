"""Salesforce's date and time formats, and the SOQL date literals (TODAY, LAST_N_DAYS:n, ...)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import time

_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$"
)
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
DAY_MS = 86_400_000
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MS = dt.timedelta(milliseconds=1)


def ms_to_iso(ms: int) -> str:
    """Epoch milliseconds as `2026-01-31T09:15:00.000+0000`, the REST API's form."""
    seconds, milli = divmod(int(ms), 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{milli:03d}+0000"


def parse_datetime_ms(text: str) -> int:
    """Epoch milliseconds of an ISO date-time with an offset (Z, +0000, +00:00); ValueError if not one."""
    if not isinstance(text, str) or not _DATETIME.match(text):
        raise ValueError(f"not a date-time: {text!r}")
    return (dt.datetime.fromisoformat(text) - _EPOCH) // _MS


def parse_date(text: str) -> dt.date:
    m = _DATE.match(text) if isinstance(text, str) else None
    if not m:
        raise ValueError(f"not a date: {text!r}")
    return dt.date(*(int(g) for g in m.groups()))


def normalize_datetime(text: str) -> str:
    ms = parse_datetime_ms(text)
    canonical = len(text) == 28 and text[19] == "." and text.endswith("+0000")
    return text if canonical else ms_to_iso(ms)


def date_to_ms(day: dt.date) -> int:
    return calendar.timegm(day.timetuple()) * 1000


def ms_to_date(ms: int) -> dt.date:
    return dt.datetime.fromtimestamp(ms // 1000, dt.UTC).date()


# -- SOQL date literals: each names a range of whole days [start, end) in the org's zone (UTC) -----

FIXED_LITERALS = {
    "YESTERDAY",
    "TODAY",
    "TOMORROW",
    "LAST_WEEK",
    "THIS_WEEK",
    "NEXT_WEEK",
    "LAST_MONTH",
    "THIS_MONTH",
    "NEXT_MONTH",
    "LAST_90_DAYS",
    "NEXT_90_DAYS",
    "THIS_QUARTER",
    "LAST_QUARTER",
    "NEXT_QUARTER",
    "THIS_YEAR",
    "LAST_YEAR",
    "NEXT_YEAR",
}
N_LITERALS = {
    "LAST_N_DAYS",
    "NEXT_N_DAYS",
    "N_DAYS_AGO",
    "LAST_N_WEEKS",
    "NEXT_N_WEEKS",
    "N_WEEKS_AGO",
    "LAST_N_MONTHS",
    "NEXT_N_MONTHS",
    "N_MONTHS_AGO",
    "LAST_N_QUARTERS",
    "NEXT_N_QUARTERS",
    "N_QUARTERS_AGO",
    "LAST_N_YEARS",
    "NEXT_N_YEARS",
    "N_YEARS_AGO",
}


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _unit_start(today: dt.date, unit: str) -> dt.date:
    if unit == "DAY":
        return today
    if unit == "WEEK":  # weeks start on Sunday (en_US locale)
        return today - dt.timedelta(days=(today.weekday() + 1) % 7)
    if unit == "MONTH":
        return today.replace(day=1)
    if unit == "QUARTER":
        return dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    return dt.date(today.year, 1, 1)


def _shift(start: dt.date, unit: str, count: int) -> dt.date:
    if unit == "DAY":
        return start + dt.timedelta(days=count)
    if unit == "WEEK":
        return start + dt.timedelta(weeks=count)
    return _add_months(start, count * {"MONTH": 1, "QUARTER": 3, "YEAR": 12}[unit])


def literal_range(name: str, n: int | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The days [start, end) a date literal covers on `today`."""
    name, n = _ALIASES.get(name.upper(), (name.upper(), n))
    words = name.split("_")
    kind, unit = ("AGO", words[1]) if words[-1] == "AGO" else ("_".join(words[:-1]), words[-1])
    unit = unit.removesuffix("S")
    start = _unit_start(today, unit)
    if kind in ("THIS", "LAST", "NEXT"):
        first = _shift(start, unit, {"THIS": 0, "LAST": -1, "NEXT": 1}[kind])
        return first, _shift(first, unit, 1)
    n = int(n or 0)
    if kind == "AGO":
        first = _shift(start, unit, -n)
        return first, _shift(first, unit, 1)
    if kind == "LAST_N":  # LAST_N_DAYS takes in today too; the longer units end before this one
        return _shift(start, unit, -n), _shift(start, unit, 1) if unit == "DAY" else start
    return _shift(start, unit, 1), _shift(start, unit, 1 + n)


_ALIASES = {
    "YESTERDAY": ("N_DAYS_AGO", 1),
    "TODAY": ("N_DAYS_AGO", 0),
    "TOMORROW": ("NEXT_N_DAYS", 1),
    "LAST_90_DAYS": ("LAST_N_DAYS", 90),
    "NEXT_90_DAYS": ("NEXT_N_DAYS", 90),
}
