"""The synthetic company as Salesforce records, in the admin load format."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

from . import seed_vocab as v
from .seed_model import Person, World
from .seed_salesforce_ids import SalesforceIds, line, sf_date, sf_time, system
from .seed_salesforce_sales import activity_lines, opportunity_lines

REP_TITLES = ("Account Executive", "Senior Account Executive", "Sales Development Representative")


def assign_ids(world: World, ids: SalesforceIds) -> None:
    """Give ids first, so that every reference can be written in one pass."""
    for rep in world.reps:
        ids.user[rep.n] = ids.new("User")
    for firm in world.firms:
        if firm.in_salesforce:
            ids.account[firm.n] = ids.new("Account")
    for i in range(len(v.CAMPAIGNS)):
        ids.campaign[i] = ids.new("Campaign")
    for person in world.people:
        if person.salesforce in ("lead", "converted"):
            ids.lead[person.n] = ids.new("Lead")
        if person.salesforce in ("contact", "converted"):
            ids.contact[person.n] = ids.new("Contact")
    for opp in world.opportunities:
        ids.opportunity[opp.n] = ids.new("Opportunity")


def salesforce_lines(world: World, rng: random.Random, ids: SalesforceIds) -> Iterator[dict]:
    now = world.today
    assign_ids(world, ids)
    for rep in world.reps:
        title = rng.choice(REP_TITLES) if rep.department == "Sales" else f"{rep.department} User"
        yield line(
            "User",
            {
                "Id": ids.user[rep.n],
                "Username": rep.email,
                "Email": rep.email,
                "FirstName": rep.first,
                "LastName": rep.last,
                "Name": f"{rep.first} {rep.last}",
                "Alias": (rep.first[0] + rep.last[:4]).lower(),
                "IsActive": rep.active,
                "Department": rep.department,
                "Title": title,
                "UserType": "Standard",
                "Country": rep.country,
                "TimeZoneSidKey": rep.tz,
                **system(rep.created),
            },
        )
    won_firms = {o.firm.n for o in world.opportunities if o.stage == "Closed Won"}
    for firm in world.firms:
        if firm.in_salesforce:
            yield line(
                "Account",
                {
                    "Id": ids.account[firm.n],
                    "Name": firm.name,
                    "Website": f"https://www.{firm.domain}",
                    "Industry": firm.industry,
                    "NumberOfEmployees": firm.employees,
                    "AnnualRevenue": firm.revenue,
                    "BillingCountry": firm.country,
                    "BillingCity": firm.city,
                    "OwnerId": ids.user[firm.owner.n],
                    "Type": "Customer - Direct" if firm.n in won_firms else "Prospect",
                    **system(firm.created),
                },
            )
    marketing = ids.user[world.reps[-2].n]
    for i, (name, ctype, days) in enumerate(v.CAMPAIGNS):
        start = now - timedelta(days=days)
        end = start + timedelta(days=1 if ctype in ("Webinar", "Conference") else 60)
        yield line(
            "Campaign",
            {
                "Id": ids.campaign[i],
                "Name": name,
                "Type": ctype,
                "Status": "Completed" if end < now else "In Progress",
                "IsActive": end >= now,
                "StartDate": sf_date(start),
                "EndDate": sf_date(end),
                "OwnerId": marketing,
                **system(start - timedelta(days=20), min(end, now - timedelta(hours=2))),
            },
        )
    for person in world.people:
        yield from person_lines(person, world, rng, ids)
    yield from opportunity_lines(world, ids)


def person_lines(person: Person, world: World, rng: random.Random, ids: SalesforceIds) -> Iterator[dict]:
    now = world.today
    owner = ids.user[person.owner.n] if person.owner else ids.user[world.reps[-1].n]
    opted_out = person.opted_out or rng.random() < 0.015
    firm = person.firm
    lead_id = ids.lead.get(person.n)
    contact_id = ids.contact.get(person.n)
    if lead_id:
        last_change = max([at for at, _, _ in person.status_changes], default=person.created)
        converted = person.converted_at
        no_email = person.salesforce == "lead" and not person.hubspot and rng.random() < 0.01
        yield line(
            "Lead",
            {
                "Id": lead_id,
                "FirstName": person.first,
                "LastName": person.last,
                "Name": f"{person.first} {person.last}",
                "Email": None if no_email else person.email,
                "Company": person.company,
                "Title": person.title,
                "Industry": firm.industry if firm and rng.random() < 0.6 else None,
                "NumberOfEmployees": firm.employees if firm and rng.random() < 0.5 else None,
                "AnnualRevenue": firm.revenue if firm and rng.random() < 0.4 else None,
                "Country": person.country,
                "Status": person.lead_status,
                "LeadSource": person.lead_source,
                "OwnerId": owner,
                "IsConverted": converted is not None,
                "ConvertedDate": sf_date(converted) if converted else None,
                "ConvertedContactId": contact_id if converted else None,
                "ConvertedAccountId": ids.account[firm.n] if converted else None,
                "ConvertedOpportunityId": converted_opportunity(person, ids) if converted else None,
                "HasOptedOutOfEmail": opted_out,
                "DoNotCall": rng.random() < 0.02,
                **system(person.created, last_change),
            },
        )
        for at, old, new in person.status_changes:
            yield line(
                "LeadHistory",
                {
                    "Id": ids.new("LeadHistory"),
                    "LeadId": lead_id,
                    "Field": "Status",
                    "DataType": "Text",
                    "OldValue": old,
                    "NewValue": new,
                    "CreatedById": owner,
                    "CreatedDate": sf_time(at),
                    "IsDeleted": False,
                },
            )
    if contact_id:
        created = person.converted_at or person.created
        yield line(
            "Contact",
            {
                "Id": contact_id,
                "AccountId": ids.account[firm.n],
                "FirstName": person.first,
                "LastName": person.last,
                "Name": f"{person.first} {person.last}",
                "Email": person.email,
                "Title": person.title,
                "MailingCountry": person.country,
                "LeadSource": person.lead_source,
                "OwnerId": owner,
                "HasOptedOutOfEmail": opted_out,
                "DoNotCall": False,
                **system(created),
            },
        )
    if person.duplicate_lead:
        created = person.created + (now - person.created) * rng.uniform(0.2, 0.9)
        local, domain = person.email.split("@")
        yield line(
            "Lead",
            {
                "Id": ids.new("Lead"),
                "FirstName": person.first,
                "LastName": person.last,
                "Name": f"{person.first} {person.last}",
                "Email": f"{local.capitalize()}@{domain}",
                "Company": person.company,
                "Title": person.title,
                "Country": person.country,
                "Status": "Open - Not Contacted",
                "LeadSource": "Web",
                "OwnerId": ids.user[world.reps[-1].n],
                "IsConverted": False,
                "HasOptedOutOfEmail": False,
                "DoNotCall": False,
                **system(created.replace(microsecond=0)),
            },
        )
    yield from activity_lines(person, ids, lead_id, contact_id, now)


def converted_opportunity(person: Person, ids: SalesforceIds) -> str | None:
    for opp, _ in person.roles:
        if opp.contacts[0][0] is person:
            return ids.opportunity[opp.n]
    return None
