"""Fields Salesforce computes itself on save: names, stage flags, task and member state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import times
from .errors import SalesforceError
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
    what, who = data.get("WhatId") or "", data.get("WhoId") or ""
    account = what if what.startswith("001") else None
    if account is None and who.startswith("003"):
        contact = writer.store.get(VENDOR, "Contact", who)
        account = contact.data.get("AccountId") if contact else None
    data["AccountId"] = account


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
