"""What leadflow reads from HubSpot and the properties it writes back."""

from __future__ import annotations

from dataclasses import dataclass

BASE_URL = "https://api.hubapi.com"
BATCH_SIZE = 100  # batch read/create/update/upsert: at most 100 inputs
LIST_PAGE = 100  # list objects: at most 100 per page
SEARCH_PAGE = 200  # search: at most 200 per page
SEARCH_CAP = 10_000  # search never pages past 10,000 results per query
OVERLAP_MINUTES = 5


@dataclass(frozen=True)
class HubSpotObject:
    """An object to extract: how it is read and which property is its modification time."""

    name: str  # raw table, and the API's object type for CRM objects
    kind: str  # crm, or the name of a stream reader (owners, forms, email_events, ...)
    cursor: str = "hs_lastmodifieddate"
    associations: tuple[str, ...] = ()


OBJECTS: dict[str, HubSpotObject] = {
    o.name: o
    for o in (
        HubSpotObject("owners", "owners"),
        HubSpotObject("contacts", "crm", cursor="lastmodifieddate", associations=("companies",)),
        HubSpotObject("companies", "crm"),
        HubSpotObject("deals", "crm", associations=("contacts", "companies")),
        HubSpotObject("calls", "crm", associations=("contacts",)),
        HubSpotObject("emails", "crm", associations=("contacts",)),
        HubSpotObject("meetings", "crm", associations=("contacts",)),
        HubSpotObject("notes", "crm", associations=("contacts",)),
        HubSpotObject("forms", "forms"),
        HubSpotObject("form_submissions", "form_submissions"),
        HubSpotObject("email_events", "email_events"),
        HubSpotObject("web_events", "web_events"),
        HubSpotObject("marketing_events", "marketing_events"),
        HubSpotObject("event_participations", "event_participations"),
        HubSpotObject("conversation_threads", "conversation_threads"),
        HubSpotObject("conversation_messages", "conversation_messages"),
    )
}
WEB_EVENT_TYPES = ("e_visited_page",)


@dataclass(frozen=True)
class ContactProperty:
    """A contact property leadflow writes; custom ones are created when missing."""

    name: str
    label: str
    type: str  # number | enumeration | date
    options: tuple[str, ...] = ()
    builtin: bool = False

    def definition(self) -> dict:
        field_type = {"number": "number", "date": "date", "enumeration": "select"}[self.type]
        body = {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "fieldType": field_type,
            "groupName": "contactinformation",
            "description": "Set by leadflow.",
        }
        if self.options:
            body["options"] = [
                {"label": o, "value": o, "displayOrder": i, "hidden": False}
                for i, o in enumerate(self.options)
            ]
        return body


WRITEBACK_PROPERTIES: tuple[ContactProperty, ...] = (
    ContactProperty("leadflow_score", "leadflow score", "number"),
    ContactProperty("leadflow_fit_score", "leadflow fit score", "number"),
    ContactProperty("leadflow_engagement_score", "leadflow engagement score", "number"),
    ContactProperty("leadflow_tier", "leadflow tier", "enumeration", ("Cold", "Warm", "Hot")),
    ContactProperty("leadflow_mql_date", "leadflow MQL date", "date"),
    ContactProperty("leadflow_sql_date", "leadflow SQL date", "date"),
    ContactProperty("lifecyclestage", "Lifecycle Stage", "enumeration", builtin=True),
    ContactProperty("hubspot_owner_id", "Contact owner", "enumeration", builtin=True),
)
WRITABLE_PROPERTIES = frozenset(p.name for p in WRITEBACK_PROPERTIES)
