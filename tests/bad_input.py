"""The bad-input corpus: records as the vendors would hold them, and what a nightly must do with each.

Each case is one record with one bad field (or a bad record as a whole), sent into the sandbox
`via` the vendor's API through its real client ("api"), or through the sandbox's loader ("load",
for what no API lets a client set: system dates, activities, values an export may carry that the
API refuses today). `expect` is the outcome tests/test_bad_input.py asserts for it:

- `flows`: scored and written back; a text field's value arrives in the warehouse unchanged.
- `refused:<CODE>`: the vendor's API refuses to create it (the code it answers); leadflow never
  sees it.
- `quarantined:<reason>`: named in `main.quarantine` with its field, raw value and reason; a
  person's record is still scored and written back (the field read as unknown).
- `merged:<group>`: the group's records are one person, each scored and written back.
- `rejected`: deleted in the CRM during the run, after the build queued it: the write-back's
  refusal is kept in `ops.rejects` (and closed by the next run, the record being gone).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from connectors.sandbox.salesforce.ids import object_id

TEN_THOUSAND = "Ω" + "long-value " * 909  # 10,000 characters
assert len(TEN_THOUSAND) == 10_000

# Quotes and metacharacters of SOQL, SQL, LIKE, regular expressions, Jinja and the shell.
META = [
    "O'Brien",
    "x'); DROP TABLE main.people; --",
    "' OR Name LIKE '%",
    "back\\slash \\' \\\\ end",
    "{{ var('as_of') }} {% raw %} $$",
    "100% _real_ *deal*? [a-z]+ $(id) `id` |;&",
    'say "hi"; -- /* not a comment */',
]
# Unicode, right-to-left and emoji.
NAMES = {
    "accents": "José Ñúñez-Łódź",
    "cjk": "王小明",
    "arabic": "محمد عبدالله",
    "hebrew": "שרה כהן",
    "rtl-override": "evil\u202etxt.exe",
    "emoji": "🚀 Rocket 👩‍💻",
    "combining": "Zalgo z̷̢̛a̶l̵g̸o̴",
    "zero-width": "Ann\u200bSmith\ufeff",
}


# Picklist options a HubSpot admin adds before the records are made (a custom lifecycle stage has a
# numeric internal value), through PATCH /crm/v3/properties/contacts/{name}.
HUBSPOT_OPTIONS_ADDED = {
    "lifecyclestage": {"label": "Partner", "value": "1234567"},
    "hs_lead_status": {"label": "Maybe later", "value": "MAYBE"},
}


@dataclass(frozen=True)
class Case:
    id: str
    object: str  # the vendor's object name (Salesforce: Lead...; HubSpot: contacts...)
    field: str | None  # the bad field (a dotted path for nested HubSpot activity fields)
    value: object
    expect: str
    via: str = "api"
    base: dict = field(default_factory=dict, compare=False)  # the record's other fields
    record_id: str | None = None  # given for loaded records

    @property
    def vendor(self) -> str:
        return "salesforce" if self.object[0].isupper() else "hubspot"

    @property
    def email(self) -> str:
        return f"{self.id}@corpus.example"

    def record(self) -> dict:
        """The record to send: its identity and other fields, with the bad value in place."""
        if self.object == "Lead":
            out = {"LastName": f"Case {self.id}", "Company": "Corpus Co", "Email": self.email}
        elif self.object == "Contact":
            out = {"LastName": f"Case {self.id}", "Email": self.email}
        elif self.object == "Account":
            out = {"Name": f"Corpus account {self.id}"}
        elif self.object == "contacts":
            out = {"email": self.email, "lastname": f"Case {self.id}"}
        elif self.object == "companies":
            out = {"name": f"Corpus company {self.id}"}
        else:
            out = {}
        out.update(self.base)
        if self.field is not None:
            *path, last = self.field.split(".")
            node = out
            for part in path:
                node = node.setdefault(part, {})
            node[last] = self.value
        if self.via == "load" and self.record_id:
            out["Id" if self.vendor == "salesforce" else "id"] = self.record_id
        if self.via == "load" and self.vendor == "hubspot" and self.object in ("contacts", "companies"):
            props = {k: v for k, v in out.items() if k != "id"}
            return {"id": self.record_id, "properties": props}
        return out


def _sf(n: int, obj: str) -> str:
    return object_id(obj, 900_000 + n)


def _text_cases() -> list[Case]:
    """Metacharacters and Unicode in every text field leadflow reads; each must flow unchanged."""
    fields = {
        "Lead": ["FirstName", "LastName", "Company", "Title", "Country", "Industry", "LeadSource"],
        "Contact": ["FirstName", "LastName", "Title", "MailingCountry"],
        "Account": ["Name", "BillingCountry", "Industry"],
        "contacts": ["firstname", "lastname", "company", "jobtitle", "country"],
        "companies": ["name", "country", "city"],
    }
    out = []
    n = 0
    for obj, names in fields.items():
        for name in names:
            value = META[n % len(META)]
            out.append(Case(f"meta-{obj}-{name}".lower(), obj, name, value, "flows"))
            n += 1
    for i, (kind, value) in enumerate(NAMES.items()):
        obj, name = [("Lead", "FirstName"), ("contacts", "firstname"), ("Contact", "LastName")][i % 3]
        out.append(Case(f"unicode-{kind}", obj, name, value, "flows"))
    out.append(Case("emoji-title", "Lead", "Title", "VP Sales 🚀🔥", "flows"))
    out.append(Case("emoji-company", "contacts", "company", "Acme 🦄 Inc.", "flows"))
    out.append(Case("newline-tab", "contacts", "jobtitle", "Head of\nGrowth\tEMEA", "flows"))
    return out


CASES: list[Case] = [
    *_text_cases(),
    # --- 10,000-character values: HubSpot holds them; Salesforce's field lengths refuse them.
    Case("long-hs-firstname", "contacts", "firstname", TEN_THOUSAND, "flows"),
    Case("long-hs-jobtitle", "contacts", "jobtitle", TEN_THOUSAND, "flows"),
    Case("long-hs-company-name", "companies", "name", TEN_THOUSAND, "flows"),
    Case("long-sf-lastname", "Lead", "LastName", TEN_THOUSAND, "refused:STRING_TOO_LONG"),
    Case("long-sf-title", "Lead", "Title", TEN_THOUSAND, "refused:STRING_TOO_LONG"),
    # --- Nulls everywhere: only what the vendor requires.
    Case(
        "null-lead",
        "Lead",
        "Email",
        None,
        "flows",
        base={
            "FirstName": None,
            "Title": None,
            "Country": None,
            "Industry": None,
            "NumberOfEmployees": None,
            "AnnualRevenue": None,
        },
    ),
    Case("null-contact", "Contact", "Email", None, "flows", base={"FirstName": None, "Title": None}),
    Case("null-hs-contact", "contacts", "email", None, "flows", base={"lastname": None}),
    Case(
        "empty-hs-contact",
        "contacts",
        "email",
        "",
        "flows",
        base={"lastname": "", "firstname": "", "jobtitle": "", "country": "", "company": ""},
    ),
    Case("null-hs-company", "companies", "name", None, "flows"),
    Case("null-account", "Account", "Industry", None, "flows"),
    # --- Emails.
    Case("email-mixed-case", "Lead", "Email", "MiXeD.Case@Corpus.Example", "merged:mixed"),
    Case("email-mixed-case-twin", "contacts", "email", "mixed.case@corpus.example", "merged:mixed"),
    Case("email-dup-lead-1", "Lead", "Email", "twice@corpus.example", "merged:twice"),
    Case("email-dup-lead-2", "Lead", "Email", "twice@corpus.example", "merged:twice"),
    Case("email-dup-hs", "contacts", "email", "mixed.case@corpus.example", "refused:CONFLICT"),
    Case("email-quote", "Lead", "Email", "o'brien+test@corpus.example", "flows"),
    Case("email-unicode", "contacts", "email", "jöse@bücher.example", "flows"),
    Case("email-malformed-sf", "Lead", "Email", "not-an-email", "refused:INVALID_EMAIL_ADDRESS"),
    Case("email-malformed-hs", "contacts", "email", "not-an-email", "refused:INVALID_EMAIL"),
    # Exports may carry what the API refuses today: placeholders must not merge strangers.
    Case("email-na-1", "Lead", "Email", "n/a", "quarantined:invalid_email", "load", record_id=_sf(1, "Lead")),
    Case("email-na-2", "Lead", "Email", "n/a", "quarantined:invalid_email", "load", record_id=_sf(2, "Lead")),
    Case(
        "email-display-name",
        "contacts",
        "email",
        '"Ng" <ng@corpus.example>',
        "quarantined:invalid_email",
        "load",
        record_id="880001",
    ),
    # --- Employee counts and revenue.
    Case("employees-negative-lead", "Lead", "NumberOfEmployees", -5, "quarantined:negative_number"),
    Case("employees-negative-account", "Account", "NumberOfEmployees", -1, "quarantined:negative_number"),
    Case(
        "employees-negative-company", "companies", "numberofemployees", "-100", "quarantined:negative_number"
    ),
    Case("revenue-negative-lead", "Lead", "AnnualRevenue", -1_000_000, "quarantined:negative_number"),
    Case("employees-text-sf-api", "Lead", "NumberOfEmployees", "fifty", "refused:JSON_PARSER_ERROR"),
    Case("employees-text-hs-api", "companies", "numberofemployees", "fifty", "refused:INVALID_FLOAT"),
    Case(
        "employees-text-lead",
        "Lead",
        "NumberOfEmployees",
        "fifty",
        "quarantined:not_a_number",
        "load",
        record_id=_sf(3, "Lead"),
    ),
    Case(
        "employees-range-account",
        "Account",
        "NumberOfEmployees",
        "50-100",
        "quarantined:not_a_number",
        "load",
        record_id=_sf(9, "Account"),
    ),
    Case(
        "revenue-text-lead",
        "Lead",
        "AnnualRevenue",
        "lots",
        "quarantined:not_a_number",
        "load",
        record_id=_sf(10, "Lead"),
    ),
    Case("employees-huge", "Lead", "NumberOfEmployees", 2_147_483_647, "flows"),
    # --- Dates in the future or in 1900.
    Case(
        "created-1900-lead",
        "Lead",
        "CreatedDate",
        "1900-01-01T00:00:00.000+0000",
        "quarantined:date_too_early",
        "load",
        record_id=_sf(4, "Lead"),
    ),
    Case(
        "created-2099-lead",
        "Lead",
        "CreatedDate",
        "2099-01-01T00:00:00.000+0000",
        "quarantined:date_in_future",
        "load",
        record_id=_sf(5, "Lead"),
    ),
    # HubSpot keeps the record's own createdAt (what leadflow reads) apart from the createdate property.
    Case("created-2099-hs", "contacts", "createdate", "2099-06-01T00:00:00.000Z", "flows"),
    Case(
        "stage-date-1900-hs",
        "contacts",
        "hs_lifecyclestage_lead_date",
        "1900-01-01T00:00:00.000Z",
        "quarantined:date_too_early",
        base={"lifecyclestage": "lead"},  # at that stage already: no write-back dates it anew
    ),
    Case(
        "stage-date-2099-hs",
        "contacts",
        "hs_lifecyclestage_marketingqualifiedlead_date",
        "2099-01-01T00:00:00.000Z",
        "quarantined:date_in_future",
    ),
    # An impossible day matches the YYYY-MM-DD shape: a plain cast to date would fail the build.
    Case(
        "converted-date-impossible",
        "Lead",
        "ConvertedDate",
        "2026-02-30",
        "quarantined:not_a_date",
        "load",
        record_id=_sf(11, "Lead"),
    ),
    Case(
        "event-start-garbage",
        "Event",
        "StartDateTime",
        "soon",
        "quarantined:not_a_date",
        "load",
        record_id=_sf(12, "Event"),
        base={"WhoId": _sf(6, "Lead"), "Subject": "Demo", "Type": "Meeting"},
    ),
    # --- Unknown picklist values.
    Case("picklist-status-api", "Lead", "Status", "Bogus", "refused:INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"),
    Case(
        "picklist-status-export",
        "Lead",
        "Status",
        "Hot-ish",
        "quarantined:unknown_value",
        "load",
        record_id=_sf(6, "Lead"),
    ),
    Case("picklist-industry", "Lead", "Industry", "Widgets & Gizmos", "flows"),
    Case("picklist-stage-api", "contacts", "lifecyclestage", "bogus", "refused:INVALID_OPTION"),
    # Options an admin added in HubSpot (HUBSPOT_OPTIONS_ADDED) that leadflow's rules do not know.
    Case("picklist-stage-custom", "contacts", "lifecyclestage", "1234567", "quarantined:unknown_value"),
    Case("picklist-lead-status-hs", "contacts", "hs_lead_status", "MAYBE", "quarantined:unknown_value"),
    # --- Activities for people no CRM record has.
    Case(
        "orphan-task",
        "Task",
        "WhoId",
        _sf(50, "Lead"),
        "quarantined:unknown_person",
        "load",
        record_id=_sf(7, "Task"),
        base={"Subject": "Call", "Type": "Call", "Status": "Completed"},
    ),
    Case(
        "orphan-event",
        "Event",
        "WhoId",
        _sf(51, "Contact"),
        "quarantined:unknown_person",
        "load",
        record_id=_sf(8, "Event"),
        base={
            "Subject": "Demo",
            "Type": "Meeting",
            "StartDateTime": "2026-01-05T10:00:00.000+0000",
            "EndDateTime": "2026-01-05T11:00:00.000+0000",
            "DurationInMinutes": 60,
        },
    ),
    Case(
        "orphan-email-event",
        "email_events",
        "recipient",
        "nobody@corpus.example",
        "quarantined:unknown_person",
        "load",
        record_id="corpus-email-event-1",
        base={"created": 1767225600000, "type": "OPEN", "portalId": 4242, "emailCampaignId": 9038},
    ),
    Case(
        "orphan-web-event",
        "web_events",
        "objectId",
        "990001",
        "quarantined:unknown_person",
        "load",
        record_id="corpus-web-event-1",
        base={
            "objectType": "CONTACT",
            "eventType": "e_visited_page",
            "occurredAt": "2026-01-05T10:00:00.000Z",
            "properties": {"hs_url": "https://x.example/pricing"},
        },
    ),
    Case(
        "orphan-call",
        "calls",
        "associations.contacts",
        ["990002"],
        "quarantined:unknown_person",
        "load",
        record_id="390001",
        base={
            "properties": {
                "hs_timestamp": "2026-01-05T10:00:00.000Z",
                "hs_call_direction": "OUTBOUND",
                "hs_call_status": "COMPLETED",
            }
        },
    ),
    # --- Deleted in the CRM during the run (after the build queued them, before the write-back).
    Case("deleted-lead", "Lead", None, None, "rejected"),
    Case("deleted-contact", "Contact", None, None, "rejected"),
    Case("deleted-hs-contact", "contacts", None, None, "rejected"),
]

assert len({c.id for c in CASES}) == len(CASES)
