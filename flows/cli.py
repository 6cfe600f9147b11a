"""`leadflow`: the one entry point for ops engineers (flows load lazily: Prefect is slow to import)."""

from __future__ import annotations

import json
import os
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from flows import cli_calibrate, cli_ops
from flows.exits import EPILOG, FAILED, PARTIAL, failures, partial_reason, showing_progress
from flows.render import print_summary, print_writeback

app = typer.Typer(
    help="Lead qualification: CRMs into DuckDB, scored with dbt, written back.",
    no_args_is_help=True,
    epilog=EPILOG,
)
run_app = typer.Typer(help="Run one flow now, in this process.", no_args_is_help=True, epilog=EPILOG)
app.add_typer(run_app, name="run")
cli_ops.register(app)
cli_calibrate.register(app)


def _sandbox_app() -> typer.Typer:
    # The sandbox is a development tool: only these commands import it.
    from connectors.sandbox.cli import app as sandbox_app

    return sandbox_app


app.add_typer(_sandbox_app(), name="sandbox")

EnvFile = Annotated[
    Path | None,
    typer.Option(
        "--env-file",
        help="A dotenv file of LEADFLOW_* settings "
        "(e.g. a sandbox.env); its values win over the environment.",
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
Quiet = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress, no summary: errors on stderr and the exit code.")
]
Objects = Annotated[
    list[str] | None,
    typer.Option(
        "--objects", help="Only these objects (repeat): Lead, salesforce.Lead, contacts, hubspot..."
    ),
]


def _use_env_file(env_file: Path | None) -> None:
    if env_file is None:
        return
    from connectors.sandbox.admin import read_env  # a plain dotenv reader

    if not env_file.exists():
        raise typer.BadParameter(f"{env_file} does not exist", param_hint="--env-file")
    os.environ.update(read_env(env_file))


def _done(result, as_json: bool, printer, quiet: bool = False) -> None:
    """Print the result; a run finished with rejects or unfinished objects exits 3, saying why."""
    if as_json:
        typer.echo(json.dumps(result, default=str, indent=2))
    elif not quiet:
        printer(result)
    reason = partial_reason(result)
    if reason:
        typer.echo(f"leadflow: partly done: {reason}", err=True)
        raise typer.Exit(PARTIAL)


@run_app.command("nightly")
def run_nightly(
    env_file: EnvFile = None,
    dry_run: Annotated[bool, typer.Option(help="Compute everything, write nothing to the CRMs.")] = False,
    as_of: Annotated[str | None, typer.Option(help="Score as of this date (YYYY-MM-DD).")] = None,
    as_json: Json = False,
    quiet: Quiet = False,
) -> None:
    """Extract changed records, build the models, write changed fields back."""
    _use_env_file(env_file)
    day = _day(as_of, "--as-of") if as_of else None
    with failures("run nightly"), showing_progress(quiet, as_json):
        from flows.nightly import nightly

        result = nightly(dry_run=dry_run, as_of=day)
    _done(result, as_json, print_summary, quiet)


@run_app.command("extract")
def run_extract(
    env_file: EnvFile = None,
    objects: Objects = None,
    full_refresh: Annotated[bool, typer.Option(help="Read everything, not only changes.")] = False,
    as_json: Json = False,
    quiet: Quiet = False,
) -> None:
    """Pull changed records into the raw tables."""
    _use_env_file(env_file)
    _check_objects(objects)
    with failures("run extract"), showing_progress(quiet, as_json):
        from flows.extract import extract

        result = extract(objects=objects, full_refresh=full_refresh)
    _done(result, as_json, lambda r: print_summary({"extracted": r}), quiet)


@run_app.command("build")
def run_build(
    env_file: EnvFile = None,
    as_json: Json = False,
    full_refresh: Annotated[
        bool,
        typer.Option(help="Rebuild the incremental tables from all raw rows (after a change of their SQL)."),
    ] = False,
    quiet: Quiet = False,
) -> None:
    """Run `dbt build`: scores, stages, owners, the write-back queue."""
    _use_env_file(env_file)
    with failures("run build"), showing_progress(quiet, as_json):
        from flows.build import build
        from flows.route import routing_summary

        result = {"build": build(full_refresh=full_refresh), "routing": routing_summary()}
    _done(result, as_json, print_summary, quiet)


@app.command("writeback")
def writeback_command(
    env_file: EnvFile = None,
    dry_run: Annotated[
        bool, typer.Option(help="Print the diff (record, field, old, new); write nothing.")
    ] = False,
    limit: Annotated[int | None, typer.Option(help="Write at most N records.")] = None,
    only: Annotated[str | None, typer.Option(help="salesforce or hubspot.")] = None,
    as_json: Json = False,
    quiet: Quiet = False,
) -> None:
    """Send the write-back queue of the last build to the CRMs."""
    if only not in (None, "salesforce", "hubspot"):
        raise typer.BadParameter("must be salesforce or hubspot", param_hint="--only")
    _use_env_file(env_file)
    from dataclasses import asdict

    with failures("writeback"), showing_progress(quiet, as_json):
        from flows.writeback import writeback

        result = asdict(writeback(dry_run=dry_run, limit=limit, only=only))
    _done(result, as_json, print_writeback, quiet)


run_app.command("writeback")(writeback_command)


@app.command()
def backfill(
    since: Annotated[str, typer.Option(help="Start of the window (YYYY-MM-DD or ISO datetime, UTC).")],
    until: Annotated[str | None, typer.Option(help="End of the window, exclusive.")] = None,
    objects: Objects = None,
    full_refresh: Annotated[bool, typer.Option(help="Ignore the window: read everything.")] = False,
    env_file: EnvFile = None,
    as_json: Json = False,
    quiet: Quiet = False,
) -> None:
    """Re-read a date range of records; the nightly watermark never moves backwards."""
    _use_env_file(env_file)
    start = _moment(since, "--since")
    end = _moment(until, "--until") if until else None
    if end is not None and end <= start:
        raise typer.BadParameter("--until must be after --since", param_hint="--until")
    _check_objects(objects)
    with failures("backfill"), showing_progress(quiet, as_json):
        from flows.backfill import backfill as backfill_flow

        result = backfill_flow(since=start, until=end, objects=objects, full_refresh=full_refresh)
    _done(result, as_json, lambda r: print_summary({"extracted": r}), quiet)


def _check_objects(objects: list[str] | None) -> None:
    """An unknown object is a usage error (2), found before any flow starts."""
    if not objects:
        return
    from flows.extract import select_objects
    from flows.settings import load_settings

    with failures("objects"):
        settings = load_settings()
    try:
        select_objects(objects, settings)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint="--objects") from None


