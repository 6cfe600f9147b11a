"""The synthetic company: reps, firms, people and opportunities, then each person's journey."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from . import seed_vocab as v
from .seed_journey import plan_journey
from .seed_model import Firm, Opportunity, Person, Rep, World, before, pick


def make_reps(rng: random.Random, now: datetime) -> list[Rep]:
    reps = []
    for i in range(13):
        first, last = rng.choice(v.FIRST_NAMES), rng.choice(v.LAST_NAMES)
        country, tz = v.REP_PLACES[i % len(v.REP_PLACES)]
        email = f"{first}.{last}{i}@brightfunnel.example".lower().replace("'", "")
        # The fifth rep has left the company: leads and accounts still point at them.
        reps.append(Rep(i, first, last, email, "Sales", i != 4, country, tz, before(rng, now, 400, 900)))
    reps[12].has_hubspot_seat = False
    reps.append(
        Rep(
            13,
            "Marketing",
            "Ops",
            "marketing.ops@brightfunnel.example",
            "Marketing",
            True,
            "United States",
            "America/New_York",
            before(rng, now, 900, 1000),
        )
    )
    reps.append(
        Rep(
            14,
            "Integration",
            "User",
            "integration@brightfunnel.example",
            "Integration",
            True,
            "United States",
            "America/Los_Angeles",
            before(rng, now, 1000, 1100),
            False,
        )
    )
    return reps


def make_firms(rng: random.Random, count: int, reps: list[Rep], now: datetime) -> list[Firm]:
    sales = [r for r in reps if r.department == "Sales"]
    active = [r for r in sales if r.active]
    integration = reps[-1]
    firms, domains = [], set()
    while len(firms) < count:
        name = f"{rng.choice(v.FIRM_WORDS)} {rng.choice(v.FIRM_KINDS)}"
        domain = f"{name.replace(' ', '').lower()}.{rng.choice(v.TLDS)}"
        if domain in domains:
            continue
        domains.add(domain)
        industry = pick(rng, v.INDUSTRIES)
        country = pick(rng, v.COUNTRIES)
        employees = int(math.exp(rng.uniform(math.log(5), math.log(40000))))
        revenue = int(employees * rng.uniform(60_000, 400_000) // 1000 * 1000)
        roll = rng.random()
        owner = integration if roll < 0.05 else sales[4] if roll < 0.12 else rng.choice(active)
        firms.append(
            Firm(
                len(firms),
                name,
                domain,
                industry[0],
                industry[1],
                employees,
                revenue,
                country[0],
                country[1],
                owner,
                before(rng, now, 30, 1000),
            )
        )
    for name, domain in v.COMPETITORS:
        firms.append(
            Firm(
                len(firms),
                name,
                domain,
                "Technology",
                "COMPUTER_SOFTWARE",
                200,
                30_000_000,
                "United States",
                "Boston",
                integration,
                before(rng, now, 30, 900),
                competitor=True,
            )
        )
    return firms


SEGMENTS = (  # where a person lives: Salesforce object, in HubSpot, weight
    ("lead", False, 12),
    ("lead", True, 38),
    ("contact", True, 13),
    ("contact", False, 6),
    ("converted", True, 3),
    ("converted", False, 1),
    (None, True, 27),
)
LEVELS = (("dormant", 44), ("light", 33), ("engaged", 16), ("hot", 7))


def make_people(
    rng: random.Random, count: int, firms: list[Firm], reps: list[Rep], now: datetime
) -> list[Person]:
    regular = [f for f in firms if not f.competitor]
    competitors = [f for f in firms if f.competitor]
    # A few large firms hold many people: weight by rank, Zipf-like.
    weights = [1 / (rank + 1) ** 0.7 for rank in range(len(regular))]
    people, emails = [], set()
    for n in range(count):
        first, last = rng.choice(v.FIRST_NAMES), rng.choice(v.LAST_NAMES)
        sf, hs, _ = pick(rng, SEGMENTS)
        roll = rng.random()
        firm: Firm | None = rng.choices(regular, weights=weights)[0]
        title = seniority_title(rng)
        if roll < 0.012:
            firm = rng.choice(competitors)
            sf = "lead" if sf else None
        elif roll < 0.032:
            firm, title = None, rng.choice(v.STUDENT_TITLES)
            sf = "lead" if sf else None
        local = rng.choice((f"{first}.{last}", f"{first[0]}{last}", f"{first}"))
        local = local.lower().replace("'", "")
        if firm is None or rng.random() < 0.07:
            domain = rng.choice(v.FREE_MAIL)
            local = f"{first}.{last}{rng.randint(1, 99)}".lower().replace("'", "")
        else:
            domain = firm.domain
        email = f"{local}@{domain}"
        while email in emails:
            email = f"{local}{rng.randint(2, 999)}@{domain}"
        emails.add(email)
        company = firm.name if firm else f"{rng.choice(v.FIRM_WORDS)} {rng.choice(v.UNIVERSITIES)}"
        country = firm.country if firm else pick(rng, v.COUNTRIES)[0]
        age = rng.triangular(3, 730, 90)
        person = Person(
            n, first, last, email, title, firm, company, country, before(rng, now, age, age), sf, hs
        )
        person.level = pick(rng, LEVELS)[0]
        person.lead_source = pick(rng, v.LEAD_SOURCES)[0]
        person.analytics_source = pick(rng, v.ANALYTICS_SOURCES)[0]
        people.append(person)
    return people


def seniority_title(rng: random.Random) -> str:
    if rng.random() < 0.06:
        return rng.choice(v.OTHER_TITLES)
    pattern = pick(rng, v.SENIORITIES)[0]
    dept = pick(rng, v.DEPARTMENTS)
    return pattern.format(D=dept[0], d=dept[1])


def make_opportunities(
    rng: random.Random, people: list[Person], reps: list[Rep], now: datetime
) -> list[Opportunity]:
    """Deals at firms with Salesforce contacts; converted people bring most of them."""
    active = [r for r in reps if r.department == "Sales" and r.active]
    contacts_by_firm: dict[int, list[Person]] = {}
    for p in people:
        if p.salesforce in ("contact", "converted") and p.firm is not None:
            contacts_by_firm.setdefault(p.firm.n, []).append(p)
    opps: list[Opportunity] = []
    seeds = [p for p in people if p.salesforce == "converted" and rng.random() < 0.6]
    firm_ids = sorted(contacts_by_firm)
    for _ in range(max(2, len(people) // 60)):
        candidates = contacts_by_firm[rng.choice(firm_ids)] if firm_ids else []
        if candidates:
            seeds.append(rng.choice(candidates))
    for lead_person in seeds:
        firm = lead_person.firm
        created = lead_person.created + (now - lead_person.created) * rng.uniform(0.3, 0.95)
        created = created.replace(microsecond=0)
        # Outcomes in a fixed rotation (3 won, 2 lost, 5 open in 10) so small companies get some.
        turn = len(opps) % 10
        stage = (
            "Closed Won"
            if turn in (0, 3, 6)
            else "Closed Lost"
            if turn in (2, 8)
            else rng.choice(v.OPPORTUNITY_STAGES)
        )
        closed = stage.startswith("Closed")
        close = created + timedelta(days=rng.randint(20, 120))
        if closed and close >= now:
            close = max(created + timedelta(hours=1), now - timedelta(days=1))
        owner = firm.owner if firm.owner in active else rng.choice(active)
        opp = Opportunity(len(opps), firm, stage, rng.randrange(5, 150) * 1000, created, close, owner)
        team = [lead_person] + [p for p in contacts_by_firm.get(firm.n, []) if p is not lead_person]
        for i, p in enumerate(team[: 1 + rng.choice((0, 0, 1, 1, 2))]):
            role = "Decision Maker" if i == 0 else rng.choice(v.CONTACT_ROLES)
            opp.contacts.append((p, role))
            p.roles.append((opp, role))
        opp.in_hubspot = any(p.hubspot for p, _ in opp.contacts) and rng.random() < 0.6
        opps.append(opp)
    return opps


def build_world(rng: random.Random, people: int, now: datetime) -> World:
    reps = make_reps(rng, now)
    firms = make_firms(rng, max(20, people // 6), reps, now)
    persons = make_people(rng, people, firms, reps, now)
    opps = make_opportunities(rng, persons, reps, now)
    for person in persons:
        plan_journey(rng, person, reps, now)
        if person.firm is not None:
            person.firm.in_salesforce |= person.salesforce in ("contact", "converted") or (
                person.salesforce == "lead" and person.firm.n % 3 == 0
            )
            person.firm.in_hubspot |= person.hubspot
    for opp in opps:
        opp.firm.in_salesforce = True
    return World(now, reps, firms, persons, opps)
