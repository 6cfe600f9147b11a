"""`leadflow config check`: settings, scoring rule seeds and routing file, each error with file and line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.exits import USAGE
from flows.settings import Settings

PROJECT = Path(__file__).resolve().parent.parent / "dbt_project"


@pytest.fixture()
def project(tmp_path, monkeypatch):
    """A copy of the rules (seeds and routing.yml) to break; the working directory has no TOML."""
    copy = tmp_path / "project"
    shutil.copytree(PROJECT / "seeds", copy / "seeds")
    shutil.copy(PROJECT / "routing.yml", copy / "routing.yml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEADFLOW_CONFIG", raising=False)
    return copy


def check(project: Path) -> tuple[int, list[dict]]:
    result = CliRunner().invoke(app, ["config", "check", "--project-dir", str(project), "--json"])
    return result.exit_code, json.loads(result.stdout)["problems"]


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_the_rules_as_shipped_are_valid(project):
    assert check(project) == (0, [])
    result = CliRunner().invoke(app, ["config", "check", "--project-dir", str(project)])
    assert result.exit_code == 0 and "All valid." in result.stdout


def test_seed_mistakes_name_file_and_line(project):
    rules, mapping, groups = (
        project / "seeds" / f"{n}.csv" for n in ("activity_rules", "activity_mapping", "score_groups")
    )
    replace(rules, "email_click,email,3,", "email_click,email,three,")
    replace(mapping, "Demo request,demo_request", "Demo request,demo_requets")
    groups.write_text(groups.read_text() + "email,5,Twice\n")
    code, problems = check(project)
    assert code == USAGE
    found = {(Path(p["file"]).name, p["line"]): p["message"] for p in problems}
    assert "'three' is not a double" in found[("activity_rules.csv", line_of(rules, "email_click"))]
    assert "demo_requets" in found[("activity_mapping.csv", line_of(mapping, "demo_requets"))]
    assert "activity_rules" in found[("activity_mapping.csv", line_of(mapping, "demo_requets"))]
    last = len(groups.read_text().splitlines())
    assert "duplicate score_group='email'" in found[("score_groups.csv", last)]
    assert len(problems) == 3


def test_missing_column_and_missing_setting(project):
    settings = project / "seeds" / "scoring_settings.csv"
    lines = [line for line in settings.read_text().splitlines() if not line.startswith("sla_work_hours")]
    settings.write_text("\n".join(lines) + "\n")
    fit = project / "seeds" / "fit_rules.csv"
    replace(
        fit,
        "attribute,match_value,min_value,max_value,points",
        "attribute,match_value,min_value,max_value,poitns",
    )
    _, problems = check(project)
    messages = [(Path(p["file"]).name, p["line"], p["message"]) for p in problems]
    assert ("fit_rules.csv", 1, "missing column points") in messages
    assert any(m[0] == "scoring_settings.csv" and "sla_work_hours is missing" in m[2] for m in messages)


def test_routing_mistakes_name_the_line(project):
    routing = project / "routing.yml"
    replace(routing, "type: round_robin", "type: round_robbin")
    replace(routing, "max_reroutes: 2", "max_reroutes: -2")
    replace(
        routing,
        "    regions: [EMEA]\n    team: emea",
        "    regions: [EMEA]\n    team: emea\n    captain: ann",
    )
    code, problems = check(project)
    assert code == USAGE
    found = {p["line"]: p["message"] for p in problems if p["file"].endswith("routing.yml")}
    assert "round_robbin" in found[line_of(routing, "round_robbin")]
    assert "max_reroutes" in found[line_of(routing, "max_reroutes")]
    assert "unknown key captain" in found[line_of(routing, "captain")]
    assert len(found) == 3


def test_toml_settings_sit_below_the_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEADFLOW_CONFIG", raising=False)
    monkeypatch.delenv("LEADFLOW_HUBSPOT_REQUESTS_PER_10S", raising=False)
    monkeypatch.delenv("LEADFLOW_OVERLAP_MINUTES", raising=False)
    (tmp_path / "leadflow.toml").write_text("overlap_minutes = 9\n[hubspot]\nrequests_per_10s = 190\n")
    assert (Settings().overlap_minutes, Settings().hubspot_requests_per_10s) == (9, 190)
    monkeypatch.setenv("LEADFLOW_HUBSPOT_REQUESTS_PER_10S", "250")
    assert Settings().hubspot_requests_per_10s == 250
    other = tmp_path / "elsewhere.toml"
    other.write_text("overlap_minutes = 2\n")
    monkeypatch.setenv("LEADFLOW_CONFIG", str(other))
    assert Settings().overlap_minutes == 2


def test_toml_mistakes_name_the_line(project, monkeypatch):
    monkeypatch.delenv("LEADFLOW_OVERLAP_MINUTES", raising=False)
    toml = project.parent / "leadflow.toml"
    toml.write_text('duckdb_path = "x.duckdb"\noverlap_minuts = 3\n\n[hubspot]\nrequests_per_10s = "many"\n')
    code, problems = check(project)
    assert code == USAGE
    found = {(p["file"], p["line"]): p["message"] for p in problems}
    assert "unknown setting overlap_minuts" in found[("leadflow.toml", 2)]
    assert "hubspot_requests_per_10s" in found[("leadflow.toml", 5)]


def test_a_config_path_naming_no_file_is_a_usage_error(project, monkeypatch):
    monkeypatch.setenv("LEADFLOW_CONFIG", str(project / "missing.toml"))
    result = CliRunner().invoke(app, ["status"])
    assert result.exit_code == USAGE
    assert "missing.toml" in result.stderr
