"""The report's calibration charts: how well today's score predicted SQL on the held-out leads.

The numbers are `leadflow calibrate`'s (flows/calibrate.py: leads whose 90 days have passed,
the newest 30% held out). With too little history every chart says why instead of drawing.
"""

from __future__ import annotations

from flows.calibrate import CalibrationError, measure
from flows.charts import BLUE, Bar, Row, curve, hbars
from flows.report_page import TIER_COLORS, Figure, pct

OUTCOME, HORIZON_DAYS = "sql", 90
KEYS = {
    "calibration_deciles": "Held-out conversion and lift by score decile",
    "calibration_roc": "ROC of the score on held-out leads, with the MQL threshold",
    "calibration_tiers": "Held-out conversion by tier",
}

ABOUT = {  # what each chart shows, under it when there is not enough history to draw it
    "calibration_deciles": "Conversion and lift per score decile on the held-out leads, once leads "
    f"whose {HORIZON_DAYS} days have passed span enough time to hold some out.",
    "calibration_roc": "The score's ROC curve on the held-out leads and where the MQL threshold sits on it.",
    "calibration_tiers": "Conversion per tier on the held-out leads.",
}


def calibration(marts) -> tuple[dict | None, str | None]:
    """calibrate's held-out measure of today's score, or why there is none (too little history)."""
    try:
        return measure(marts, OUTCOME, HORIZON_DAYS), None
    except CalibrationError as err:
        return None, f"Not enough history to calibrate the score yet: {err}."


def figures(data) -> list[Figure]:
    if data.calibration is None:
        note = data.calibration_note or "Not enough history to calibrate the score yet."
        return [Figure(key, title, "", ABOUT[key], empty=note) for key, title in KEYS.items()]
    return [deciles(data.calibration), roc(data.calibration), tiers(data.calibration)]


def _period(c: dict) -> str:
    held = c["held_out"]
    return (
        f"the {held['people']:,} leads from {held['from']:%Y-%m-%d} to {held['until']:%Y-%m-%d} "
        f"({held['converted']:,} reached SQL within {c['horizon_days']} days)"
    )


def deciles(c: dict) -> Figure:
    rows = [
        Row(
            f"{r['group']} ({r['min_score']:.0f} to {r['max_score']:.0f})",
            [
                Bar(
                    r["conversion"],
                    f"{pct(r['conversion'])} ({r['converted']} of {r['people']}), lift {_lift(r['lift'])}",
                )
            ],
        )
        for r in reversed(c["current"]["by_decile"])  # 1 first, as in the decile chart above
    ]
    key = "calibration_deciles"
    return Figure(
        key,
        KEYS[key],
        hbars(key, KEYS[key], rows, "share who reached SQL within the horizon", pct),
        f"Today's score on {_period(c)}, ranked into ten groups (1: the lowest scores; equal scores "
        "stay together, so a group may be missing or larger). Lift is the group's conversion over the "
        "period's. A score that predicts climbs from 1 to 10. Leads before the period are the ones "
        "`leadflow calibrate` fits points on.",
    )


def roc(c: dict) -> Figure:
    current = c["current"]
    cut = current["mql_threshold"]
    points = [(p["false_positive_rate"], p["recall"]) for p in current["roc"]]
    non_converted = c["held_out"]["people"] - c["held_out"]["converted"]
    flagged_rest = cut["flagged"] - round((cut["precision"] or 0) * cut["flagged"])
    rest_rate = flagged_rest / non_converted if non_converted else 0.0
    name = (
        f"MQL threshold {cut['threshold']:g}: precision {pct(cut['precision'])}, recall {pct(cut['recall'])}"
    )
    key = "calibration_roc"
    svg = curve(
        key,
        KEYS[key],
        points,
        "share of leads who did not reach SQL, flagged",
        "share of SQLs flagged (recall)",
        (f"today's score (AUC {current['auc']:.3f})", "a score that predicts nothing"),
        (rest_rate, cut["recall"] or 0.0, name),
    )
    return Figure(
        key,
        KEYS[key],
        svg,
        f"Each point of the curve is a score cut on {_period(c)}: the share of the leads who reached SQL at "
        f"or above it against the share of the others. AUC {current['auc']:.3f} (0.5 is the dashed "
        f"diagonal, a score that predicts nothing). At the MQL threshold ({cut['threshold']:g} points) "
        f"{cut['flagged']:,} leads were flagged: precision {pct(cut['precision'])}, recall "
        f"{pct(cut['recall'])}.",
    )


def tiers(c: dict) -> Figure:
    ordered = sorted(c["current"]["by_tier"], key=lambda r: r["min_score"])
    rows = [
        Row(
            r["group"],
            [
                Bar(
                    r["conversion"],
                    f"{pct(r['conversion'])} ({r['converted']} of {r['people']}), lift {_lift(r['lift'])}",
                    TIER_COLORS.get(r["group"], BLUE),
                )
            ],
        )
        for r in ordered
    ]
    key = "calibration_tiers"
    return Figure(
        key,
        KEYS[key],
        hbars(key, KEYS[key], rows, "share who reached SQL within the horizon", pct),
        f"The tiers today's score puts {_period(c)} in, and the share of each who reached SQL. Unlike the "
        "tier chart above, only leads whose horizon has passed count, each against the same 90 days.",
    )


def _lift(value) -> str:
    return "n/a" if value is None else f"{value:.1f}"
