"""`leadflow calibrate`: held-out metrics of today's score and points fit from history.

The synthetic warehouse holds only what calibrate reads (people, int_people_fit,
int_activity_points, shaped like the marts); its true drivers are known: demo requests and a
senior title make people reach SQL, page views do not.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import duckdb
import numpy as np
import pytest
from sklearn.metrics import roc_auc_score
from typer.testing import CliRunner

from flows import calibrate_fit
from flows.calibrate import calibrate, split
from flows.calibrate_fit import LEAKY_FIELDS, LEAKY_SCORE_GROUPS, build_features, read_seed
from flows.cli import app
from flows.settings import REPO_ROOT
from tests.built_warehouse import built_warehouse

SEEDS = REPO_ROOT / "dbt_project" / "seeds"
AS_OF = date(2026, 3, 1)
SENIORITIES = ("c_level", "vp", "director", "manager", "individual_contributor", "intern")


def synthetic_warehouse(path, people: int = 2000, seed: int = 7, flip_after: datetime | None = None) -> None:
    """People whose SQL depends on demo requests and seniority; today's points reward page views.

    `flip_after`: outcomes of leads from then on are inverted (to show they never reach the fit).
    """
    rng = np.random.default_rng(seed)
    start = datetime(2024, 1, 1)
    rows, fit, activities = [], [], []
    for n in range(people):
        person_id = f"p{n:05d}"
        lead_at = start + timedelta(days=float(rng.uniform(0, 600)))
        seniority = SENIORITIES[rng.integers(len(SENIORITIES))]
        demos = int(rng.random() < 0.25)
        page_views = int(rng.poisson(4))
        logit = -3.0 + 3.0 * demos + 2.0 * (seniority in ("c_level", "vp"))
        converted = rng.random() < 1 / (1 + np.exp(-logit))
        if flip_after is not None and lead_at >= flip_after:
            converted = not converted
        score = 5 * page_views  # deliberately wrong points
        tier = "Hot" if score >= 60 else "Warm" if score >= 40 else "Cold"
        sql_at = lead_at + timedelta(days=10) if converted else None
        rows.append((person_id, score, tier, lead_at, sql_at, sql_at, None, AS_OF))
        fit.append((person_id, None, None, None, None, seniority, None))
        kinds = ["demo_request"] * demos + ["page_view"] * page_views
        activities += [(f"{person_id}-{i}", person_id, kind, lead_at) for i, kind in enumerate(kinds)]
    with duckdb.connect(str(path)) as con:
        con.execute(
            "create table main.people (person_id varchar, score integer, tier varchar, lead_at timestamp, "
            "sql_at timestamp, opportunity_at timestamp, customer_at timestamp, scored_as_of date)"
        )
        con.executemany("insert into main.people values (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        con.execute(
            "create table main.int_people_fit (person_id varchar, employee_count double, "
            "annual_revenue double, industry varchar, region varchar, seniority varchar, department varchar)"
        )
        con.executemany("insert into main.int_people_fit values (?, ?, ?, ?, ?, ?, ?)", fit)
        con.execute(
            "create table main.int_activity_points (activity_id varchar, person_id varchar, "
            "activity_type varchar, occurred_at timestamp)"
        )
        con.executemany("insert into main.int_activity_points values (?, ?, ?, ?)", activities)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    path = tmp_path_factory.mktemp("calibrate") / "synthetic.duckdb"
    synthetic_warehouse(path)
    return path


@pytest.fixture(scope="module")
def result(synthetic):
    return calibrate(horizon_days=90, duckdb_path=synthetic, seeds_dir=SEEDS)


def test_recovers_the_order_of_the_true_drivers(result):
    points = result["suggestion"]["points"]
    demo, page = points["activity:demo_request"], points["activity:page_view"]
    senior = min(points["fit:seniority:vp"], points["fit:seniority:c_level"])
    junior = max(
        points[f"fit:seniority:{s}"] for s in ("director", "manager", "individual_contributor", "intern")
    )
    assert demo > senior > junior
    assert senior > page
    assert demo >= 5 * max(page, 1)


def test_improves_held_out_auc_over_wrong_points(result):
    current, suggestion = result["current"]["auc"], result["suggestion"]
    assert current < 0.6  # page views do not predict
    assert suggestion["rounded"]["auc"] > current + 0.2
    assert suggestion["regression_auc"] > current + 0.2


def test_rounding_costs_at_most_two_hundredths_and_both_are_reported(result):
    suggestion = result["suggestion"]
    assert suggestion["rounding_cost"] == pytest.approx(
        suggestion["regression_auc"] - suggestion["rounded"]["auc"]
    )
    assert suggestion["rounding_cost"] <= 0.02
    assert suggestion["rounding_ok"]


def test_nothing_is_fit_on_the_evaluation_period(synthetic, result, tmp_path, monkeypatch):
    # Inverting every held-out outcome leaves the suggested points exactly as they were.
    flipped = tmp_path / "flipped.duckdb"
    synthetic_warehouse(flipped, flip_after=result["split_at"])
    seen = []
    real_fit = calibrate_fit.fit_points
    monkeypatch.setattr(
        calibrate_fit, "fit_points", lambda x, *a, **k: seen.append(x) or real_fit(x, *a, **k)
    )
    again = calibrate(horizon_days=90, duckdb_path=flipped, seeds_dir=SEEDS)
    assert again["suggestion"]["points"] == result["suggestion"]["points"]
    assert again["current"]["auc"] != result["current"]["auc"]  # the flip did reach the evaluation
    assert [len(x.person_ids) for x in seen] == [result["training"]["people"]]


def test_split_puts_older_leads_in_training():
    people = [{"lead_at": datetime(2025, 1, 1) + timedelta(days=n), "n": n} for n in range(10)]
    train, held = split(people)
    assert len(held) == 3
    assert max(p["lead_at"] for p in train) < min(p["lead_at"] for p in held)
    train, held = split(people, date(2025, 1, 9))
    assert [p["n"] for p in held] == [8, 9]


def test_leaky_fields_are_never_features():
    fit_rules, activity_rules = read_seed(SEEDS / "fit_rules.csv"), read_seed(SEEDS / "activity_rules.csv")
    features = build_features([{"person_id": "p"}], {}, fit_rules, activity_rules)
    names = [n.lower() for n in features.names]
    for field in LEAKY_FIELDS:
        assert not [n for n in names if field.lower() in n.split(":")], field
    rep_logged = {r["activity_type"] for r in activity_rules if r["score_group"] in LEAKY_SCORE_GROUPS}
    assert rep_logged  # the seeds do have rep-logged activities, and they stay out
    assert not rep_logged & {n.split(":", 1)[1] for n in names if n.startswith("activity:")}


def test_write_goes_to_out_not_over_the_seeds(synthetic, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(synthetic))
    before = (SEEDS / "activity_rules.csv").read_text()
    result = CliRunner().invoke(app, ["calibrate", "--write", "--out", str(tmp_path / "out"), "--json"])
    assert result.exit_code == 0, result.output
    assert (SEEDS / "activity_rules.csv").read_text() == before
    written = {row["activity_type"]: row for row in read_seed(tmp_path / "out" / "activity_rules.csv")}
    assert (
        int(written["demo_request"]["points"])
        == json.loads(result.stdout)["suggestion"]["points"]["activity:demo_request"]
    )
    assert [r["activity_type"] for r in read_seed(SEEDS / "activity_rules.csv")] == list(written)


def test_cli_auc_matches_sklearn_on_the_built_warehouse(tmp_path, monkeypatch):
    built = built_warehouse()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(built))
    result = CliRunner().invoke(app, ["calibrate", "--json", "--split-date", "2025-06-01"])
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(built)) as con:  # dbt may hold it open in this process already
        rows = con.execute(
            """
            select score, coalesce(sql_at <= lead_at + interval 90 day, false)
            from main.people
            where lead_at >= timestamp '2025-06-01'
              and lead_at + interval 90 day <= cast(scored_as_of as timestamp)
            """
        ).fetchall()
    scores, outcomes = zip(*rows, strict=True)
    report = json.loads(result.stdout)
    assert report["held_out"]["people"] == len(rows)
    assert report["current"]["auc"] == pytest.approx(roc_auc_score(outcomes, scores))
