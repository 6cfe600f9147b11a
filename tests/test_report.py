"""`leadflow report`: its numbers against the marts, the page in headless Chromium, the CLI, and the
link artifact the nightly leaves."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pytest
from typer.testing import CliRunner

from connectors.sandbox.seed import generate, product_usage
from flows.report import MONTHS, collect, write_report
from flows.report_page import figures
from flows.warehouse import Warehouse
from tests.browser import CHROMIUM
from tests.raw_fixture import load_raw, with_calendar_events, write_product_usage
from tests.test_dbt import PEOPLE, TODAY, dbt_build

STAGES = ("lead", "mql", "sql", "opportunity", "customer")
# Per chart, every mark the page draws and how many of them have a size (a zero bar has none).
MARKS = """Object.fromEntries([...document.querySelectorAll('svg[data-chart]')].map(svg => {
    const marks = [...svg.querySelectorAll('.mark')];
    const drawn = marks.filter(m => {
        const box = m.getBBox();
        return box.width > 0 && (box.height > 0 || m.tagName === 'path');
    });
    return [svg.dataset.chart, {marks: marks.length, drawn: drawn.length}];
}))"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The test_dbt company (300 people, calendar events, product usage) landed raw and built once."""
    workdir = tmp_path_factory.mktemp("report")
    load_raw(workdir / "leadflow.duckdb", with_calendar_events(generate(people=PEOPLE, seed=42, today=TODAY)))
    write_product_usage(workdir / "usage", product_usage(people=PEOPLE, seed=42, today=TODAY))
    with pytest.MonkeyPatch.context() as monkeypatch:
        dbt_build(workdir, monkeypatch)
    return workdir / "leadflow.duckdb"


def people(path: Path) -> list[dict]:
    # The same settings as dbt-duckdb's connection, which stays open in this process.
    with duckdb.connect(str(path)) as con:
        cursor = con.execute("select * from main.people")
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def mart(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path)) as con:
        return con.execute(sql).fetchall()


