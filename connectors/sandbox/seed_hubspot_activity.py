"""HubSpot activity records of one touch: marketing email events, form submissions, engagements."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from . import seed_vocab as v
from .seed_hubspot_records import PORTAL_ID, HubSpotIds, crm, hs_time, line, ms
from .seed_model import Person, Touch

ENGAGEMENT_OBJECTS = {"Call": "calls", "Email": "emails", "Meeting": "meetings", "Note": "notes"}


def email_events(touch: Touch, recipient: str, ids: HubSpotIds, now: datetime) -> Iterator[dict]:
    info = touch.info
    base = {
        "recipient": recipient,
        "portalId": PORTAL_ID,
        "emailCampaignId": info["campaign"],
        "appName": "BatchEmail",
    }
    at = touch.at - timedelta(seconds=10)
    yield line("email_events", {"id": ids.uuid(), "created": ms(at), "type": "SENT", **base})
    if "bounce" in info:
        yield line(
            "email_events",
            {
                "id": ids.uuid(),
                "created": ms(at) + 4000,
                "type": "BOUNCE",
                "category": info["bounce"],
                **base,
            },
        )
        return
    yield line("email_events", {"id": ids.uuid(), "created": ms(at) + 3000, "type": "DELIVERED", **base})
    if info["open"]:
        opened = min(touch.at + timedelta(minutes=37), now - timedelta(seconds=30))
        yield line("email_events", {"id": ids.uuid(), "created": ms(opened), "type": "OPEN", **base})
        if info["click"]:
            yield line(
                "email_events",
                {
                    "id": ids.uuid(),
                    "created": ms(opened) + 20_000,
                    "type": "CLICK",
                    "url": f"{v.SITE}/blog/lead-scoring-guide?utm_campaign={info['campaign']}",
                    **base,
                },
            )


def form_submission(touch: Touch, person: Person, ids: HubSpotIds, forms: dict) -> dict:
    form_id, path = forms[touch.info["form"]]
    values = [{"name": "email", "value": person.hs_email.strip(), "objectTypeId": "0-1"}]
    if touch.info["form"] != "Newsletter signup":
        values += [
            {"name": "firstname", "value": person.first, "objectTypeId": "0-1"},
            {"name": "lastname", "value": person.last, "objectTypeId": "0-1"},
            {"name": "company", "value": person.company, "objectTypeId": "0-1"},
            {"name": "jobtitle", "value": person.title, "objectTypeId": "0-1"},
        ]
    return {
        "formId": form_id,
        "conversionId": ids.uuid(),
        "submittedAt": ms(touch.at),
        "pageUrl": v.SITE + path,
        "values": values,
    }


def engagement(touch: Touch, contact_id: str, ids: HubSpotIds) -> dict:
    info = touch.info
    channel = info["channel"]
    owner = ids.owner.get(info["rep"].n)
    properties = {"hs_timestamp": hs_time(touch.at), "hubspot_owner_id": owner}
    if channel == "Call":
        properties.update(
            hs_call_title="Discovery call",
            hs_call_direction="OUTBOUND",
            hs_call_status="COMPLETED",
            hs_call_duration=str(300_000),
        )
    elif channel == "Email":
        incoming = info.get("incoming")
        properties.update(
            hs_email_subject="Re: next steps" if incoming else "Following up",
            hs_email_direction="INCOMING_EMAIL" if incoming else "EMAIL",
            hs_email_status="SENT",
        )
    elif channel == "Meeting":
        properties.update(
            hs_meeting_title="Product demo",
            hs_meeting_outcome="COMPLETED",
            hs_meeting_start_time=hs_time(touch.at),
            hs_meeting_end_time=hs_time(touch.at + timedelta(minutes=30)),
        )
    else:
        properties.update(hs_note_body="Interested in the scoring add-on; call back next quarter.")
    record = crm(ids.new("engagements"), properties, touch.at, touch.at, {"contacts": [contact_id]})
    return line(ENGAGEMENT_OBJECTS[channel], record)
