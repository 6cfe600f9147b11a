"""The synthetic company's parts as plain objects, and the two random helpers all builders use."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass
class Rep:
    n: int
    first: str
    last: str
    email: str
    department: str  # Sales | Integration | Marketing
    active: bool
    country: str
    tz: str
    created: datetime
    has_hubspot_seat: bool = True


@dataclass
class Firm:
    n: int
    name: str
    domain: str
    industry: str
    hs_industry: str
    employees: int
    revenue: int
    country: str
    city: str
    owner: Rep
    created: datetime
    competitor: bool = False
    in_salesforce: bool = False
    in_hubspot: bool = False


@dataclass
class Touch:
    """One thing a person did or had done to them; `kind` decides which CRM records it becomes."""

    kind: str  # email | page | form | campaign | sales | unsubscribe
    at: datetime
    info: dict = field(default_factory=dict)


@dataclass
class Person:
    n: int
    first: str
    last: str
    email: str
    title: str
    firm: Firm | None
    company: str
    country: str
    created: datetime
    salesforce: str | None  # lead | contact | converted | None
    hubspot: bool
    hs_email: str = ""
    linked: bool = False  # the HubSpot copy carries the Salesforce id
    level: str = "dormant"  # dormant | light | engaged | hot
    subscriber: bool = False
    owner: Rep | None = None
    hs_owner: Rep | None = None
    lead_status: str | None = None
    status_changes: list[tuple[datetime, str, str]] = field(default_factory=list)
    converted_at: datetime | None = None
    lead_source: str = "Web"
    analytics_source: str = "ORGANIC_SEARCH"
    opted_out: bool = False
    bounced: bool = False
    lifecyclestage: str | None = None
    stage_dates: dict[str, datetime] = field(default_factory=dict)
    extra_page_views: int = 0
    duplicate_lead: bool = False
    duplicate_hubspot: bool = False
    touches: list[Touch] = field(default_factory=list)
    roles: list[tuple[Opportunity, str]] = field(default_factory=list)


@dataclass
class Opportunity:
    n: int
    firm: Firm
    stage: str
    amount: int
    created: datetime
    close: datetime
    owner: Rep
    contacts: list[tuple[Person, str]] = field(default_factory=list)
    in_hubspot: bool = False


@dataclass
class World:
    today: datetime
    reps: list[Rep]
    firms: list[Firm]
    people: list[Person]
    opportunities: list[Opportunity]


def pick(rng: random.Random, weighted):
    """One item of (item..., weight) tuples, by the weight in the last position."""
    return rng.choices(weighted, weights=[w[-1] for w in weighted])[0]


def before(rng: random.Random, now: datetime, lo_days: float, hi_days: float) -> datetime:
    """A moment between `hi_days` and `lo_days` before `now`, to the second."""
    return now - timedelta(seconds=int(rng.uniform(lo_days, hi_days) * 86400))
