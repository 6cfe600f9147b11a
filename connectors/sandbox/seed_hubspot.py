"""The synthetic company as HubSpot records, in the admin load format."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

from . import seed_vocab as v
from .seed_chats import chat_lines
from .seed_hubspot_activity import email_events, engagement, form_submission
from .seed_hubspot_records import PORTAL_ID, HubSpotIds, crm, hs_time, line, ms
from .seed_model import Person, World
from .seed_salesforce_ids import SalesforceIds


def hubspot_lines(world: World, rng: random.Random, sf: SalesforceIds) -> Iterator[dict]:
    ids = HubSpotIds(rng)
    now = world.today
    for rep in world.reps:
        if rep.has_hubspot_seat:
            ids.owner[rep.n] = ids.new("owners")
            yield line(
                "owners",
                {
                    "id": ids.owner[rep.n],
                    "email": rep.email,
                    "firstName": rep.first,
                    "lastName": rep.last,
                    "userId": 9000 + rep.n,
                    "archived": not rep.active,
                    "createdAt": hs_time(rep.created),
                    "updatedAt": hs_time(rep.created),
                    "teams": [],
                },
            )
    for firm in world.firms:
        if firm.in_hubspot:
            ids.company[firm.n] = cid = ids.new("companies")
            owner = ids.owner.get(firm.owner.n) if firm.n % 3 else None
            yield line(
                "companies",
                crm(
                    cid,
                    {
                        "name": firm.name,
                        "domain": firm.domain,
                        "industry": firm.hs_industry,
                        "numberofemployees": str(firm.employees),
                        "annualrevenue": str(firm.revenue),
                        "country": firm.country,
                        "city": firm.city,
                        "hubspot_owner_id": owner,
                    },
                    firm.created,
                    firm.created,
                ),
            )
    forms = {}
    for name, path in v.FORMS:
        forms[name] = (ids.uuid(), path)
        created = now - timedelta(days=800)
        yield line(
            "forms",
            {
                "id": forms[name][0],
                "name": name,
                "formType": "hubspot",
                "createdAt": hs_time(created),
                "updatedAt": hs_time(created),
                "archived": False,
            },
        )
    for person in world.people:
        if person.hubspot:
            yield from contact_lines(person, world, rng, ids, sf, forms)
    yield from deal_lines(world, rng, ids)
    # Last, with a generator of its own: the lines above stay what they were before chats.
    yield from chat_lines(world, random.Random(rng.getrandbits(64)), ids.contact)


def contact_lines(
    person: Person, world: World, rng: random.Random, ids: HubSpotIds, sf: SalesforceIds, forms: dict
) -> Iterator[dict]:
    now = world.today
    cid = ids.contact[person.n] = ids.new("contacts")
    pages = sum(t.kind == "page" for t in person.touches)
    conversions = [t for t in person.touches if t.kind == "form"]
    views = pages + person.extra_page_views
    properties = {
        "email": person.hs_email,
        "firstname": person.first,
        "lastname": person.last,
        "company": person.company,
        "jobtitle": person.title,
        "country": person.country,
        "lifecyclestage": person.lifecyclestage,
        "hubspot_owner_id": ids.owner.get(person.hs_owner.n) if person.hs_owner else None,
        "salesforceleadid": sf.lead.get(person.n) if person.linked else None,
        "salesforcecontactid": sf.contact.get(person.n) if person.linked else None,
        "hs_analytics_source": person.analytics_source,
        "hs_analytics_num_page_views": str(views),
        "hs_analytics_num_visits": str((views + 2) // 3),
        "hs_email_optout": "true" if person.opted_out else "false",
        "num_conversion_events": str(len(conversions)),
        "recent_conversion_event_name": conversions[-1].info["form"] if conversions else None,
        "recent_conversion_date": hs_time(conversions[-1].at) if conversions else None,
    }
    for stage, at in person.stage_dates.items():
        properties[f"hs_lifecyclestage_{stage}_date"] = hs_time(at)
    last = max([person.created, *person.stage_dates.values(), *(t.at for t in person.touches)])
    company = ids.company.get(person.firm.n) if person.firm else None
    associations = {"companies": [company]} if company else None
    yield line("contacts", crm(cid, properties, person.created, last, associations))
    if person.duplicate_hubspot:
        created = person.created + (now - person.created) * rng.uniform(0.3, 0.9)
        local, domain = person.email.split("@")
        yield line(
            "contacts",
            crm(
                ids.new("contacts"),
                {
                    "email": f"{local}@{domain.upper()}",
                    "firstname": person.first,
                    "lastname": person.last,
                    "company": person.company,
                    "lifecyclestage": "lead",
                    "hs_analytics_source": "OFFLINE",
                    "hs_email_optout": "false",
                },
                created.replace(microsecond=0),
                created.replace(microsecond=0),
            ),
        )
    recipient = person.hs_email.strip()
    for touch in person.touches:
        if touch.kind == "email":
            yield from email_events(touch, recipient, ids, now)
        elif touch.kind == "unsubscribe":
            yield line(
                "email_events",
                {
                    "id": ids.uuid(),
                    "created": ms(touch.at),
                    "type": "STATUSCHANGE",
                    "recipient": recipient,
                    "portalId": PORTAL_ID,
                    "emailCampaignId": None,
                    "portalSubscriptionStatus": "UNSUBSCRIBED",
                    "source": "SOURCE_RECIPIENT",
                },
            )
        elif touch.kind == "page":
            path, title = touch.info["page"]
            yield line(
                "web_events",
                {
                    "id": ids.uuid(),
                    "objectType": "CONTACT",
                    "objectId": cid,
                    "eventType": "e_visited_page",
                    "occurredAt": hs_time(touch.at),
                    "properties": {"hs_url": v.SITE + path, "hs_title": title},
                },
            )
        elif touch.kind == "form":
            yield line("form_submissions", form_submission(touch, person, ids, forms))
        elif touch.kind == "sales" and touch.info["system"] == "hubspot":
            yield engagement(touch, cid, ids)


def deal_lines(world: World, rng: random.Random, ids: HubSpotIds) -> Iterator[dict]:
    """Deals mirrored from Salesforce, plus a few that only HubSpot knows."""
    now = world.today
    deals = []
    for opp in world.opportunities:
        contacts = [ids.contact[p.n] for p, _ in opp.contacts if p.n in ids.contact]
        if opp.in_hubspot and contacts:
            deals.append((opp.firm, opp.stage, opp.amount, opp.created, opp.close, opp.owner, contacts))
    for person in world.people:
        if person.salesforce is None and person.hs_owner and person.level == "hot" and rng.random() < 0.25:
            created = person.created + (now - person.created) * rng.uniform(0.5, 0.95)
            stage = rng.choice(("Qualification", "Proposal/Price Quote", "Closed Won", "Closed Lost"))
            close = min(created + timedelta(days=30), now - timedelta(hours=1))
            deals.append(
                (
                    person.firm,
                    stage,
                    12_000,
                    created.replace(microsecond=0),
                    close,
                    person.hs_owner,
                    [ids.contact[person.n]],
                )
            )
    for firm, stage, amount, created, close, owner, contacts in deals:
        associations = {"contacts": contacts}
        if firm is not None and firm.n in ids.company:
            associations["companies"] = [ids.company[firm.n]]
        dealstage = v.DEAL_STAGES[stage]
        closed = stage.startswith("Closed")
        yield line(
            "deals",
            crm(
                ids.new("deals"),
                {
                    "dealname": f"{firm.name if firm else 'Self-serve'} - New Business",
                    "amount": str(amount),
                    "dealstage": dealstage,
                    "pipeline": "default",
                    "closedate": hs_time(close),
                    "hubspot_owner_id": ids.owner.get(owner.n),
                    "hs_is_closed": "true" if closed else "false",
                    "hs_is_closed_won": "true" if stage == "Closed Won" else "false",
                },
                created,
                close if closed else created,
                associations,
            ),
        )
