"""`leadflow calibrate`: how well today's score predicts a later stage, and points fit from history.

People with a known outcome are those who became a lead at least `horizon_days` before the run
date; the outcome is reaching the stage within the horizon. They are split by when they became a
lead: points are fit on the older ones and every figure is measured on the newer ones.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from flows import calibrate_fit as fitting
from flows.calibrate_metrics import at_threshold, auc, by_decile, by_tier, roc
from flows.reading import Reader
from flows.settings import load_settings

OUTCOMES = ("sql", "opportunity", "customer")
FIT_ATTRIBUTES = ("employee_count", "annual_revenue", "industry", "region", "seniority", "department")
HELD_OUT_SHARE = 0.3
ROUNDING_COST_LIMIT = 0.02


class CalibrationError(RuntimeError):
    """The warehouse holds too little history to calibrate on (`hint`: which option might help)."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


def calibrate(
    outcome: str = "sql",
    horizon_days: int = 90,
    split_date: date | None = None,
    duckdb_path: Path | str | None = None,
    seeds_dir: Path | None = None,
) -> dict:
    """Today's score against history on the held-out period, and the suggested points beside it."""
    _check_outcome(outcome)
    settings = load_settings()
    path = duckdb_path or settings.duckdb_path
    seeds_dir = seeds_dir or settings.dbt_project_dir / "seeds"
    with Reader(path) as db:
        people = known_outcomes(db, outcome, horizon_days)
        activities = _activity_counts(db)
    train, held = split(people, split_date)
    threshold = mql_threshold(seeds_dir)
    result = {"warehouse": str(path), **summary(people, train, held, outcome, horizon_days, threshold)}
    result["suggestion"] = suggest(train, held, activities, seeds_dir, threshold)
    return result


def measure(db, outcome: str = "sql", horizon_days: int = 90, seeds_dir: Path | None = None) -> dict:
    """Today's score on the held-out period (default split), with its ROC curve: no points are fit.

    `db` is an open warehouse (flows.reading.Reader or flows.warehouse.Warehouse) or the
    warehouse the build wrote (flows.marts.PostgresMarts).
    """
    _check_outcome(outcome)
    seeds_dir = seeds_dir or load_settings().dbt_project_dir / "seeds"
    people = known_outcomes(db, outcome, horizon_days, attributes=False)
    train, held = split(people)
    result = summary(people, train, held, outcome, horizon_days, mql_threshold(seeds_dir))
    if result["current"]["auc"] is None:
        raise CalibrationError(
            f"the {len(held)} held-out leads all have the same outcome ({result['held_out']['converted']} "
            f"reached {outcome}): the score cannot be measured"
        )
    result["current"]["roc"] = roc([p["score"] for p in held], [p["converted"] for p in held])
    return result


def summary(
    people: list[dict], train: list[dict], held: list[dict], outcome: str, horizon_days: int, threshold
):
    """The periods and today's score measured on the held-out one."""
    current = evaluate(held, [p["score"] for p in held], threshold)
    current["by_tier"] = by_tier(
        [p["tier"] for p in held], [p["converted"] for p in held], [p["score"] for p in held]
    )
    return {
        "outcome": outcome,
        "horizon_days": horizon_days,
        "people": len(people),
        "split_at": held[0]["lead_at"] if held else None,
        "training": _period(train),
        "held_out": _period(held),
        "current": current,
    }


def split(people: list[dict], split_date: date | None = None) -> tuple[list[dict], list[dict]]:
    """Older people to fit on, newer ones to measure on; nobody on both sides of the cut."""
    people = sorted(people, key=lambda p: p["lead_at"])
    if split_date is not None:
        cut = datetime.combine(split_date, datetime.min.time())
    elif people:
        cut = people[int(len(people) * (1 - HELD_OUT_SHARE))]["lead_at"] if len(people) > 1 else None
    else:
        cut = None
    train = [p for p in people if cut is None or p["lead_at"] < cut]
    held = [p for p in people if cut is not None and p["lead_at"] >= cut]
    if not train or not held:
        raise CalibrationError(
            f"{len(people)} people with a known outcome split into {len(train)} to fit on and "
            f"{len(held)} to measure on: both need some",
            hint="another --split-date or --horizon-days?",
        )
    return train, held


