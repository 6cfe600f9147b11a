"""What `leadflow` exits with, so that scripts and schedulers can tell outcomes apart."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

import typer
from pydantic import ValidationError
from typer.exceptions import TyperException

from flows import progress
from flows.config_file import ConfigError

OK = 0
FAILED = 1  # the run failed: an API refused, a dbt model or test failed, the warehouse is busy
USAGE = 2  # a bad option or setting (click uses 2 for usage errors too)
PARTIAL = 3  # finished, but some rows were rejected or some objects are unfinished
NOT_FOUND = 4  # what was asked for is not there (explain: an unknown email)

EPILOG = (
    "Exit codes: 0 ok; 1 the run failed (the reason on stderr); 2 usage or configuration error; "
    "3 partial: finished with rejected rows or unfinished objects; 4 not found (explain: unknown email)."
)


def partial_reason(result) -> str | None:
    """Why a finished run is only partly done (None when it is wholly done)."""
    extracted = result if isinstance(result, list) else (result or {}).get("extracted") or []
    written = (result or {}).get("writeback") if isinstance(result, dict) else None
    if isinstance(result, dict) and "rejected" in result and "dry_run" in result:
        written = result
    reasons = []
    unfinished = [
        f"{r['source']}.{r['object']} ({r['status']})"
        for r in extracted
        if isinstance(r, dict) and r.get("status", "complete") != "complete"
    ]
    if unfinished:
        reasons.append("unfinished objects, the next run resumes them: " + ", ".join(unfinished))
    if written and written.get("rejected"):
        reasons.append(
            f"{written['rejected']} records rejected by the CRM (see ops.rejects, `leadflow status`)"
        )
    return "; ".join(reasons) or None


@contextmanager
def failures(command: str) -> Iterator[None]:
    """An error ends the command with its code and one line on stderr, not a traceback."""
    try:
        yield
    except (typer.Exit, typer.Abort, TyperException):  # the command chose its exit already
        raise
    except (ConfigError, ValidationError) as err:
        typer.echo(f"leadflow {command}: configuration error: {err}", err=True)
        raise typer.Exit(USAGE) from None
    except Exception as err:
        typer.echo(f"leadflow {command}: failed: {type(err).__name__}: {err}", err=True)
        raise typer.Exit(FAILED) from None


def showing_progress(quiet: bool, as_json: bool):
    """Progress bars on stderr for a person at a terminal; Prefect's log lines kept to warnings
    meanwhile (they would tear the bars), and always under --quiet."""
    shown = progress.wanted(quiet, as_json)
    if quiet or shown:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    return progress.shown() if shown else nullcontext()
