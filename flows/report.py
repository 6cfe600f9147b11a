"""`leadflow report`: the marts as one static HTML page of charts (no server, nothing fetched)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flows.marts import open_marts
from flows.report_calibration import calibration
from flows.report_page import SCORE_BIN, Figure, figures, page
from flows.settings import load_settings
from flows.warehouse import Warehouse

STAGES = ("lead", "mql", "sql", "opportunity", "customer")
MONTHS = 24  # the stage chart shows this many months up to the data's as-of date


class ReportError(Exception):
    """The warehouse has nothing to report on yet."""


@dataclass
class ReportData:
    """What the charts draw, one list of rows (dicts) per chart, plus the dates in the header."""

    as_of: object
    built_at: object
    people: int
    funnel: list[dict]
    score_bins: list[dict]
    tier_conversion: list[dict]
    decile_conversion: list[dict]
    stage_months: list[dict]
    snapshot_stage_changes: int
    sla: list[dict]
    value: list[dict]
    calibration: dict | None = None  # leadflow calibrate's held-out measure of today's score
    calibration_note: str | None = None  # why there is none


FUNNEL = """
select
    (select coalesce(sum(leads), 0) from main.lead_value_by_source) as lead,
    coalesce(sum(mqls), 0) as mql,
    coalesce(sum(sqls), 0) as sql,
    coalesce(sum(opportunities), 0) as opportunity,
    coalesce(sum(customers), 0) as customer
from main.funnel_conversions
"""

SCORE_BINS = f"""
select cast(floor(cast(score as double precision) / {SCORE_BIN}) * {SCORE_BIN} as integer) as bin_start, tier,
    count(*) as people
from main.people where score is not null
group by 1, 2 order by bin_start, tier
"""

# Tiers by their lowest score, so Cold, Warm, Hot read from left to right whatever the seed says.
TIER_CONVERSION = """
select tier, count(*) as people, count(sql_at) as reached_sql,
    cast(count(sql_at) as double precision) / count(*) as sql_rate
from main.people group by tier order by min(score) nulls first
"""

DECILE_CONVERSION = """
with ranked as (
    select score, sql_at, ntile(10) over (order by score, person_id) as decile
    from main.people where score is not null
)
select decile, min(score) as min_score, max(score) as max_score, count(*) as people,
    count(sql_at) as reached_sql, cast(count(sql_at) as double precision) / count(*) as sql_rate
from ranked group by decile order by decile
"""

STAGE_MONTHS = f"""
with entered as (
    {" union all ".join(f"select '{s}' as stage, {s}_at as entered_at from main.people" for s in STAGES)}
),
last_month as (
    select date_trunc('month', cast(max(scored_as_of) as timestamp)) as month from main.people
)
select stage, cast(date_trunc('month', entered_at) as date) as month, count(*) as people
from entered, last_month
where entered_at >= last_month.month - interval '{MONTHS - 1} month'
group by 1, 2 order by month, stage
"""

# A stage change the nightly builds saw: a snapshot version whose stage differs from the one before.
SNAPSHOT_CHANGES = """
select count(*) from (
    select
        lifecycle_stage,
        lag(lifecycle_stage) over (partition by person_id order by dbt_valid_from) as before
    from main.people_history
) as versions where before is not null and before <> lifecycle_stage
"""

SLA = """
select coalesce(owner_name, owner_email) as owner, mqls, accepted_in_time_rate, worked_in_time_rate, breaches
from main.mql_sla_by_owner where mqls > 0 order by mqls desc, owner
"""

VALUE = """
select source, leads, customers, won_revenue, revenue_per_lead
from main.lead_value_by_source order by revenue_per_lead desc nulls last, leads desc, source
"""


def collect(marts) -> ReportData:
    """Every chart's rows from the marts of the last build (flows/marts.py: the DuckDB file's
    Warehouse, or the warehouse the build wrote)."""
    if not marts.table_exists("main", "people"):
        raise ReportError(f"{marts.path} has no people mart yet: run `leadflow run build` first")
    has_history = marts.table_exists("main", "people_history")
    as_of, people = marts.query("select max(scored_as_of), count(*) from main.people")[0]
    built_at = (
        marts.query("select max(dbt_updated_at) from main.people_history")[0][0] if has_history else None
    )
    funnel = marts.records(FUNNEL)[0]
    calibrated, note = calibration(marts)
    return ReportData(
        as_of=as_of,
        built_at=built_at,
        people=people,
        funnel=[{"stage": s, "people": int(funnel[s])} for s in STAGES],
        score_bins=marts.records(SCORE_BINS),
        tier_conversion=marts.records(TIER_CONVERSION),
        decile_conversion=marts.records(DECILE_CONVERSION),
        stage_months=marts.records(STAGE_MONTHS),
        snapshot_stage_changes=marts.query(SNAPSHOT_CHANGES)[0][0] if has_history else 0,
        sla=marts.records(SLA),
        value=marts.records(VALUE),
        calibration=calibrated,
        calibration_note=note,
    )


@dataclass
class WrittenReport:
    """What a report run wrote: its one page and the charts on it."""

    index: Path
    data: ReportData
    charts: list[Figure]

    def summary(self) -> dict:
        """For scripts (`leadflow report --json`): the folder, its files, the charts and the dates."""
        return {
            "out_dir": str(self.index.parent.resolve()),
            "files": [str(self.index.resolve())],
            "url": self.index.resolve().as_uri(),
            "as_of": self.data.as_of,
            "built_at": self.data.built_at,
            "people": self.data.people,
            # drawn: false where the chart has no data yet (the page says so in its place)
            "charts": [{"key": f.key, "title": f.title, "drawn": bool(f.svg)} for f in self.charts],
        }


def render_report(
    duckdb_path: Path | str, out_dir: Path | str, run_at: datetime | None = None
) -> WrittenReport:
    """Write DIR/index.html from the warehouse; answers what was written."""
    settings = load_settings()
    if settings.builds_in_duckdb:
        if not Path(duckdb_path).exists():
            raise ReportError(f"no DuckDB file at {duckdb_path}: run `leadflow run nightly` first")
        with Warehouse(duckdb_path) as wh:
            data = collect(wh)
    else:
        with open_marts(settings) as marts:
            data = collect(marts)
    charts = figures(data)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    index = out / "index.html"
    index.write_text(page(data, run_at or datetime.now(UTC), charts), encoding="utf-8")
    return WrittenReport(index, data, charts)


def write_report(duckdb_path: Path | str, out_dir: Path | str, run_at: datetime | None = None) -> Path:
    """Write DIR/index.html from the warehouse; answers the file's path."""
    return render_report(duckdb_path, out_dir, run_at).index


def report_dir(settings) -> Path:
    """The configured report folder, else `report` beside the DuckDB file (the data folder)."""
    return settings.report_dir or settings.duckdb_path.parent / "report"


def publish_report(settings) -> Path:
    """Write the report and link it from the flow run (a Prefect link artifact, file:// URL)."""
    from prefect.artifacts import create_link_artifact

    index = write_report(settings.duckdb_path, report_dir(settings))
    create_link_artifact(
        key="leadflow-report",
        link=index.resolve().as_uri(),
        link_text=f"leadflow report ({index.resolve()})",
        description="leadflow: funnel, scores, conversion, SLA, lead value and calibration of this run",
    )
    return index
