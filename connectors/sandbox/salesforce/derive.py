"""Fields Salesforce computes itself on save: names, stage flags, task, event and member state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import times
from .errors import SalesforceError
from .event import MAX_DURATION_MINUTES
from .objects import CLOSED_TASK_STATUS, RESPONDED_STATUS, STAGES, SObject
from .render import VENDOR

if TYPE_CHECKING:
    from .writes import Writer


def full_name(data: dict) -> str | None:
    return " ".join(p for p in (data.get("FirstName"), data.get("LastName")) if p) or None


def derive(writer: Writer, obj: SObject, data: dict, old: dict | None, given: set[str], now: int) -> None:
    """Fill in `data` (the record after the write) from what changed; `old` is None on create."""
    name = obj.name
    if name in ("Lead", "Contact", "User"):
        data["Name"] = full_name(data)
    if name == "User" and data.get("Alias") in (None, "$alias"):
        data["Alias"] = ((data.get("FirstName") or "")[:1] + (data.get("LastName") or ""))[:8].lower() or None
    if name == "Opportunity":
        _opportunity(data, old, given)
    elif name == "Task":
        _task(writer, data, old, now)
    elif name == "Event":
        _event(writer, data, old, given)
    elif name == "CampaignMember":
        _member(data, old, now)


def stage_fields(stage: str | None) -> dict:
    probability, forecast, closed, won = STAGES.get(stage or "", (None, "Pipeline", False, False))
    return {"Probability": probability, "ForecastCategoryName": forecast, "IsClosed": closed, "IsWon": won}


def _opportunity(data: dict, old: dict | None, given: set[str]) -> None:
    derived = stage_fields(data.get("StageName"))
    data["IsClosed"], data["IsWon"] = derived["IsClosed"], derived["IsWon"]
    stage_moved = old is None or old.get("StageName") != data.get("StageName")
    for key in ("Probability", "ForecastCategoryName"):
        if stage_moved and key not in given:
            data[key] = (
                float(derived[key]) if key == "Probability" and derived[key] is not None else derived[key]
            )


def _task(writer: Writer, data: dict, old: dict | None, now: int) -> None:
    closed = data.get("Status") in CLOSED_TASK_STATUS
    was_closed = bool(old and old.get("IsClosed"))
    data["IsClosed"] = closed
    if closed and not was_closed:
        data["CompletedDateTime"] = times.ms_to_iso(now)
    elif not closed:
        data["CompletedDateTime"] = None
    data["AccountId"] = _account(writer, data)


def _account(writer: Writer, data: dict) -> str | None:
    """An activity's account: its WhatId when that is an account, else its contact's account."""
    what, who = data.get("WhatId") or "", data.get("WhoId") or ""
    if what.startswith("001"):
        return what
    if who.startswith("003"):
        contact = writer.store.get(VENDOR, "Contact", who)
        return contact.data.get("AccountId") if contact else None
    return None


def _event(writer: Writer, data: dict, old: dict | None, given: set[str]) -> None:
    """Start, end, duration and the activity date kept in step, as Salesforce does on save."""
    all_day = bool(data.get("IsAllDayEvent"))
    start = _event_start(data, given, all_day)
    end_given = "EndDateTime" in given and data.get("EndDateTime") is not None
    duration_given = "DurationInMinutes" in given and data.get("DurationInMinutes") is not None
    if end_given:
        minutes = (times.parse_datetime_ms(data["EndDateTime"]) - start) // 60_000
        if duration_given and minutes != data["DurationInMinutes"]:
            raise SalesforceError(
                "FIELD_INTEGRITY_EXCEPTION",
                "Duration in minutes and End Date Time do not add up to the same amount of time",
                ["DurationInMinutes", "EndDateTime"],
            )
    elif duration_given:
        minutes = data["DurationInMinutes"]
    elif old is not None and old.get("DurationInMinutes") is not None:
        minutes = old["DurationInMinutes"]  # a moved event keeps its length
    elif all_day:
        minutes = 24 * 60
    else:
        message = "Required fields are missing: [DurationInMinutes]"
        raise SalesforceError("REQUIRED_FIELD_MISSING", message, ["DurationInMinutes"])
    if minutes < 0:
        raise SalesforceError(
            "FIELD_INTEGRITY_EXCEPTION", "End Date Time: the end can't be before the start", ["EndDateTime"]
        )
    if minutes > MAX_DURATION_MINUTES:
        raise SalesforceError(
            "FIELD_INTEGRITY_EXCEPTION", "Event duration cannot exceed 14 days", ["DurationInMinutes"]
        )
    stamp = times.ms_to_iso(start)
    data["StartDateTime"] = stamp
    data["ActivityDateTime"] = None if all_day else stamp
    data["ActivityDate"] = times.ms_to_date(start).isoformat()
    data["EndDateTime"] = times.ms_to_iso(start + minutes * 60_000)
    data["DurationInMinutes"] = minutes
    data["AccountId"] = _account(writer, data)


def _event_start(data: dict, given: set[str], all_day: bool) -> int:
    """The event's start in epoch ms: the start given, or the one it had; all-day events start at midnight."""
    for key in ("StartDateTime", "ActivityDateTime"):
        if key in given and data.get(key) is not None:
            start = times.parse_datetime_ms(data[key])
            break
    else:
        held = data.get("StartDateTime") or data.get("ActivityDateTime")
        start = times.parse_datetime_ms(held) if held else None
    if all_day and data.get("ActivityDate") and (start is None or "ActivityDate" in given):
        start = times.date_to_ms(times.parse_date(data["ActivityDate"]))
    if start is None:
        raise SalesforceError(
            "REQUIRED_FIELD_MISSING", "Required fields are missing: [StartDateTime]", ["StartDateTime"]
        )
    return start


def _member(data: dict, old: dict | None, now: int) -> None:
    if not data.get("LeadId") and not data.get("ContactId"):
        raise SalesforceError(
            "REQUIRED_FIELD_MISSING",
            "Required fields are missing: [LeadId or ContactId]",
            ["LeadId", "ContactId"],
        )
    data["Type"] = "Lead" if data.get("LeadId") else "Contact"
    responded = data.get("Status") in RESPONDED_STATUS
    data["HasResponded"] = responded
    if responded and not data.get("FirstRespondedDate"):
        data["FirstRespondedDate"] = times.ms_to_date(now).isoformat()