def test_report_numbers_are_the_marts_numbers(built):
    with Warehouse(built) as wh:
        data = collect(wh)
    everyone = people(built)
    # The funnel: people who reached each stage, counted here from the people mart row by row.
    reached = {s: sum(p[f"{s}_at"] is not None for p in everyone) for s in STAGES}
    assert {step["stage"]: step["people"] for step in data.funnel} == reached
    assert reached["sql"] < reached["mql"]  # the funnel narrows: the rates below mean something
    (mqls, sqls) = mart(built, "select sum(mqls), sum(sqls) from main.funnel_conversions")[0]
    assert (mqls, sqls) == (reached["mql"], reached["sql"])
    # Conversion by tier: the share of each tier that reached SQL.
    tiers = Counter(p["tier"] for p in everyone)
    tier_sqls = Counter(p["tier"] for p in everyone if p["sql_at"] is not None)
    assert {r["tier"]: (r["people"], r["reached_sql"]) for r in data.tier_conversion} == {
        t: (n, tier_sqls[t]) for t, n in tiers.items()
    }
    assert [r["tier"] for r in data.tier_conversion] == ["Cold", "Warm", "Hot"]
    # Score deciles: ten groups of equal size (give or take one) in score order, covering everyone scored.
    scored = [p for p in everyone if p["score"] is not None]
    assert sum(r["people"] for r in data.decile_conversion) == len(scored)
    assert {r["people"] for r in data.decile_conversion} <= {len(scored) // 10, len(scored) // 10 + 1}
    assert sum(r["reached_sql"] for r in data.decile_conversion) == sum(
        p["sql_at"] is not None for p in scored
    )
    assert all(
        a["max_score"] <= b["min_score"]
        for a, b in zip(data.decile_conversion, data.decile_conversion[1:], strict=False)
    )
    # The histogram holds every scored person once, with their tier.
    assert Counter({(r["bin_start"] // 10 * 10, r["tier"]): r["people"] for r in data.score_bins}) == Counter(
        (p["score"] // 10 * 10, p["tier"]) for p in scored
    )
    # SLA and lead value are the marts' rows as they are.
    sla = mart(built, "select mqls, accepted_in_time_rate from main.mql_sla_by_owner where mqls > 0")
    assert sorted((r["mqls"], r["accepted_in_time_rate"]) for r in data.sla) == sorted(sla)
    value = dict(mart(built, "select source, revenue_per_lead from main.lead_value_by_source"))
    assert {r["source"]: r["revenue_per_lead"] for r in data.value} == value
    # Stage changes by month: every first arrival since the first of the months shown, per stage.
    year, month = divmod(TODAY.year * 12 + TODAY.month - 1 - (MONTHS - 1), 12)
    since = datetime(year, month + 1, 1)
    for stage in STAGES:
        expected = sum(p[f"{stage}_at"] is not None and p[f"{stage}_at"] >= since for p in everyone)
        assert sum(r["people"] for r in data.stage_months if r["stage"] == stage) == expected, stage
    assert min(r["month"] for r in data.stage_months) >= since.date()


def test_the_page_states_the_funnel_rates_and_dates(built, tmp_path):
    index = write_report(built, tmp_path / "report")
    html = index.read_text()
    reached = {s: sum(p[f"{s}_at"] is not None for p in people(built)) for s in STAGES}
    rate = round(100 * reached["sql"] / reached["mql"])
    assert f"{reached['sql']:,} ({rate}% of previous)" in html
    assert f"data as of {TODAY.isoformat()}" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html and "<script" not in html  # nothing fetched, nothing to run


def test_calibration_charts_are_calibrates_held_out_numbers(built, tmp_path, monkeypatch):
    from flows.cli import app

    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(built))
    result = CliRunner().invoke(app, ["calibrate", "--json"])
    assert result.exit_code == 0, result.output
    calibrated = json.loads(result.stdout)
    with Warehouse(built) as wh:
        data = collect(wh)
    shown = data.calibration
    assert shown["held_out"]["people"] == calibrated["held_out"]["people"] > 0
    assert shown["current"]["auc"] == pytest.approx(calibrated["current"]["auc"])
    deciles = shown["current"]["by_decile"]
    assert [(r["group"], r["people"], r["converted"]) for r in deciles] == [
        (r["group"], r["people"], r["converted"]) for r in calibrated["current"]["by_decile"]
    ]
    assert sum(r["people"] for r in deciles) == shown["held_out"]["people"]
    # The ROC curve drawn is the one whose area is the AUC.
    curve = shown["current"]["roc"]
    x = np.array([p["false_positive_rate"] for p in curve])
    y = np.array([p["recall"] for p in curve])
    assert float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2)) == pytest.approx(shown["current"]["auc"])
    charts = {f.key: f for f in figures(data)}
    assert charts["calibration_deciles"].svg.count("class='mark'") == len(deciles)
    assert charts["calibration_tiers"].svg.count("class='mark'") == len(shown["current"]["by_tier"])
    roc = charts["calibration_roc"]
    assert roc.svg.count("<path class='mark'") == 1 and roc.svg.count("<circle class='mark'") == 1
    assert f"AUC {shown['current']['auc']:.3f}" in roc.caption
    html = write_report(built, tmp_path / "report").read_text()
    for key in ("calibration_deciles", "calibration_roc", "calibration_tiers"):
        assert f"<figure id='{key}'>" in html and f"<svg data-chart='{key}'" in html


def test_too_little_history_is_said_on_the_page(built, tmp_path, monkeypatch):
    from flows.cli import app

    # A copy of the company in which every lead is younger than the horizon: no known outcome.
    with duckdb.connect(str(built)) as con:
        con.execute("checkpoint")
    young = tmp_path / "young" / "leadflow.duckdb"
    young.parent.mkdir()
    shutil.copyfile(built, young)
    with duckdb.connect(str(young)) as con:
        con.execute(
            "update main.people set lead_at = cast(scored_as_of as timestamp) where lead_at is not null"
        )
    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(young))
    result = CliRunner().invoke(app, ["report", "--out", str(tmp_path / "out"), "--json"])
    assert result.exit_code == 0, result.output
    drawn = {c["key"]: c["drawn"] for c in json.loads(result.stdout)["charts"]}
    assert not any(drawn[k] for k in ("calibration_deciles", "calibration_roc", "calibration_tiers"))
    assert drawn["funnel"] and drawn["scores"]  # the rest of the page is there
    html = (tmp_path / "out" / "index.html").read_text()
    assert html.count("Not enough history to calibrate the score yet: 0 people with a known outcome") == 3
    assert "<svg data-chart='calibration_roc'" not in html


