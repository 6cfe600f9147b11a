"""The built-in properties of each object type (a fresh HubSpot account's, trimmed to what we use)."""

from __future__ import annotations

from .schema import LIFECYCLE_STAGES, Property

_STAGE_LABELS = {
    "subscriber": "Subscriber",
    "lead": "Lead",
    "marketingqualifiedlead": "Marketing Qualified Lead",
    "salesqualifiedlead": "Sales Qualified Lead",
    "opportunity": "Opportunity",
    "customer": "Customer",
    "evangelist": "Evangelist",
    "other": "Other",
}
_STAGES = [
    {"label": _STAGE_LABELS[s], "value": s, "displayOrder": i, "hidden": False}
    for i, s in enumerate(LIFECYCLE_STAGES)
]


def _text(name, label, group, **kw) -> Property:
    return Property(name, label, "string", "text", group, **kw)


def _number(name, label, group, **kw) -> Property:
    return Property(name, label, "number", "number", group, **kw)


def _when(name, label, group, **kw) -> Property:
    return Property(name, label, "datetime", "date", group, **kw)


def _pick(name, label, group, options, **kw) -> Property:
    return Property(name, label, "enumeration", "select", group, options, **kw)


def _owner(group: str) -> Property:
    # Options are the account's owners; the value is checked against them on write.
    return Property("hubspot_owner_id", "Owner", "enumeration", "select", group, external_options=True)


def _stage_props(group: str) -> list[Property]:
    return [
        Property("lifecyclestage", "Lifecycle Stage", "enumeration", "radio", group, _STAGES),
        *(
            _when(f"hs_lifecyclestage_{s}_date", f"Became a {_STAGE_LABELS[s]} Date", group)
            for s in LIFECYCLE_STAGES
        ),
    ]


def _system(created: str, modified: str, group: str) -> list[Property]:
    return [
        _when(created, "Create Date", group),
        _when(modified, "Last Modified Date", group, read_only=True),
        _number("hs_object_id", "Record ID", group, read_only=True, unique=True),
    ]


_C = "contactinformation"
CONTACTS = [
    _text("email", "Email", _C, unique=True),
    *(
        _text(n, label, _C)
        for n, label in (
            ("firstname", "First Name"),
            ("lastname", "Last Name"),
            ("company", "Company Name"),
            ("jobtitle", "Job Title"),
            ("country", "Country/Region"),
            ("state", "State/Region"),
            ("city", "City"),
            ("zip", "Postal Code"),
            ("address", "Street Address"),
            ("phone", "Phone Number"),
            ("mobilephone", "Mobile Phone Number"),
            ("website", "Website URL"),
            ("industry", "Industry"),
            ("annualrevenue", "Annual Revenue"),
            ("salesforceleadid", "Salesforce Lead ID"),
            ("salesforcecontactid", "Salesforce Contact ID"),
            ("salesforceaccountid", "Salesforce Account ID"),
        )
    ),
    _pick(
        "numemployees",
        "Number of Employees",
        _C,
        ("1-5", "5-25", "25-50", "50-100", "100-500", "500-1000", "1000+"),
    ),
    _pick(
        "hs_lead_status",
        "Lead Status",
        _C,
        (
            "NEW",
            "OPEN",
            "IN_PROGRESS",
            "OPEN_DEAL",
            "UNQUALIFIED",
            "ATTEMPTED_TO_CONTACT",
            "CONNECTED",
            "BAD_TIMING",
        ),
    ),
    _owner(_C),
    *_stage_props(_C),
    _number("associatedcompanyid", "Primary Associated Company ID", _C),
    _pick(
        "hs_analytics_source",
        "Original Source",
        "analyticsinformation",
        (
            "ORGANIC_SEARCH",
            "PAID_SEARCH",
            "EMAIL_MARKETING",
            "SOCIAL_MEDIA",
            "REFERRALS",
            "OTHER_CAMPAIGNS",
            "DIRECT_TRAFFIC",
            "OFFLINE",
            "PAID_SOCIAL",
            "AI_REFERRALS",
        ),
        read_only=True,
    ),
    _number("hs_analytics_num_page_views", "Number of Pageviews", "analyticsinformation", read_only=True),
    _number("hs_analytics_num_visits", "Number of Sessions", "analyticsinformation", read_only=True),
    Property(
        "hs_email_optout",
        "Unsubscribed from all email",
        "bool",
        "booleancheckbox",
        "emailinformation",
        read_only=True,
    ),
    _number("num_conversion_events", "Number of Form Submissions", "conversioninformation", read_only=True),
    _text("recent_conversion_event_name", "Recent Conversion", "conversioninformation", read_only=True),
    _when("recent_conversion_date", "Recent Conversion Date", "conversioninformation", read_only=True),
    _text("first_conversion_event_name", "First Conversion", "conversioninformation", read_only=True),
    _when("first_conversion_date", "First Conversion Date", "conversioninformation", read_only=True),
    *_system("createdate", "lastmodifieddate", _C),
]

