"""Salesforce records around people: campaign memberships, tasks, meetings, opportunities, contact roles."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from . import seed_vocab as v
from .seed_model import Opportunity, Person, Touch, World
from .seed_salesforce_ids import SalesforceIds, line, sf_date, sf_time, system

RESPONDED = {"Attended", "Responded", "Registered"}
MEETING_MINUTES = (30, 45, 60)


def activity_lines(person: Person, ids: SalesforceIds, lead_id, contact_id, now: datetime) -> Iterator[dict]:
    """Campaign memberships, sales tasks and meetings, on the lead before conversion, the contact after."""
    for touch in person.touches:
        after = contact_id and (lead_id is None or touch.at >= (person.converted_at or touch.at))
        who = contact_id if after else lead_id
        if touch.kind == "campaign":
            status = touch.info["status"]
            yield line(
                "CampaignMember",
                {
                    "Id": ids.new("CampaignMember"),
                    "CampaignId": ids.campaign[touch.info["campaign"]],
                    "LeadId": lead_id,
                    "ContactId": contact_id if after else None,
                    "Status": status,
                    "HasResponded": status in RESPONDED,
                    "FirstRespondedDate": sf_date(touch.at) if status in RESPONDED else None,
                    **system(touch.at),
                },
            )
        elif touch.kind == "sales" and touch.info["system"] == "salesforce":
            channel = touch.info["channel"]
            subject = v.TASK_SUBJECTS[channel][touch.at.toordinal() % len(v.TASK_SUBJECTS[channel])]
            yield line(
                "Task",
                {
                    "Id": ids.new("Task"),
                    "WhoId": who,
                    "OwnerId": ids.user[touch.info["rep"].n],
                    "Subject": subject,
                    "Type": channel,
                    "TaskSubtype": channel if channel in ("Call", "Email") else "Task",
                    "Status": "Completed",
                    "Priority": "Normal",
                    "IsClosed": True,
                    "ActivityDate": sf_date(touch.at),
                    "CallDurationInSeconds": 60 + touch.at.second * 10 if channel == "Call" else None,
                    **system(touch.at),
                },
            )
            if channel == "Meeting":  # a logged meeting also sits in the rep's calendar
                yield line("Event", meeting_record(touch, ids, who, subject, now))


def meeting_record(touch: Touch, ids: SalesforceIds, who: str, subject: str, now: datetime) -> dict:
    """The calendar Event of a meeting; its length comes from the touch, not the random generator,
    so that adding Events left every other record of a seed as it was."""
    minutes = MEETING_MINUTES[touch.at.toordinal() % len(MEETING_MINUTES)]
    start = min(touch.at, now - timedelta(minutes=minutes + 1))  # over before the history ends
    return {
        "Id": ids.new("Event"),
        "WhoId": who,
        "OwnerId": ids.user[touch.info["rep"].n],
        "Subject": subject,
        "Type": "Meeting",
        "EventSubtype": "Event",
        "IsAllDayEvent": False,
        "ShowAs": "Busy",
        "StartDateTime": sf_time(start),
        "EndDateTime": sf_time(start + timedelta(minutes=minutes)),
        "ActivityDateTime": sf_time(start),
        "ActivityDate": sf_date(start),
        "DurationInMinutes": minutes,
        **system(start),
    }


def opportunity_lines(world: World, ids: SalesforceIds) -> Iterator[dict]:
    now = world.today
    for opp in world.opportunities:
        yield line("Opportunity", opportunity_record(opp, ids, world.today))
        for i, (person, role) in enumerate(opp.contacts):
            known = person.converted_at or person.created
            created = min(max(opp.created, known) + timedelta(hours=2 + i), now - timedelta(minutes=1))
            yield line(
                "OpportunityContactRole",
                {
                    "Id": ids.new("OpportunityContactRole"),
                    "OpportunityId": ids.opportunity[opp.n],
                    "ContactId": ids.contact[person.n],
                    "Role": role,
                    "IsPrimary": i == 0,
                    **system(created),
                },
            )


def opportunity_record(opp: Opportunity, ids: SalesforceIds, now: datetime) -> dict:
    closed = opp.stage.startswith("Closed")
    modified = opp.close if closed else opp.created + (now - opp.created) / 2
    return {
        "Id": ids.opportunity[opp.n],
        "AccountId": ids.account[opp.firm.n],
        "Name": f"{opp.firm.name} - New Business",
        "StageName": opp.stage,
        "Amount": opp.amount,
        "CloseDate": sf_date(opp.close),
        "IsClosed": closed,
        "IsWon": opp.stage == "Closed Won",
        "OwnerId": ids.user[opp.owner.n],
        "Type": "New Business",
        "LeadSource": "Web",
        "Probability": 100
        if opp.stage == "Closed Won"
        else 0
        if closed
        else 20 + 15 * (v.OPPORTUNITY_STAGES.index(opp.stage)),
        **system(opp.created, modified.replace(microsecond=0)),
    }
