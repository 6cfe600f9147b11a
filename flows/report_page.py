"""The report's HTML: one figure per chart, each with a title and a line on what it shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from flows.charts import BLUE, Bar, Row, columns, hbars, lines

TIER_COLORS = {"Cold": "#6b8fb5", "Warm": "#e0a030", "Hot": "#d0463c"}
STAGE_COLORS = {
    "lead": "#8c8c8c",
    "mql": "#3b6ea5",
    "sql": "#e0a030",
    "opportunity": "#7a4fa3",
    "customer": "#2e8b57",
}
STAGE_NAMES = {
    "lead": "Lead",
    "mql": "MQL",
    "sql": "SQL",
    "opportunity": "Opportunity",
    "customer": "Customer",
}
ACCEPTED, WORKED = "#3b6ea5", "#2e8b57"
SCORE_BIN = 10  # width of the score histogram's bins, in points

CSS = """
body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1500px; color: #222;
    padding: 0 16px; }
header p { margin: 2px 0; color: #444; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(640px, 1fr)); gap: 20px; }
figure { margin: 0; padding: 12px 16px; border: 1px solid #ddd; border-radius: 6px; background: #fff; }
figure h2 { font-size: 1.05em; margin: 0 0 8px; }
figcaption { color: #444; font-size: 0.9em; margin-top: 6px; }
.empty { color: #888; font-style: italic; }
"""


@dataclass
class Figure:
    key: str
    title: str
    svg: str  # empty when there is nothing to draw
    caption: str
    empty: str = "No data for this chart yet."  # said in the chart's place when there is nothing to draw


def pct(rate) -> str:
    return "n/a" if rate is None else f"{100 * rate:.0f}%"


def funnel(data) -> Figure:
    rows, before = [], None
    for step in data.funnel:
        share = f" ({pct(step['people'] / before)} of previous)" if before else ""
        rows.append(Row(STAGE_NAMES[step["stage"]], [Bar(step["people"], f"{step['people']:,}{share}")]))
        before = step["people"]
    svg = hbars("funnel", "Funnel", rows, "people who reached the stage") if data.funnel[0]["people"] else ""
    return Figure(
        "funnel",
        "Funnel and conversion rates",
        svg,
        "People who ever reached each stage (leads from lead_value_by_source, the rest from "
        "funnel_conversions: MQLs and how many of them went on). The rate is the share of the stage before.",
    )


def score_distribution(data) -> Figure:
    if not data.score_bins:
        return Figure("scores", "Score distribution by tier", "", "No scored people yet.")
    starts = sorted({r["bin_start"] for r in data.score_bins})
    step = SCORE_BIN
    labels = [str(s) for s in range(starts[0], starts[-1] + step, step)]
    by_bin = {label: [] for label in labels}
    for r in data.score_bins:
        tip = f"{r['tier']}, score {r['bin_start']} to {r['bin_start'] + step - 1}: {r['people']:,}"
        by_bin[str(r["bin_start"])].append(
            Bar(r["people"], str(r["people"]), TIER_COLORS.get(r["tier"], BLUE), tip)
        )
    tiers = [(t, c) for t, c in TIER_COLORS.items() if any(r["tier"] == t for r in data.score_bins)]
    svg = columns(
        "scores",
        "Scores",
        labels,
        [by_bin[lb] for lb in labels],
        f"score (bins of {SCORE_BIN} points, lower bound)",
        "people",
        tiers,
    )
    return Figure(
        "scores",
        "Score distribution by tier",
        svg,
        "How many people have each total score (fit + engagement, as of the run date), coloured by the "
        "tier the score puts them in: the tier thresholds are where the colours change.",
    )


def tier_conversion(data) -> Figure:
    rows = [
        Row(
            r["tier"],
            [
                Bar(
                    r["sql_rate"],
                    f"{pct(r['sql_rate'])} ({r['reached_sql']:,} of {r['people']:,})",
                    TIER_COLORS.get(r["tier"], BLUE),
                )
            ],
        )
        for r in data.tier_conversion
    ]
    return Figure(
        "tiers",
        "Conversion to SQL by tier",
        hbars("tiers", "Conversion by tier", rows, "share of the tier's people who reached SQL", pct)
        if rows
        else "",
        "Of the people in each tier today, the share who have reached SQL (or a later stage). "
        "Tiers are today's: a person who became an SQL keeps the engagement that got them there.",
    )


def decile_conversion(data) -> Figure:
    rows = [
        Row(
            f"{r['decile']} ({r['min_score']} to {r['max_score']})",
            [Bar(r["sql_rate"], f"{pct(r['sql_rate'])} ({r['reached_sql']:,} of {r['people']:,})")],
        )
        for r in data.decile_conversion
    ]
    return Figure(
        "deciles",
        "Conversion to SQL by score decile",
        hbars("deciles", "Conversion by decile", rows, "share of the decile's people who reached SQL", pct)
        if rows
        else "",
        "People ranked by score today in ten groups of equal size (1: lowest scores; the score range in "
        "brackets), and the share of each who reached SQL or later. A good score climbs from 1 to 10.",
    )


def stage_changes(data) -> Figure:
    months = sorted({r["month"] for r in data.stage_months})
    counts = {(r["stage"], r["month"]): r["people"] for r in data.stage_months}
    stages = [s for s in STAGE_NAMES if any(r["stage"] == s for r in data.stage_months)]
    series = [(STAGE_NAMES[s], STAGE_COLORS[s], [counts.get((s, m), 0) for m in months]) for s in stages]
    labels = [m.strftime("%b %y") for m in months]
    svg = (
        lines("stages", "Stage changes", labels, series, "month", "people entering the stage")
        if months
        else ""
    )
    seen = (
        f"{data.snapshot_stage_changes:,} stage changes between builds"
        if data.built_at
        else "no build history"
    )
    return Figure(
        "stages",
        "Stage changes over time",
        svg,
        "People who first reached each stage, by month (the last 24 months up to the as-of date; a stage "
        f"skipped on the way counts when the next one was reached). The nightly snapshot recorded {seen}.",
    )


def sla(data) -> Figure:
    rows = []
    for r in data.sla:
        accepted = round((r["accepted_in_time_rate"] or 0) * r["mqls"])
        worked = round((r["worked_in_time_rate"] or 0) * r["mqls"])
        label = f"{r['owner']} ({r['mqls']} MQLs)"
        rows.append(
            Row(
                label,
                [
                    Bar(
                        r["accepted_in_time_rate"] or 0,
                        f"{pct(r['accepted_in_time_rate'])} ({accepted} of {r['mqls']})",
                        ACCEPTED,
                    ),
                    Bar(
                        r["worked_in_time_rate"] or 0,
                        f"{pct(r['worked_in_time_rate'])} ({worked} of {r['mqls']})",
                        WORKED,
                    ),
                ],
            )
        )
    legend = [("accepted in time", ACCEPTED), ("also worked in time", WORKED)]
    return Figure(
        "sla",
        "MQL SLA compliance by owner",
        hbars("sla", "SLA by owner", rows, "share of the owner's MQLs", pct, legend) if rows else "",
        "Of the MQLs each owner held when the last build checked (mql_sla_by_owner, business hours), the "
        "share accepted within the SLA and the share also worked within it.",
    )


def lead_value(data) -> Figure:
    rows = [
        Row(
            r["source"],
            [
                Bar(
                    r["revenue_per_lead"] or 0,
                    f"{r['revenue_per_lead'] or 0:,.0f} ({r['won_revenue']:,.0f} won, {r['leads']:,} leads)",
                )
            ],
        )
        for r in data.value
    ]
    return Figure(
        "value",
        "Lead value by source",
        hbars("value", "Lead value by source", rows, "won revenue per lead", lambda v: f"{v:,.0f}")
        if rows
        else "",
        "Won revenue of the people from each source divided by the leads it brought "
        "(lead_value_by_source; source is Salesforce LeadSource, else HubSpot's original source).",
    )


FIGURES = (funnel, score_distribution, tier_conversion, decile_conversion, stage_changes, sla, lead_value)


def figures(data) -> list[Figure]:
    from flows.report_calibration import figures as calibration  # it draws with this module's Figure

    return [make(data) for make in FIGURES] + calibration(data)


def _figure(f: Figure) -> str:
    body = f.svg or f"<p class='empty'>{escape(f.empty)}</p>"
    caption = f"<figcaption>{escape(f.caption)}</figcaption>"
    return f"<figure id='{f.key}'><h2>{escape(f.title)}</h2>{body}{caption}</figure>"


def page(data, run_at: datetime, charts: list[Figure] | None = None) -> str:
    """The whole report as one self-contained HTML document (`charts`: figures(data), if made)."""
    built = f"{data.built_at:%Y-%m-%d %H:%M} UTC" if data.built_at else "unknown"
    header = (
        "<header><h1>leadflow report</h1>"
        f"<p>Report written {run_at:%Y-%m-%d %H:%M} UTC &middot; data as of {data.as_of or 'unknown'} "
        f"(scores and stages) &middot; last build {built} &middot; {data.people:,} people</p></header>"
    )
    body = "".join(_figure(f) for f in (figures(data) if charts is None else charts))
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'><link rel='icon' href='data:,'>"
        f"<title>leadflow report {data.as_of or 'unknown'}</title><style>{CSS}</style></head>"
        f"<body>{header}<main>{body}</main></body></html>\n"
    )
