"""`leadflow explain EMAIL`: every point with its rule and activity, adding up to the scores."""

from __future__ import annotations

import json

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.exits import NOT_FOUND
from flows.explain import explain
from tests.built_warehouse import built_warehouse


@pytest.fixture(scope="module")
def built():
    return built_warehouse()


@pytest.fixture()
def env(built, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no leadflow.toml of the developer's
    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(built))
    return built


def people(path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path)) as con:
        return con.execute(sql).fetchall()


def test_points_add_up_to_the_scores_of_people(env):
    sample = people(
        env,
        "select email, score, fit_score, engagement_score from main.people "
        "where email is not null order by engagement_score desc, email limit 25",
    )
    assert any(engagement for *_, engagement in sample)
    for email, score, fit, engagement in sample:
        (person,) = explain(email)
        assert person["totals"] == {"fit": fit, "engagement": engagement, "score": score}, email
        assert sum(e["points"] for e in person["fit"]) == pytest.approx(fit)
        assert sum(e["points"] for e in person["engagement"]) == pytest.approx(engagement)
        assert all(e["rule"] for e in person["fit"] + person["engagement"])


def test_each_activity_names_its_rule_and_source(env):
    (email,) = people(
        env,
        "select p.email from main.people p join main.score_ledger l using (person_id) "
        "where l.entry_type = 'activity' and p.email is not null group by 1 order by count(*) desc limit 1",
    )[0]
    (person,) = explain(email.upper())  # any case
    activities = [e for e in person["engagement"] if e["kind"] == "activity"]
    assert activities
    for entry in activities:
        assert entry["activity_id"] and entry["source"] and entry["occurred_at"]
        assert entry["points"] <= entry["points_given"] + 1e-9


def test_stage_history_and_owner_with_reason(env):
    email, stage, reason, mql_at = people(
        env,
        "select email, lifecycle_stage, owner_reason, mql_at from main.people "
        "where mql_at is not null and email is not null and owner_reason <> 'below_mql' "
        "order by email limit 1",
    )[0]
    (person,) = explain(email)
    assert person["lifecycle_stage"] == stage
    assert any(d["stage"] == "mql" and d["at"] == mql_at for d in person["stage_dates"])
    assert [h["lifecycle_stage"] for h in person["history"]][-1] == stage
    assert person["owner"]["reason"] == reason
    assert person["owner"]["assignments"]


def test_cli_json_and_table(env):
    email, score = people(env, "select email, score from main.people where email is not null limit 1")[0]
    runner = CliRunner()
    result = runner.invoke(app, ["explain", email, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["totals"]["score"] == score
    result = runner.invoke(app, ["explain", email])
    assert result.exit_code == 0, result.output
    assert f"score {score} = fit" in result.stdout


def test_unknown_email_exits_not_found_naming_it(env):
    result = CliRunner().invoke(app, ["explain", "nobody-here@example.invalid"])
    assert result.exit_code == NOT_FOUND
    assert "nobody-here@example.invalid" in result.stderr
