"""A HubSpot-only company whose SQLs have known drivers, landed raw and built by dbt.

A senior title (VP or C-level) and an EMEA country make a lead reach SQL; the department in the
title and page views do not. Today's seeds give points to all of them. The build runs in a
process of its own, so that no dbt connection of the test process holds the file (a replay
attaches it from another process).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from flows.calibrate_replay import run_dbt
from tests.raw_fixture import iso, load_raw
from tests.test_dbt import dbt_args

TODAY = date(2026, 3, 1)
TITLES = {
    "c_level": "Chief {} Officer",
    "vp": "VP {}",
    "director": "Director of {}",
    "manager": "{} Manager",
    "individual_contributor": "{} Specialist",
    "intern": "{} Intern",
}
DEPARTMENTS = ("Marketing", "Sales", "Finance", "Engineering", "Revenue Operations")
COUNTRIES = {"United States": "North America", "Germany": "EMEA", "Japan": "APAC", "Brazil": "LATAM"}


def company(people: int = 800, seed: int = 11) -> list[dict]:
    """Generator lines (the sandbox's shape): contacts with their stage dates, and page views."""
    rng = np.random.default_rng(seed)
    now = datetime.combine(TODAY, datetime.min.time())
    lines = []
    for n in range(people):
        created = now - timedelta(days=float(rng.uniform(1, 600)))
        seniority = list(TITLES)[rng.integers(len(TITLES))]
        country = list(COUNTRIES)[rng.integers(len(COUNTRIES))]
        title = TITLES[seniority].format(DEPARTMENTS[rng.integers(len(DEPARTMENTS))])
        logit = -2.5 + 2.5 * (seniority in ("c_level", "vp")) + 1.2 * (COUNTRIES[country] == "EMEA")
        sql_at = created + timedelta(days=float(rng.uniform(2, 60)))
        converted = rng.random() < 1 / (1 + np.exp(-logit)) and sql_at < now
        properties = {
            "email": f"person{n}@firm{n % 97}.example",
            "firstname": f"First{n}",
            "lastname": f"Last{n}",
            "jobtitle": title,
            "country": country,
            "lifecyclestage": "salesqualifiedlead" if converted else "lead",
            "hs_lifecyclestage_lead_date": iso(created),
        }
        if converted:
            properties["hs_lifecyclestage_salesqualifiedlead_date"] = iso(sql_at)
        contact_id = str(1000 + n)
        record = {
            "id": contact_id,
            "properties": properties,
            "createdAt": iso(created),
            "updatedAt": iso(sql_at if converted else created),
            "archived": False,
        }
        lines.append({"vendor": "hubspot", "object": "contacts", "record": record})
        for view in range(int(rng.poisson(3))):
            seen = created + timedelta(days=float(rng.uniform(0, (now - created).days)))
            event = {
                "id": f"view-{n}-{view}",
                "objectType": "CONTACT",
                "objectId": contact_id,
                "eventType": "e_visited_page",
                "occurredAt": iso(seen),
                "properties": {"hs_url": f"https://www.example.com/blog/{view}", "hs_title": "Blog"},
            }
            lines.append({"vendor": "hubspot", "object": "web_events", "record": event})
    return lines


def build_company(workdir: Path, people: int = 800) -> Path:
    """The company landed raw in workdir/leadflow.duckdb and built by dbt (in another process)."""
    path = workdir / "leadflow.duckdb"
    load_raw(path, company(people))
    run_dbt(
        dbt_args(
            workdir,
            ("build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"),
            {"as_of": TODAY.isoformat()},
        ),
        env={"LEADFLOW_DUCKDB_PATH": str(path), "LEADFLOW_PRODUCT_USAGE_DIR": str(workdir / "usage")},
    )
    return path
