"""The calendar Event: a meeting with a start, an end and a duration that Salesforce keeps in step."""

from __future__ import annotations

from .fields import area, boolean, date, datetime, integer, owner, pick, ref, text
from .sobject import standard

EVENT_TYPES = ("Call", "Email", "Meeting", "Other")
SUBJECTS = ("Call", "Email", "Meeting", "Send Letter/Quote", "Other")
MAX_DURATION_MINUTES = 14 * 24 * 60  # Salesforce refuses events longer than 14 days

EVENT = standard(
    "Event",
    "Event",
    "Events",
    [
        ref("WhoId", ("Contact", "Lead"), "Name ID", relationship="Who"),
        ref("WhatId", ("Account", "Opportunity", "Campaign"), "Related To ID", relationship="What"),
        text("Subject", 255, type_="combobox", values=SUBJECTS),
        text("Location", 255),
        boolean("IsAllDayEvent", "All-Day Event"),
        datetime("ActivityDateTime", "Due Date Time"),
        date("ActivityDate", "Due Date Only"),
        integer("DurationInMinutes", "Duration"),
        datetime("StartDateTime", "Start Date Time"),
        datetime("EndDateTime", "End Date Time"),
        area("Description", 32000),
        ref("AccountId", "Account", "Account ID", readonly=True),
        owner(("User",)),
        pick("Type", EVENT_TYPES),
        boolean("IsPrivate", "Private"),
        pick("ShowAs", ("Busy", "OutOfOffice", "Free"), "Show Time As", default="Busy"),
        pick("EventSubtype", ("Event",), "Event Subtype", restricted=True, updateable=False, default="Event"),
    ],
)
