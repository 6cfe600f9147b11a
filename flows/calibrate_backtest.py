"""`leadflow calibrate --rules FILE`: a changed scoring file tried on history before anyone adopts it.

Both columns are dbt's: history is replayed once with the project's seeds and once with the
file's over them (flows/calibrate_replay.py), as of the last build's run date, and each is
measured on the same held-out leads with the same outcomes (those of the last build: the truth
does not change with the rules). MQLs per week are the people whose score first reached the
rules' MQL threshold (stage_rules: mql, score_at_least) during the held-out period; MQLs by
form or by a CRM's own stage do not depend on points and are not counted.
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

from flows.calibrate import CalibrationError, evaluate, known_outcomes, mql_threshold, split
from flows.calibrate_metrics import by_tier
from flows.calibrate_replay import Replay, replay
from flows.calibrate_rules import overlay_seeds
from flows.reading import Reader
from flows.settings import load_settings


def backtest(
    rules: Path,
    outcome: str = "sql",
    horizon_days: int = 90,
    split_date: date | None = None,
    duckdb_path: Path | str | None = None,
    project_dir: Path | None = None,
) -> dict:
    """Today's rules and the rules file, each replayed and measured on the held-out period."""
    settings = load_settings()
    path = Path(duckdb_path or settings.duckdb_path)
    project = Path(project_dir or settings.dbt_project_dir)
    with tempfile.TemporaryDirectory(prefix="leadflow-rules-") as scratch:
        seeds = Path(scratch) / "seeds"
        replaced = overlay_seeds(rules, project / "seeds", seeds)  # a bad file stops here, named by line
        with Reader(path) as db:
            people = known_outcomes(db, outcome, horizon_days, attributes=False)
        train, held = split(people, split_date)
        as_of = max(p["scored_as_of"] for p in people)
        start, end = held[0]["lead_at"], held[-1]["lead_at"]
        today = replay(path, project / "seeds", project, as_of)
        today_result = measure(held, today, mql_threshold(project / "seeds"), start, end)
        candidate = measure(
            held, _same_people(held, replay(path, seeds, project, as_of)), mql_threshold(seeds), start, end
        )
    return {
        "rules": str(rules),
        "replaces": {name: str(file) for name, file in replaced.items()},
        "as_of": as_of,
        "period": {"from": start, "until": end, "weeks": _weeks(start, end), "people": len(held)},
        # Held-out people whose replayed score is not the last build's: the seeds or models changed since.
        "today_differs_from_build": sum(today.scores[p["person_id"]][0] != p["score"] for p in held),
        "today": today_result,
        "rules_file": candidate,
    }


def measure(held: list[dict], scored: Replay, threshold: float, start: datetime, end: datetime) -> dict:
    """AUC, precision and recall at the threshold, tiers, and MQLs per week over [start, end]."""
    scores = [scored.scores[p["person_id"]][0] for p in held]
    result = evaluate(held, scores, threshold)
    result["by_tier"] = by_tier(
        [scored.scores[p["person_id"]][1] for p in held], [p["converted"] for p in held], scores
    )
    mqls = sum(start <= reached <= end for reached in scored.mql_reached.values())
    weeks = _weeks(start, end)
    result["mqls"] = mqls
    result["mqls_per_week"] = mqls / weeks if weeks else None
    return result


def _same_people(held: list[dict], scored: Replay) -> Replay:
    missing = [p["person_id"] for p in held if p["person_id"] not in scored.scores]
    if missing:
        raise CalibrationError(
            f"under the rules file {len(missing)} held-out people are not the same people any more "
            f"(e.g. {missing[0]}): seeds that decide who is who cannot be backtested on scores"
        )
    return scored


def _weeks(start: datetime, end: datetime) -> float:
    return (end - start) / timedelta(weeks=1)
