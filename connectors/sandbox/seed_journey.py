"""One person's story: owner, lead status history, HubSpot stage, and the touches they left."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from . import seed_vocab as v
from .seed_model import Person, Rep, Touch
from .seed_touches import campaign, email_info, page, pick_kind, sales_info

STATUS_BY_LEVEL = {  # Open - Not Contacted, Working - Contacted, Qualified, Closed - Not Converted
    "dormant": (72, 8, 0, 20),
    "light": (52, 28, 2, 18),
    "engaged": (30, 50, 8, 12),
    "hot": (10, 50, 28, 12),
}
STATUSES = ("Open - Not Contacted", "Working - Contacted", "Qualified", "Closed - Not Converted")
TOUCHES_MU = {"dormant": 1.5, "light": 4.5, "engaged": 10, "hot": 22}  # median touches
RECENCY_DAYS = {"dormant": None, "light": None, "engaged": 120, "hot": 40}
DECISION_FORMS = {  # Demo request, Contact sales, Pricing inquiry, Free trial signup
    "dormant": (0, 0, 0, 0),
    "light": (0.004, 0.005, 0.005, 0.005),
    "engaged": (0.03, 0.05, 0.05, 0.05),
    "hot": (0.2, 0.2, 0.2, 0.2),
}
HS_STAGES = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
)


def moment(rng: random.Random, person: Person, now: datetime) -> datetime:
    """When a touch happened: engaged and hot people did most of it lately."""
    span = (now - person.created).total_seconds()
    recent = RECENCY_DAYS[person.level]
    if recent is not None:
        back = rng.expovariate(1 / (recent * 86400))
        if back < span:
            return now - timedelta(seconds=int(back) + 60)
    return person.created + timedelta(seconds=int(rng.uniform(0.01, 0.999) * span))


def plan_journey(rng: random.Random, person: Person, reps: list[Rep], now: datetime) -> None:
    sales = [r for r in reps if r.department == "Sales"]
    active = [r for r in sales if r.active]
    if person.roles:
        won = any(o.stage == "Closed Won" for o, _ in person.roles)
        person.level = "hot" if won or rng.random() < 0.5 else "engaged"
    elif person.salesforce == "converted" and person.level in ("dormant", "light"):
        person.level = "engaged"
    person.subscriber = (
        person.salesforce is None and person.level in ("dormant", "light") and rng.random() < 0.55
    )
    assign_owner(rng, person, reps, sales, active, now)
    person.opted_out = person.hubspot and rng.random() < 0.04
    person.bounced = person.hubspot and not person.opted_out and rng.random() < 0.02
    make_touches(rng, person, active, now)
    hubspot_stage(rng, person, now)
    span = {"dormant": 2, "light": 6, "engaged": 15, "hot": 30}[person.level]
    person.extra_page_views = rng.randint(0, span) if person.hubspot and not person.subscriber else 0
    person.duplicate_lead = (person.salesforce == "lead" and rng.random() < 0.015) or (
        person.salesforce == "contact" and rng.random() < 0.01
    )
    roll = rng.random()
    if person.hubspot:
        person.hs_email = person.email
        person.linked = person.salesforce is not None and rng.random() < 0.85
        if person.linked and roll < 0.02 and person.firm is not None:
            local = f"{person.first}.{person.last}.{person.n}".lower().replace("'", "")
            person.hs_email = f"{local}@{rng.choice(v.FREE_MAIL)}"
        elif roll < 0.07:
            local, domain = person.email.split("@")
            person.hs_email = f"{local.title()}@{domain.capitalize()}"
        elif roll < 0.10:
            person.hs_email = f" {person.email} " if roll < 0.085 else f"{person.email}  "
        person.duplicate_hubspot = 0.10 <= roll < 0.106


def assign_owner(rng, person, reps, sales, active, now) -> None:
    integration = reps[-1]
    if person.salesforce in ("contact", "converted"):
        firm_owner = person.firm.owner
        person.owner = firm_owner if rng.random() < 0.85 else rng.choice(active)
    elif person.salesforce == "lead":
        status = rng.choices(STATUSES, weights=STATUS_BY_LEVEL[person.level])[0]
        person.lead_status = status
        if status == STATUSES[0]:
            person.owner = integration if rng.random() < 0.65 else rng.choice(sales)
        else:
            person.owner = sales[4] if rng.random() < 0.08 else rng.choice(active)
        path = {"Working - Contacted": 1, "Qualified": 2, "Closed - Not Converted": 2}.get(status, 0)
        chain = ["Open - Not Contacted", "Working - Contacted", status][: path + 1]
        status_history(rng, person, chain, now)
    if person.salesforce == "converted":
        person.lead_status = "Closed - Converted"
        firsts = [o.created for o, _ in person.roles if o.contacts[0][0] is person]
        converted = min(firsts) if firsts else person.created + (now - person.created) * rng.uniform(0.3, 0.9)
        person.converted_at = converted.replace(microsecond=0)
        chain = ["Open - Not Contacted", "Working - Contacted", "Qualified", "Closed - Converted"]
        status_history(rng, person, chain, now, end=person.converted_at)
    if person.hubspot:
        seated = (
            person.owner is not None
            and person.owner.has_hubspot_seat
            and (person.owner.department == "Sales")
        )
        if seated and rng.random() < 0.7:
            person.hs_owner = person.owner
        elif person.salesforce is None and rng.random() < (0.6 if person.level == "hot" else 0.1):
            person.hs_owner = rng.choice([r for r in active if r.has_hubspot_seat])


def status_history(rng, person, chain, now, end: datetime | None = None) -> None:
    """Status changes in order, spread between creation and `end` (default: now)."""
    start, stop = person.created, end or now - timedelta(hours=1)
    steps = len(chain) - 1
    for i in range(steps):
        frac = (i + rng.uniform(0.2, 0.9)) / steps if end is None else (i + 1) / steps
        at = start + (stop - start) * frac
        if end is not None and i == steps - 1:
            at = end
        person.status_changes.append((at.replace(microsecond=0), chain[i], chain[i + 1]))


def make_touches(rng, person, active, now) -> None:
    touches = []
    count = round(rng.lognormvariate(math.log(TOUCHES_MU[person.level]), 0.55))
    if person.subscriber:
        touches.append(("form", person.created, {"form": "Newsletter signup"}))
        kinds = (("email", 1),)
    elif person.hubspot:
        kinds = [("email", 45), ("page", 30), ("form", 7)]
        if person.salesforce:
            kinds.append(("campaign", 10))
        if person.lead_status != STATUSES[0] and (person.owner or person.hs_owner):
            kinds.append(("sales", 8 if person.level in ("dormant", "light") else 14))
    else:
        kinds = [("campaign", 50)]
        if person.lead_status != STATUSES[0]:
            kinds.append(("sales", 50))
    for _ in range(count):
        touches.append((pick_kind(rng, kinds), moment(rng, person, now), {}))
    if person.hubspot and not person.subscriber:
        for name, p in zip(
            ("Demo request", "Contact sales", "Pricing inquiry", "Free trial signup"),
            DECISION_FORMS[person.level],
            strict=True,
        ):
            if rng.random() < p:
                touches.append(("form", moment(rng, person, now), {"form": name}))
    if person.salesforce and person.lead_source == "Trade Show":
        touches.append(("campaign", person.created, {"type": "Conference"}))
    if person.opted_out:
        touches.append(("unsubscribe", moment(rng, person, now), {}))
    touches.sort(key=lambda t: t[1])
    seen_campaigns: set[str] = set()
    stopped = False
    for kind, at, info in touches:
        if kind == "email":
            if stopped:
                continue
            info = email_info(rng, person)
            if person.bounced:
                info["bounce"], stopped = "UNKNOWN_USER", True
            elif rng.random() < 0.01:
                info["bounce"] = "MAILBOX_FULL"
        elif kind == "unsubscribe":
            stopped = True
        elif kind == "page":
            info = {"page": page(rng, person)}
        elif kind == "form" and not info:
            info = {
                "form": pick_kind(
                    rng,
                    (("Whitepaper download", 50), ("Webinar registration", 35), ("Newsletter signup", 15)),
                )
            }
        elif kind == "campaign":
            info = campaign(rng, person, at, now, seen_campaigns, info.get("type"))
            if info is None:
                continue
            at = info.pop("at")
        elif kind == "sales":
            info = sales_info(rng, person, active)
        person.touches.append(Touch(kind, at, info))


def hubspot_stage(rng, person, now) -> None:
    """HubSpot's own lifecycle stage: set by forms, imports and the Salesforce sync, not by us."""
    if not person.hubspot:
        return
    won = any(o.stage == "Closed Won" for o, _ in person.roles)
    forms = {t.info.get("form") for t in person.touches if t.kind == "form"}
    stage = None
    if person.subscriber:
        stage = "subscriber"
    elif won and rng.random() < 0.6:
        stage = "evangelist" if rng.random() < 0.08 else "customer"
    elif person.roles and rng.random() < 0.5:
        stage = "opportunity"
    elif person.lead_status in ("Qualified", "Closed - Converted") and rng.random() < 0.4:
        stage = "salesqualifiedlead"
    elif (
        person.salesforce is None and forms & {"Contact sales", "Free trial signup"} and (rng.random() < 0.5)
    ):
        stage = "marketingqualifiedlead"
    elif rng.random() < (0.75 if person.salesforce is None else 0.6):
        stage = "lead"
    if stage and rng.random() < 0.01:
        stage = "other"
    person.lifecyclestage = stage
    if stage in (None, "other"):
        return
    reached = HS_STAGES[: HS_STAGES.index(stage) + 1]
    if stage != "subscriber":
        reached = reached[1:]
    at = person.created
    for name in reached:
        person.stage_dates[name] = at
        at = at + (now - at) * rng.uniform(0.05, 0.4)
        at = at.replace(microsecond=0)
