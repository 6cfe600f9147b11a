"""Load lines at benchmark scale: many people and their activities, cheap to make, fixed by a seed.

`people_lines(n)` gives n HubSpot contacts and n Salesforce Contacts (or, with `leads=`, a share
of them as Salesforce Leads); `activity_lines(n, people)` gives n activities spread over them
(email events, page views, form submissions, Salesforce Tasks and CampaignMembers; Events too when
`mix` names them), with the forms and campaigns they point to first. Unlike `seed.generate`,
nothing here tells a story: it only has the vendors' shapes, made fast enough for 20M lines.

Who does the activities is skewed as in a marketing database: each person has a weight drawn
from a lognormal distribution (sigma ACTIVITY_SIGMA = 1.5, `person_weights`), and each activity
goes to a person with probability in proportion to their weight. At 20 activities a person on
average, the median person has about 6, a tenth of the people one or none, the 1% most active
about a fifth of all activities, and the most active a few thousand each (a bot that opens every
email, a champion who reads every page). Heavy people are spread over the person numbers, not
the first ones. `skew_summary` measures it on generated lines.
"""

from __future__ import annotations

import bisect
import itertools
import random
import time
from collections import Counter
from collections.abc import Iterable, Iterator

from .salesforce import ids

FIRST_CONTACT_ID = 1_000_001  # HubSpot contact ids: FIRST_CONTACT_ID + person number
DAY_MS = 86_400_000
HISTORY_DAYS = 730
ACTIVITY_SIGMA = 1.5  # lognormal spread of how active people are (see the module's docstring)
FORMS = 12
CAMPAIGNS = 24
# (kind, share of activities): email-heavy, as a marketing database is.
MIX = (
    ("email_events", 0.55),
    ("web_events", 0.20),
    ("form_submissions", 0.05),
    ("Task", 0.12),
    ("CampaignMember", 0.08),
)
_FIRST = ("Ana", "Ben", "Chen", "Dara", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea")
_LAST = ("Ng", "Okafor", "Patel", "Quinn", "Rossi", "Sato", "Tan", "Ueda", "Vega", "Weber")
_COMPANIES = ("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne")
_STAGES = ("subscriber", "lead", "lead", "lead", "marketingqualifiedlead", "salesqualifiedlead")
_EMAIL_TYPES = ("SENT", "SENT", "DELIVERED", "DELIVERED", "OPEN", "OPEN", "CLICK", "BOUNCE")
_PAGES = ("/pricing", "/blog/scoring", "/docs", "/customers", "/careers", "/demo")
_TASKS = (("Call", "Call"), ("Email", "Email"), ("Other", "Task"))
_LEAD_STATUSES = ("Open - Not Contacted", "Working - Contacted")
_MEETINGS = (("Discovery meeting", 30), ("Product demo", 45), ("Pricing review", 60))


def _iso(ms: int, salesforce: bool) -> str:
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}"
    return text + ("+0000" if salesforce else "Z")


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def _email(i: int) -> str:
    return f"{_FIRST[i % 12].lower()}.{_LAST[i % 10].lower()}{i}@{_COMPANIES[i % 8].lower()}.example"


def _form_id(k: int) -> str:
    return f"00000000-0000-4000-a000-{k:012d}"


