"""`leadflow calibrate --rules FILE`: a changed scoring file replayed on history by dbt.

The company (tests/calibrate_company.py) reaches SQL for a senior title and an EMEA country;
today's seeds also reward departments, directors and North America.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.calibrate import calibrate
from flows.calibrate_backtest import backtest
from flows.cli import app
from flows.render_calibrate import print_calibration
from flows.settings import REPO_ROOT
from tests.calibrate_company import build_company

SEEDS = REPO_ROOT / "dbt_project" / "seeds"
TRUE_DRIVERS = {
    ("seniority", "c_level"): 30,
    ("seniority", "vp"): 30,
    ("region", "EMEA"): 15,
}
WRONG_DRIVERS = {
    ("seniority", "intern"): 30,
    ("seniority", "individual_contributor"): 30,
    ("region", "LATAM"): 15,
}


def fit_rules(path: Path, points: dict[tuple[str, str], int]) -> Path:
    """fit_rules.csv with only `points` on seniority and region rows (others 0), departments 0."""
    with (SEEDS / "fit_rules.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["attribute"] in ("seniority", "region", "department"):
            row["points"] = str(points.get((row["attribute"], row["match_value"]), 0))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def company(tmp_path_factory) -> Path:
    return build_company(tmp_path_factory.mktemp("backtest"))


@pytest.fixture(scope="module")
def toward_truth(company, tmp_path_factory):
    """The CLI's --json answer for a file that moves points to the true drivers, and what it left."""
    rules = fit_rules(tmp_path_factory.mktemp("rules") / "true-drivers.csv", TRUE_DRIVERS)
    seeds_before = {p.name: p.read_text() for p in SEEDS.glob("*.csv")}
    warehouse_before = digest(company)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(company))
        result = CliRunner().invoke(app, ["calibrate", "--rules", str(rules), "--json"])
    assert result.exit_code == 0, result.output
    untouched = digest(company) == warehouse_before and seeds_before == {
        p.name: p.read_text() for p in SEEDS.glob("*.csv")
    }
    return json.loads(result.stdout), untouched


def test_replaying_writes_nothing(toward_truth):
    _, untouched = toward_truth
    assert untouched  # neither the warehouse file nor the project's seeds changed


def test_todays_rules_replayed_are_the_last_builds_scores(company, toward_truth):
    answer, _ = toward_truth
    tried = answer["backtest"]
    assert tried["replaces"] == {"fit_rules": tried["rules"]}  # found by its header, not its name
    assert tried["today_differs_from_build"] == 0
    direct = calibrate(horizon_days=90, duckdb_path=company, seeds_dir=SEEDS)
    assert tried["period"]["people"] == direct["held_out"]["people"] == answer["held_out"]["people"]
    assert tried["today"]["auc"] == pytest.approx(direct["current"]["auc"])
    assert tried["today"]["mql_threshold"] == direct["current"]["mql_threshold"]


def test_points_toward_the_true_drivers_raise_the_held_out_auc(toward_truth):
    tried = toward_truth[0]["backtest"]
    assert tried["rules_file"]["auc"] > tried["today"]["auc"] + 0.05


def test_wrong_points_lower_it(company, tmp_path):
    tried = backtest(fit_rules(tmp_path / "fit_rules.csv", WRONG_DRIVERS), duckdb_path=company)
    assert tried["rules_file"]["auc"] < tried["today"]["auc"] - 0.05
    assert tried["rules_file"]["auc"] < 0.5


def test_mqls_per_week_follow_the_threshold(company, tmp_path):
    with (SEEDS / "stage_rules.csv").open(newline="") as handle:
        text = handle.read()
    assert "\nmql,score_at_least,60," in text
    rules = tmp_path / "stage_rules.csv"
    rules.write_text(text.replace("\nmql,score_at_least,60,", "\nmql,score_at_least,20,"))
    tried = backtest(rules, duckdb_path=company)
    today, lower = tried["today"], tried["rules_file"]
    assert lower["auc"] == pytest.approx(today["auc"])  # the same scores, another cut
    assert (today["mql_threshold"]["threshold"], lower["mql_threshold"]["threshold"]) == (60, 20)
    assert lower["mql_threshold"]["flagged"] > today["mql_threshold"]["flagged"]
    assert lower["mql_threshold"]["recall"] > (today["mql_threshold"]["recall"] or 0)
    assert lower["mqls"] > today["mqls"]
    weeks = tried["period"]["weeks"]
    assert weeks > 10
    assert lower["mqls_per_week"] == pytest.approx(lower["mqls"] / weeks)


def test_the_table_shows_both_columns(toward_truth, capsys):
    print_calibration(toward_truth[0])
    shown = capsys.readouterr().out
    assert "Backtest on the held-out period" in shown
    tried = toward_truth[0]["backtest"]
    for column in ("today", "rules_file"):
        assert f"{tried[column]['auc']:.3f}" in shown


def test_a_bad_rules_file_is_named_by_line_and_nothing_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(tmp_path / "none.duckdb"))
    lines = (SEEDS / "activity_rules.csv").read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("demo_request,"))
    lines[line - 1] = lines[line - 1].replace("demo_request,intent,40,", "demo_request,intents,forty,")
    bad = tmp_path / "new-points.csv"
    bad.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(app, ["calibrate", "--rules", str(bad)])
    assert result.exit_code == 2, result.output
    assert f"{bad}:{line}: points: 'forty' is not a double" in result.stderr
    assert f"{bad}:{line}: score_group: 'intents' is not a score_group of score_groups.csv" in result.stderr

    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "notes.csv").write_text("what,why\n")
    result = CliRunner().invoke(app, ["calibrate", "--rules", str(folder)])
    assert result.exit_code == 2
    assert f"{folder / 'notes.csv'}:1: neither named after a seed nor with a seed's columns" in result.stderr
    assert not (tmp_path / "none.duckdb").exists()
