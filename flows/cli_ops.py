"""`leadflow status`, `explain` and `config check`: reading what runs left, checking the rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from flows.exits import EPILOG, NOT_FOUND, USAGE, failures

Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
config_app = typer.Typer(
    help="The configuration: settings, scoring rules, routing file.", no_args_is_help=True
)


def _print(result, as_json: bool, printer) -> None:
    if as_json:
        typer.echo(json.dumps(result, default=str, indent=2))
    else:
        printer(result)


def status_command(as_json: Json = False) -> None:
    """Last runs and outcomes, watermarks, API budget left, write-back queue, rejects, SLA breaches."""
    from flows.reading import WarehouseMissing
    from flows.render_ops import print_status
    from flows.status import status

    with failures("status"):
        try:
            result = status()
        except WarehouseMissing as err:
            result = {"has_run": False, "message": str(err)}
            if not as_json:
                typer.echo(f"Nothing has run yet: {err}")
                return
        _print(result, as_json, print_status)


def explain_command(
    email: Annotated[str, typer.Argument(help="The person's email (any case).")],
    as_json: Json = False,
) -> None:
    """One person's score to the point (rule and activity), stage history and owner with the reason."""
    from flows.explain import PersonNotFound, explain
    from flows.reading import WarehouseMissing
    from flows.render_ops import print_explain

    with failures("explain"):
        try:
            result = explain(email)
        except (PersonNotFound, WarehouseMissing) as err:
            typer.echo(f"leadflow explain: {err}", err=True)
            raise typer.Exit(NOT_FOUND) from None
        _print(result, as_json, print_explain)


@config_app.command("check", epilog=EPILOG)
def config_check(
    project_dir: Annotated[
        Path | None,
        typer.Option(help="A dbt project other than the configured one (its seeds and routing.yml)."),
    ] = None,
    as_json: Json = False,
) -> None:
    """Check the settings, the scoring rule seeds and routing.yml; each error with its file and line."""
    from flows.config_check import check_config
    from flows.render_ops import print_config_check

    with failures("config check"):
        result = check_config(project_dir)
    _print(result, as_json, print_config_check)
    if not result["ok"]:
        raise typer.Exit(USAGE)


def register(app: typer.Typer) -> None:
    app.command("status", epilog=EPILOG)(status_command)
    app.command("explain", epilog=EPILOG)(explain_command)
    app.add_typer(config_app, name="config")
