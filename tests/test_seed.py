"""The synthetic company: deterministic, about the right size, and every reference resolves."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import date

import pytest

from connectors.sandbox.salesforce.ids import KEY_PREFIXES, is_valid
from connectors.sandbox.seed import generate, write_jsonl

TODAY = date(2026, 3, 1)
PEOPLE = 2000
ACTIVITY_OBJECTS = {
    ("hubspot", "email_events"),
    ("hubspot", "web_events"),
    ("hubspot", "form_submissions"),
    ("hubspot", "calls"),
    ("hubspot", "emails"),
    ("hubspot", "meetings"),
    ("hubspot", "notes"),
    ("salesforce", "Task"),
    ("salesforce", "CampaignMember"),
}
FORMS = {
    "Demo request",
    "Contact sales",
    "Whitepaper download",
    "Webinar registration",
    "Free trial signup",
    "Newsletter signup",
    "Pricing inquiry",
}
LEAD_STATUSES = {
    "Open - Not Contacted",
    "Working - Contacted",
    "Qualified",
    "Closed - Converted",
    "Closed - Not Converted",
}


@pytest.fixture(scope="module")
def lines() -> list[dict]:
    return list(generate(people=PEOPLE, seed=42, today=TODAY))


@pytest.fixture(scope="module")
def by_object(lines) -> dict[tuple[str, str], list[dict]]:
    grouped = defaultdict(list)
    for line in lines:
        grouped[(line["vendor"], line["object"])].append(line["record"])
    return grouped


def ids(by_object, vendor: str, obj: str, key: str = "Id") -> set[str]:
    return {r[key] for r in by_object[(vendor, obj)]}


def test_same_arguments_same_company(lines):
    again = list(generate(people=PEOPLE, seed=42, today=TODAY))
    assert json.dumps(again) == json.dumps(lines)
    other = list(generate(people=PEOPLE, seed=43, today=TODAY))
    assert json.dumps(other) != json.dumps(lines)


def test_dates_count_back_from_today():
    first = list(generate(people=50, seed=1, today=date(2026, 3, 1)))
    later = list(generate(people=50, seed=1, today=date(2026, 3, 11)))
    lead = next(line["record"] for line in first if line["object"] == "Lead")
    moved = next(line["record"] for line in later if line["object"] == "Lead")
    assert lead["CreatedDate"] != moved["CreatedDate"]
    assert {k: v for k, v in lead.items() if "Date" not in k and k != "SystemModstamp"} == {
        k: v for k, v in moved.items() if "Date" not in k and k != "SystemModstamp"
    }


def test_nothing_happens_after_today(lines):
    stamps = re.compile(r'"(\d{4}-\d{2}-\d{2})T')
    # Open deals expect to close later: closedate is the one date allowed in the future.
    text = json.dumps(lines).replace('"closedate": "', '"closedate": "x')
    assert max(stamps.findall(text)) < TODAY.isoformat()
    millis = [
        r.get("created") or r.get("submittedAt")
        for line in lines
        for r in [line["record"]]
        if line["object"] in ("email_events", "form_submissions")
    ]
    assert max(millis) < 1772323200000  # 2026-03-01T00:00:00Z


def test_counts_near_targets(by_object):
    activities = sum(len(by_object[key]) for key in ACTIVITY_OBJECTS)
    assert 7 * PEOPLE <= activities <= 14 * PEOPLE, activities
    users = by_object[("salesforce", "User")]
    assert 12 <= len(users) <= 20
    sales = [u for u in users if u["Department"] == "Sales"]
    assert sum(not u["IsActive"] for u in sales) == 1
    assert any(u["Department"] == "Integration" for u in users)
    assert len({u["TimeZoneSidKey"] for u in users}) >= 5
    people_records = len(by_object[("salesforce", "Contact")]) + len(by_object[("hubspot", "contacts")])
    assert PEOPLE * 0.9 < people_records + len(by_object[("salesforce", "Lead")]) < PEOPLE * 2
    assert 0.7 * PEOPLE < len(by_object[("hubspot", "contacts")]) < 0.95 * PEOPLE


def test_activity_is_skewed(by_object):
    per_contact = Counter(r["objectId"] for r in by_object[("hubspot", "web_events")])
    per_contact.update(r["recipient"].lower() for r in by_object[("hubspot", "email_events")])
    counts = sorted(per_contact.values(), reverse=True)
    top_tenth = sum(counts[: len(counts) // 10])
    assert top_tenth > 0.3 * sum(counts), "the busiest tenth should do a large share"


def test_salesforce_ids_are_valid(by_object):
    for (vendor, obj), records in by_object.items():
        if vendor != "salesforce":
            continue
        for record in records:
            assert is_valid(record["Id"]), record["Id"]
            assert record["Id"].startswith(KEY_PREFIXES[obj]), (obj, record["Id"])
    all_ids = [r["Id"] for (v, _), rs in by_object.items() if v == "salesforce" for r in rs]
    assert len(all_ids) == len(set(all_ids))


def test_salesforce_references_resolve(by_object):
    users = ids(by_object, "salesforce", "User")
    accounts = ids(by_object, "salesforce", "Account")
    leads = ids(by_object, "salesforce", "Lead")
    contacts = ids(by_object, "salesforce", "Contact")
    campaigns = ids(by_object, "salesforce", "Campaign")
    opportunities = ids(by_object, "salesforce", "Opportunity")
    for obj in ("Account", "Lead", "Contact", "Opportunity", "Task", "Campaign"):
        for record in by_object[("salesforce", obj)]:
            assert record["OwnerId"] in users, (obj, record["Id"])
    for record in by_object[("salesforce", "Contact")]:
        assert record["AccountId"] in accounts
    for record in by_object[("salesforce", "Opportunity")]:
        assert record["AccountId"] in accounts
    for record in by_object[("salesforce", "OpportunityContactRole")]:
        assert record["OpportunityId"] in opportunities and record["ContactId"] in contacts
    for record in by_object[("salesforce", "CampaignMember")]:
        assert record["CampaignId"] in campaigns
        assert record["LeadId"] or record["ContactId"]
        assert record["LeadId"] is None or record["LeadId"] in leads
        assert record["ContactId"] is None or record["ContactId"] in contacts
    for record in by_object[("salesforce", "Task")]:
        assert record["WhoId"] in leads | contacts
    for record in by_object[("salesforce", "Lead")]:
        if record["IsConverted"]:
            assert record["ConvertedContactId"] in contacts and record["ConvertedDate"]
            assert record["ConvertedAccountId"] in accounts
    for record in by_object[("salesforce", "LeadHistory")]:
        assert record["LeadId"] in leads


def test_lead_history_matches_status(by_object):
    statuses = Counter(r["Status"] for r in by_object[("salesforce", "Lead")])
    assert set(statuses) <= LEAD_STATUSES
    assert statuses["Qualified"] > 0 and statuses["Closed - Converted"] > 0
    last = {}
    for row in sorted(by_object[("salesforce", "LeadHistory")], key=lambda r: r["CreatedDate"]):
        assert row["Field"] == "Status"
        assert row["OldValue"] == last.get(row["LeadId"], "Open - Not Contacted")
        last[row["LeadId"]] = row["NewValue"]
    for lead in by_object[("salesforce", "Lead")]:
        assert last.get(lead["Id"], "Open - Not Contacted") == lead["Status"], lead["Id"]
    integration = next(u["Id"] for u in by_object[("salesforce", "User")] if u["Department"] == "Integration")
    unassigned = sum(r["OwnerId"] == integration for r in by_object[("salesforce", "Lead")])
    assert unassigned > 0.15 * len(by_object[("salesforce", "Lead")])


def test_hubspot_references_resolve(by_object):
    contacts = ids(by_object, "hubspot", "contacts", "id")
    companies = ids(by_object, "hubspot", "companies", "id")
    owners = ids(by_object, "hubspot", "owners", "id")
    forms = {r["id"]: r["name"] for r in by_object[("hubspot", "forms")]}
    assert set(forms.values()) == FORMS
    for obj in ("contacts", "companies", "deals", "calls", "emails", "meetings", "notes"):
        for record in by_object[("hubspot", obj)]:
            assert record["id"].isdigit()
            assert all(v is None or isinstance(v, str) for v in record["properties"].values()), record
            owner = record["properties"].get("hubspot_owner_id")
            assert owner is None or owner in owners
            for target, linked in (record.get("associations") or {}).items():
                known = {"contacts": contacts, "companies": companies}[target]
                assert set(linked) <= known, (obj, record["id"], target)
    leads = ids(by_object, "salesforce", "Lead")
    sf_contacts = ids(by_object, "salesforce", "Contact")
    for record in by_object[("hubspot", "contacts")]:
        props = record["properties"]
        assert props.get("salesforceleadid") is None or props["salesforceleadid"] in leads
        assert props.get("salesforcecontactid") is None or props["salesforcecontactid"] in sf_contacts
    for record in by_object[("hubspot", "web_events")]:
        assert record["objectId"] in contacts
    for record in by_object[("hubspot", "form_submissions")]:
        assert record["formId"] in forms
        assert any(v["name"] == "email" and v["value"] for v in record["values"])
    emails = {r["properties"]["email"].strip().lower() for r in by_object[("hubspot", "contacts")]}
    for record in by_object[("hubspot", "email_events")]:
        assert record["recipient"].lower() in emails
    for record in by_object[("hubspot", "deals")]:
        assert record["associations"]["contacts"]


def test_the_mess_a_real_crm_has(by_object):
    hubspot = [r["properties"] for r in by_object[("hubspot", "contacts")]]
    salesforce = {r["Email"] for r in by_object[("salesforce", "Lead")] if r["Email"]}
    raw = [p["email"] for p in hubspot]
    assert any(e != e.strip() for e in raw), "some HubSpot emails carry blanks"
    assert any(e.strip() != e.strip().lower() and e.strip().lower() in salesforce for e in raw)
    domains = Counter(e.strip().lower().split("@")[1] for e in raw)
    assert domains["gmail.com"] > 0
    assert sum(domains[d] for d in ("leadspark.io", "scoreflow.com", "funnelforge.com", "piperank.io")) > 0
    titles = [p.get("jobtitle") or "" for p in hubspot]
    assert any("Student" in t or "Job Seeker" in t for t in titles)
    assert sum(p.get("salesforceleadid") is not None for p in hubspot) > 0.3 * len(hubspot)
    assert {"subscriber", "lead"} <= {p.get("lifecyclestage") for p in hubspot}
    assert Counter(e.strip().lower() for e in raw).most_common(1)[0][1] > 1, "a HubSpot duplicate"
    lead_emails = Counter(r["Email"].lower() for r in by_object[("salesforce", "Lead")] if r["Email"])
    assert lead_emails.most_common(1)[0][1] > 1, "a Salesforce duplicate"
    events = Counter(
        (r["type"], r.get("category") or r.get("portalSubscriptionStatus"))
        for r in by_object[("hubspot", "email_events")]
    )
    assert events[("BOUNCE", "UNKNOWN_USER")] > 0 and events[("STATUSCHANGE", "UNSUBSCRIBED")] > 0
    assert events[("OPEN", None)] > events[("CLICK", None)] > 0
    urls = [r["properties"]["hs_url"] for r in by_object[("hubspot", "web_events")]]
    assert any(url.endswith("/pricing") for url in urls)
    stages = Counter(r["StageName"] for r in by_object[("salesforce", "Opportunity")])
    assert stages["Closed Won"] > 0 and stages["Closed Lost"] > 0
    types = {r["Type"] for r in by_object[("salesforce", "Campaign")]}
    assert types == {"Webinar", "Conference", "Content", "Email"}


def test_small_companies_and_bad_arguments():
    for people in (1, 2, 5, 30):
        assert list(generate(people=people, seed=3, today=TODAY))
    with pytest.raises(ValueError, match="people"):
        list(generate(people=0))


def test_write_jsonl(tmp_path):
    path = tmp_path / "company.jsonl"
    written = write_jsonl(path, generate(people=20, seed=5, today=TODAY))
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert written == len(rows) > 0
    assert rows == list(generate(people=20, seed=5, today=TODAY))