def chromium_or_skip() -> None:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("LEADFLOW_REQUIRE_CHROMIUM"):
            pytest.fail(
                f"{CHROMIUM} is missing and LEADFLOW_REQUIRE_CHROMIUM is set (apt-get install chromium)"
            )
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium (CI sets LEADFLOW_REQUIRE_CHROMIUM)")


def test_every_chart_renders_in_headless_chromium(built, tmp_path, capsys):
    chromium_or_skip()
    from tests.browser import Chromium

    index = write_report(built, tmp_path / "report")
    with Chromium() as browser:
        browser.open(index.resolve().as_uri())
        drawn = browser.evaluate(MARKS)
        errors = browser.errors()
        shot = browser.screenshot(tmp_path / "report.png")
    with capsys.disabled():  # the path shows in pytest's output, captured or not
        print(f"\nreport screenshot: {shot}")
    assert errors == []
    with Warehouse(built) as wh:
        expected = figures(collect(wh))
    assert set(drawn) == {f.key for f in expected}
    for figure in expected:
        counts = drawn[figure.key]
        assert counts["marks"] == figure.svg.count("class='mark'") > 0, figure.key
        assert counts["drawn"] > 0, figure.key
    assert drawn["funnel"]["marks"] == len(STAGES)
    assert drawn["deciles"]["marks"] == 10
    assert drawn["calibration_roc"]["marks"] == 2  # the curve and the MQL threshold's point
    assert shot.stat().st_size > 10_000


def test_cli_writes_the_report_and_says_why_it_cannot(built, tmp_path, monkeypatch):
    from flows.cli import app

    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(built))
    result = CliRunner().invoke(app, ["report", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "index.html").exists()
    assert (tmp_path / "out" / "index.html").as_uri() in result.output
    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(tmp_path / "none.duckdb"))
    result = CliRunner().invoke(app, ["report", "--out", str(tmp_path / "out2")])
    assert result.exit_code == 1
    assert "run `leadflow run nightly` first" in result.output
    assert not (tmp_path / "none.duckdb").exists()


def test_cli_json_says_what_it_wrote_and_quiet_says_nothing(built, tmp_path, monkeypatch):
    from flows.cli import app

    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(built))
    result = CliRunner().invoke(app, ["report", "--out", str(tmp_path / "out"), "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)  # stdout holds the JSON and nothing else
    index = (tmp_path / "out" / "index.html").resolve()
    assert answer["out_dir"] == str(index.parent)
    assert answer["files"] == [str(index)] and index.exists()
    assert answer["url"] == index.as_uri()
    assert answer["as_of"] == TODAY.isoformat() and answer["people"] == len(people(built))
    with Warehouse(built) as wh:
        expected = figures(collect(wh))
    assert [(c["key"], c["title"]) for c in answer["charts"]] == [(f.key, f.title) for f in expected]
    html = index.read_text()
    for chart in answer["charts"]:  # every chart named is on the page, drawn (this company has data)
        assert chart["drawn"] and f"<figure id='{chart['key']}'>" in html, chart
        assert f"<svg data-chart='{chart['key']}'" in html, chart

    quiet = CliRunner().invoke(app, ["report", "--out", str(tmp_path / "quiet"), "-q"])
    assert quiet.exit_code == 0 and quiet.output == ""
    assert (tmp_path / "quiet" / "index.html").exists()

    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(tmp_path / "none.duckdb"))
    for flag in ("--quiet", "--json"):
        failed = CliRunner().invoke(app, ["report", "--out", str(tmp_path / "none"), flag])
        assert failed.exit_code == 1 and failed.stdout == "", flag
        assert "leadflow report: no DuckDB file" in failed.stderr, flag
    assert not (tmp_path / "none").exists()


def test_a_run_links_its_report_as_an_artifact(built, tmp_path, monkeypatch, prefect_harness):
    from prefect import flow

    from flows.report import publish_report
    from flows.settings import load_settings
    from tests.test_artifacts import artifacts

    monkeypatch.setenv("LEADFLOW_DUCKDB_PATH", str(built))
    monkeypatch.setenv("LEADFLOW_REPORT_DIR", str(tmp_path / "nightly-report"))

    @flow
    def a_run() -> Path:
        return publish_report(load_settings())

    state = a_run(return_state=True)
    index = state.result()
    assert index == tmp_path / "nightly-report" / "index.html" and index.exists()
    found = artifacts(state.state_details.flow_run_id)
    assert index.resolve().as_uri() in found["leadflow-report"]
