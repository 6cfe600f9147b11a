"""`leadflow explain EMAIL`: one person's score to the point, stage history and owner, with reasons.

Everything is read from the last build: `score_ledger` (every point, by rule and activity),
`int_people_fit` (the values fit rules matched), `people` (scores, lifecycle dates),
the `people_history` snapshot (stage and score as each build saw them) and `owner_assignments`,
in the DuckDB file or the warehouse the build wrote (flows/marts.py).
"""

from __future__ import annotations

from pathlib import Path

from flows.marts import read_marts
from flows.settings import load_settings

FIT_ATTRIBUTES = ("employee_count", "annual_revenue", "industry", "region", "seniority", "department")
STAGES = ("subscriber", "lead", "mql", "sql", "opportunity", "customer", "pql", "cql")


class PersonNotFound(LookupError):
    """No person of the last build has this email."""


class NotBuilt(RuntimeError):
    """The warehouse holds no build to explain."""


def explain(email: str, duckdb_path: Path | str | None = None) -> list[dict]:
    """Every person with `email` (one, unless the CRMs hold it twice unmerged)."""
    settings = load_settings()
    with read_marts(settings, duckdb_path or settings.duckdb_path) as db:
        if not (db.table_exists("main", "people") and db.table_exists("main", "score_ledger")):
            raise NotBuilt(f"{db.path} holds no build yet: run `leadflow run build` first")
        people = db.records(
            "select * from main.people where lower(email) = lower(trim(?)) order by person_id", (email,)
        )
        if not people:
            raise PersonNotFound(f"no person with email {email} in {db.path}")
        return [_person(db, person) for person in people]


def _person(db, person: dict) -> dict:
    fit, engagement = _points(db, person)
    return {
        "person_id": person["person_id"],
        "email": person["email"],
        "name": " ".join(p for p in (person["first_name"], person["last_name"]) if p),
        "company": person["company_name"],
        "title": person["title"],
        "score": person["score"],
        "fit_score": person["fit_score"],
        "fit_grade": person["fit_grade"],
        "engagement_score": person["engagement_score"],
        "engagement_level": person["engagement_level"],
        "tier": person["tier"],
        "scored_as_of": person["scored_as_of"],
        "fit": fit,
        "engagement": engagement,
        # Rounded only against float noise: the ledger's rows add up to the scores exactly.
        "totals": {
            "fit": round(sum(e["points"] for e in fit), 6),
            "engagement": round(sum(e["points"] for e in engagement), 6),
            "score": round(sum(e["points"] for e in fit + engagement), 6),
        },
        "lifecycle_stage": person["lifecycle_stage"],
        "stage_dates": _stage_dates(person),
        "history": _history(db, person["person_id"]),
        "owner": _owner(db, person),
    }


def _points(db, person: dict) -> tuple[list[dict], list[dict]]:
    """The ledger's rows: fit with the value each rule matched, engagement with its activity."""
    fit_values = db.records(
        f"select {', '.join(FIT_ATTRIBUTES)} from main.int_people_fit where person_id = ?",
        (person["person_id"],),
    )
    values = fit_values[0] if fit_values else {}
    rows = db.records(
        """
        select l.entry_type, l.rule, l.score_group, l.activity_id, l.occurred_at, l.rule_points,
               l.points_given, l.points_left, l.is_capped, a.source, a.source_value
        from main.score_ledger l
        left join main.int_activity_points a using (activity_id)
        where l.person_id = ?
        order by l.entry_type = 'rounding', l.entry_type, l.occurred_at desc nulls last, l.rule
        """,
        (person["person_id"],),
    )
    fit, engagement = [], []
    for row in rows:
        entry = {
            "kind": row["entry_type"],
            "rule": row["rule"],
            "points": row["points_left"],
            "rule_points": row["rule_points"],
        }
        if row["entry_type"] == "fit":
            entry["value"] = values.get(row["rule"])
            fit.append(entry)
            continue
        if row["entry_type"] == "activity":
            entry.update(
                activity_id=row["activity_id"],
                occurred_at=row["occurred_at"],
                source=row["source"],
                source_value=row["source_value"],
                score_group=row["score_group"],
                points_given=row["points_given"],
                capped=row["is_capped"],
            )
        elif row["entry_type"] == "group_cap":
            entry["score_group"] = row["score_group"]
        engagement.append(entry)
    return fit, engagement


def _stage_dates(person: dict) -> list[dict]:
    """When the person first reached each stage, and by which rule where the build keeps it."""
    out = []
    for stage in STAGES:
        reached = person.get(f"{stage}_at")
        if reached is None:
            continue
        out.append(
            {
                "stage": stage,
                "at": reached,
                "last_entered_at": person.get(f"{stage}_last_entered_at"),
                "inferred": person.get(f"is_{stage}_inferred"),
                "rule": person.get(f"{stage}_rule"),
            }
        )
    if person.get("recycled_at"):
        out.append(
            {
                "stage": f"recycled ({person['recycle_action']})",
                "at": person["recycled_at"],
                "last_entered_at": None,
                "inferred": None,
                "rule": person["recycle_rule"],
            }
        )
    return sorted(out, key=lambda d: d["at"])


def _history(db, person_id: str) -> list[dict]:
    """Stage and score as each build saw them (the people_history snapshot)."""
    if not db.table_exists("main", "people_history"):
        return []
    return db.records(
        """
        select dbt_valid_from as valid_from, dbt_valid_to as valid_to, lifecycle_stage, score,
               fit_score, engagement_score, tier, owner_salesforce_user_id, scored_as_of
        from main.people_history where person_id = ? order by dbt_valid_from
        """,
        (person_id,),
    )


def _owner(db, person: dict) -> dict:
    """The owner now with the reason, and every assignment leadflow made."""
    assignments = []
    if db.table_exists("main", "owner_assignments"):
        assignments = db.records(
            """
            select assigned_at, owner_email, owner_reason, owner_rule, owner_team,
                   previous_owner_email, breached_owner_email, breach_kind
            from main.owner_assignments where person_id = ? order by assigned_at, built_at
            """,
            (person["person_id"],),
        )
    current = assignments[-1] if assignments else {}
    return {
        "reason": person["owner_reason"],
        "email": current.get("owner_email"),
        "rule": current.get("owner_rule"),
        "team": current.get("owner_team"),
        "salesforce_user_id": person["owner_salesforce_user_id"],
        "hubspot_owner_id": person["owner_hubspot_owner_id"],
        "assignments": assignments,
    }
