"""The details of one touch: which email, page, campaign or sales rep it involved."""

from __future__ import annotations

from datetime import timedelta

from . import seed_vocab as v
from .seed_model import pick

OPEN_RATE = {"dormant": 0.1, "light": 0.3, "engaged": 0.5, "hot": 0.6}
CLICK_RATE = {"dormant": 0.1, "light": 0.2, "engaged": 0.4, "hot": 0.5}


def pick_kind(rng, weighted):
    return rng.choices([k for k, _ in weighted], weights=[w for _, w in weighted])[0]


def email_info(rng, person) -> dict:
    opened = rng.random() < OPEN_RATE[person.level]
    clicked = opened and not person.subscriber and rng.random() < CLICK_RATE[person.level]
    return {"campaign": 9000 + rng.randrange(40), "open": opened, "click": clicked}


def page(rng, person) -> tuple[str, str]:
    weighted = []
    for path, title, weight in v.PAGES:
        if path == "/pricing" and person.level in ("engaged", "hot"):
            weight *= 3
        if path == "/careers" and person.firm is None:
            weight *= 10
        weighted.append((path, title, weight))
    path, title, _ = pick(rng, weighted)
    return path, title


def campaign(rng, person, at, now, seen, kind=None) -> dict | None:
    """A campaign the person could have joined (started after they were known), or None."""
    options = [
        (i, name, ctype)
        for i, (name, ctype, days) in enumerate(v.CAMPAIGNS)
        if (kind is None or ctype == kind)
        and name not in seen
        and now - timedelta(days=days) >= person.created - timedelta(days=3)
    ]
    if not options:
        return None
    index, name, ctype = rng.choice(options)
    seen.add(name)
    status = pick_kind(rng, v.CAMPAIGN_STATUSES[ctype]) if kind is None else "Attended"
    start = now - timedelta(days=v.CAMPAIGNS[index][2])
    when = max(start, person.created) + timedelta(hours=rng.randint(1, 72))
    return {"campaign": index, "status": status, "at": min(when, now - timedelta(hours=1))}


def sales_info(rng, person, active) -> dict:
    rep = (
        person.owner
        if person.owner and person.owner.department == "Sales"
        else (person.hs_owner or rng.choice(active))
    )
    in_salesforce = person.salesforce is not None and (not person.hubspot or rng.random() < 0.75)
    channel = pick_kind(rng, (("Call", 50), ("Email", 35), ("Meeting", 15 if person.level == "hot" else 5)))
    info = {"rep": rep, "system": "salesforce" if in_salesforce else "hubspot", "channel": channel}
    if not in_salesforce:
        if rng.random() < 0.12:
            info["channel"] = "Note"
        info["incoming"] = channel == "Email" and rng.random() < 0.25
    return info
