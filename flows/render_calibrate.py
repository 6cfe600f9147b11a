"""`leadflow calibrate` as terminal tables."""

from __future__ import annotations

from rich.table import Table

from flows.render import console


def print_calibration(r: dict) -> None:
    train, held = r["training"], r["held_out"]
    console.print(
        f"Calibration against reaching {r['outcome']} within {r['horizon_days']} days of becoming a lead "
        f"({r['people']} people with a known outcome)"
    )
    console.print(
        f"Fit on {train['people']} leads before {_day(r['split_at'])} ({train['converted']} converted); "
        f"measured on {held['people']} from then on ({held['converted']} converted)"
    )
    current, suggestion = r["current"], r["suggestion"]
    table = Table(title="Held-out period", title_justify="left")
    for col in ("scores", "ROC AUC", "MQL threshold", "MQLs", "precision", "recall"):
        table.add_column(col, justify="left" if col == "scores" else "right")
    table.add_row("today's rules", _num(current["auc"]), *_cut(current["mql_threshold"]))
    table.add_row("regression (unrounded)", _num(suggestion["regression_auc"]), "", "", "", "")
    table.add_row(
        "suggested points", _num(suggestion["rounded"]["auc"]), *_cut(suggestion["rounded"]["mql_threshold"])
    )
    console.print(table)
    verdict = "within" if suggestion["rounding_ok"] else "OVER"
    console.print(
        f"Rounding to integer points costs {_num(suggestion['rounding_cost'])} AUC ({verdict} the 0.02 limit)"
    )
    _groups("By score decile (today's rules)", "decile", current["by_decile"])
    _groups("By tier (today's rules)", "tier", current["by_tier"])
    changed = {k: v for k, v in suggestion["points"].items() if v}
    table = Table(title="Suggested points (non-zero)", title_justify="left")
    table.add_column("rule")
    table.add_column("points", justify="right")
    for name, points in sorted(changed.items(), key=lambda kv: -abs(kv[1])):
        table.add_row(name, str(points))
    console.print(table)
    if r.get("backtest"):
        _backtest(r["backtest"])
    if r.get("written"):
        console.print("Suggested seeds written: " + ", ".join(r["written"]))


def _backtest(b: dict) -> None:
    period = b["period"]
    replaced = ", ".join(f"{name} ({path})" for name, path in b["replaces"].items())
    console.print(
        f"Backtest: history replayed by dbt as of {b['as_of']} with today's seeds and with {replaced}; "
        f"measured on the {period['people']} held-out leads "
        f"({_day(period['from'])} to {_day(period['until'])}, {period['weeks']:.1f} weeks)"
    )
    table = Table(title="Backtest on the held-out period", title_justify="left")
    for col in ("rules", "ROC AUC", "MQL threshold", "flagged", "precision", "recall", "MQLs", "MQLs/week"):
        table.add_column(col, justify="left" if col == "rules" else "right")
    for label, key in (("today's rules", "today"), ("rules file", "rules_file")):
        m = b[key]
        table.add_row(
            label, _num(m["auc"]), *_cut(m["mql_threshold"]), str(m["mqls"]), _num(m["mqls_per_week"], 1)
        )
    console.print(table)
    console.print(
        "flagged: held-out leads at or above the threshold as of the run date; MQLs: people whose score "
        "first reached it in the period (form and CRM-stage MQLs do not depend on points: left out)"
    )
    if b["today_differs_from_build"]:
        console.print(
            f"Note: today's rules replayed give {b['today_differs_from_build']} held-out leads another score "
            "than the last build: the seeds or the models changed since it"
        )
    _groups("By tier (rules file)", "tier", b["rules_file"]["by_tier"])


def _groups(title: str, label: str, rows: list[dict]) -> None:
    table = Table(title=title, title_justify="left")
    for col in (label, "scores", "people", "converted", "conversion", "lift"):
        table.add_column(col, justify="left" if col == label else "right")
    for row in rows:
        table.add_row(
            row["group"],
            f"{row['min_score']:.0f}-{row['max_score']:.0f}",
            str(row["people"]),
            str(row["converted"]),
            f"{row['conversion']:.1%}",
            _num(row["lift"], 1),
        )
    console.print(table)


def _cut(cut: dict) -> tuple[str, ...]:
    return (f"{cut['threshold']:g}", str(cut["flagged"]), _pct(cut["precision"]), _pct(cut["recall"]))


def _num(value, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _pct(value) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _day(value) -> str:
    return "" if value is None else str(value)[:10]