def _day(text: str, hint: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)", param_hint=hint) from None


def _moment(text: str, hint: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date (YYYY-MM-DD) or ISO datetime", param_hint=hint
        ) from None


@app.command()
def route(
    what_if: Annotated[
        Path | None,
        typer.Option(
            "--what-if",
            help="A changed routing file (like dbt_project/routing.yml): how it would have assigned "
            "the last --days days, each owner's share; changes nothing.",
        ),
    ] = None,
    days: Annotated[int, typer.Option(help="Days of MQLs the what-if replays.")] = 30,
    as_of: Annotated[
        str | None, typer.Option(help="The what-if's last day (YYYY-MM-DD); default today.")
    ] = None,
    env_file: EnvFile = None,
    as_json: Json = False,
) -> None:
    """Who owns the MQLs and why (reason, rule, SLA breaches); --what-if tries a changed routing file."""
    _use_env_file(env_file)
    from flows.render import print_routing, print_what_if
    from flows.route import WhatIfError, routing_summary
    from flows.route import what_if as replay

    if what_if is None:
        _done(routing_summary(), as_json, print_routing)
        return
    if days < 1:
        raise typer.BadParameter("must be 1 or more", param_hint="--days")
    day = _day(as_of, "--as-of") if as_of else None
    try:
        result = replay(what_if, days=days, as_of=day)
    except WhatIfError as err:
        typer.echo(f"what-if: {err}", err=True)
        raise typer.Exit(1) from None
    _done(result, as_json, print_what_if)


@app.command(epilog=EPILOG)
def report(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Folder for index.html; default LEADFLOW_REPORT_DIR, else beside the DuckDB file."
        ),
    ] = None,
    env_file: EnvFile = None,
    as_json: Json = False,
    quiet: Quiet = False,
) -> None:
    """Write a static HTML report of the last build: funnel, scores, conversion, SLA, lead value."""
    _use_env_file(env_file)
    from flows.report import ReportError, render_report, report_dir
    from flows.settings import load_settings

    with failures("report"):
        settings = load_settings()
        try:
            written = render_report(settings.duckdb_path, out or report_dir(settings))
        except ReportError as err:
            typer.echo(f"leadflow report: {err}", err=True)
            raise typer.Exit(FAILED) from None
    _done(written.summary(), as_json, lambda r: typer.echo(f"report written: {r['url']}"), quiet)


@app.command()
def demo(
    directory: Annotated[
        Path, typer.Option("--dir", help="Where the demo keeps its sandbox and DuckDB.")
    ] = Path(".leadflow/demo"),
    people: Annotated[int, typer.Option(help="People in the synthetic company.")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed of the synthetic company.")] = 42,
) -> None:
    """Start the sandbox CRMs, fill them, run nightly against them, show what changed."""
    from flows.demo import run_demo

    sys.exit(run_demo(directory, people, seed))


def main() -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    # Prefect's temporary server gives up after 20 s; on a busy 2-core machine its start
    # (migrations, app import) can take longer than that.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    app()


if __name__ == "__main__":
    main()
