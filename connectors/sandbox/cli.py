"""`leadflow sandbox ...`: serve the emulated CRMs, fill them, load records into them."""

from __future__ import annotations

import json
import signal
import threading
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from .admin import SandboxAdmin
from .app import ENV_FILE, Sandbox, SandboxSettings

DEFAULT_DIR = Path(".leadflow/sandbox")

app = typer.Typer(help="The local Salesforce and HubSpot emulators that tests and the demo use.")

DirOption = Annotated[Path, typer.Option("--dir", help="Sandbox directory (records, CA, sandbox.env).")]


@app.command()
def up(
    directory: DirOption = DEFAULT_DIR,
    salesforce_port: Annotated[int, typer.Option(help="0: a free port (the last one if free).")] = 0,
    hubspot_port: Annotated[int, typer.Option(help="0: a free port (the last one if free).")] = 0,
    hubspot_rate_limit: Annotated[int, typer.Option(help="HubSpot requests per 10 s per token.")] = 190,
    salesforce_daily_limit: Annotated[int, typer.Option(help="Salesforce DailyApiRequests Max.")] = 100_000,
) -> None:
    """Serve both CRMs on 127.0.0.1 until interrupted; write DIR/sandbox.env for leadflow."""
    settings = SandboxSettings(
        hubspot_requests_per_10s=hubspot_rate_limit, salesforce_daily_limit=salesforce_daily_limit
    )
    box = Sandbox(directory, salesforce_port, hubspot_port, settings).start()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    typer.echo(f"Salesforce  {box.url('salesforce')}")
    typer.echo(f"HubSpot     {box.url('hubspot')}")
    typer.echo(f"CA          {box.ca_path}")
    typer.echo(f"Settings    {box.directory / ENV_FILE}  (export them: set -a; . {box.directory / ENV_FILE})")
    stop.wait()
    box.stop()


@app.command()
def seed(
    directory: DirOption = DEFAULT_DIR,
    people: Annotated[int, typer.Option(help="How many people the company has.")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same company.")] = 42,
    today: Annotated[str | None, typer.Option(help="Date the history ends (YYYY-MM-DD).")] = None,
) -> None:
    """Fill a running sandbox with a synthetic company, through its load endpoint."""
    from .seed import generate

    admin = SandboxAdmin(directory)
    day = date.fromisoformat(today) if today else None
    counts = admin.load(generate(people=people, seed=seed, today=day))
    for vendor, objects in counts.items():
        typer.echo(f"{vendor}: " + ", ".join(f"{n} {o}" for o, n in sorted(objects.items())))


@app.command()
def load(
    file: Annotated[Path, typer.Argument(help="JSON lines: {vendor, object, record}.")],
    directory: DirOption = DEFAULT_DIR,
) -> None:
    """Load records of any object, system fields included, into a running sandbox."""

    def lines():
        with file.open() as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except ValueError as err:
                        raise typer.BadParameter(f"{file}:{number}: not JSON ({err})") from None

    counts = SandboxAdmin(directory).load(lines())
    for vendor, objects in counts.items():
        if objects:
            typer.echo(f"{vendor}: " + ", ".join(f"{n} {o}" for o, n in sorted(objects.items())))
