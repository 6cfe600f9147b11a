"""`leadflow calibrate`: today's score measured against history, and points fit from it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from flows.exits import USAGE, failures


def calibrate_command(
    outcome: Annotated[
        str, typer.Option(help="The stage that counts as converted: sql, opportunity or customer.")
    ] = "sql",
    horizon_days: Annotated[
        int, typer.Option(help="Days after becoming a lead within which it must be reached.")
    ] = 90,
    split_date: Annotated[
        str | None,
        typer.Option(help="Leads from this date (YYYY-MM-DD) are held out; default the newest 30%."),
    ] = None,
    write: Annotated[bool, typer.Option("--write", help="Write the suggested seed CSVs to --out.")] = False,
    out: Annotated[Path, typer.Option(help="Folder for --write.")] = Path(".leadflow/calibration"),
    write_seeds: Annotated[
        bool, typer.Option("--write-seeds", help="Write the suggested points over the project's seeds.")
    ] = False,
    rules: Annotated[
        Path | None,
        typer.Option(
            "--rules",
            help="A changed seed CSV (or a folder of them) to backtest beside today's rules; writes nothing.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """How well the score predicts a later stage (held-out AUC, deciles, tiers, MQL cut); new points;
    with --rules, a changed scoring file replayed on history beside today's rules."""
    from flows.calibrate import OUTCOMES, CalibrationError, calibrate
    from flows.calibrate_backtest import backtest
    from flows.calibrate_fit import write_seeds as write_csvs
    from flows.calibrate_rules import RulesFileError
    from flows.cli import _day
    from flows.render_calibrate import print_calibration
    from flows.settings import load_settings

    if outcome not in OUTCOMES:
        raise typer.BadParameter(f"must be one of {', '.join(OUTCOMES)}", param_hint="--outcome")
    if horizon_days < 1:
        raise typer.BadParameter("must be 1 or more", param_hint="--horizon-days")
    day = _day(split_date, "--split-date") if split_date else None
    with failures("calibrate"):
        try:
            # The rules file first: a mistake in it is told before anything is replayed or fit.
            tried = backtest(rules, outcome, horizon_days, day) if rules else None
            result = calibrate(outcome=outcome, horizon_days=horizon_days, split_date=day)
        except (CalibrationError, RulesFileError) as err:
            hint = getattr(err, "hint", None)
            for line in (f"{err} ({hint})" if hint else str(err)).splitlines():
                typer.echo(f"leadflow calibrate: {line}", err=True)
            raise typer.Exit(USAGE) from None
        if tried:
            result["backtest"] = tried
        seeds = result["suggestion"].pop("seeds")
        written = []
        if write:
            written += write_csvs(seeds, out)
        if write_seeds:  # only ever on request: the seeds are the team's rules
            written += write_csvs(seeds, load_settings().dbt_project_dir / "seeds")
        result["written"] = [str(p) for p in written]
    if as_json:
        typer.echo(json.dumps(result, default=str, indent=2))
    else:
        print_calibration(result)


def register(app: typer.Typer) -> None:
    app.command("calibrate")(calibrate_command)