def evaluate(people: list[dict], scores: list[float], threshold: float) -> dict:
    """AUC, conversion by decile and precision/recall at the MQL threshold for one set of scores."""
    outcomes = [p["converted"] for p in people]
    return {
        "auc": auc(scores, outcomes),
        "by_decile": by_decile(scores, outcomes),
        "mql_threshold": at_threshold(scores, outcomes, threshold),
    }


def suggest(train: list[dict], held: list[dict], activities: dict, seeds_dir: Path, threshold: float) -> dict:
    """Fit on `train` only; the suggested points measured on `held` beside the unrounded regression."""
    fit_rules = fitting.read_seed(seeds_dir / "fit_rules.csv")
    activity_rules = fitting.read_seed(seeds_dir / "activity_rules.csv")
    train_x = fitting.build_features(train, activities, fit_rules, activity_rules)
    held_x = fitting.build_features(held, activities, fit_rules, activity_rules)
    train_y = np.array([p["converted"] for p in train], dtype=bool)
    if train_y.all() or not train_y.any():
        raise CalibrationError("the training period holds only one outcome: nothing to fit")
    current_train = np.array([p["score"] for p in train], dtype=float)
    model, points = fitting.fit_points(train_x, train_y, current_train)
    suggested_train = train_x.matrix @ points
    # The suggested MQL threshold sends sales as many training-period people as today's does.
    flagged = int((current_train >= threshold).sum())
    new_threshold = float(np.sort(suggested_train)[::-1][flagged - 1]) if flagged else float("inf")
    held_y = [p["converted"] for p in held]
    exact_auc = auc(model.decision_function(held_x.matrix), held_y)
    rounded = evaluate(held, (held_x.matrix @ points).tolist(), new_threshold)
    cost = exact_auc - rounded["auc"] if exact_auc is not None and rounded["auc"] is not None else None
    return {
        "features": train_x.names,
        "points": dict(zip(train_x.names, [int(v) for v in points], strict=True)),
        "regression_auc": exact_auc,
        "rounded": rounded,
        "rounding_cost": cost,
        "rounding_ok": cost is None or cost <= ROUNDING_COST_LIMIT,
        "seeds": fitting.suggested_seeds(train_x.names, points, fit_rules, activity_rules),
    }


def mql_threshold(seeds_dir: Path) -> float:
    """The score at which a lead becomes an MQL (stage_rules: mql, score_at_least)."""
    for rule in fitting.read_seed(seeds_dir / "stage_rules.csv"):
        if rule["stage"] == "mql" and rule["rule_type"] == "score_at_least":
            return float(rule["match_value"])
    raise CalibrationError(f"{seeds_dir / 'stage_rules.csv'} has no mql score_at_least rule")


def known_outcomes(db, outcome: str, horizon_days: int, attributes: bool = True) -> list[dict]:
    """Leads whose horizon has ended by the run date, with the outcome (and their fit attributes)."""
    if not db.table_exists("main", "people"):
        raise CalibrationError(f"{db.path} holds no build yet: run `leadflow run build` first")
    fit = "".join(f", f.{a}" for a in FIT_ATTRIBUTES) if attributes else ""
    join = "left join main.int_people_fit f using (person_id)" if attributes else ""
    rows = db.records(
        f"""
        select p.person_id, p.score, p.tier, p.lead_at, p.{outcome}_at as reached_at, p.scored_as_of{fit}
        from main.people p
        {join}
        where p.lead_at is not null
          and p.lead_at + ? * interval '1 day' <= cast(p.scored_as_of as timestamp)
        """,
        (horizon_days,),
    )
    horizon = timedelta(days=horizon_days)
    for row in rows:
        row["converted"] = row["reached_at"] is not None and row["reached_at"] <= row["lead_at"] + horizon
    return rows


def _check_outcome(outcome: str) -> None:
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")


def _activity_counts(db: Reader) -> dict[str, dict[str, int]]:
    """Activities per person and type up to the run date (int_activity_points)."""
    counts: dict[str, dict[str, int]] = {}
    for person_id, activity_type, n in db.query(
        "select person_id, activity_type, count(*) from main.int_activity_points group by 1, 2"
    ):
        counts.setdefault(person_id, {})[activity_type] = n
    return counts


def _period(people: list[dict]) -> dict:
    return {
        "people": len(people),
        "converted": sum(p["converted"] for p in people),
        "from": people[0]["lead_at"] if people else None,
        "until": people[-1]["lead_at"] if people else None,
    }