def _now_ms(now_ms: int | None) -> int:
    return now_ms if now_ms is not None else (int(time.time()) // 86_400) * DAY_MS


def is_lead(person: int, leads: float) -> bool:
    """Whether person `person` is a Salesforce Lead, not a Contact: `leads` of every 100 people,
    spread evenly and drawn from no generator, so that `leads=0` leaves the lines as they were."""
    return (person * 37) % 100 < leads * 100


def who_id(person: int, leads: float) -> str:
    """The Salesforce id of a person: their Lead or their Contact."""
    return ids.object_id("Lead" if is_lead(person, leads) else "Contact", person + 1)


def people_lines(count: int, seed: int = 1, now_ms: int | None = None, leads: float = 0.0) -> Iterator[dict]:
    """`count` HubSpot contacts and `count` Salesforce people (person i in both CRMs): Contacts,
    or Leads for the share `leads` of them."""
    rng, now = random.Random(seed), _now_ms(now_ms)
    for i in range(count):
        created = now - rng.randrange(HISTORY_DAYS * DAY_MS)
        updated = created + rng.randrange(now - created + 1)
        first, last, company = _FIRST[i % 12], _LAST[i % 10], _COMPANIES[i % 8]
        lead = is_lead(i, leads)
        yield {
            "vendor": "hubspot",
            "object": "contacts",
            "record": {
                "id": str(FIRST_CONTACT_ID + i),
                "properties": {
                    "email": _email(i),
                    "firstname": first,
                    "lastname": last,
                    "company": company,
                    "jobtitle": "Head of Operations",
                    "lifecyclestage": _STAGES[i % len(_STAGES)],
                    ("salesforceleadid" if lead else "salesforcecontactid"): who_id(i, leads),
                },
                "createdAt": _iso(created, False),
                "updatedAt": _iso(updated, False),
            },
        }
        record = {
            "Id": who_id(i, leads),
            "FirstName": first,
            "LastName": last,
            "Email": _email(i),
            "Title": "Head of Operations",
            "LeadSource": "Web",
            "CreatedDate": _iso(created, True),
            "LastModifiedDate": _iso(updated, True),
            "SystemModstamp": _iso(updated, True),
        }
        if lead:
            record.update(Company=company, Status=_LEAD_STATUSES[i % 2], IsConverted=False)
        yield {"vendor": "salesforce", "object": "Lead" if lead else "Contact", "record": record}


def setup_lines(now_ms: int | None = None) -> Iterator[dict]:
    """The forms and campaigns that activities point to."""
    now = _now_ms(now_ms)
    for k in range(FORMS):
        record = {
            "id": _form_id(k),
            "name": f"Form {k}",
            "createdAt": _iso(now - HISTORY_DAYS * DAY_MS, False),
        }
        yield {"vendor": "hubspot", "object": "forms", "record": record}
    for k in range(CAMPAIGNS):
        record = {
            "Id": ids.object_id("Campaign", k + 1),
            "Name": f"Campaign {k}",
            "Type": "Webinar",
            "IsActive": True,
            "CreatedDate": _iso(now - HISTORY_DAYS * DAY_MS, True),
        }
        yield {"vendor": "salesforce", "object": "Campaign", "record": record}


def activity_lines(
    count: int,
    people: int,
    seed: int = 2,
    now_ms: int | None = None,
    leads: float = 0.0,
    mix: tuple[tuple[str, float], ...] = MIX,
) -> Iterator[dict]:
    """`count` activities of `people` people (setup lines first), a few people doing most.

    `leads` must be the share given to `people_lines`, so that Salesforce activities point to
    the right Lead or Contact; `mix` weighs the kinds (those of MIX, and "Event").
    """
    if people < 1:
        raise ValueError("activities need at least one person")
    rng, now = random.Random(seed), _now_ms(now_ms)
    yield from setup_lines(now)
    kinds, weights = zip(*mix, strict=True)
    numbers = {"Task": 0, "Event": 0, "CampaignMember": 0}
    cumulative = list(itertools.accumulate(person_weights(people, seed)))
    total = cumulative[-1]
    for _ in range(count):
        kind = rng.choices(kinds, weights)[0]
        person = min(bisect.bisect_right(cumulative, rng.random() * total), people - 1)
        at = now - rng.randrange(HISTORY_DAYS * DAY_MS)
        if kind == "email_events":
            record = {
                "id": _uuid(rng),
                "created": at,
                "type": _EMAIL_TYPES[rng.randrange(8)],
                "recipient": _email(person),
                "portalId": 4242,
                "emailCampaignId": 9000 + rng.randrange(50),
                "appName": "BatchEmail",
            }
            yield {"vendor": "hubspot", "object": kind, "record": record}
        elif kind == "web_events":
            page = _PAGES[rng.randrange(6)]
            record = {
                "id": _uuid(rng),
                "objectType": "CONTACT",
                "objectId": str(FIRST_CONTACT_ID + person),
                "eventType": "e_visited_page",
                "occurredAt": _iso(at, False),
                "properties": {"hs_url": f"https://www.leadflow.example{page}", "hs_title": page},
            }
            yield {"vendor": "hubspot", "object": kind, "record": record}
        elif kind == "form_submissions":
            record = {
                "formId": _form_id(rng.randrange(FORMS)),
                "conversionId": _uuid(rng),
                "submittedAt": at,
                "pageUrl": "https://www.leadflow.example/demo",
                "values": [{"name": "email", "value": _email(person), "objectTypeId": "0-1"}],
            }
            yield {"vendor": "hubspot", "object": kind, "record": record}
        elif kind == "Task":
            numbers[kind] += 1
            subject, subtype = _TASKS[rng.randrange(3)]
            record = {
                "Id": ids.object_id(kind, numbers[kind]),
                "WhoId": who_id(person, leads),
                "Subject": subject,
                "Type": subject,
                "TaskSubtype": subtype,
                "Status": "Completed",
                "Priority": "Normal",
                "IsClosed": True,
                "ActivityDate": _iso(at, True)[:10],
                "CreatedDate": _iso(at, True),
                "SystemModstamp": _iso(at, True),
            }
            yield {"vendor": "salesforce", "object": kind, "record": record}
        elif kind == "Event":
            numbers[kind] += 1
            yield {
                "vendor": "salesforce",
                "object": kind,
                "record": _meeting(rng, numbers[kind], person, leads, at),
            }
        else:
            numbers[kind] += 1
            record = {
                "Id": ids.object_id(kind, numbers[kind]),
                "CampaignId": ids.object_id("Campaign", rng.randrange(CAMPAIGNS) + 1),
                ("LeadId" if is_lead(person, leads) else "ContactId"): who_id(person, leads),
                "Status": "Responded",
                "HasResponded": True,
                "FirstRespondedDate": _iso(at, True)[:10],
                "CreatedDate": _iso(at, True),
                "SystemModstamp": _iso(at, True),
            }
            yield {"vendor": "salesforce", "object": kind, "record": record}


def person_weights(people: int, seed: int) -> list[float]:
    """How active each person is (lognormal, sigma ACTIVITY_SIGMA), fixed by `seed`."""
    rng = random.Random(f"person-weights-{seed}")
    return [rng.lognormvariate(0.0, ACTIVITY_SIGMA) for _ in range(people)]


def activity_person(line: dict) -> str | None:
    """Whom an activity line belongs to (email, HubSpot contact id or Salesforce id); None for others."""
    record = line["record"]
    obj = line["object"]
    if obj == "email_events":
        return record["recipient"]
    if obj == "web_events":
        return _email(int(record["objectId"]) - FIRST_CONTACT_ID)
    if obj == "form_submissions":
        return record["values"][0]["value"]
    if obj in ("Task", "Event"):
        return record["WhoId"]
    if obj == "CampaignMember":
        return record.get("LeadId") or record.get("ContactId")
    return None


def skew_summary(lines: Iterable[dict], people: int) -> dict:
    """How activities fall on people: mean, median, share of people with none, the top 1%'s share
    of all activities, the most any one person has. People are told apart across kinds by their
    number (emails, contact ids and Salesforce ids map to it)."""
    per: Counter[str] = Counter()
    for line in lines:
        who = activity_person(line)
        if who is not None:
            per[_person_key(who)] += 1
    counts = sorted([per.get(str(i), 0) for i in range(people)], reverse=True)
    total = sum(counts)
    top = max(1, people // 100)
    return {
        "activities": total,
        "mean": total / people,
        "median": counts[people // 2],
        "none": sum(1 for c in counts if c == 0) / people,
        "top_1pct_share": sum(counts[:top]) / total if total else 0.0,
        "max": counts[0],
    }


def _person_key(who: str) -> str:
    if "@" in who:  # first.last{i}@company.example
        local = who.split("@", 1)[0]
        return str(int(local[len(local.rstrip("0123456789")) :]))
    if who.isdigit():
        return str(int(who) - FIRST_CONTACT_ID)
    number = 0
    for ch in who[6:15]:  # prefix, pod, "0", then the record's number in base 62 (ids.make_id)
        number = number * 62 + ids.BASE62.index(ch)
    return str(number - 1)


def _meeting(rng: random.Random, number: int, person: int, leads: float, end: int) -> dict:
    """A calendar Event that ended at `end`: start, end and duration in step, as Salesforce keeps them."""
    subject, minutes = _MEETINGS[rng.randrange(len(_MEETINGS))]
    start = _iso(end - minutes * 60_000, True)
    return {
        "Id": ids.object_id("Event", number),
        "WhoId": who_id(person, leads),
        "Subject": subject,
        "Type": "Meeting",
        "EventSubtype": "Event",
        "StartDateTime": start,
        "EndDateTime": _iso(end, True),
        "ActivityDateTime": start,
        "ActivityDate": start[:10],
        "DurationInMinutes": minutes,
        "CreatedDate": _iso(end, True),
        "SystemModstamp": _iso(end, True),
    }