_CO = "companyinformation"
COMPANIES = [
    *(
        _text(n, label, _CO)
        for n, label in (
            ("name", "Name"),
            ("domain", "Company Domain Name"),
            ("website", "Website URL"),
            ("phone", "Phone Number"),
            ("city", "City"),
            ("state", "State/Region"),
            ("country", "Country/Region"),
            ("industry", "Industry"),
            ("description", "Description"),
            ("salesforceaccountid", "Salesforce Account ID"),
        )
    ),
    _number("numberofemployees", "Number of Employees", _CO),
    _number("annualrevenue", "Annual Revenue", _CO),
    _pick("type", "Type", _CO, ("PROSPECT", "PARTNER", "RESELLER", "VENDOR", "OTHER")),
    _owner(_CO),
    *_stage_props(_CO),
    *_system("createdate", "hs_lastmodifieddate", _CO),
]

_D = "dealinformation"
DEALS = [
    _text("dealname", "Deal Name", _D),
    _number("amount", "Amount", _D),
    _pick(
        "dealstage",
        "Deal Stage",
        _D,
        (
            "appointmentscheduled",
            "qualifiedtobuy",
            "presentationscheduled",
            "decisionmakerboughtin",
            "contractsent",
            "closedwon",
            "closedlost",
        ),
    ),
    _pick("pipeline", "Pipeline", _D, ("default",)),
    _when("closedate", "Close Date", _D),
    _pick("dealtype", "Deal Type", _D, ("newbusiness", "existingbusiness")),
    _text("description", "Deal Description", _D),
    _text("salesforceopportunityid", "Salesforce Opportunity ID", _D),
    Property("hs_is_closed", "Is Deal Closed?", "bool", "booleancheckbox", _D, read_only=True),
    Property("hs_is_closed_won", "Is Closed Won", "bool", "booleancheckbox", _D, read_only=True),
    _owner(_D),
    *_system("createdate", "hs_lastmodifieddate", _D),
]


def _engagement(group: str, own: list[Property]) -> list[Property]:
    return [
        _when("hs_timestamp", "Activity date", group),
        _owner(group),
        *own,
        *_system("hs_createdate", "hs_lastmodifieddate", group),
    ]


CALLS = _engagement(
    "call",
    [
        _text("hs_call_title", "Call Title", "call"),
        Property("hs_call_body", "Call notes", "string", "html", "call"),
        _pick("hs_call_direction", "Call direction", "call", ("INBOUND", "OUTBOUND")),
        _pick(
            "hs_call_status",
            "Call status",
            "call",
            (
                "BUSY",
                "CALLING_CRM_USER",
                "CANCELED",
                "COMPLETED",
                "CONNECTING",
                "FAILED",
                "IN_PROGRESS",
                "MISSED",
                "NO_ANSWER",
                "QUEUED",
                "RINGING",
            ),
        ),
        _number("hs_call_duration", "Call duration (ms)", "call"),
        _text("hs_call_disposition", "Call outcome", "call"),
        _text("hs_call_to_number", "To number", "call"),
        _text("hs_call_from_number", "From number", "call"),
    ],
)
EMAILS = _engagement(
    "email",
    [
        _pick(
            "hs_email_direction", "Email direction", "email", ("EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL")
        ),
        _text("hs_email_subject", "Email subject", "email"),
        Property("hs_email_text", "Email body", "string", "textarea", "email"),
        _pick(
            "hs_email_status",
            "Email send status",
            "email",
            ("BOUNCED", "FAILED", "SCHEDULED", "SENDING", "SENT"),
        ),
    ],
)
MEETINGS = _engagement(
    "meeting",
    [
        _text("hs_meeting_title", "Meeting name", "meeting"),
        Property("hs_meeting_body", "Meeting description", "string", "html", "meeting"),
        _pick(
            "hs_meeting_outcome",
            "Meeting outcome",
            "meeting",
            ("SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW", "CANCELED"),
        ),
        _when("hs_meeting_start_time", "Start time", "meeting"),
        _when("hs_meeting_end_time", "End time", "meeting"),
        _text("hs_meeting_location", "Location", "meeting"),
    ],
)
NOTES = _engagement(
    "note",
    [
        Property("hs_note_body", "Note body", "string", "html", "note"),
    ],
)

BUILT_IN: dict[str, list[Property]] = {
    "contacts": CONTACTS,
    "companies": COMPANIES,
    "deals": DEALS,
    "calls": CALLS,
    "emails": EMAILS,
    "meetings": MEETINGS,
    "notes": NOTES,
}
for _props in BUILT_IN.values():
    for _i, _p in enumerate(_props):
        _p.display_order = _i
